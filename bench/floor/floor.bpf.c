// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor: empty programs on the hooks the sensors use. What a tracer costs beyond this is the
 * tracer's own work (reading, filtering, sending); this is what merely being attached costs.
 * Attach types match vigil's (tp_btf for the scheduler, tracepoints for syscalls).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define EMPTY(name, sec)                                                                           \
	SEC(sec) int name(void *ctx)                                                               \
	{                                                                                          \
		(void)ctx;                                                                         \
		return 0;                                                                          \
	}

EMPTY(proc_exec, "tp_btf/sched_process_exec")
EMPTY(proc_fork, "tp_btf/sched_process_fork")
EMPTY(proc_exit, "tp_btf/sched_process_exit")
EMPTY(openat_enter, "tracepoint/syscalls/sys_enter_openat")
EMPTY(openat_exit, "tracepoint/syscalls/sys_exit_openat")
EMPTY(connect_enter, "tracepoint/syscalls/sys_enter_connect")
EMPTY(connect_exit, "tracepoint/syscalls/sys_exit_connect")
EMPTY(accept4_enter, "tracepoint/syscalls/sys_enter_accept4")
EMPTY(accept4_exit, "tracepoint/syscalls/sys_exit_accept4")

char LICENSE[] SEC("license") = "GPL";
