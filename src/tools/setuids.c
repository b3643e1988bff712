// SPDX-License-Identifier: GPL-2.0-only
/* setuids: every call of the setuid family, with the ids asked for and the result (priv.setuid). */
#include "tools/tool.h"

#include "events/priv_events.h"
#include "kinds.h"
#include "priv_names.h"
#include "vigil/abi.h"

static void setuids_row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_setuid_event *e = rec;
	struct sbuf *b = pl->out.b;

	(void)size;
	tool_put_time(b, e->hdr.ktime_ns);
	sbuf_printf(b, " %-7u %-16.16s %-6u %-10s ", e->hdr.task.tgid, proc->comm, e->old_ids.uid,
		    sys_op_name(e->call.op));
	size_t before = b->len;
	setuid_put_args(b, e);
	for (size_t w = b->len - before; w < 18; w++)
		sbuf_putc(b, ' ');
	sbuf_putc(b, ' ');
	put_ret(b, e->call.ret);
	sbuf_putc(b, '\n');
}

const struct tool tool_setuids = {
	.name = "setuids",
	.summary = "trace the setuid family (setuid, setresuid, setgid, setfsuid, ...)",
	.doc = "Trace every call of setuid, setgid, setreuid, setregid, setresuid, setresgid, "
	       "setfsuid and setfsgid: the caller's uid before the call, the ids asked for (-1: "
	       "unchanged) and the result. The ids before and after, as the kernel's cred holds "
	       "them, are in --json. setfsuid and setfsgid return the previous id, not an error.\v"
	       "Examples:\n"
	       "  vigil setuids\n"
	       "  vigil setuids -c sudo --json",
	.kinds = KIND_BIT(VIGIL_KIND_PRIV_SETUID),
	.header = "TIME     PID     COMM             UID    SYSCALL    ARGS               RET",
	.row = setuids_row,
};
