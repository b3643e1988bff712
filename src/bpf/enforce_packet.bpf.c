/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deny rules `on: net.packet`, carried out at XDP on the interfaces of `vigil run --xdp-iface`:
 * a received packet whose source network, destination port, protocol and family a rule accepts
 * is dropped before the network stack sees it (docs/enforcement.md).
 *
 * The rules' tables follow the connect hooks' scheme (each field's table gives the bitmap of the
 * rules accepting the value, ORed with the rules not testing the field, ANDed over fields), so a
 * packet costs a few lookups whatever the number of rules. Nothing is streamed per packet: each
 * match is counted per rule and the last one kept as a sample; the agent reports the counts.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vigil/abi.h"
#include "xdp_frame.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define IP_OFFSET_MASK 0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_pkt_config);
} pkt_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_ENF_NETS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_enf_net4_key);
	__type(value, __u64);
} pkt_net4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_ENF_NETS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_enf_net6_key);
	__type(value, __u64);
} pkt_net6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_ENF_VALUES_MAX);
	__type(key, __u16);
	__type(value, __u64);
} pkt_port SEC(".maps");

/* packets matched, per rule bit */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_ENF_RULES_MAX);
	__type(key, __u32);
	__type(value, __u64);
} pkt_counts SEC(".maps");

/* the last packet matched, per rule bit (a sample for the alert; racy by design) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_ENF_RULES_MAX);
	__type(key, __u32);
	__type(value, struct vigil_pkt_sample);
} pkt_last SEC(".maps");

static __always_inline __u64 bits(void *map, const void *key, __u64 any)
{
	__u64 *v = bpf_map_lookup_elem(map, key);

	return (v ? *v : 0) | any;
}

/* one more packet for rule bit i, and the packet as its last sample */
static __always_inline void count(__u32 i, const struct vigil_pkt_sample *s)
{
	__u64 *n = bpf_map_lookup_elem(&pkt_counts, &i);
	if (n)
		*n += 1;
	struct vigil_pkt_sample *last = bpf_map_lookup_elem(&pkt_last, &i);
	if (last)
		__builtin_memcpy(last, s, sizeof(*s));
}

_Static_assert(VIGIL_ENF_RULES_MAX == 64, "one ONE() per rule bit below");

SEC("xdp")
int vigil_pkt(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	struct vigil_pkt_sample s = {};
	__u32 zero = 0;
	void *l4 = NULL;
	__u16 h_proto;
	__u64 m;

	struct vigil_pkt_config *c = bpf_map_lookup_elem(&pkt_config, &zero);
	if (!c || !c->active)
		return XDP_PASS;
	void *l3 = xdp_network_header((void *)(long)ctx->data, end, &h_proto);
	if (!l3)
		return XDP_PASS;
	if (h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > end)
			return XDP_PASS;
		s.family = AF_INET;
		s.proto = ip->protocol;
		__builtin_memcpy(s.saddr, &ip->saddr, 4);
		__builtin_memcpy(s.daddr, &ip->daddr, 4);
		/* a later fragment carries no transport header: no ports */
		if (!(ip->frag_off & bpf_htons(IP_OFFSET_MASK)) && ip->ihl >= 5)
			l4 = (void *)ip + ip->ihl * 4;
		m = c->active & c->fam_inet;
		struct vigil_enf_net4_key k = { .prefixlen = 32 };
		__builtin_memcpy(k.addr, &ip->saddr, 4);
		m &= bits(&pkt_net4, &k, c->any_saddr);
	} else if (h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		s.family = AF_INET6;
		s.proto = ip6->nexthdr; /* extension headers are not walked: see the docs */
		__builtin_memcpy(s.saddr, &ip6->saddr, 16);
		__builtin_memcpy(s.daddr, &ip6->daddr, 16);
		l4 = ip6 + 1;
		m = c->active & c->fam_inet6;
		struct vigil_enf_net6_key k = { .prefixlen = 128 };
		__builtin_memcpy(k.addr, &ip6->saddr, 16);
		m &= bits(&pkt_net6, &k, c->any_saddr);
	} else {
		return XDP_PASS;
	}
	if (!m)
		return XDP_PASS;

	bool ports = false;
	if (s.proto == IPPROTO_TCP) {
		m &= c->proto_tcp;
		struct tcphdr *th = l4;
		if (th && (void *)(th + 1) <= end) {
			s.sport = bpf_ntohs(th->source);
			s.dport = bpf_ntohs(th->dest);
			ports = true;
		}
	} else if (s.proto == IPPROTO_UDP) {
		m &= c->proto_udp;
		struct udphdr *uh = l4;
		if (uh && (void *)(uh + 1) <= end) {
			s.sport = bpf_ntohs(uh->source);
			s.dport = bpf_ntohs(uh->dest);
			ports = true;
		}
	} else {
		m &= c->proto_other;
	}
	if (ports)
		m &= bits(&pkt_port, &s.dport, c->any_dport);
	else
		m &= c->any_dport;
	if (!m)
		return XDP_PASS;

	s.ktime_ns = bpf_ktime_get_boot_ns();
	s.ifindex = ctx->ingress_ifindex;
	/* written out for each bit: the 6.1 and 6.12 verifiers take a loop over the bits for an
	 * infinite one, and clang will not unroll it */
#define ONE(b) if (m & (1ULL << (b))) count(b, &s);
#define EIGHT(b) ONE(b) ONE(b + 1) ONE(b + 2) ONE(b + 3) ONE(b + 4) ONE(b + 5) ONE(b + 6) ONE(b + 7)
	EIGHT(0) EIGHT(8) EIGHT(16) EIGHT(24) EIGHT(32) EIGHT(40) EIGHT(48) EIGHT(56)
#undef EIGHT
#undef ONE
	return (m & c->enforce) ? XDP_DROP : XDP_PASS;
}
