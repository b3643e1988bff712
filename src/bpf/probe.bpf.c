/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One tiny program per kernel feature. `vigil probe` loads (and attaches) each on its own: a
 * feature is available when that really works here, whatever the kernel version says.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

int hits;

SEC("tp_btf/sched_process_fork")
int BPF_PROG(probe_tp_btf)
{
	hits++;
	return 0;
}

SEC("raw_tp/sched_process_fork")
int probe_raw_tp(void *ctx)
{
	hits++;
	return 0;
}

SEC("tp/sched/sched_process_fork")
int probe_tracepoint(void *ctx)
{
	hits++;
	return 0;
}

SEC("kprobe/vfs_read")
int probe_kprobe(void *ctx)
{
	hits++;
	return 0;
}

SEC("fentry/vfs_read")
int BPF_PROG(probe_fentry)
{
	hits++;
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(probe_lsm, struct file *file)
{
	return 0;
}

SEC("uprobe")
int probe_uprobe(void *ctx)
{
	hits++;
	return 0;
}

SEC("iter/task")
int probe_iter(struct bpf_iter__task *ctx)
{
	return 0;
}

SEC("tp/sched/sched_process_fork")
int probe_send_signal(void *ctx)
{
	if (hits < 0) /* never true: the helper only has to pass the verifier */
		bpf_send_signal(9);
	return 0;
}

SEC("xdp")
int probe_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("cgroup/connect4")
int probe_cgroup_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}
