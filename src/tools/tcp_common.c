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
#include "vigil.skel.h"

const struct argp_option tcp_tool_options[] = {
	{ "port", 'P', "PORT", 0, "Only connections with PORT at either end (repeatable, in the kernel)", 0 },
	{},
};

error_t tcp_tool_parse(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;
	struct tcp_tool_state *st = r->state;
	char err[256];
	uint64_t v;

	if (key != 'P')
		return ARGP_ERR_UNKNOWN;
	if (st->nports >= VIGIL_NET_PORTS_MAX) {
		snprintf(err, sizeof(err), "at most %d ports", VIGIL_NET_PORTS_MAX);
		cli_bad_value(state, "--port", err);
		return EINVAL;
	}
	if (parse_u64(arg, 1, 65535, &v, err, sizeof(err)))
		cli_bad_value(state, "--port", err);
	st->ports[st->nports++] = (uint16_t)v;
	return 0;
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

void tcp_tool_columns(struct sbuf *b, const struct vigil_net_event *e, const struct proc *proc)
{
	char sa[NET_ADDR_TEXT_MAX], da[NET_ADDR_TEXT_MAX];

	net_addr_text(sa, e->t.family, e->t.saddr);
	net_addr_text(da, e->t.family, e->t.daddr);
	tool_put_time(b, e->hdr.ktime_ns);
	sbuf_printf(b, " %-7u %-16.16s %-2u %-23s %-5u %-23s %-5u", e->hdr.task.tgid, proc->comm,
		    net_ip_version(e->t.family), sa, e->t.sport, da, e->t.dport);
}
