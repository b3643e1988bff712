// SPDX-License-Identifier: GPL-2.0-only
#include "events/net_events.h"

#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "netfmt.h"

void net_put_tuple(struct out *o, const struct vigil_net_tuple *t)
{
	char a[NET_ADDR_TEXT_MAX];

	out_obj(o, "net");
	out_str(o, "family", net_family_name(t->family));
	out_str(o, "proto", net_proto_name(t->proto));
	net_addr_text(a, t->family, t->saddr);
	out_str(o, "saddr", a);
	out_u64(o, "sport", t->sport);
	net_addr_text(a, t->family, t->daddr);
	out_str(o, "daddr", a);
	out_u64(o, "dport", t->dport);
}

void body_net_connect(struct out *o, const void *rec, size_t size)
{
	const struct vigil_net_event *e = rec;
	const char *err = net_errno_name(e->result);

	(void)size;
	net_put_tuple(o, &e->t);
	out_i64(o, "result", e->result);
	if (err)
		out_str(o, "error", err);
	if (e->t.proto == 6)
		out_bool(o, "nonblocking", e->flags & VIGIL_NETF_NONBLOCK);
	if (e->flags & VIGIL_NETF_PEER_FROM_CALLER)
		out_bool(o, "peer_from_caller", true);
	out_obj_end(o);
}

void body_net_accept(struct out *o, const void *rec, size_t size)
{
	(void)size;
	net_put_tuple(o, &((const struct vigil_net_event *)rec)->t);
	out_obj_end(o);
}

void body_net_listen(struct out *o, const void *rec, size_t size)
{
	const struct vigil_net_event *e = rec;
	const char *err = net_errno_name(e->result);

	(void)size;
	net_put_tuple(o, &e->t);
	out_i64(o, "result", e->result);
	if (err)
		out_str(o, "error", err);
	out_obj_end(o);
}

void body_net_close(struct out *o, const void *rec, size_t size)
{
	const struct vigil_net_event *e = rec;

	(void)size;
	net_put_tuple(o, &e->t);
	out_u64(o, "duration_ns", e->duration_ns);
	out_u64(o, "bytes_sent", e->bytes_sent);
	out_u64(o, "bytes_received", e->bytes_received);
	out_str(o, "last_state", tcp_state_name(e->state));
	if (e->flags & VIGIL_NETF_OWNER_UNKNOWN)
		out_bool(o, "owner_unknown", true);
	out_obj_end(o);
}

void body_net_reset(struct out *o, const void *rec, size_t size)
{
	const struct vigil_net_event *e = rec;
	bool received = e->flags & VIGIL_NETF_RESET_RECEIVED;

	(void)size;
	net_put_tuple(o, &e->t);
	out_str(o, "direction", received ? "received" : "sent");
	out_bool(o, "socket", !(e->flags & VIGIL_NETF_NO_SOCKET));
	if (!(e->flags & VIGIL_NETF_NO_SOCKET))
		out_str(o, "state", tcp_state_name(e->state));
	if (!received) {
		const char *why = tcp_reset_reason_name(e->reason);
		if (why)
			out_str(o, "reason", why);
		else
			out_u64(o, "reason", e->reason);
	}
	out_obj_end(o);
}

static void put_type(struct out *o, const char *key, uint16_t type)
{
	const char *name = dns_type_name(type);
	char buf[16];

	if (!name) {
		snprintf(buf, sizeof(buf), "TYPE%u", type);
		name = buf;
	}
	out_str(o, key, name);
}

static void put_dns(struct out *o, const struct vigil_dns_event *e, const uint8_t *data, size_t n)
{
	static __thread struct dns_msg m; /* large: kept off the stack */
	const uint8_t *msg;
	size_t len;
	int rc;

	if (e->t.proto == 6)
		dns_unframe_tcp(data, n, &msg, &len);
	else
		msg = data, len = n;
	rc = dns_parse(msg, len, &m);

	out_obj(o, "dns");
	out_str(o, "direction", e->outgoing ? "sent" : "received");
	out_u64(o, "bytes", e->len);
	if (n < e->len)
		out_bool(o, "capture_truncated", true);
	if (len >= DNS_HEADER_LEN) {
		out_u64(o, "id", m.id);
		out_str(o, "qr", m.qr ? "response" : "query");
		out_u64(o, "opcode", m.opcode);
	}
	if (m.has_question) {
		out_str(o, "name", m.qname);
		put_type(o, "type", m.qtype);
		out_u64(o, "class", m.qclass);
	}
	if (m.qr && len >= DNS_HEADER_LEN) {
		const char *rn = dns_rcode_name(m.rcode);
		out_u64(o, "rcode", m.rcode);
		if (rn)
			out_str(o, "rcode_name", rn);
		out_u64(o, "ancount", m.ancount);
		out_arr(o, "answers");
		for (size_t i = 0; i < m.nanswers; i++) {
			const struct dns_rr *rr = &m.answers[i];
			out_obj(o, NULL);
			out_str(o, "name", rr->name);
			put_type(o, "type", rr->type);
			out_u64(o, "ttl", rr->ttl);
			if (rr->data[0])
				out_str(o, "data", rr->data);
			out_obj_end(o);
		}
		out_arr_end(o);
	}
	if (rc && len < e->len) {
		/* the capture was cut, not the message: say so, do not blame the sender */
		out_str(o, "unparsed", m.error);
	} else if (rc) {
		out_str(o, "malformed", m.error);
		out_u64(o, "malformed_offset", m.error_off);
	}
	out_obj_end(o);
}

void body_net_dns(struct out *o, const void *rec, size_t size)
{
	const struct vigil_dns_event *e = rec;
	size_t n = e->captured;
	size_t room = size - offsetof(struct vigil_dns_event, data);

	/* the record's length bounds the bytes read, whatever captured says */
	if (n > room)
		n = room;
	if (n > VIGIL_DNS_CAPTURE)
		n = VIGIL_DNS_CAPTURE;
	net_put_tuple(o, &e->t);
	if (e->peer_from_user)
		out_bool(o, "peer_from_caller", true);
	out_obj_end(o);
	put_dns(o, e, e->data, n);
}
