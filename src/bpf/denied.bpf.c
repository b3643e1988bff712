/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syscall.denied: every syscall that returns EPERM or EACCES, counted in the kernel per
 * (process, syscall, errno) from raw_syscalls:sys_exit. A success costs one compare; a failure
 * one map lookup and an atomic add. The first failure of a key inserts it (after the filters)
 * and the 1st, 2nd, 4th, 8th... failures also emit an event that carries the exact count so
 * far, so a storm of denials costs a logarithmic number of records. `vigil eperm` reads the
 * map itself for exact totals.
 */
#include "syspair.bpf.h"

#define DENIED_TS_COMPAT 0x0002 /* x86 thread_info.status: in a 32-bit syscall */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vigil_denied_key);
	__type(value, struct vigil_denied_value);
} denied_counts SEC(".maps");

static __always_inline bool denied_compat(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (!bpf_core_field_exists(task->thread_info.status))
		return false;
	return BPF_CORE_READ(task, thread_info.status) & DENIED_TS_COMPAT;
}

static __always_inline void denied_emit(const struct vigil_denied_key *key, __u64 count,
					struct vigil_denied_event *e)
{
	fill_header(&e->hdr, VIGIL_KIND_SYSCALL_DENIED);
	e->nr = key->nr;
	e->err = key->err;
	e->count = count;
	emit(&e->hdr, sizeof(*e));
}

static __always_inline int denied_on_exit(long nr, long ret)
{
	const __u32 kind = VIGIL_KIND_SYSCALL_DENIED;
	struct vigil_denied_key key;
	struct vigil_denied_value *v, nv = {};
	struct vigil_denied_event e = {};
	__u64 count;

	if (ret != -EPERM && ret != -EACCES)
		return 0;
	if (!kind_enabled(kind) || nr < 0)
		return 0;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	if (key.tgid == cfg.agent_tgid)
		return 0;
	key.nr = (__u32)nr | (denied_compat() ? VIGIL_DENIED_COMPAT : 0);
	key.err = (__u32)-ret;

	v = bpf_map_lookup_elem(&denied_counts, &key);
	if (v) {
		__sync_fetch_and_add(&v->count, 1);
		count = v->count;
		if (count & (count - 1)) /* not a power of two: counted only */
			return 0;
		fill_task(&e.hdr.task, (struct task_struct *)bpf_get_current_task());
		denied_emit(&key, count, &e);
		return 0;
	}
	/* a new key: only for processes the filters want */
	fill_task(&e.hdr.task, (struct task_struct *)bpf_get_current_task());
	if (!want_event(kind, &e.hdr.task))
		return 0;
	nv.count = 1;
	nv.first_ns = bpf_ktime_get_boot_ns();
	nv.uid = e.hdr.task.uid;
	__builtin_memcpy(nv.comm, e.hdr.task.comm, sizeof(nv.comm));
	if (bpf_map_update_elem(&denied_counts, &key, &nv, BPF_NOEXIST)) {
		/* another thread of the process inserted it first */
		v = bpf_map_lookup_elem(&denied_counts, &key);
		if (v)
			__sync_fetch_and_add(&v->count, 1);
		return 0;
	}
	denied_emit(&key, 1, &e);
	return 0;
}

static __always_inline long denied_regs_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#else
	return -1;
#endif
}

SEC("tp_btf/sys_exit")
int BPF_PROG(denied_btf, struct pt_regs *regs, long ret)
{
	return denied_on_exit(denied_regs_nr(regs), ret);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(denied_raw, struct pt_regs *regs, long ret)
{
	return denied_on_exit(denied_regs_nr(regs), ret);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int denied_tp(struct trace_event_raw_sys_exit *ctx)
{
	return denied_on_exit(ctx->id, ctx->ret);
}
