// SPDX-License-Identifier: GPL-2.0-only
/* modsnoop: kernel module loads (kernel.module_load). */
#include "tools/tool.h"

#include <stdio.h>
#include <string.h>

#include "events/kernel_events.h"
#include "events/priv_events.h"
#include "kinds.h"
#include "priv_names.h"
#include "sensors.h"
#include "vigil/abi.h"

static void modsnoop_row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_kernel_event *e = rec;
	struct sbuf *b = pl->out.b;

	tool_put_time(b, e->hdr.ktime_ns);
	sbuf_printf(b, " %-7u %-16.16s %-12s ", e->hdr.task.tgid, proc->comm,
		    sys_op_name(e->body.call.op));
	put_ret(b, e->body.call.ret);
	sbuf_putc(b, ' ');
	kernel_event_seg(rec, size, VIGIL_KSEG_MOD_FILE, b);
	sbuf_putc(b, ' ');
	kernel_event_seg(rec, size, VIGIL_KSEG_MOD_PARAMS, b);
	sbuf_putc(b, '\n');
}

/* A kernel that cannot load modules has nothing to trace: say so and stop, rather than run
 * and print nothing. */
static int modsnoop_setup(struct pipeline *pl, struct sensors *s)
{
	(void)pl;
	for (size_t i = 0; i < s->count; i++) {
		const struct sensor_state *st = &s->st[i];
		if (strcmp(st->def->name, "module") || st->method != ATTACH_UNAVAILABLE)
			continue;
		fprintf(stderr, "vigil: modsnoop: this kernel cannot load modules, nothing to trace: %s\n",
			st->why);
		return -1;
	}
	return 0;
}

const struct tool tool_modsnoop = {
	.name = "modsnoop",
	.summary = "trace kernel module loads (init_module, finit_module)",
	.doc = "Trace every kernel module load: the syscall, its result, the module file (from "
	       "finit_module's descriptor, as the kernel resolved it) and the parameters. On a "
	       "kernel built without module support (CONFIG_MODULES=n) there are no such syscalls: "
	       "modsnoop says so and exits with status 1.\v"
	       "Examples:\n"
	       "  vigil modsnoop\n"
	       "  vigil modsnoop --json",
	.kinds = KIND_BIT(VIGIL_KIND_KERNEL_MODULE_LOAD),
	.header = "TIME     PID     COMM             SYSCALL      RET FILE PARAMS",
	.row = modsnoop_row,
	.setup = modsnoop_setup,
};
