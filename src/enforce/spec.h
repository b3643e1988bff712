/* SPDX-License-Identifier: GPL-2.0-only */
/* A kernel-enforceable rule as sets per field (internal to src/enforce/). */
#ifndef VIGIL_ENFORCE_SPEC_H
#define VIGIL_ENFORCE_SPEC_H

#include <stdlib.h>

#include "enforce/enforce.h"
#include "vigil/abi.h"

struct enf_spec {
	bool has_daddr, has_dport, has_uid, has_comm;
	const struct value *nets; /* the rule's own values (V_NET) */
	size_t nnets;
	uint64_t *ports;
	size_t nports;
	uint64_t *uids;
	size_t nuids;
	const char **comms;
	size_t ncomms;
	unsigned protos;   /* 1 tcp, 2 udp */
	unsigned families; /* 1 inet, 2 inet6 */
};

enum enforce_class enf_spec_build(const struct rule *r, struct enf_spec *s, char *why,
				  size_t whylen, struct pos *at);
void enf_spec_free(struct enf_spec *s);

#endif
