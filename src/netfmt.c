// SPDX-License-Identifier: GPL-2.0-only
#include "netfmt.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

void net_addr_text(char out[NET_ADDR_TEXT_MAX], uint16_t family, const uint8_t addr[16])
{
	if (family == AF_INET || family == AF_INET6) {
		if (inet_ntop(family, addr, out, NET_ADDR_TEXT_MAX))
			return;
	}
	strcpy(out, "?");
}

const char *net_family_name(uint16_t family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "unknown";
}

const char *net_proto_name(uint16_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : "unknown";
}

unsigned net_ip_version(uint16_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0;
}

const char *tcp_state_name(unsigned state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT",	 [3] = "SYN_RECV",   [4] = "FIN_WAIT1",
		[5] = "FIN_WAIT2",   [6] = "TIME_WAIT",	 [7] = "CLOSE",	     [8] = "CLOSE_WAIT",
		[9] = "LAST_ACK",    [10] = "LISTEN",	 [11] = "CLOSING",   [12] = "NEW_SYN_RECV",
	};

	if (state < sizeof(names) / sizeof(names[0]) && names[state])
		return names[state];
	return "UNKNOWN";
}

const char *tcp_reset_reason_name(unsigned reason)
{
	/* enum sk_rst_reason of Linux 6.10+, the values the tracepoint prints */
	static const char *const names[] = {
		"NOT_SPECIFIED", "NO_SOCKET", "TCP_INVALID_ACK_SEQUENCE", "TCP_RFC7323_PAWS",
		"TCP_TOO_OLD_ACK", "TCP_ACK_UNSENT_DATA", "TCP_FLAGS", "TCP_OLD_ACK",
		"TCP_ABORT_ON_DATA", "TCP_TIMEWAIT_SOCKET", "INVALID_SYN", "TCP_ABORT_ON_CLOSE",
		"TCP_ABORT_ON_LINGER", "TCP_ABORT_ON_MEMORY", "TCP_STATE", "TCP_KEEPALIVE_TIMEOUT",
		"TCP_DISCONNECT_WITH_DATA",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : NULL;
}

const char *net_errno_name(int32_t result)
{
	if (result >= 0)
		return NULL;
	return strerrorname_np(-result);
}
