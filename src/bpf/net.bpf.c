/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network sensor: TCP connect (with the outcome of non-blocking connects), accept, listen,
 * close (tcplife-style: duration and bytes), resets sent and received, UDP connects, and the RTT
 * aggregation of vigil tcprtt.
 *
 * TCP comes from sock:inet_sock_set_state, which fires for every state change of a TCP socket.
 * Its tracepoint form is used (not tp_btf/raw_tp): the tracepoint fills in the tuple itself, and
 * tcp:tcp_send_reset computes the tuple from the packet when no socket exists (a closed port),
 * which a typed hook would have to re-parse. Every hook of the sensor is a tracepoint program.
 *
 * A connection's owner (the task that connected or accepted) is kept per socket, so events that
 * fire in softirq context (the SYN-ACK, the RST, the final close) name the owner, not whichever
 * task the interrupt happened to run on.
 */

#include <bpf/bpf_endian.h>

#define NET_AF_INET 2
#define NET_AF_INET6 10
#define NET_IPPROTO_TCP 6
#define NET_IPPROTO_UDP 17
#define NET_S_IFMT 00170000
#define NET_S_IFSOCK 0140000
#define NET_O_NONBLOCK 04000
#define NET_EINPROGRESS 115
#define NET_EALREADY 114
#define NET_EISCONN 106
#define NET_ECONNABORTED 103

enum {
	NS_OWNER = 1 << 0,        /* owner is the task that connected or accepted */
	NS_CONNECTING = 1 << 1,   /* SYN sent, outcome pending */
	NS_WANT_CONNECT = 1 << 2, /* the filters want this connect reported */
	NS_ESTABLISHED = 1 << 3,  /* reached ESTABLISHED: its close is reported */
	NS_NONBLOCK = 1 << 4,     /* the socket was non-blocking when it connected */
};

struct net_sock {
	struct vigil_task owner;
	__u64 born_ns;
	__u32 flags;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock * */
	__type(value, struct net_sock);
} net_socks SEC(".maps");

/* connect(2) (or listen(2)) in flight, by thread: the socket is found at exit from the fd;
 * syn_sent says the state changes have reported (or will report) a connect's outcome. */
struct net_connect_call {
	__u64 uaddr; /* the caller's sockaddr: the peer of a connect that failed before any SYN */
	__u64 sk;    /* the socket that reached SYN_SENT in this call */
	__s32 fd;
	__u32 syn_sent;
	__u32 deferred; /* closed with no socket error inside the call: its errno reports it */
	__u32 flags;
	struct vigil_net_tuple t;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct net_connect_call);
} net_connect_fd SEC(".maps");

/* -P PORT of the tools: an event passes if either port is in the table (or the table is off). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_NET_PORTS_MAX);
	__type(key, __u16);
	__type(value, __u8);
} net_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32); /* ports in net_ports; 0: no port filter */
} net_ports_on SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vigil_rtt_key);
	__type(value, struct vigil_rtt_val);
} net_rtt SEC(".maps");

/* ---- read ---- */

static __always_inline bool port_pass(__u16 sport, __u16 dport)
{
	__u32 zero = 0;
	__u32 *on = bpf_map_lookup_elem(&net_ports_on, &zero);

	if (!on || !*on)
		return true;
	return bpf_map_lookup_elem(&net_ports, &sport) || bpf_map_lookup_elem(&net_ports, &dport);
}

/* The socket behind a descriptor of the current task; NULL if it is not a socket. */
static __always_inline struct sock *fd_sock(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_core_read(&f, sizeof(f), &fds[fd]);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & NET_S_IFMT) != NET_S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(sock, sk);
}

/* The tuple as the socket holds it: this host is s, the peer d. */
static __always_inline void sock_tuple(struct vigil_net_tuple *t, struct sock *sk)
{
	t->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	t->proto = BPF_CORE_READ(sk, sk_protocol);
	t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	t->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (t->family == NET_AF_INET6) {
		BPF_CORE_READ_INTO(&t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&t->daddr, sk, __sk_common.skc_v6_daddr);
	} else {
		BPF_CORE_READ_INTO((__u32 *)t->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)t->daddr, sk, __sk_common.skc_daddr);
	}
}

