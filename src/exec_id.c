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

/* ":<digits>" at p; returns the end. */
static char *put_field(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	*p++ = ':';
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

void exec_id_format(char out[EXEC_ID_LEN], uint32_t tgid, uint64_t start_ns, uint64_t exec_seq)
{
	size_t blen = strnlen(boot, 8);
	char *p = out;

	if (!start_ns && !tgid) {
		out[0] = '\0';
		return;
	}
	/* hot (every event): digits by hand, not snprintf; at most 8 + 3 * 21 bytes */
	memcpy(p, boot, blen);
	p = put_field(put_field(put_field(p + blen, start_ns), tgid), exec_seq);
	*p = '\0';
}
