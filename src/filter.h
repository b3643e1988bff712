/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-side filters. A filter is a conjunction over fields (kind, tgid, uid, comm, cgroup);
 * each field allows a set of values or anything. Compiled into per-field tables whose values are
 * bitmaps of the filters a value satisfies, plus per-field bitmaps of the filters that ignore the
 * field: the kernel does one lookup per field however many filters there are (common.bpf.h).
 */
#ifndef VIGIL_FILTER_H
#define VIGIL_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/abi.h"

#define FILTER_VALUES_MAX 64

/* A path value of a filter: not owned (a rule's value, or an option's argument). */
struct filter_path {
	const char *s;
	uint16_t len;  /* bytes of s */
	bool exact;    /* the whole path, not a prefix (VIGIL_FF_PATH only) */
};

struct filter {
	uint64_t kinds; /* 0: every kind */
	size_t ntgid, nuid, ngid, ncomm, ncgroup, npath, nsuffix, nport, naddr;
	size_t nns_pid, nns_mnt, nns_net, nns_user;
	uint32_t ns_pid[FILTER_VALUES_MAX]; /* namespace inode numbers */
	uint32_t ns_mnt[FILTER_VALUES_MAX];
	uint32_t ns_net[FILTER_VALUES_MAX];
	uint32_t ns_user[FILTER_VALUES_MAX];
	uint32_t tgid[FILTER_VALUES_MAX];
	uint32_t uid[FILTER_VALUES_MAX];
	uint32_t gid[FILTER_VALUES_MAX];
	char comm[FILTER_VALUES_MAX][VIGIL_COMM_LEN];
	uint64_t cgroup[FILTER_VALUES_MAX];
	/* the event's own facts (abi.h, VIGIL_FF_PATH and after) */
	struct filter_path path[FILTER_VALUES_MAX];   /* exact paths and prefixes */
	struct filter_path suffix[FILTER_VALUES_MAX]; /* "/a/b": the path's last components */
	uint64_t flag_bits;                           /* file.open flag name bits; 0: any */
	uint32_t port[FILTER_VALUES_MAX];
	struct vigil_addr_key addr[FILTER_VALUES_MAX]; /* networks, prefixlen over family + address */
};

/* One table entry: a field value and the filters it satisfies. */
struct filter_entry {
	uint8_t key[sizeof(struct vigil_path_key)]; /* the map's key, zero-padded */
	struct vigil_bitmap bits;
};

struct filter_tables {
	struct vigil_filter_meta meta;
	struct filter_entry *entries[VIGIL_FF_COUNT];
	size_t count[VIGIL_FF_COUNT];
};

/* The map key size of each field's table. */
size_t filter_key_size(int field);
/* Is a suffix value one the kernel can match ("/name[/name...]", every component non-empty)? */
bool filter_suffix_ok(const char *s, size_t len);
/* Is two filters' content the same (their values, not where the values are stored)? */
bool filter_equal(const struct filter *a, const struct filter *b);

/* Compiles n filters (n <= VIGIL_FILTER_MAX). 0, or -1 with a message. */
int filter_compile(const struct filter *f, size_t n, struct filter_tables *t, char *err, size_t errlen);
void filter_tables_free(struct filter_tables *t);

/*
 * The kernel's filter maps, double-buffered (common.bpf.h): the tables and the meta exist once
 * per slot, and `slot` names the set in force. A new set is staged in the other slot, then
 * switched to with one update; until the switch the set in force is never written.
 */
struct filter_maps {
	int slot;                       /* filter_slot: the slot in force */
	int meta;                       /* filter_meta: one value per slot */
	int outer[VIGIL_FF_COUNT];      /* per field: the array of both slots' tables */
	int field[2][VIGIL_FF_COUNT];   /* per slot, per field: its table */
};

/* Fills the slot not in force with the tables; *staged is that slot. It first waits until no
 * program still uses that slot (a map-in-map update waits for running BPF programs). 0 or
 * -errno; on error the set in force is untouched. */
int filter_stage(const struct filter_tables *t, const struct filter_maps *m, uint32_t *staged);
/* Puts a staged slot in force: one map update. 0 or -errno. */
int filter_switch(const struct filter_maps *m, uint32_t slot);
/* The slot in force, or -errno. */
int filter_slot_in_force(const struct filter_maps *m);
/* Stage, then switch. 0 or -errno. */
int filter_apply(const struct filter_tables *t, const struct filter_maps *m);

/* Resolves a cgroup v2 directory to its id (the directory's inode). 0 or -errno. */
int cgroup_id_of(const char *path, uint64_t *id);

#endif