static __always_inline bool sock_is_inet(const struct vigil_net_tuple *t)
{
	return t->family == NET_AF_INET || t->family == NET_AF_INET6;
}

/* Arrays of a tracepoint's record: CO-RE field addresses are computed, and the verifier refuses
 * loads through a moved context pointer, so they are copied by a helper. */
static __always_inline void ctx_read(void *dst, __u32 n, const void *field)
{
	bpf_probe_read_kernel(dst, n, field);
}

/* A struct sockaddr_in/_in6 image (as the tcp tracepoints store them): address and port. */
static __always_inline void sockaddr_take(__u8 addr[16], __u16 *port, const __u8 *sa, __u16 *family)
{
	__u16 fam = sa[0] | (sa[1] << 8);

	*family = fam;
	*port = (sa[2] << 8) | sa[3];
	if (fam == NET_AF_INET6)
		__builtin_memcpy(addr, sa + 8, 16);
	else
		__builtin_memcpy(addr, sa + 4, 4);
}

/* ---- emit ---- */

/* The filter's second question, with the peer now known: net.dport and net.daddr. */
static __always_inline bool net_wanted(struct vigil_net_event *e, __u32 kind)
{
	struct filter_facts f = {};

	if (filter_tests(VIGIL_FF_PORT)) {
		f.known |= FACT(VIGIL_FF_PORT);
		f.port = e->t.dport;
	}
	if ((e->t.family == NET_AF_INET || e->t.family == NET_AF_INET6) && filter_tests(VIGIL_FF_ADDR) &&
	    (f.keys = get_filter_keys())) {
		struct vigil_addr_key *k = &f.keys->addr;

		k->prefixlen = 8 + 128;
		k->family = e->t.family == NET_AF_INET ? 4 : 6;
		__builtin_memcpy(k->addr, e->t.daddr, sizeof(k->addr));
		f.known |= FACT(VIGIL_FF_ADDR);
	}
	return want_event_facts(kind, &e->hdr.task, &f);
}

static __always_inline void net_emit(struct vigil_net_event *e, __u32 kind)
{
	if (!net_wanted(e, kind))
		return;
	fill_header(&e->hdr, kind);
	emit(&e->hdr, sizeof(*e));
}

static __always_inline void state_tuple(struct vigil_net_tuple *t,
					const struct trace_event_raw_inet_sock_set_state *ctx)
{
	t->family = ctx->family;
	t->proto = NET_IPPROTO_TCP;
	t->sport = ctx->sport;
	t->dport = ctx->dport;
	if (t->family == NET_AF_INET6) {
		ctx_read(t->saddr, 16, ctx->saddr_v6);
		ctx_read(t->daddr, 16, ctx->daddr_v6);
	} else {
		ctx_read(t->saddr, 4, ctx->saddr);
		ctx_read(t->daddr, 4, ctx->daddr);
	}
}

/* The first SYN: the connecting task is current. */
static __always_inline void on_syn_sent(__u64 skp)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct net_connect_call *call = bpf_map_lookup_elem(&net_connect_fd, &tid);
	struct net_sock ns = {};

	if (call) {
		call->syn_sent = 1;
		call->sk = skp;
	}
	fill_task(&ns.owner, (struct task_struct *)bpf_get_current_task());
	ns.born_ns = bpf_ktime_get_boot_ns();
	ns.flags = NS_OWNER | NS_CONNECTING;
	/* the outcome often arrives before connect() returns (loopback, veth): ask the file now */
	if (BPF_CORE_READ((struct sock *)skp, sk_socket, file, f_flags) & NET_O_NONBLOCK)
		ns.flags |= NS_NONBLOCK;
	if (kind_enabled(VIGIL_KIND_NET_CONNECT) && want_event(VIGIL_KIND_NET_CONNECT, &ns.owner))
		ns.flags |= NS_WANT_CONNECT;
	inflight_store(&net_socks, &skp, &ns, VIGIL_LS_NET_SOCK);
}

