/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deny rules on outbound connections, carried out in the kernel by cgroup sock_addr hooks
 * (cgroup/connect4, connect6, sendmsg4, sendmsg6) attached to the cgroup2 root: a program that
 * returns 0 makes connect()/sendmsg() fail with EPERM before any packet leaves. Deny rules on
 * net.listen are carried out at bind() (cgroup/bind4, bind6) the same way.
 *
 * A separate BPF object from vigil.bpf.c: its lifetime (attached to a cgroup, not to tracepoints),
 * its tables and its ring buffer are its own, it must load even where a sensor does not, and the
 * sensors must not pay for it when no rule denies (docs/enforcement.md).
 *
 * Matching costs the same whatever the number of rules: every field has a table whose value is
 * the bitmap of the rules that accept that value, ORed with the bitmap of the rules that do not
 * test the field, and the bitmaps are ANDed; a non-empty result is a match.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vigil/abi.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_enf_config);
} enf_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_ENF_NETS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_enf_net4_key);
	__type(value, __u64);
} enf_net4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_ENF_NETS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_enf_net6_key);
	__type(value, __u64);
} enf_net6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_ENF_VALUES_MAX);
	__type(key, __u16);
	__type(value, __u64);
} enf_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_ENF_VALUES_MAX);
	__type(key, __u32);
	__type(value, __u64);
} enf_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_ENF_VALUES_MAX);
	__type(key, char[VIGIL_COMM_LEN]);
	__type(value, __u64);
} enf_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_ENF_VALUES_MAX);
	__type(key, char[VIGIL_COMM_LEN]);
	__type(value, __u8);
} enf_exempt_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_ENF_VALUES_MAX);
	__type(key, __u64);
	__type(value, __u8);
} enf_exempt_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_enf_stats);
} enf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} enf_events SEC(".maps");

static __always_inline __u64 field_bits(void *map, const void *key, __u64 any)
{
	__u64 *v = bpf_map_lookup_elem(map, key);

	return (v ? *v : 0) | any;
}

static __always_inline bool exempt(const struct vigil_enf_config *c, const char *comm)
{
	if (c->exempt_comms && bpf_map_lookup_elem(&enf_exempt_comm, comm))
		return true;
	if (!c->exempt_cgroups)
		return false;
	__u64 id = bpf_get_current_cgroup_id();
	if (bpf_map_lookup_elem(&enf_exempt_cgroup, &id))
		return true;
	/* an exempt cgroup covers everything below it */
	for (int level = 0; level < VIGIL_ENF_CGROUP_DEPTH; level++) {
		id = bpf_get_current_ancestor_cgroup_id(level);
		if (!id)
			break;
		if (bpf_map_lookup_elem(&enf_exempt_cgroup, &id))
			return true;
	}
	return false;
}

/* 1: allow; 0: deny (the caller sees EPERM). addr: 4 bytes (v4) or 16 (v6); for bind the local
 * address and port, which net.listen rules test as net.saddr/net.sport through the same tables. */
