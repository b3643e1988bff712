// SPDX-License-Identifier: GPL-2.0-only
#include "tools/tcp_common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "netfmt.h"
#include "sensors.h"
#include "timefmt.h"
#include "vigil.skel.h"

const struct argp_option tcp_tool_options[] = {
	{ "port", 'P', "PORT[,PORT]", 0, "Only connections with one of these ports at either end (a list or repeated; in the kernel)", 0 },
	{ "ipv4", '4', NULL, 0, "Only IPv4", 0 },
	{ "ipv6", '6', NULL, 0, "Only IPv6", 0 },
	{ "print-uid", 'U', NULL, 0, "Show a UID column", 0 },
	{ "timestamp", 't', NULL, 0, "TIME(s): seconds since vigil started, instead of the clock", 0 },
	{},
};

static int add_port(struct argp_state *state, struct tcp_tool_state *st, const char *arg)
{
	char err[256];
	uint64_t v;

	if (st->nports >= VIGIL_NET_PORTS_MAX) {
		snprintf(err, sizeof(err), "at most %d ports", VIGIL_NET_PORTS_MAX);
		cli_bad_value(state, "--port", err);
		return EINVAL;
	}
	if (parse_u64(arg, 1, 65535, &v, err, sizeof(err))) {
		cli_bad_value(state, "--port", err);
		return EINVAL;
	}
	st->ports[st->nports++] = (uint16_t)v;
	return 0;
}

error_t tcp_tool_parse(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;
	struct tcp_tool_state *st = r->state;

	switch (key) {
	case '4':
	case '6':
		if (st->ip && st->ip != (unsigned)(key - '0'))
			argp_error(state, "-4 and -6 contradict each other");
		st->ip = (unsigned)(key - '0');
		return 0;
	case 'U':
		st->uid = true;
		return 0;
	case 't':
		st->seconds = true;
		return 0;
	case 'P': {
		char copy[256], *save = NULL;
		if (!*arg)
			return add_port(state, st, arg); /* says what was expected */
		snprintf(copy, sizeof(copy), "%s", arg);
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (add_port(state, st, tok))
				return EINVAL;
		return 0;
	}
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const char *tcp_tool_header(const struct tool_run *r, const char *tail)
{
	struct tcp_tool_state *st = r->state;

	snprintf(st->header, sizeof(st->header), "%s PID     %sCOMM             IP SADDR                   SPORT DADDR                   DPORT%s",
		 st->seconds ? "TIME(s) " : "TIME    ", st->uid ? "UID    " : "", tail);
	return st->header;
}

void tcp_tool_ready(struct pipeline *pl)
{
	((struct tcp_tool_state *)tool_of(pl)->state)->start_ns = now_boot_ns();
}

int tcp_tool_setup(struct pipeline *pl, struct sensors *s)
{
	struct tcp_tool_state *st = tool_of(pl)->state;
	uint32_t zero = 0, n = st->nports;
	uint8_t one = 1;

	for (unsigned i = 0; i < st->nports; i++) {
		if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.net_ports), &st->ports[i], &one,
					BPF_ANY)) {
			fprintf(stderr, "vigil: cannot install the port filter: %s\n", strerror(errno));
			return -1;
		}
	}
	if (n && bpf_map_update_elem(bpf_map__fd(s->skel->maps.net_ports_on), &zero, &n, BPF_ANY)) {
		fprintf(stderr, "vigil: cannot install the port filter: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

bool tcp_tool_columns(struct pipeline *pl, const struct vigil_net_event *e, const struct proc *proc)
{
	struct tcp_tool_state *st = tool_of(pl)->state;
	struct sbuf *b = pl->out.b;
	char sa[NET_ADDR_TEXT_MAX], da[NET_ADDR_TEXT_MAX];

	if (st->ip && net_ip_version(e->t.family) != st->ip)
		return false;
	net_addr_text(sa, e->t.family, e->t.saddr);
	net_addr_text(da, e->t.family, e->t.daddr);
	if (st->seconds)
		sbuf_printf(b, "%-8.3f", e->hdr.ktime_ns > st->start_ns
						 ? (double)(e->hdr.ktime_ns - st->start_ns) / 1e9 : 0.0);
	else
		tool_put_time(b, e->hdr.ktime_ns);
	sbuf_printf(b, " %-7u ", e->hdr.task.tgid);
	if (st->uid)
		sbuf_printf(b, "%-6u ", e->hdr.task.uid);
	sbuf_printf(b, "%-16.16s %-2u %-23s %-5u %-23s %-5u", proc->comm, net_ip_version(e->t.family),
		    sa, e->t.sport, da, e->t.dport);
	return true;
}
