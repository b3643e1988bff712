/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DNS sensor: the bytes of DNS messages as they cross the socket syscalls (sendto, sendmsg,
 * sendmmsg, writev, recvfrom, recvmsg) of sockets whose port, at either end, is 53, or that
 * have sent a DNS query. The message is parsed in user space (src/dns.c); the kernel only
 * selects and copies. Arguments are saved at entry and the copy is made at exit, for the number
 * of bytes the kernel really moved (and after autobind gave the socket its port).
 * Needs net.bpf.c (fd_sock, sock_tuple) included first.
 */

#define DNS_PORT 53

enum dns_call {
	DNS_SENDTO = 1,
	DNS_SENDMSG,
	DNS_SENDMMSG,
	DNS_WRITEV,
	DNS_RECVFROM,
	DNS_RECVMSG,
};

struct dns_args {
	__u64 sk;
	__u64 buf;   /* buffer, struct user_msghdr *, struct mmsghdr * or struct iovec * */
	__u64 addr;  /* sendto: the caller's destination; recvfrom: the sockaddr the kernel fills */
	__u32 call;
	__u32 count; /* writev: iovcnt */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32); /* tid */
	__type(value, struct dns_args);
} dns_inflight SEC(".maps");

/* Sockets that sent a query to port 53: their replies are read on an unconnected socket. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} dns_socks SEC(".maps");

/* The port of a user sockaddr_in/_in6 (both keep it at offset 2), 0 if unreadable. */
static __always_inline __u16 user_sockaddr_port(const void *sa)
{
	__u16 port = 0;

	if (sa)
		bpf_probe_read_user(&port, sizeof(port), sa + 2);
	return bpf_ntohs(port);
}

static __always_inline void dns_enter(int fd, const void *buf, const void *dest, __u32 call,
				      __u32 count)
{
	struct vigil_net_tuple t = {};
	struct sock *sk;
	__u64 skp;

	if (!kind_enabled(VIGIL_KIND_NET_DNS) || !(sk = fd_sock(fd)))
		return;
	sock_tuple(&t, sk);
	if (!sock_is_inet(&t) || (t.proto != NET_IPPROTO_UDP && t.proto != NET_IPPROTO_TCP))
		return;
	skp = (__u64)sk;
	/* a recvfrom's sockaddr is only filled at exit: its port says nothing yet */
	if (t.sport != DNS_PORT && t.dport != DNS_PORT &&
	    (call == DNS_RECVFROM || user_sockaddr_port(dest) != DNS_PORT) &&
	    !bpf_map_lookup_elem(&dns_socks, &skp))
		return;

	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct dns_args a = { .sk = skp, .buf = (__u64)buf, .call = call, .count = count };
	if (call == DNS_RECVFROM || call == DNS_SENDTO)
		a.addr = (__u64)dest;
	bpf_map_update_elem(&dns_inflight, &tid, &a, BPF_ANY);
}

/* Copies up to two user iovecs back to back: enough for TCP's length prefix + message. */
static __always_inline __u32 copy_iovs(__u8 *dst, const struct iovec *iov, __u32 iovcnt, __u64 total)
{
	__u32 off = 0;

	for (int i = 0; i < 2; i++) {
		struct iovec v = {};
		if ((__u32)i >= iovcnt || off >= total || off >= VIGIL_DNS_CAPTURE)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		__u64 n = v.iov_len;
		if (n > total - off)
			n = total - off;
		if (n > VIGIL_DNS_CAPTURE - off)
			n = VIGIL_DNS_CAPTURE - off;
		off &= VIGIL_DNS_CAPTURE - 1;
		/* A no-op after the clamps, kept from the compiler: verifiers before ~6.3 do not learn
		 * a bound from comparing two variables. */
		asm volatile("" : "+r"(n));
		n &= 2 * VIGIL_DNS_CAPTURE - 1;
		if (n == 0 || bpf_probe_read_user(dst + off, n, v.iov_base))
			break;
		off += n;
	}
	return off;
}

static __always_inline __u32 copy_buf(__u8 *dst, const void *src, __u64 len)
{
	__u32 n = len > VIGIL_DNS_CAPTURE ? VIGIL_DNS_CAPTURE : len;

	if (n == 0 || bpf_probe_read_user(dst, n, src))
		return 0;
	return n;
}

/* One message: fill, copy (by the caller's copy_* through e->data), emit. */
static __always_inline struct vigil_dns_event *dns_begin(struct vigil_scratch *s, struct sock *sk,
							 bool outgoing, __u64 len)
{
	struct vigil_dns_event *e = (struct vigil_dns_event *)s->raw;

	sock_tuple(&e->t, sk);
	e->len = len;
	e->captured = 0;
	e->outgoing = outgoing;
	e->peer_from_user = 0;
	return e;
}