static __always_inline void connect_outcome(struct net_sock *ns, struct sock *sk,
					    const struct trace_event_raw_inet_sock_set_state *ctx,
					    int newstate)
{
	struct vigil_net_event e = {};

	if (!(ns->flags & NS_WANT_CONNECT))
		return;
	state_tuple(&e.t, ctx);
	if (!port_pass(e.t.sport, e.t.dport))
		return;
	e.hdr.task = ns->owner;
	if (ns->flags & NS_NONBLOCK)
		e.flags |= VIGIL_NETF_NONBLOCK;
	if (newstate != BPF_TCP_ESTABLISHED) {
		int err = BPF_CORE_READ(sk, sk_err);
		if (!err) {
			/* Inside this thread's connect() (no ephemeral port, ...): the syscall's errno is
			 * the outcome, reported at its exit. */
			__u32 tid = (__u32)bpf_get_current_pid_tgid();
			struct net_connect_call *call = bpf_map_lookup_elem(&net_connect_fd, &tid);
			if (call && call->sk == (__u64)sk) {
				call->deferred = 1;
				call->t = e.t;
				call->flags = e.flags;
				return;
			}
		}
		/* no socket error and not in connect(): closed before it completed */
		e.result = err ? -err : -NET_ECONNABORTED;
	}
	net_emit(&e, VIGIL_KIND_NET_CONNECT);
}

static __always_inline void on_close(__u64 skp, struct net_sock *ns,
				     const struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct tcp_sock *tp = (struct tcp_sock *)skp;
	struct vigil_net_event e = {};

	if (!kind_enabled(VIGIL_KIND_NET_CLOSE))
		return;
	if (ns && (ns->flags & NS_OWNER)) {
		e.hdr.task = ns->owner;
	} else {
		fill_task(&e.hdr.task, (struct task_struct *)bpf_get_current_task());
		e.flags |= VIGIL_NETF_OWNER_UNKNOWN;
	}
	if (!want_event(VIGIL_KIND_NET_CLOSE, &e.hdr.task))
		return;
	state_tuple(&e.t, ctx);
	if (!port_pass(e.t.sport, e.t.dport))
		return;
	e.state = ctx->oldstate;
	if (ns && ns->born_ns)
		e.duration_ns = bpf_ktime_get_boot_ns() - ns->born_ns;
	/* Payload only. bytes_acked and bytes_received also count the SYN and FIN sequence numbers;
	 * bytes_sent counts payload (retransmissions included, taken off again), and the peer's
	 * FIN is the one sequence number in bytes_received that tcp_fin marks with SOCK_DONE. */
	e.bytes_sent = BPF_CORE_READ(tp, bytes_sent) - BPF_CORE_READ(tp, bytes_retrans);
	e.bytes_received = BPF_CORE_READ(tp, bytes_received);
	if (e.bytes_received && (BPF_CORE_READ((struct sock *)skp, __sk_common.skc_flags) & (1UL << SOCK_DONE)))
		e.bytes_received--;
	net_emit(&e, VIGIL_KIND_NET_CLOSE);
}

SEC("tracepoint/sock/inet_sock_set_state")
int sock_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 skp = (__u64)ctx->skaddr;
	int oldstate = ctx->oldstate, newstate = ctx->newstate;
	struct net_sock *ns;

	if (ctx->protocol != NET_IPPROTO_TCP)
		return 0;
	if (newstate == BPF_TCP_SYN_SENT) {
		on_syn_sent(skp);
		return 0;
	}
	if (newstate == BPF_TCP_LISTEN) /* reported at listen()'s exit, once the port is bound */
		return 0;
	if (newstate == BPF_TCP_SYN_RECV) { /* a passive open's child socket is born */
		struct net_sock fresh = { .born_ns = bpf_ktime_get_boot_ns() };
		inflight_store(&net_socks, &skp, &fresh, VIGIL_LS_NET_SOCK);
		return 0;
	}
	ns = bpf_map_lookup_elem(&net_socks, &skp);
	if (oldstate == BPF_TCP_SYN_SENT && ns && (ns->flags & NS_CONNECTING)) {
		ns->flags &= ~NS_CONNECTING;
		connect_outcome(ns, (struct sock *)skp, ctx, newstate);
	}
	if (newstate == BPF_TCP_ESTABLISHED) {
		if (ns)
			ns->flags |= NS_ESTABLISHED;
		return 0;
	}
	if (newstate != BPF_TCP_CLOSE || oldstate == BPF_TCP_LISTEN)
		return 0;
	/* the end of a connection that was established (or one older than vigil) */
	if (!ns || (ns->flags & NS_ESTABLISHED))
		on_close(skp, ns, ctx);
	bpf_map_delete_elem(&net_socks, &skp);
	return 0;
}

