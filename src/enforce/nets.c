// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network table of an enforcement program (an LPM trie per family whose value is the bitmap
 * of the rules accepting the network): shared by the cgroup and the XDP rules. A lookup finds
 * only the longest matching prefix, so each entry also carries the rules of every shorter
 * prefix that contains it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enforce/spec.h"

static void mask_addr(uint8_t *a, int prefix, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		int keep = prefix - i * 8;
		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

static bool contains(const struct enf_net *n, const struct enf_net *p)
{
	uint8_t a[16];

	if (n->family != p->family || n->prefix > p->prefix)
		return false;
	memcpy(a, p->addr, 16);
	mask_addr(a, n->prefix, n->family == AF_INET ? 4 : 16);
	return !memcmp(a, n->addr, n->family == AF_INET ? 4 : 16);
}

void enf_nets_add(struct enf_nets *t, const struct value *v, uint64_t bit)
{
	struct enf_net n = { .family = v->family, .prefix = v->prefix };
	size_t j;

	memcpy(n.addr, v->addr, 16);
	mask_addr(n.addr, n.prefix, n.family == AF_INET ? 4 : 16);
	for (j = 0; j < t->n; j++)
		if (t->v[j].family == n.family && t->v[j].prefix == n.prefix &&
		    !memcmp(t->v[j].addr, n.addr, 16))
			break;
	if (j == t->n) {
		t->v = realloc(t->v, (t->n + 1) * sizeof(*t->v));
		if (!t->v)
			abort();
		t->v[t->n++] = n;
	}
	t->v[j].bits |= bit;
}

int enf_nets_write(const struct enf_nets *t, int fd4, int fd6)
{
	for (size_t i = 0; i < t->n; i++) {
		uint64_t bits = t->v[i].bits;
		for (size_t j = 0; j < t->n; j++)
			if (j != i && contains(&t->v[j], &t->v[i]))
				bits |= t->v[j].bits;
		int rc;
		if (t->v[i].family == AF_INET) {
			struct vigil_enf_net4_key k = { .prefixlen = (uint32_t)t->v[i].prefix };
			memcpy(k.addr, t->v[i].addr, 4);
			rc = bpf_map_update_elem(fd4, &k, &bits, BPF_ANY);
		} else {
			struct vigil_enf_net6_key k = { .prefixlen = (uint32_t)t->v[i].prefix };
			memcpy(k.addr, t->v[i].addr, 16);
			rc = bpf_map_update_elem(fd6, &k, &bits, BPF_ANY);
		}
		if (rc)
			return -1; /* errno set */
	}
	return 0;
}

void enf_nets_free(struct enf_nets *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

int enf_map_clear(struct bpf_map *m)
{
	int fd = bpf_map__fd(m);
	size_t ksz = bpf_map__key_size(m);
	uint8_t key[64], next[64];

	/* delete the first key until none is left (deleting while walking skips keys) */
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, ksz);
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return 0;
}
