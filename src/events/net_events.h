/* SPDX-License-Identifier: GPL-2.0-only */
/* The fields of net.connect, net.accept, net.listen, net.close, net.reset and net.dns
 * (docs/events.md). */
#ifndef VIGIL_NET_EVENTS_H
#define VIGIL_NET_EVENTS_H

#include <stddef.h>

#include "out.h"
#include "vigil/abi.h"

void body_net_connect(struct out *o, const void *rec, size_t size);
void body_net_accept(struct out *o, const void *rec, size_t size);
void body_net_listen(struct out *o, const void *rec, size_t size);
void body_net_close(struct out *o, const void *rec, size_t size);
void body_net_reset(struct out *o, const void *rec, size_t size);
void body_net_dns(struct out *o, const void *rec, size_t size);

/* The "net" object: family, proto, saddr, sport, daddr, dport (left open for more fields). */
void net_put_tuple(struct out *o, const struct vigil_net_tuple *t);

#endif