/* ---- resets ---- */

/* tcp_send_reset before Linux 6.10 (the tcp_event_sk_skb class): separate address fields, no
 * reason, and no tuple when there is no socket. */
struct trace_event_raw_tcp_event_sk_skb___old {
	struct trace_entry ent;
	const void *skbaddr;
	const void *skaddr;
	int state;
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u8 saddr[4];
	__u8 daddr[4];
	__u8 saddr_v6[16];
	__u8 daddr_v6[16];
} __attribute__((preserve_access_index));

/* The tuple of a sent reset: saddr is this host's end, daddr the peer (with or without a socket). */
static __always_inline bool rst_tx_tuple(struct vigil_net_event *e, void *ctx)
{
	if (bpf_core_type_exists(struct trace_event_raw_tcp_send_reset)) {
		struct trace_event_raw_tcp_send_reset *c = ctx;
		__u8 sa[28], da[28];
		__u16 dfam;

		ctx_read(sa, sizeof(sa), c->saddr);
		ctx_read(da, sizeof(da), c->daddr);
		sockaddr_take(e->t.saddr, &e->t.sport, sa, &e->t.family);
		sockaddr_take(e->t.daddr, &e->t.dport, da, &dfam);
		e->state = c->state;
		e->reason = c->reason;
		if (!c->skaddr)
			e->flags |= VIGIL_NETF_NO_SOCKET;
	} else {
		struct trace_event_raw_tcp_event_sk_skb___old *c = ctx;

		e->t.family = BPF_CORE_READ(c, family);
		e->t.sport = BPF_CORE_READ(c, sport);
		e->t.dport = BPF_CORE_READ(c, dport);
		if (e->t.family == NET_AF_INET6) {
			ctx_read(e->t.saddr, 16, c->saddr_v6);
			ctx_read(e->t.daddr, 16, c->daddr_v6);
		} else {
			ctx_read(e->t.saddr, 4, c->saddr);
			ctx_read(e->t.daddr, 4, c->daddr);
		}
		e->state = BPF_CORE_READ(c, state);
		if (!BPF_CORE_READ(c, skaddr))
			e->flags |= VIGIL_NETF_NO_SOCKET;
	}
	return e->t.family == NET_AF_INET || e->t.family == NET_AF_INET6;
}

SEC("tracepoint/tcp/tcp_send_reset")
int rst_tx_tp(void *ctx)
{
	struct vigil_net_event e = {};

	if (!kind_enabled(VIGIL_KIND_NET_RESET))
		return 0;
	fill_task(&e.hdr.task, (struct task_struct *)bpf_get_current_task());
	if (!want_event(VIGIL_KIND_NET_RESET, &e.hdr.task))
		return 0;
	if (!rst_tx_tuple(&e, ctx) || !port_pass(e.t.sport, e.t.dport))
		return 0;
	e.t.proto = NET_IPPROTO_TCP;
	net_emit(&e, VIGIL_KIND_NET_RESET);
	return 0;
}

