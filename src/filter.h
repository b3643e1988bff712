/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-side filters. A filter is a conjunction over fields (kind, tgid, uid, comm, cgroup);
 * each field allows a set of values or anything. Compiled into per-field tables whose values are
 * bitmaps of the filters a value satisfies, plus per-field bitmaps of the filters that ignore the
 * field: the kernel does one lookup per field however many filters there are (common.bpf.h).
 */
#ifndef VIGIL_FILTER_H
#define VIGIL_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/abi.h"

#define FILTER_VALUES_MAX 64

struct filter {
	uint64_t kinds; /* 0: every kind */
	size_t ntgid, nuid, ncomm, ncgroup;
	uint32_t tgid[FILTER_VALUES_MAX];
	uint32_t uid[FILTER_VALUES_MAX];
	char comm[FILTER_VALUES_MAX][VIGIL_COMM_LEN];
	uint64_t cgroup[FILTER_VALUES_MAX];
};

/* One table entry: a field value and the filters it satisfies. */
struct filter_entry {
	uint8_t key[VIGIL_COMM_LEN]; /* u32, u64 or comm, zero-padded */
	struct vigil_bitmap bits;
};

struct filter_tables {
	struct vigil_filter_meta meta;
	struct filter_entry *entries[VIGIL_FF_COUNT];
	size_t count[VIGIL_FF_COUNT];
};

/* Compiles n filters (n <= VIGIL_FILTER_MAX). 0, or -1 with a message. */
int filter_compile(const struct filter *f, size_t n, struct filter_tables *t, char *err, size_t errlen);
void filter_tables_free(struct filter_tables *t);

struct filter_maps {
	int meta, field[VIGIL_FF_COUNT];
};

/* Replaces what the maps hold with the tables. 0 or -errno. */
int filter_apply(const struct filter_tables *t, const struct filter_maps *m);

/* Resolves a cgroup v2 directory to its id (the directory's inode). 0 or -errno. */
int cgroup_id_of(const char *path, uint64_t *id);

#endif
