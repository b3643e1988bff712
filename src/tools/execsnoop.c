// SPDX-License-Identifier: GPL-2.0-only
/* execsnoop: every successful exec, one line each (process.exec). */
#include "tools/tool.h"

#include "kinds.h"
#include "vigil/abi.h"

static void execsnoop_row(struct pipeline *pl, const void *rec, size_t size,
			  const struct proc *proc)
{
	const struct vigil_event_hdr *h = rec;
	struct sbuf *b = pl->out.b;

	(void)size;
	tool_put_time(b, h->ktime_ns);
	sbuf_printf(b, " %-7u %-7u %-6u %3d %-16.16s ", h->task.tgid, h->task.ppid, h->task.uid, 0,
		    proc->comm);
	tool_put_args(b, proc->img);
	sbuf_putc(b, '\n');
}

const struct tool tool_execsnoop = {
	.name = "execsnoop",
	.summary = "trace new programs (exec)",
	.doc = "Trace every exec on the host: the new program's tgid, parent, uid and full argv, "
	       "as the kernel saw them.\v"
	       "Examples:\n"
	       "  vigil execsnoop\n"
	       "  vigil execsnoop -u 1000\n"
	       "  vigil execsnoop -c bash --json",
	.kinds = KIND_BIT(VIGIL_KIND_PROCESS_EXEC),
	.header = "TIME     PID     PPID    UID    RET COMM             ARGS",
	.row = execsnoop_row,
};