SEC("tracepoint/tcp/tcp_receive_reset")
int rst_rx_tp(struct trace_event_raw_tcp_event_sk *ctx)
{
	__u64 skp = (__u64)ctx->skaddr;
	struct net_sock *ns = bpf_map_lookup_elem(&net_socks, &skp);
	struct vigil_net_event e = {};

	if (!kind_enabled(VIGIL_KIND_NET_RESET))
		return 0;
	if (ns && (ns->flags & NS_OWNER))
		e.hdr.task = ns->owner;
	else
		fill_task(&e.hdr.task, (struct task_struct *)bpf_get_current_task());
	if (!want_event(VIGIL_KIND_NET_RESET, &e.hdr.task))
		return 0;
	e.t.family = ctx->family;
	e.t.proto = NET_IPPROTO_TCP;
	e.t.sport = ctx->sport;
	e.t.dport = ctx->dport;
	if (e.t.family == NET_AF_INET6) {
		ctx_read(e.t.saddr, 16, ctx->saddr_v6);
		ctx_read(e.t.daddr, 16, ctx->daddr_v6);
	} else {
		ctx_read(e.t.saddr, 4, ctx->saddr);
		ctx_read(e.t.daddr, 4, ctx->daddr);
	}
	if (!port_pass(e.t.sport, e.t.dport))
		return 0;
	e.state = BPF_CORE_READ((struct sock *)skp, __sk_common.skc_state);
	e.flags |= VIGIL_NETF_RESET_RECEIVED;
	net_emit(&e, VIGIL_KIND_NET_RESET);
	return 0;
}

/* ---- syscalls: accept (the accepting task), UDP connect, non-blocking TCP connects ---- */

static __always_inline int on_accept_exit(long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_net_event e = {};
	struct sock *sk;
	__u64 skp;

	if (ret < 0 || !(sk = fd_sock(ret)))
		return 0;
	sock_tuple(&e.t, sk);
	if (e.t.proto != NET_IPPROTO_TCP || !sock_is_inet(&e.t))
		return 0;
	fill_task(&e.hdr.task, task);
	/* the accepting task owns the connection from now on: its close is reported as its own */
	skp = (__u64)sk;
	struct net_sock *ns = bpf_map_lookup_elem(&net_socks, &skp);
	if (ns) {
		ns->owner = e.hdr.task;
		ns->flags |= NS_OWNER;
	}
	if (!kind_enabled(VIGIL_KIND_NET_ACCEPT) || !want_event(VIGIL_KIND_NET_ACCEPT, &e.hdr.task))
		return 0;
	if (!port_pass(e.t.sport, e.t.dport))
		return 0;
	net_emit(&e, VIGIL_KIND_NET_ACCEPT);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int accept4_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int accept_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_connect")
int connect_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct net_connect_call call = { .uaddr = ctx->args[1], .fd = (__s32)ctx->args[0] };

	inflight_store(&net_connect_fd, &tid, &call, VIGIL_LS_NET_CALL);
	return 0;
}

/* The peer of a failed connect, from the caller's sockaddr: the socket never got one. */
static __always_inline void caller_peer(struct vigil_net_event *e, __u64 uaddr)
{
	__u8 raw[28] = {};
	__u16 fam;

	if (bpf_probe_read_user(raw, sizeof(raw), (const void *)uaddr)) {
		loss_count(VIGIL_LS_USER_MEM, VIGIL_LC_READ_FAILED);
		return;
	}
	sockaddr_take(e->t.daddr, &e->t.dport, raw, &fam);
	if (fam == e->t.family)
		e->flags |= VIGIL_NETF_PEER_FROM_CALLER;
}

/*
 * Reported here: UDP connects (no TCP state changes), and TCP connects that failed before a SYN
 * was sent (no route, no ephemeral port, ...). A TCP connect that reached SYN_SENT is reported
 * by the state changes, with its real outcome.
 */
SEC("tracepoint/syscalls/sys_exit_connect")
int connect_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct net_connect_call *cp = bpf_map_lookup_elem(&net_connect_fd, &tid);
	struct net_connect_call call;
	struct vigil_net_event e = {};
	long ret = ctx->ret;
	struct sock *sk;

	if (!cp) {
		loss_count(VIGIL_LS_NET_CALL, VIGIL_LC_NO_STATE);
		return 0;
	}
	call = *cp;
	bpf_map_delete_elem(&net_connect_fd, &tid);
	if (!kind_enabled(VIGIL_KIND_NET_CONNECT))
		return 0;
	if (call.deferred) { /* the filters passed at SYN_SENT, for this same task */
		fill_task(&e.hdr.task, (struct task_struct *)bpf_get_current_task());
		e.t = call.t;
		e.flags = call.flags;
		e.result = ret < 0 ? ret : -NET_ECONNABORTED;
		net_emit(&e, VIGIL_KIND_NET_CONNECT);
		return 0;
	}
	if (!(sk = fd_sock(call.fd)))
		return 0;
	sock_tuple(&e.t, sk);
	if (!sock_is_inet(&e.t))
		return 0;
	if (e.t.proto == NET_IPPROTO_TCP &&
	    (call.syn_sent || ret >= 0 || ret == -NET_EINPROGRESS || ret == -NET_EALREADY ||
	     ret == -NET_EISCONN))
		return 0;
	if (e.t.proto != NET_IPPROTO_TCP && e.t.proto != NET_IPPROTO_UDP)
		return 0;
	fill_task(&e.hdr.task, (struct task_struct *)bpf_get_current_task());
	if (!want_event(VIGIL_KIND_NET_CONNECT, &e.hdr.task))
		return 0;
	if (ret < 0)
		caller_peer(&e, call.uaddr);
	if (!port_pass(e.t.sport, e.t.dport))
		return 0;
	e.result = ret;
	net_emit(&e, VIGIL_KIND_NET_CONNECT);
	return 0;
}

