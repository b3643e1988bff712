// SPDX-License-Identifier: GPL-2.0-only
/* capable: every capability check the kernel makes, and its verdict (priv.capable). */
#include "tools/tool.h"

#include "kinds.h"
#include "priv_names.h"
#include "vigil/abi.h"

static void capable_row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_capable_event *e = rec;
	const char *name = capability_name(e->cap);
	struct sbuf *b = pl->out.b;

	(void)size;
	tool_put_time(b, e->hdr.ktime_ns);
	sbuf_printf(b, " %-6u %-7u %-16.16s %-4d %-22s %-5s %s\n", e->hdr.task.uid, e->hdr.task.tgid,
		    proc->comm, e->cap, name ? name : "?",
		    e->audit == VIGIL_CAP_AUDIT_UNKNOWN ? "-" : e->audit ? "1" : "0",
		    e->ret == 0 ? "allow" : "deny");
}

const struct tool tool_capable = {
	.name = "capable",
	.summary = "trace capability checks (capability:cap_capable)",
	.doc = "Trace every capability check the kernel makes for a process: the capability, and "
	       "whether it was granted. AUDIT shows '-' on kernels whose cap_capable tracepoint does "
	       "not carry the audit option (Linux 6.13 and later, where the tracepoint exists). "
	       "Checks are frequent (every exec makes several): filter with -p, -u or -c.\v"
	       "Examples:\n"
	       "  vigil capable -u 1000\n"
	       "  vigil capable -c dockerd --json",
	.kinds = KIND_BIT(VIGIL_KIND_PRIV_CAPABLE),
	.header = "TIME     UID    PID     COMM             CAP  NAME                   AUDIT VERDICT",
	.row = capable_row,
};
