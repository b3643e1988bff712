// SPDX-License-Identifier: GPL-2.0-only
#include "filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

static const size_t key_size[VIGIL_FF_COUNT] = {
	[VIGIL_FF_KIND] = sizeof(uint32_t),
	[VIGIL_FF_TGID] = sizeof(uint32_t),
	[VIGIL_FF_UID] = sizeof(uint32_t),
	[VIGIL_FF_COMM] = VIGIL_COMM_LEN,
	[VIGIL_FF_CGROUP] = sizeof(uint64_t),
};

static void bit_set(struct vigil_bitmap *b, size_t i)
{
	b->w[i / 64] |= 1ULL << (i % 64);
}

static int add(struct filter_tables *t, int field, const void *key, size_t filter_idx)
{
	size_t ks = key_size[field];
	uint8_t k[VIGIL_COMM_LEN] = {};

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

int filter_compile(const struct filter *f, size_t n, struct filter_tables *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (n > VIGIL_FILTER_MAX) {
		snprintf(err, errlen, "too many filters: %zu (at most %d)", n, VIGIL_FILTER_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct filter *x = &f[i];
		int rc = 0;

		bit_set(&t->meta.active, i);
		if (!x->kinds)
			bit_set(&t->meta.any[VIGIL_FF_KIND], i);
		for (uint32_t k = 0; k < 64 && !rc; k++)
			if (x->kinds & (1ULL << k))
				rc = add(t, VIGIL_FF_KIND, &k, i);
		if (!x->ntgid)
			bit_set(&t->meta.any[VIGIL_FF_TGID], i);
		for (size_t j = 0; j < x->ntgid && !rc; j++)
			rc = add(t, VIGIL_FF_TGID, &x->tgid[j], i);
		if (!x->nuid)
			bit_set(&t->meta.any[VIGIL_FF_UID], i);
		for (size_t j = 0; j < x->nuid && !rc; j++)
			rc = add(t, VIGIL_FF_UID, &x->uid[j], i);
		if (!x->ncomm)
			bit_set(&t->meta.any[VIGIL_FF_COMM], i);
		for (size_t j = 0; j < x->ncomm && !rc; j++) {
			char comm[VIGIL_COMM_LEN] = {};
			/* the kernel's comm is at most 15 bytes: compare what it can hold */
			strncpy(comm, x->comm[j], VIGIL_COMM_LEN - 1);
			rc = add(t, VIGIL_FF_COMM, comm, i);
		}
		if (!x->ncgroup)
			bit_set(&t->meta.any[VIGIL_FF_CGROUP], i);
		for (size_t j = 0; j < x->ncgroup && !rc; j++)
			rc = add(t, VIGIL_FF_CGROUP, &x->cgroup[j], i);
		if (rc) {
			snprintf(err, errlen, "out of memory compiling filters");
			filter_tables_free(t);
			return -1;
		}
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

static int clear_map(int fd, size_t ks)
{
	uint8_t key[VIGIL_COMM_LEN], next[VIGIL_COMM_LEN];

	(void)ks;
	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, sizeof(key));
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return 0;
}

int filter_apply(const struct filter_tables *t, const struct filter_maps *m)
{
	struct vigil_filter_meta off = {};
	uint32_t zero = 0;

	/* switch filtering off while the tables change, so no event sees half a set */
	if (bpf_map_update_elem(m->meta, &zero, &off, BPF_ANY))
		return -errno;
	for (int f = 0; f < VIGIL_FF_COUNT; f++) {
		int rc = clear_map(m->field[f], key_size[f]);
		if (rc)
			return rc;
		for (size_t i = 0; i < t->count[f]; i++)
			if (bpf_map_update_elem(m->field[f], t->entries[f][i].key, &t->entries[f][i].bits,
						BPF_ANY))
				return -errno;
	}
	if (bpf_map_update_elem(m->meta, &zero, &t->meta, BPF_ANY))
		return -errno;
	return 0;
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
