/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every BPF program, map and link in the running kernel, who holds each (through /proc/PID/fdinfo),
 * what it is attached to, where it is pinned, and whether it is vigil's.
 */
#ifndef VIGIL_CHECK_INVENTORY_H
#define VIGIL_CHECK_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"

enum inv_kind {
	INV_PROG,
	INV_MAP,
	INV_LINK,
	INV_KINDS,
};

struct inv_holder {
	int pid;
	char comm[16];
	bool vigil;
};

struct inv_obj {
	enum inv_kind kind;
	uint32_t id;
	char type[32];
	char name[16];
	char tag[17];        /* programs */
	uint64_t loaded_ns;  /* programs: wall clock, ns */
	bool has_uid;
	uint32_t uid;        /* programs: who loaded it */
	uint32_t prog_id;    /* links: the program */
	uint32_t *map_ids;   /* programs: the maps they use */
	uint32_t n_map_ids;
	char attach[160];    /* links: the target; programs: their links' targets */
	struct inv_holder *holders;
	size_t n_holders;
	char **pins;
	size_t n_pins;
	bool vigil;
};

/* A file under bpffs and the object it pins. */
struct inv_pin {
	char *path;
	int kind;    /* enum inv_kind, or -1 when the object could not be opened */
	uint32_t id;
	int err;     /* errno when kind is -1 */
	bool vigil;
};

struct inventory {
	struct inv_obj *objs;
	size_t n;
	size_t counts[INV_KINDS];
	size_t others[INV_KINDS]; /* not vigil's */
	struct inv_pin *pins;
	size_t n_pins;
};

/* A reference to a BPF object held by a process's fd. */
struct inv_fd_ref {
	enum inv_kind kind;
	uint32_t id;
	int pid;
};

/* A program attached through a perf event (tracepoint, kprobe, uprobe) a process holds open. */
struct inv_perf_ref {
	uint32_t prog_id;
	int pid;
	char attach[160];
};

/* What one /proc scan found. */
struct inv_scan {
	struct inv_fd_ref *refs;
	size_t n_refs;
	struct inv_holder *procs; /* the processes that hold anything */
	size_t n_procs;
	struct inv_perf_ref *perf;
	size_t n_perf;
};

const char *inv_kind_name(enum inv_kind k);
/* The kind of an fd from its /proc/PID/fd link ("anon_inode:bpf-prog"): 0, or -1 if not BPF. */
int inv_kind_of_link(const char *target, enum inv_kind *kind);
/* The object id in an fdinfo text ("prog_id:", "map_id:" or "link_id:" by kind): 0 or -1. */
int inv_fdinfo_id(const char *text, enum inv_kind kind, uint32_t *id);
/* Is this /proc/PID/exe target a vigil binary ("/x/vigil", "/x/vigil (deleted)")? */
bool inv_exe_is_vigil(const char *exe);

/* "tracepoint:syscalls..." from what BPF_TASK_FD_QUERY tells of a perf event fd. */
void inv_perf_attach_text(uint32_t fd_type, const char *name, uint64_t offset, uint64_t addr,
		      char *buf, size_t len);

/* Scans /proc for processes holding BPF objects or BPF perf events (skipping ourselves). */
int inv_holders_scan(struct inv_scan *scan);
void inv_holders_free(struct inv_scan *scan);

/* Pinned BPF objects under every bpffs mount: calls fn(path, kind, id, err) for each; kind -1 and
 * an errno if the object could not be opened. */
void inv_pins_walk(void (*fn)(void *arg, const char *path, int kind, uint32_t id, int err), void *arg);

/* Builds the inventory; 0, or -errno (e.g. no privileges) with a message in err. */
int inventory_collect(struct inventory *inv, char *err, size_t errlen);
void inventory_free(struct inventory *inv);

void inventory_print_table(const struct inventory *inv, bool color);
void inventory_write_json(const struct inventory *inv, struct out *o);

#endif