/* listen(): at exit the socket has its port, even one autobound by listen() itself (the state
 * change to LISTEN comes before that). Its own sensor: the net sensor has no hook to spare. */
SEC("tracepoint/syscalls/sys_enter_listen")
int listen_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct net_connect_call call = { .fd = (__s32)ctx->args[0] };

	inflight_store(&net_connect_fd, &tid, &call, VIGIL_LS_NET_CALL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_listen")
int listen_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct net_connect_call *cp = bpf_map_lookup_elem(&net_connect_fd, &tid);
	struct vigil_net_event e = {};
	struct sock *sk;
	__s32 fd;

	if (!cp) {
		loss_count(VIGIL_LS_NET_CALL, VIGIL_LC_NO_STATE);
		return 0;
	}
	fd = cp->fd;
	bpf_map_delete_elem(&net_connect_fd, &tid);
	if (!kind_enabled(VIGIL_KIND_NET_LISTEN) || !(sk = fd_sock(fd)))
		return 0;
	sock_tuple(&e.t, sk);
	if (!sock_is_inet(&e.t) || e.t.proto != NET_IPPROTO_TCP)
		return 0;
	fill_task(&e.hdr.task, (struct task_struct *)bpf_get_current_task());
	if (!want_event(VIGIL_KIND_NET_LISTEN, &e.hdr.task) || !port_pass(e.t.sport, e.t.dport))
		return 0;
	e.result = ctx->ret;
	net_emit(&e, VIGIL_KIND_NET_LISTEN);
	return 0;
}

/* ---- tcprtt: the smoothed RTT of every segment received, by remote host ---- */

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

#pragma unroll
	for (int i = 0; i < VIGIL_RTT_SLOTS - 1; i++)
		if (v >> (i + 1))
			slot = i + 1;
	return slot;
}

/* tcp_probe fires in tcp_rcv_established for each segment of an established connection; its
 * srtt is tp->srtt_us >> 3, the smoothed RTT in microseconds (0: no measurement yet). */
SEC("tracepoint/tcp/tcp_probe")
int rtt_tp(struct trace_event_raw_tcp_probe *ctx)
{
	struct vigil_rtt_key key = {};
	struct vigil_rtt_val *v;
	__u64 rtt = ctx->srtt;
	__u16 port;

	if (!kind_enabled(VIGIL_KIND_NET_RTT) || !rtt)
		return 0;
	__u8 da[28];
	ctx_read(da, sizeof(da), ctx->daddr);
	sockaddr_take(key.addr, &port, da, &key.family);
	v = bpf_map_lookup_elem(&net_rtt, &key);
	if (!v) {
		struct vigil_rtt_val init = { .min_us = rtt, .max_us = rtt };
		bpf_map_update_elem(&net_rtt, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&net_rtt, &key);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->sum_us, rtt);
	__sync_fetch_and_add(&v->slots[log2_slot(rtt) % VIGIL_RTT_SLOTS], 1);
	/* min and max are not atomic: two CPUs updating one host at once may lose one extreme */
	if (rtt < v->min_us)
		v->min_us = rtt;
	if (rtt > v->max_us)
		v->max_us = rtt;
	return 0;
}
