// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: any bytes as a Docker/OCI seccomp profile give a checked profile or an error
 * naming where it is wrong, never a crash, a leak or undefined behaviour. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = malloc(size + 1);
	struct profile p;
	char err[512];

	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	memset(&p, 0, sizeof(p));
	err[0] = '\0';
	if (profile_parse_string(json, &p, err, sizeof(err)) == 0)
		profile_free(&p);
	else if (!err[0])
		abort(); /* refused without saying why */
	free(json);
	return 0;
}
