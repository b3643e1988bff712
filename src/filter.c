// SPDX-License-Identifier: GPL-2.0-only
#include "filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

#include "fault.h"

static const size_t key_size[VIGIL_FF_COUNT] = {
	[VIGIL_FF_KIND] = sizeof(uint32_t),
	[VIGIL_FF_TGID] = sizeof(uint32_t),
	[VIGIL_FF_UID] = sizeof(uint32_t),
	[VIGIL_FF_COMM] = VIGIL_COMM_LEN,
	[VIGIL_FF_CGROUP] = sizeof(uint64_t),
	[VIGIL_FF_GID] = sizeof(uint32_t),
	[VIGIL_FF_PATH] = sizeof(struct vigil_path_key),
	[VIGIL_FF_SUFFIX] = sizeof(struct vigil_path_key),
	[VIGIL_FF_FLAGS] = sizeof(uint32_t),
	[VIGIL_FF_PORT] = sizeof(uint32_t),
	[VIGIL_FF_ADDR] = sizeof(struct vigil_addr_key),
	[VIGIL_FF_NS_PID] = sizeof(uint32_t),
	[VIGIL_FF_NS_MNT] = sizeof(uint32_t),
	[VIGIL_FF_NS_NET] = sizeof(uint32_t),
	[VIGIL_FF_NS_USER] = sizeof(uint32_t),
};

/* Tables that are LPM tries: an entry must also carry the filters of its shorter prefixes. */
static bool is_trie(int field)
{
	return field == VIGIL_FF_PATH || field == VIGIL_FF_SUFFIX || field == VIGIL_FF_ADDR;
}

size_t filter_key_size(int field)
{
	return field >= 0 && field < VIGIL_FF_COUNT ? key_size[field] : 0;
}

static void bit_set(struct vigil_bitmap *b, size_t i)
{
	b->w[i / 64] |= 1ULL << (i % 64);
}

static int add(struct filter_tables *t, int field, const void *key, size_t filter_idx)
{
	size_t ks = key_size[field];
	uint8_t k[sizeof(((struct filter_entry *)0)->key)] = {};

	memcpy(k, key, ks);
	for (size_t i = 0; i < t->count[field]; i++) {
		if (!memcmp(t->entries[field][i].key, k, sizeof(k))) {
			bit_set(&t->entries[field][i].bits, filter_idx);
			return 0;
		}
	}
	struct filter_entry *e = realloc(t->entries[field], (t->count[field] + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	t->entries[field] = e;
	e += t->count[field]++;
	memset(e, 0, sizeof(*e));
	memcpy(e->key, k, sizeof(k));
	bit_set(&e->bits, filter_idx);
	return 0;
}

bool filter_suffix_ok(const char *s, size_t len)
{
	if (len < 2 || len >= VIGIL_PATH_KEY_MAX || s[0] != '/' || s[len - 1] == '/')
		return false;
	for (size_t i = 1; i < len; i++)
		if (s[i] == '/' && s[i - 1] == '/')
			return false;
	return memchr(s, '\0', len) == NULL;
}

/* "/etc/" -> "/etc/" over 40 bits; exact "/etc/shadow" -> "/etc/shadow\0" over 96. */
static void path_key(const struct filter_path *p, struct vigil_path_key *k)
{
	size_t n = p->len < VIGIL_PATH_KEY_MAX ? p->len : VIGIL_PATH_KEY_MAX - 1;

	memset(k, 0, sizeof(*k));
	memcpy(k->data, p->s, n);
	k->prefixlen = 8 * (n + (p->exact ? 1 : 0));
}

/* "/.ssh/authorized_keys" -> "authorized_keys\0.ssh\0": the components leaf first, as the
 * kernel's walk records them (filter_suffix_ok has checked the form). */
static void suffix_key(const struct filter_path *p, struct vigil_path_key *k)
{
	size_t at = 0, end = p->len;

	memset(k, 0, sizeof(*k));
	while (end > 0) {
		size_t start = end;
		while (start > 0 && p->s[start - 1] != '/')
			start--;
		size_t n = end - start;
		if (at + n + 1 > VIGIL_PATH_KEY_MAX)
			break;
		memcpy(k->data + at, p->s + start, n);
		at += n + 1; /* its NUL: already zero */
		end = start ? start - 1 : 0;
	}
	k->prefixlen = 8 * at;
}

/* Does trie key p cover key e (p's bits are a prefix of e's)? */
static bool covers(int field, const uint8_t *p, const uint8_t *e)
{
	uint32_t pl, el;

	memcpy(&pl, p, 4);
	memcpy(&el, e, 4);
	if (pl > el)
		return false;
	size_t bytes = pl / 8, bits = pl % 8;
	if (memcmp(p + 4, e + 4, bytes))
		return false;
	(void)field;
	if (!bits)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - bits));
	return (p[4 + bytes] & mask) == (e[4 + bytes] & mask);
}

