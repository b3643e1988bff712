// SPDX-License-Identifier: GPL-2.0-only
#include "exec_id.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static char boot[9] = "00000000";

void exec_id_init(const char *boot_id_override)
{
	char line[64] = "";
	FILE *f;

	if (boot_id_override) {
		snprintf(boot, sizeof(boot), "%s", boot_id_override);
		return;
	}
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && strlen(line) >= 8)
		memcpy(boot, line, 8);
	fclose(f);
}

void exec_id_format(char out[EXEC_ID_LEN], uint32_t tgid, uint64_t start_ns, uint64_t exec_seq)
{
	if (!start_ns && !tgid) {
		out[0] = '\0';
		return;
	}
	snprintf(out, EXEC_ID_LEN, "%s:%" PRIu64 ":%" PRIu32 ":%" PRIu64, boot, start_ns, tgid,
		 exec_seq);
}
