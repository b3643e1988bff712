// SPDX-License-Identifier: GPL-2.0-only
#include "cap_audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vigil.skel.h"

/* Callers of cap_capable that pass CAP_OPT_NOAUDIT (security_vm_enough_memory_mm is where
 * cap_vm_enough_memory is inlined). Their ".cold" parts count too. */
static const char *const noaudit_funcs[] = {
	"ns_capable_noaudit",	  "has_ns_capability_noaudit",	  "has_capability_noaudit",
	"cap_vm_enough_memory", "security_vm_enough_memory_mm",
};

static int noaudit_index(const char *name)
{
	for (size_t i = 0; i < sizeof(noaudit_funcs) / sizeof(noaudit_funcs[0]); i++) {
		size_t n = strlen(noaudit_funcs[i]);
		if (!strncmp(name, noaudit_funcs[i], n) && (!name[n] || !strcmp(name + n, ".cold")))
			return (int)i;
	}
	return -1;
}

unsigned cap_noaudit_find(const char *kallsyms_path, struct cap_noaudit_ranges *r)
{
	char line[512], type, name[256];
	uint64_t addr;
	FILE *f = fopen(kallsyms_path, "r");

	memset(r, 0, sizeof(*r));
	if (!f)
		return 0;
	/* first pass: where each function starts */
	while (fgets(line, sizeof(line), f) && r->count < CAP_NOAUDIT_RANGES) {
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if ((type == 't' || type == 'T') && noaudit_index(name) >= 0) {
			r->lo[r->count] = addr;
			r->hi[r->count++] = UINT64_MAX;
		}
	}
	/* second pass: each ends where the next symbol starts */
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		for (unsigned i = 0; i < r->count; i++)
			if (addr > r->lo[i] && addr < r->hi[i])
				r->hi[i] = addr;
	}
	fclose(f);
	for (unsigned i = 0; i < r->count; i++)
		if (r->hi[i] == UINT64_MAX) /* the last symbol of all: no end known, drop it */
			r->lo[i] = r->hi[i] = 0;
	return r->count;
}

int capable_configure(struct sensors *s, const struct sensors_config *cfg, char *err, size_t errlen)
{
	struct cap_noaudit_ranges r;

	(void)err;
	(void)errlen;
	s->skel->rodata->cap_report_noaudit = cfg->cap_noaudit;
	if (!cap_noaudit_find("/proc/kallsyms", &r))
		return 0;
	for (unsigned i = 0; i < r.count; i++) {
		s->skel->rodata->cap_noaudit_lo[i] = r.lo[i];
		s->skel->rodata->cap_noaudit_hi[i] = r.hi[i];
	}
	s->skel->rodata->cap_noaudit_known = 1;
	return 0;
}
