/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `vigil block`: drop packets from blocked source networks at XDP, before the stack sees them.
 * The tables, the program and each interface's link are pinned under /sys/fs/bpf/vigil/ so
 * blocks outlive the command that made them (docs/enforcement.md). A separate object: it lives
 * on without the agent, and the agent never loads it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vigil/abi.h"
#include "xdp_frame.bpf.h"

char LICENSE[] SEC("license") = "GPL";


/* value: packets dropped by this entry */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_ENF_NETS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_enf_net4_key);
	__type(value, __u64);
} block_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_ENF_NETS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_enf_net6_key);
	__type(value, __u64);
} block_v6 SEC(".maps");

SEC("xdp")
int vigil_block(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	__u64 *hits = NULL;
	__u16 proto;
	void *l3 = xdp_network_header((void *)(long)ctx->data, end, &proto);

	if (!l3)
		return XDP_PASS;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > end)
			return XDP_PASS;
		struct vigil_enf_net4_key k = { .prefixlen = 32 };
		__builtin_memcpy(k.addr, &ip->saddr, 4);
		hits = bpf_map_lookup_elem(&block_v4, &k);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		struct vigil_enf_net6_key k = { .prefixlen = 128 };
		__builtin_memcpy(k.addr, &ip6->saddr, 16);
		hits = bpf_map_lookup_elem(&block_v6, &k);
	}
	if (!hits)
		return XDP_PASS;
	__sync_fetch_and_add(hits, 1);
	return XDP_DROP;
}