static __always_inline int decide(struct bpf_sock_addr *ctx, __u8 hook, int family,
				  const __u32 *addr, bool v4mapped)
{
	bool bind = hook == VIGIL_ENF_BIND4 || hook == VIGIL_ENF_BIND6;
	__u32 zero = 0;
	struct vigil_enf_config *c = bpf_map_lookup_elem(&enf_config, &zero);
	struct vigil_enf_stats *st = bpf_map_lookup_elem(&enf_stats, &zero);

	if (!c || !c->active || !st)
		return 1;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == c->self_tgid || tgid == 1)
		return 1; /* vigil itself and PID 1 are never denied */
	st->checked++;

	__u32 proto = ctx->protocol;
	__u64 m = c->active & (bind ? c->bind_rules : ~c->bind_rules);
	if (proto == IPPROTO_TCP)
		m &= c->proto_tcp;
	else if (proto == IPPROTO_UDP)
		m &= c->proto_udp;
	else
		return 1;
	m &= family == AF_INET ? c->fam_inet : c->fam_inet6;
	if (!m)
		return 1;

	__u16 port = bpf_ntohs((__u16)ctx->user_port);
	m &= field_bits(&enf_port, &port, c->any_dport);
	if (!m)
		return 1;

	if (family == AF_INET) {
		struct vigil_enf_net4_key k4 = { .prefixlen = 32 };
		__builtin_memcpy(k4.addr, addr, 4);
		m &= field_bits(&enf_net4, &k4, c->any_daddr);
	} else {
		struct vigil_enf_net6_key k6 = { .prefixlen = 128 };
		__builtin_memcpy(k6.addr, addr, 16);
		m &= field_bits(&enf_net6, &k6, c->any_daddr);
	}
	if (!m)
		return 1;

	__u64 uid_gid = bpf_get_current_uid_gid();
	__u32 uid = (__u32)uid_gid;
	m &= field_bits(&enf_uid, &uid, c->any_uid);
	if (!m)
		return 1;

	char comm[VIGIL_COMM_LEN] = {};
	bpf_get_current_comm(comm, sizeof(comm));
	m &= field_bits(&enf_comm, comm, c->any_comm);
	if (!m)
		return 1;

	st->matched++;
	if (exempt(c, comm)) {
		st->exempt++;
		return 1;
	}
	__u8 deny = (m & c->enforce) ? 1 : 0;
	if (deny)
		st->denied++;

	struct vigil_enf_record *r = bpf_ringbuf_reserve(&enf_events, sizeof(*r), 0);
	if (!r) {
		st->lost++;
		return deny ? 0 : 1;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->ktime_ns = bpf_ktime_get_boot_ns();
	r->cgroup_id = bpf_get_current_cgroup_id();
	r->rules = m;
	r->tgid = tgid;
	r->tid = (__u32)pid_tgid;
	r->uid = uid;
	r->gid = uid_gid >> 32;
	r->generation = c->generation;
	r->dport = port;
	r->family = v4mapped ? AF_INET6 : family;
	r->proto = proto;
	r->hook = hook;
	r->denied = deny;
	r->v4mapped = v4mapped;
	if (family == AF_INET)
		__builtin_memcpy(r->daddr, addr, 4);
	else
		__builtin_memcpy(r->daddr, addr, 16);
	__builtin_memcpy(r->comm, comm, sizeof(comm));
	bpf_ringbuf_submit(r, 0);
	return deny ? 0 : 1;
}

static __always_inline int v4(struct bpf_sock_addr *ctx, __u8 hook)
{
	__u32 a = ctx->user_ip4;

	return decide(ctx, hook, AF_INET, &a, false);
}

static __always_inline int v6(struct bpf_sock_addr *ctx, __u8 hook)
{
	__u32 a[4];

	a[0] = ctx->user_ip6[0];
	a[1] = ctx->user_ip6[1];
	a[2] = ctx->user_ip6[2];
	a[3] = ctx->user_ip6[3];
	/* ::ffff:a.b.c.d reaches IPv4 peers from an IPv6 socket: judged as IPv4 */
	if (a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff))
		return decide(ctx, hook, AF_INET, &a[3], true);
	return decide(ctx, hook, AF_INET6, a, false);
}

SEC("cgroup/connect4")
int vigil_enf_connect4(struct bpf_sock_addr *ctx)
{
	return v4(ctx, VIGIL_ENF_CONNECT4);
}

SEC("cgroup/connect6")
int vigil_enf_connect6(struct bpf_sock_addr *ctx)
{
	return v6(ctx, VIGIL_ENF_CONNECT6);
}

SEC("cgroup/sendmsg4")
int vigil_enf_sendmsg4(struct bpf_sock_addr *ctx)
{
	return v4(ctx, VIGIL_ENF_SENDMSG4);
}

SEC("cgroup/sendmsg6")
int vigil_enf_sendmsg6(struct bpf_sock_addr *ctx)
{
	return v6(ctx, VIGIL_ENF_SENDMSG6);
}

/* net.listen rules: a socket that may not listen on an address/port may not bind to it */
SEC("cgroup/bind4")
int vigil_enf_bind4(struct bpf_sock_addr *ctx)
{
	return v4(ctx, VIGIL_ENF_BIND4);
}

SEC("cgroup/bind6")
int vigil_enf_bind6(struct bpf_sock_addr *ctx)
{
	return v6(ctx, VIGIL_ENF_BIND6);
}
