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
	unsigned ip;      /* -4, -6: only that version; 0: both */
	bool uid;         /* -U: a UID column */
	bool seconds;     /* -t: TIME(s), seconds since the start */
	uint64_t start_ns;
	char header[256];
};

#define TCP_TOOL_HEADER "TIME     PID     COMM             IP SADDR                   SPORT DADDR                   DPORT"

extern const struct argp_option tcp_tool_options[];
error_t tcp_tool_parse(int key, char *arg, struct argp_state *state);
/* Fills the net sensor's port table (tool setup hook). */
int tcp_tool_setup(struct pipeline *pl, struct sensors *s);
/* The shared columns of a net event, without the newline; false (nothing written) when -4/-6
 * leaves the event out. */
bool tcp_tool_columns(struct pipeline *pl, const struct vigil_net_event *e, const struct proc *proc);
/* The header for the options in force, then tail (" RESULT"). */
const char *tcp_tool_header(const struct tool_run *r, const char *tail);
void tcp_tool_ready(struct pipeline *pl);

#endif
