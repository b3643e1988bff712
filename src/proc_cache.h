/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process table: every process vigil knows, keyed by tgid, joined to every event. Seeded from
 * the kernel's task iterator at start, then kept by exec, fork and exit events. Exited processes
 * stay a few seconds so that late children still find their parent.
 */
#ifndef VIGIL_PROC_CACHE_H
#define VIGIL_PROC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "container.h"
#include "exec_id.h"
#include "vigil/abi.h"

/* What exec sets. A forked child shares its parent's image until it execs itself. */
struct proc_image {
	int refs;
	char *exe;
	char *args; /* argv strings, NUL-separated */
	size_t args_len;
	unsigned argc;
	char *cwd;
	char *cgroup;
	struct container_ref container;
	char tty[40];
	uint32_t tty_dev;
	bool exe_truncated;
	bool args_truncated;
	bool cwd_truncated;
	bool from_procfs; /* read from /proc after the fact (an exec was missed): not kernel truth */
};

struct proc {
	uint32_t tgid;
	uint32_t ppid;
	uint64_t start_ns;
	uint64_t exec_seq;
	char exec_id[EXEC_ID_LEN];
	char comm[VIGIL_COMM_LEN];
	char start_time[40];	/* start_ns as RFC 3339, formatted once */
	struct proc_image *img;
	uint64_t exited_ns; /* 0 while alive */
	bool approx;        /* from /proc: start_ns only to the clock tick, exec_seq unknown */
	bool hashed;
	struct proc *next_dead;
	UT_hash_handle hh;
};

/* How many live processes run one executable (a path from the process table). */
struct exe_use {
	UT_hash_handle hh;
	unsigned live;
	char exe[];
};

struct proc_cache {
	struct proc *by_tgid;
	struct exe_use *exes; /* live processes per executable path */
	struct proc *dead_head, *dead_tail;
	size_t live;
	const char *procfs; /* "/proc" unless a test says otherwise */
};

void proc_cache_init(struct proc_cache *c);
void proc_cache_free(struct proc_cache *c);
struct proc *proc_cache_lookup(struct proc_cache *c, uint32_t tgid);

/* A process.exec or seed record (already checked by record_header_ok): the new image. */
struct proc *proc_cache_exec(struct proc_cache *c, const void *rec, size_t size);
/* A process.fork: the child, sharing its parent's image. */
struct proc *proc_cache_fork(struct proc_cache *c, const struct vigil_task *child);
/* The process an event's task belongs to, refreshed from /proc if vigil missed its exec. */
struct proc *proc_cache_resolve(struct proc_cache *c, const struct vigil_task *t);
/* Is p the process that started at start_ns (exactly, or to the tick for /proc entries)? */
bool proc_is(const struct proc *p, uint64_t start_ns);
/* Processes /proc lists that the kernel's task iterator did not return (seen: pid 1 here):
 * seeded from /proc, approximate until a kernel event names them. Returns how many. */
int proc_cache_seed_procfs(struct proc_cache *c);
/* Lets an event's kernel facts about its parent correct an approximate entry. */
void proc_cache_learn(struct proc_cache *c, const struct vigil_task *t);
/* Marks the process exited at now_ns; it is freed by proc_cache_reap after keep_ns. */
void proc_cache_exit(struct proc_cache *c, uint32_t tgid, uint64_t now_ns);
void proc_cache_reap(struct proc_cache *c, uint64_t now_ns, uint64_t keep_ns);
/* How many live processes execute the file at this path (their image's exe). */
unsigned proc_cache_exe_users(struct proc_cache *c, const char *exe);

/* Decodes the image part of a proc record; NULL if malformed. Exposed for tests. */
struct proc_image *proc_image_from_record(const void *rec, size_t size);
struct proc_image *proc_image_from_procfs(const char *procfs, uint32_t tgid);
void proc_image_put(struct proc_image *img);

#endif
