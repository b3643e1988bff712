/* SPDX-License-Identifier: GPL-2.0-only */
/* A kernel-enforceable rule as sets per field (internal to src/enforce/). */
#ifndef VIGIL_ENFORCE_SPEC_H
#define VIGIL_ENFORCE_SPEC_H

#include <stdlib.h>

#include "enforce/enforce.h"
#include "vigil/abi.h"

struct enf_spec {
	bool listen; /* on: net.listen, decided at bind(): the address and port tests are of
		      * net.saddr/net.sport, held in the daddr/dport slots */
	bool packet; /* on: net.packet, decided at XDP: net.saddr in the daddr slot, net.dport */
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

/* A network table under construction (src/enforce/nets.c). */
struct enf_net {
	int family;
	uint8_t addr[16];
	int prefix;
	uint64_t bits;
};
struct enf_nets {
	struct enf_net *v;
	size_t n;
};
/* Adds the network v (V_NET) for the rule bit. */
void enf_nets_add(struct enf_nets *t, const struct value *v, uint64_t bit);
/* Writes the entries into the two LPM tries; 0, or -1 with errno. */
int enf_nets_write(const struct enf_nets *t, int fd4, int fd6);
void enf_nets_free(struct enf_nets *t);
/* Deletes every entry of a hash or trie; 0, or -errno. */
struct bpf_map;
int enf_map_clear(struct bpf_map *m);

enum enforce_class enf_spec_build(const struct rule *r, struct enf_spec *s, char *why,
				  size_t whylen, struct pos *at);
void enf_spec_free(struct enf_spec *s);

#endif
