// SPDX-License-Identifier: GPL-2.0-only
/* tcpaccept: inbound TCP connections, as the accepting process took them (net.accept). */
#include "tools/tcp_common.h"

#include "kinds.h"

static void tcpaccept_row(struct pipeline *pl, const void *rec, size_t size,
			  const struct proc *proc)
{
	(void)size;
	if (!tcp_tool_columns(pl, rec, proc))
		return;
	sbuf_putc(pl->out.b, '\n');
}

static const char *tcpaccept_header(const struct tool_run *r)
{
	return tcp_tool_header(r, "");
}

const struct tool tool_tcpaccept = {
	.name = "tcpaccept",
	.summary = "trace inbound TCP connections accepted",
	.doc = "Trace accept(2)ed TCP connections, IPv4 and IPv6: the accepting process, this host's "
	       "address and port (SADDR SPORT) and the peer's (DADDR DPORT).\v"
	       "Examples:\n"
	       "  vigil tcpaccept\n"
	       "  vigil tcpaccept -P 22\n"
	       "  vigil tcpaccept -c nginx --json",
	.kinds = KIND_BIT(VIGIL_KIND_NET_ACCEPT),
	.header = TCP_TOOL_HEADER,
	.row = tcpaccept_row,
	.options = tcp_tool_options,
	.parse = tcp_tool_parse,
	.state_size = sizeof(struct tcp_tool_state),
	.setup = tcp_tool_setup,
	.header_of = tcpaccept_header,
	.on_ready = tcp_tool_ready,
};
