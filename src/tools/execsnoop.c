// SPDX-License-Identifier: GPL-2.0-only
/* execsnoop: every exec, one line each: the successful ones (process.exec) with RET 0 and the
 * new argv, the failed ones (process.exec_failed) with RET -errno and the argv asked for. */
#include "tools/tool.h"

#include "events/kernel_events.h"
#include "kinds.h"
#include "vigil/abi.h"

static void execsnoop_row(struct pipeline *pl, const void *rec, size_t size,
			  const struct proc *proc)
{
	const struct vigil_event_hdr *h = rec;
	const struct vigil_kernel_event *f = rec;
	bool failed = h->kind == VIGIL_KIND_PROCESS_EXEC_FAILED;
	struct sbuf *b = pl->out.b;

	tool_put_time(b, h->ktime_ns);
	sbuf_printf(b, " %-7u %-7u %-6u %3d %-16.16s ", h->task.tgid, h->task.ppid, h->task.uid,
		    failed ? (int)f->body.call.ret : 0, proc->comm);
	if (!failed)
		tool_put_args(b, proc->img);
	else if (!f->body.seg[VIGIL_KSEG_EXEC_ARGV].count) /* no argv: the file asked for */
		kernel_event_seg(rec, size, VIGIL_KSEG_EXEC_FILE, b);
	else
		kernel_event_seg(rec, size, VIGIL_KSEG_EXEC_ARGV, b);
	sbuf_putc(b, '\n');
}

const struct tool tool_execsnoop = {
	.name = "execsnoop",
	.summary = "trace new programs (exec)",
	.doc = "Trace every exec on the host: the new program's tgid, parent, uid and full argv, "
	       "as the kernel saw them. A failed exec is shown too: RET is the negative errno, COMM "
	       "the caller's, ARGS the argv it asked for (its first 16 strings).\v"
	       "Examples:\n"
	       "  vigil execsnoop\n"
	       "  vigil execsnoop -u 1000\n"
	       "  vigil execsnoop -c bash --json",
	.kinds = KIND_BIT(VIGIL_KIND_PROCESS_EXEC) | KIND_BIT(VIGIL_KIND_PROCESS_EXEC_FAILED),
	.header = "TIME     PID     PPID    UID    RET COMM             ARGS",
	.row = execsnoop_row,
};
