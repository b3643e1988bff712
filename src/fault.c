// SPDX-License-Identifier: GPL-2.0-only
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const fault_steps[] = {
	"filter.barrier", "filter.clear", "filter.fill", "filter.meta",
	"enforce.barrier", "enforce.fill", "enforce.config",
	"filter.switch", "enforce.switch", NULL,
};

static char armed[32];

void fault_arm(void)
{
	const char *path = getenv("VIGIL_FAULT_FILE");
	FILE *f;

	armed[0] = '\0';
	if (!path || !(f = fopen(path, "r")))
		return;
	if (fgets(armed, sizeof(armed), f))
		armed[strcspn(armed, " \r\n")] = '\0';
	fclose(f);
	if (truncate(path, 0))
		armed[0] = '\0'; /* one reload per request: a file that cannot be cleared arms nothing */
}

bool fault_hit(const char *step)
{
	if (!armed[0] || strcmp(armed, step))
		return false;
	fprintf(stderr, "vigil: fault injected at %s (VIGIL_FAULT_FILE)\n", step);
	armed[0] = '\0';
	return true;
}

void fault_disarm(void)
{
	armed[0] = '\0';
}