/* An LPM lookup returns the longest match only: give each entry the filters of every entry
 * that is a prefix of it. */
static int close_prefixes(struct filter_tables *t, int field)
{
	size_t n = t->count[field];
	struct filter_entry *e = t->entries[field];
	struct vigil_bitmap *own = malloc((n ? n : 1) * sizeof(*own));

	if (!own)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		own[i] = e[i].bits;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (i != j && covers(field, e[j].key, e[i].key))
				for (int w = 0; w < VIGIL_FILTER_WORDS; w++)
					e[i].bits.w[w] |= own[j].w[w];
	free(own);
	return 0;
}

/* Adds filter i's values of one field (or marks it as not testing the field). */
#define ADD_VALUES(field, count, expr)                                                             \
	do {                                                                                       \
		if (!x->count)                                                                     \
			bit_set(&t->meta.any[field], i);                                           \
		for (size_t j = 0; j < x->count && !rc; j++)                                       \
			rc = add(t, field, (expr), i);                                             \
	} while (0)

static int compile_one(struct filter_tables *t, const struct filter *x, size_t i)
{
	int rc = 0;

	bit_set(&t->meta.active, i);
	if (!x->kinds)
		bit_set(&t->meta.any[VIGIL_FF_KIND], i);
	for (uint32_t k = 0; k < 64 && !rc; k++)
		if (x->kinds & (1ULL << k))
			rc = add(t, VIGIL_FF_KIND, &k, i);
	ADD_VALUES(VIGIL_FF_TGID, ntgid, &x->tgid[j]);
	ADD_VALUES(VIGIL_FF_UID, nuid, &x->uid[j]);
	ADD_VALUES(VIGIL_FF_GID, ngid, &x->gid[j]);
	ADD_VALUES(VIGIL_FF_CGROUP, ncgroup, &x->cgroup[j]);
	ADD_VALUES(VIGIL_FF_PORT, nport, &x->port[j]);
	ADD_VALUES(VIGIL_FF_ADDR, naddr, &x->addr[j]);
	ADD_VALUES(VIGIL_FF_NS_PID, nns_pid, &x->ns_pid[j]);
	ADD_VALUES(VIGIL_FF_NS_MNT, nns_mnt, &x->ns_mnt[j]);
	ADD_VALUES(VIGIL_FF_NS_NET, nns_net, &x->ns_net[j]);
	ADD_VALUES(VIGIL_FF_NS_USER, nns_user, &x->ns_user[j]);
	if (!x->ncomm)
		bit_set(&t->meta.any[VIGIL_FF_COMM], i);
	for (size_t j = 0; j < x->ncomm && !rc; j++) {
		char comm[VIGIL_COMM_LEN] = {};
		/* the kernel's comm is at most 15 bytes: compare what it can hold */
		strncpy(comm, x->comm[j], VIGIL_COMM_LEN - 1);
		rc = add(t, VIGIL_FF_COMM, comm, i);
	}
	if (!x->npath)
		bit_set(&t->meta.any[VIGIL_FF_PATH], i);
	for (size_t j = 0; j < x->npath && !rc; j++) {
		struct vigil_path_key k;
		path_key(&x->path[j], &k);
		rc = add(t, VIGIL_FF_PATH, &k, i);
	}
	if (!x->nsuffix)
		bit_set(&t->meta.any[VIGIL_FF_SUFFIX], i);
	for (size_t j = 0; j < x->nsuffix && !rc; j++) {
		struct vigil_path_key k;
		suffix_key(&x->suffix[j], &k);
		rc = add(t, VIGIL_FF_SUFFIX, &k, i);
	}
	if (!x->flag_bits)
		bit_set(&t->meta.any[VIGIL_FF_FLAGS], i);
	for (uint32_t b = 0; b < VIGIL_FLAG_BITS && !rc; b++)
		if (x->flag_bits & (1ULL << b))
			rc = add(t, VIGIL_FF_FLAGS, &b, i);
	return rc;
}

