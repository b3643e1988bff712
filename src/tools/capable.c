// SPDX-License-Identifier: GPL-2.0-only
/* capable: every capability check the kernel makes, and its verdict (priv.capable). */
#include "tools/tool.h"

#include <stdbool.h>

#include "kinds.h"
#include "priv_names.h"
#include "vigil/abi.h"

#define SEEN_MAX 4096

struct capable_state {
	bool all;    /* also the checks made without audit */
	bool extra;  /* -x: TID column */
	bool unique; /* --unique: one line per process and capability */
	struct { uint32_t tgid; int cap; } seen[SEEN_MAX];
	size_t nseen;
};

enum { OPT_UNIQUE = 0x400 };

static const struct argp_option capable_options[] = {
	{ "all", 'a', NULL, 0,
	  "Also show the checks the kernel makes without audit (e.g. the CAP_SYS_ADMIN probe of "
	  "every mmap that decides the memory overcommit reserve)", 0 },
	{ "verbose", 'v', NULL, 0, "The same as --all, as in BCC (libbpf's log: --libbpf-log)", 0 },
	{ "extra", 'x', NULL, 0, "Show the TID column", 0 },
	{ "unique", OPT_UNIQUE, NULL, 0, "Show each process's check of a capability once", 0 },
	{},
};

static error_t capable_parse(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;
	struct capable_state *st = r->state;

	(void)arg;
	switch (key) {
	case 'a':
	case 'v':
		st->all = true;
		r->opts.cap_noaudit = true; /* decided in the kernel: the probes never reach the ring */
		return 0;
	case 'x':
		st->extra = true;
		return 0;
	case OPT_UNIQUE:
		st->unique = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static void capable_row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_capable_event *e = rec;
	struct capable_state *st = tool_of(pl)->state;
	const char *name = capability_name(e->cap);
	struct sbuf *b = pl->out.b;

	(void)size;
	if (e->audit == 0 && !st->all)
		return;
	if (st->unique) {
		for (size_t i = 0; i < st->nseen; i++)
			if (st->seen[i].tgid == e->hdr.task.tgid && st->seen[i].cap == e->cap)
				return;
		if (st->nseen < SEEN_MAX) {
			st->seen[st->nseen].tgid = e->hdr.task.tgid;
			st->seen[st->nseen++].cap = e->cap;
		}
	}
	tool_put_time(b, e->hdr.ktime_ns);
	sbuf_printf(b, " %-6u %-7u ", e->hdr.task.uid, e->hdr.task.tgid);
	if (st->extra)
		sbuf_printf(b, "%-7u ", e->hdr.task.tid);
	sbuf_printf(b, "%-16.16s %-4d %-22s %-5s %s\n", proc->comm, e->cap, name ? name : "?",
		    e->audit == VIGIL_CAP_AUDIT_UNKNOWN ? "-" : e->audit ? "1" : "0",
		    e->ret == 0 ? "allow" : "deny");
}

static const char *capable_header(const struct tool_run *r)
{
	const struct capable_state *st = r->state;

	return st->extra ? "TIME     UID    PID     TID     COMM             CAP  NAME                   AUDIT VERDICT"
			 : "TIME     UID    PID     COMM             CAP  NAME                   AUDIT VERDICT";
}

const struct tool tool_capable = {
	.name = "capable",
	.summary = "trace capability checks (capability:cap_capable)",
	.doc = "Trace the capability checks the kernel makes for a process: the capability, whether "
	       "it was granted, and AUDIT, whether the check is one the kernel would audit (1) or a "
	       "silent probe (0). Silent probes are hidden unless --all. The cap_capable tracepoint "
	       "(Linux 6.13 and later) does not carry the audit option: vigil tells it from the "
	       "kernel stack (a noaudit caller among the first frames, located with /proc/kallsyms); "
	       "where kallsyms hides addresses AUDIT shows '-' and every check is shown.\v"
	       "Examples:\n"
	       "  vigil capable -u 1000\n"
	       "  vigil capable --all -c nginx\n"
	       "  vigil capable -v -x --unique\n"
	       "  vigil capable -c dockerd --json",
	.kinds = KIND_BIT(VIGIL_KIND_PRIV_CAPABLE),
	.header = "TIME     UID    PID     COMM             CAP  NAME                   AUDIT VERDICT",
	.row = capable_row,
	.options = capable_options,
	.parse = capable_parse,
	.state_size = sizeof(struct capable_state),
	.header_of = capable_header,
};
