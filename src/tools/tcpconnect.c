// SPDX-License-Identifier: GPL-2.0-only
/* tcpconnect: outbound TCP connections, with their outcome (net.connect). */
#include "tools/tcp_common.h"

#include "kinds.h"
#include "netfmt.h"

static void tcpconnect_row(struct pipeline *pl, const void *rec, size_t size,
			   const struct proc *proc)
{
	const struct vigil_net_event *e = rec;
	struct sbuf *b = pl->out.b;
	const char *err = net_errno_name(e->result);

	(void)size;
	if (e->t.proto != 6) /* UDP connects are net.connect events too; this tool shows TCP */
		return;
	if (!tcp_tool_columns(pl, e, proc))
		return;
	if (e->result == 0)
		sbuf_puts(b, " 0");
	else if (err)
		sbuf_printf(b, " %s", err);
	else
		sbuf_printf(b, " %d", e->result);
	sbuf_putc(b, '\n');
}

static const char *tcpconnect_header(const struct tool_run *r)
{
	return tcp_tool_header(r, " RESULT");
}

const struct tool tool_tcpconnect = {
	.name = "tcpconnect",
	.summary = "trace outbound TCP connections and their outcome",
	.doc = "Trace TCP connects, IPv4 and IPv6: the connecting process, both ends as the kernel's "
	       "socket holds them, and the result (0, or the error: ECONNREFUSED, ETIMEDOUT, ...), "
	       "non-blocking connects included.\v"
	       "Examples:\n"
	       "  vigil tcpconnect\n"
	       "  vigil tcpconnect -P 443 -P 80\n"
	       "  vigil tcpconnect -p 1234 --json",
	.kinds = KIND_BIT(VIGIL_KIND_NET_CONNECT),
	.header = TCP_TOOL_HEADER " RESULT",
	.row = tcpconnect_row,
	.options = tcp_tool_options,
	.parse = tcp_tool_parse,
	.state_size = sizeof(struct tcp_tool_state),
	.setup = tcp_tool_setup,
	.header_of = tcpconnect_header,
	.on_ready = tcp_tool_ready,
};
