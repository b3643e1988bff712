/* SPDX-License-Identifier: GPL-2.0-only */
/* The fields of priv.setuid, priv.capset, priv.capable and syscall.denied (docs/events.md), and
 * the decoding the tools share. */
#ifndef VIGIL_PRIV_EVENTS_H
#define VIGIL_PRIV_EVENTS_H

#include <stddef.h>

#include "out.h"
#include "sbuf.h"
#include "vigil/abi.h"

void body_priv_setuid(struct out *o, const void *rec, size_t size);
void body_priv_capset(struct out *o, const void *rec, size_t size);
void body_priv_capable(struct out *o, const void *rec, size_t size);
void body_syscall_denied(struct out *o, const void *rec, size_t size);

/* The ids a setuid-family call asked for, "65534,-1,65534" ("-1": unchanged). */
void setuid_put_args(struct sbuf *b, const struct vigil_setuid_event *e);
/* How many id arguments each setuid-family syscall takes (0 if op is not one of them). */
unsigned setuid_nargs(unsigned op);
/* Whether op changes group ids. */
int setuid_is_gid(unsigned op);
/* A syscall's result as text: "0", "65534", or "-1 EPERM". */
void put_ret(struct sbuf *b, int64_t ret);
/* "ret" and, for a failure, "errno" ("EPERM"). */
void out_ret(struct out *o, int64_t ret);

#endif
