/* SPDX-License-Identifier: GPL-2.0-only */
/* Names and text forms for the network events: addresses, protocols, TCP states, errnos. */
#ifndef VIGIL_NETFMT_H
#define VIGIL_NETFMT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/abi.h"

#define NET_ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN */

/* "10.0.0.1" or "fd00::1"; "?" for a family that is neither. */
void net_addr_text(char out[NET_ADDR_TEXT_MAX], uint16_t family, const uint8_t addr[16]);
const char *net_family_name(uint16_t family); /* "inet", "inet6", "unknown" */
const char *net_proto_name(uint16_t proto);   /* "tcp", "udp", "unknown" */
unsigned net_ip_version(uint16_t family);     /* 4, 6, 0 */
const char *tcp_state_name(unsigned state);   /* "ESTABLISHED"; "UNKNOWN" */
const char *tcp_reset_reason_name(unsigned reason); /* "NO_SOCKET"; NULL if unknown */
/* "ECONNREFUSED" for -111; NULL for 0 or an unknown number. */
const char *net_errno_name(int32_t result);

#endif