int filter_compile(const struct filter *f, size_t n, struct filter_tables *t, char *err, size_t errlen)
{
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (n > VIGIL_FILTER_MAX) {
		snprintf(err, errlen, "too many filters: %zu (at most %d)", n, VIGIL_FILTER_MAX);
		return -1;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = compile_one(t, &f[i], i);
	for (int field = 0; field < VIGIL_FF_COUNT && !rc; field++) {
		if (is_trie(field))
			rc = close_prefixes(t, field);
		for (int w = 0; w < VIGIL_FILTER_WORDS; w++)
			if (t->meta.active.w[w] & ~t->meta.any[field].w[w])
				t->meta.tested |= 1ULL << field;
	}
	if (rc) {
		snprintf(err, errlen, "out of memory compiling filters");
		filter_tables_free(t);
		return -1;
	}
	return 0;
}

void filter_tables_free(struct filter_tables *t)
{
	for (int f = 0; f < VIGIL_FF_COUNT; f++) {
		free(t->entries[f]);
		t->entries[f] = NULL;
		t->count[f] = 0;
	}
}

static int clear_map(int fd, int field)
{
	uint8_t key[sizeof(((struct filter_entry *)0)->key)], next[sizeof(key)];

	if (field == VIGIL_FF_FLAGS) { /* an array: entries cannot go, they become empty */
		struct vigil_bitmap none = {};
		for (uint32_t b = 0; b < VIGIL_FLAG_BITS; b++)
			if (bpf_map_update_elem(fd, &b, &none, BPF_ANY))
				return -errno;
		return 0;
	}
	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, sizeof(key));
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return 0;
}

int filter_slot_in_force(const struct filter_maps *m)
{
	uint32_t zero = 0, slot = 0;

	if (bpf_map_lookup_elem(m->slot, &zero, &slot))
		return -errno;
	return (int)(slot & 1);
}

/* Waits until every BPF program running now has finished: updating an array of maps makes the
 * kernel wait for them (synchronize_rcu). Rewriting a slot's own entry changes nothing else. */
static int wait_for_programs(const struct filter_maps *m, uint32_t slot)
{
	int fd = m->field[slot][VIGIL_FF_KIND];

	if (fault_hit("filter.barrier"))
		return -EIO;
	if (bpf_map_update_elem(m->outer[VIGIL_FF_KIND], &slot, &fd, BPF_ANY))
		return -errno;
	return 0;
}

int filter_stage(const struct filter_tables *t, const struct filter_maps *m, uint32_t *staged)
{
	int cur = filter_slot_in_force(m), rc;

	if (cur < 0)
		return cur;
	uint32_t slot = (uint32_t)!cur;
	/* a program that read the slot before the last switch may still be using it */
	rc = wait_for_programs(m, slot);
	if (rc)
		return rc;
	for (int f = 0; f < VIGIL_FF_COUNT; f++) {
		int fd = m->field[slot][f];
		rc = fault_hit("filter.clear") ? -EIO : clear_map(fd, f);
		if (rc)
			return rc;
		if (fault_hit("filter.fill"))
			return -EIO;
		for (size_t i = 0; i < t->count[f]; i++)
			if (bpf_map_update_elem(fd, t->entries[f][i].key, &t->entries[f][i].bits, BPF_ANY))
				return -errno;
	}
	if (fault_hit("filter.meta"))
		return -EIO;
	if (bpf_map_update_elem(m->meta, &slot, &t->meta, BPF_ANY))
		return -errno;
	*staged = slot;
	return 0;
}

int filter_switch(const struct filter_maps *m, uint32_t slot)
{
	uint32_t zero = 0;

	if (fault_hit("filter.switch"))
		return -EIO;
	if (bpf_map_update_elem(m->slot, &zero, &slot, BPF_ANY))
		return -errno;
	return 0;
}

int filter_apply(const struct filter_tables *t, const struct filter_maps *m)
{
	uint32_t slot;
	int rc = filter_stage(t, m, &slot);

	return rc ? rc : filter_switch(m, slot);
}

static bool path_eq(const struct filter_path *a, const struct filter_path *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].len != b[i].len || a[i].exact != b[i].exact || memcmp(a[i].s, b[i].s, a[i].len))
			return false;
	return true;
}

bool filter_equal(const struct filter *a, const struct filter *b)
{
#define SAME_ARRAY(count, arr) (a->count == b->count && !memcmp(a->arr, b->arr, a->count * sizeof(a->arr[0])))
	return a->kinds == b->kinds && a->flag_bits == b->flag_bits && SAME_ARRAY(ntgid, tgid) &&
	       SAME_ARRAY(nuid, uid) && SAME_ARRAY(ngid, gid) && SAME_ARRAY(ncomm, comm) &&
	       SAME_ARRAY(ncgroup, cgroup) && SAME_ARRAY(nport, port) && SAME_ARRAY(naddr, addr) &&
	       SAME_ARRAY(nns_pid, ns_pid) && SAME_ARRAY(nns_mnt, ns_mnt) &&
	       SAME_ARRAY(nns_net, ns_net) && SAME_ARRAY(nns_user, ns_user) &&
	       a->npath == b->npath && path_eq(a->path, b->path, a->npath) &&
	       a->nsuffix == b->nsuffix && path_eq(a->suffix, b->suffix, a->nsuffix);
#undef SAME_ARRAY
}

int cgroup_id_of(const char *path, uint64_t *id)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*id = st.st_ino;
	return 0;
}
