/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The syscall sensor of the seccomp profile recorder (`vigil seccomp record`): counts, per
 * syscall number, the syscalls entered by the tasks of one cgroup v2 subtree. Aggregated here,
 * in a per-CPU array, so that a recorded syscall costs one map update and no ring-buffer record.
 * Three attach methods of one body; the recorder loads the best one `vigil probe` found.
 */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_SYSCALL_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} seccomp_rec_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_syscall_scope);
} seccomp_rec_scope SEC(".maps");

#define SECCOMP_REC_TS_COMPAT 0x0002 /* x86 thread_info.status: in a 32-bit syscall */

static __always_inline bool in_compat_syscall_now(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (!bpf_core_field_exists(task->thread_info.status))
		return false;
	return BPF_CORE_READ(task, thread_info.status) & SECCOMP_REC_TS_COMPAT;
}

static __always_inline int seccomp_rec_count(long id)
{
	__u32 zero = 0, slot;
	struct vigil_syscall_scope *scope = bpf_map_lookup_elem(&seccomp_rec_scope, &zero);
	__u64 *count;

	if (!scope || !scope->cgroup_id)
		return 0;
	/* the cgroup itself, or any cgroup the command creates below it */
	if (bpf_get_current_cgroup_id() != scope->cgroup_id &&
	    bpf_get_current_ancestor_cgroup_id(scope->level) != scope->cgroup_id)
		return 0;
	if (id < 0 || id >= VIGIL_SYSCALL_NR_MAX)
		return 0; /* x32 numbers (bit 30) and the -1 of a ptrace-skipped call */
	slot = (__u32)id + (in_compat_syscall_now() ? VIGIL_SYSCALL_NR_MAX : 0);
	count = bpf_map_lookup_elem(&seccomp_rec_counts, &slot);
	if (count)
		*count += 1; /* per CPU, and the program does not nest on one CPU for this hook */
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(seccomp_rec_btf, struct pt_regs *regs, long id)
{
	return seccomp_rec_count(id);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(seccomp_rec_raw, struct pt_regs *regs, long id)
{
	return seccomp_rec_count(id);
}

SEC("tracepoint/raw_syscalls/sys_enter")
int seccomp_rec_tp(struct trace_event_raw_sys_enter *ctx)
{
	return seccomp_rec_count(ctx->id);
}
