/* SPDX-License-Identifier: GPL-2.0-only */
/* What tcpconnect, tcpaccept and tcpreset share: the -P PORT kernel filter and the BCC-style
 * columns TIME PID COMM IP SADDR SPORT DADDR DPORT. */
#ifndef VIGIL_TOOLS_TCP_COMMON_H
#define VIGIL_TOOLS_TCP_COMMON_H

#include "tools/tool.h"
#include "vigil/abi.h"

struct tcp_tool_state {
	uint16_t ports[VIGIL_NET_PORTS_MAX];
	unsigned nports;
};

#define TCP_TOOL_HEADER "TIME     PID     COMM             IP SADDR                   SPORT DADDR                   DPORT"

extern const struct argp_option tcp_tool_options[];
error_t tcp_tool_parse(int key, char *arg, struct argp_state *state);
/* Fills the net sensor's port table (tool setup hook). */
int tcp_tool_setup(struct pipeline *pl, struct sensors *s);
/* The shared columns of a net event, without the newline. */
void tcp_tool_columns(struct sbuf *b, const struct vigil_net_event *e, const struct proc *proc);

#endif
