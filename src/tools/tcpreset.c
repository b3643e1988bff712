// SPDX-License-Identifier: GPL-2.0-only
/* tcpreset: TCP resets sent by this host (a port scan's trace) and received (net.reset). */
#include "tools/tcp_common.h"

#include "kinds.h"

static void tcpreset_row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_net_event *e = rec;
	struct sbuf *b = pl->out.b;

	(void)size;
	if (!tcp_tool_columns(pl, e, proc))
		return;
	sbuf_printf(b, " %s\n", e->flags & VIGIL_NETF_RESET_RECEIVED ? "RX" : "TX");
}

static const char *tcpreset_header(const struct tool_run *r)
{
	return tcp_tool_header(r, " DIR");
}

const struct tool tool_tcpreset = {
	.name = "tcpreset",
	.summary = "trace TCP resets sent and received",
	.doc = "Trace TCP resets, IPv4 and IPv6: TX, sent by this host (to a closed port: a scan "
	       "shows as one line per port probed), and RX, received. SADDR SPORT is this host's "
	       "end, DADDR DPORT the remote one. A reset sent with no socket happens in softirq "
	       "context: PID and COMM are then the task the kernel interrupted.\v"
	       "Examples:\n"
	       "  vigil tcpreset\n"
	       "  vigil tcpreset -P 22 --json",
	.kinds = KIND_BIT(VIGIL_KIND_NET_RESET),
	.header = TCP_TOOL_HEADER " DIR",
	.row = tcpreset_row,
	.options = tcp_tool_options,
	.parse = tcp_tool_parse,
	.state_size = sizeof(struct tcp_tool_state),
	.setup = tcp_tool_setup,
	.header_of = tcpreset_header,
	.on_ready = tcp_tool_ready,
};