/* The peer of an unconnected socket: the sockaddr the caller passed or the kernel filled. */
static __always_inline void dns_user_peer(struct vigil_dns_event *e, const void *sa)
{
	__u8 raw[28] = {};

	if (e->t.dport || !sa || bpf_probe_read_user(raw, sizeof(raw), sa))
		return;
	__u16 fam;
	sockaddr_take(e->t.daddr, &e->t.dport, raw, &fam);
	e->peer_from_user = 1;
}

static __always_inline void dns_emit(struct vigil_dns_event *e, struct sock *sk)
{
	__u64 skp = (__u64)sk;
	__u8 one = 1;

	if (e->outgoing && e->t.dport == DNS_PORT)
		bpf_map_update_elem(&dns_socks, &skp, &one, BPF_ANY);
	fill_header(&e->hdr, VIGIL_KIND_NET_DNS);
	emit(&e->hdr, offsetof(struct vigil_dns_event, data) + (e->captured & (VIGIL_DNS_CAPTURE * 2 - 1)));
}

static __always_inline void msg_capture(struct vigil_scratch *s, struct sock *sk, bool outgoing,
					const struct user_msghdr *um, __u64 len)
{
	struct user_msghdr m = {};
	struct vigil_dns_event *e;

	if (bpf_probe_read_user(&m, sizeof(m), um))
		return;
	e = dns_begin(s, sk, outgoing, len);
	e->captured = copy_iovs(e->data, m.msg_iov, m.msg_iovlen, len);
	dns_user_peer(e, m.msg_name);
	dns_emit(e, sk);
}

static __always_inline void dns_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct dns_args *ap = bpf_map_lookup_elem(&dns_inflight, &tid);
	struct vigil_scratch *s;
	struct dns_args a;

	if (!ap)
		return;
	a = *ap;
	bpf_map_delete_elem(&dns_inflight, &tid);
	if (ret <= 0 || !(s = get_scratch()))
		return;
	struct sock *sk = (struct sock *)a.sk;
	struct vigil_dns_event *e = (struct vigil_dns_event *)s->raw;

	/* the task heads every message of this call (sendmmsg: several) */
	fill_task(&e->hdr.task, (struct task_struct *)bpf_get_current_task());
	if (!want_event(VIGIL_KIND_NET_DNS, &e->hdr.task))
		return;

	switch (a.call) {
	case DNS_SENDTO:
	case DNS_RECVFROM:
		e = dns_begin(s, sk, a.call == DNS_SENDTO, ret);
		e->captured = copy_buf(e->data, (const void *)a.buf, ret);
		dns_user_peer(e, (const void *)a.addr);
		dns_emit(e, sk);
		break;
	case DNS_WRITEV:
		e = dns_begin(s, sk, true, ret);
		e->captured = copy_iovs(e->data, (const struct iovec *)a.buf, a.count, ret);
		dns_emit(e, sk);
		break;
	case DNS_SENDMSG:
	case DNS_RECVMSG:
		msg_capture(s, sk, a.call == DNS_SENDMSG, (const struct user_msghdr *)a.buf, ret);
		break;
	case DNS_SENDMMSG: {
		/* glibc sends the A and AAAA queries in one sendmmsg: the first two are reported */
		const struct mmsghdr *mm = (const struct mmsghdr *)a.buf;
		for (int i = 0; i < 2; i++) {
			__u32 n = 0;
			if (i >= ret || bpf_probe_read_user(&n, sizeof(n), &mm[i].msg_len))
				break;
			msg_capture(s, sk, true, &mm[i].msg_hdr, n);
		}
		break;
	}
	}
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int dns_sendto_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	dns_enter(ctx->args[0], (const void *)ctx->args[1], (const void *)ctx->args[4], DNS_SENDTO, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int dns_sendto_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	dns_exit(ctx->ret);
	return 0;
}

/* the destination of sendmsg is in the msghdr: read it here only for the port filter */
static __always_inline const void *msghdr_name(const void *um)
{
	void *name = NULL;

	bpf_probe_read_user(&name, sizeof(name), um);
	return name;
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int dns_sendmsg_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	const void *um = (const void *)ctx->args[1];

	dns_enter(ctx->args[0], um, msghdr_name(um), DNS_SENDMSG, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int dns_sendmsg_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	dns_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int dns_sendmmsg_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	const void *mm = (const void *)ctx->args[1];

	dns_enter(ctx->args[0], mm, msghdr_name(mm), DNS_SENDMMSG, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int dns_sendmmsg_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	dns_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_writev")
int dns_writev_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	dns_enter(ctx->args[0], (const void *)ctx->args[1], NULL, DNS_WRITEV, ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_writev")
int dns_writev_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	dns_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int dns_recvfrom_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	dns_enter(ctx->args[0], (const void *)ctx->args[1], (const void *)ctx->args[4], DNS_RECVFROM,
		  0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int dns_recvfrom_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	dns_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int dns_recvmsg_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	dns_enter(ctx->args[0], (const void *)ctx->args[1], NULL, DNS_RECVMSG, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int dns_recvmsg_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	dns_exit(ctx->ret);
	return 0;
}
