// SPDX-License-Identifier: GPL-2.0-only
/*
 * eperm: syscalls that failed with EPERM or EACCES, counted by process, syscall and errno. The
 * counting happens in the kernel (syscall.denied's map): each failure costs one map update, and
 * the table is read from the map every --interval and at exit, totals since the start.
 */
#include "tools/tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kinds.h"
#include "priv_names.h"
#include "sensors.h"
#include "timefmt.h"
#include "vigil.skel.h"
#include "vigil/abi.h"

#define EPERM_ROWS_MAX 16384 /* the map's size */

struct denied_row {
	struct vigil_denied_key key;
	struct vigil_denied_value val;
};

static int by_count(const void *a, const void *b)
{
	const struct denied_row *x = a, *y = b;

	if (x->val.count != y->val.count)
		return x->val.count < y->val.count ? 1 : -1;
	if (x->key.tgid != y->key.tgid)
		return x->key.tgid < y->key.tgid ? -1 : 1;
	return x->key.nr < y->key.nr ? -1 : x->key.nr > y->key.nr;
}

struct eperm_opts {
	bool by_comm;
};

enum { OPT_BY_COMM = 0x400 };

static const struct argp_option eperm_options[] = {
	{ "by-comm", OPT_BY_COMM, NULL, 0, "One row per command name, syscall and errno (all its processes together)", 0 },
	{},
};

static error_t eperm_parse(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;

	(void)arg;
	if (key != OPT_BY_COMM)
		return ARGP_ERR_UNKNOWN;
	((struct eperm_opts *)r->state)->by_comm = true;
	return 0;
}

static int by_comm_key(const void *a, const void *b)
{
	const struct denied_row *x = a, *y = b;
	int c = strncmp(x->val.comm, y->val.comm, sizeof(x->val.comm));

	if (c)
		return c;
	if (x->key.nr != y->key.nr)
		return x->key.nr < y->key.nr ? -1 : 1;
	return x->key.err < y->key.err ? -1 : x->key.err > y->key.err;
}

/* The rows merged per command name, syscall and errno, largest count first. */
static void put_by_comm(struct sbuf *b, struct denied_row *rows, size_t n)
{
	size_t m = 0;

	qsort(rows, n, sizeof(*rows), by_comm_key);
	for (size_t i = 0; i < n; i++) {
		if (m && !by_comm_key(&rows[m - 1], &rows[i])) {
			rows[m - 1].val.count += rows[i].val.count;
			continue;
		}
		rows[m] = rows[i];
		rows[m].key.tgid = 0; /* the merged row is no single process's */
		m++;
	}
	qsort(rows, m, sizeof(*rows), by_count);
	tool_put_time(b, now_boot_ns());
	sbuf_printf(b, " %zu command/syscall pair%s denied\n", m, m == 1 ? "" : "s");
	sbuf_puts(b, "COMM             SYSCALL              ERRNO  COUNT\n");
	for (size_t i = 0; i < m; i++) {
		const struct denied_row *r = &rows[i];
		bool compat = r->key.nr & VIGIL_DENIED_COMPAT;
		const char *err = errno_short_name((int)r->key.err);
		char name[64];

		syscall_name(r->key.nr & ~VIGIL_DENIED_COMPAT, compat, name, sizeof(name));
		sbuf_printf(b, "%-16.16s %-20s %-6s %llu\n", r->val.comm, name, err ? err : "?",
			    (unsigned long long)r->val.count);
	}
	sbuf_putc(b, '\n');
}

static void eperm_tick(struct pipeline *pl)
{
	int fd = bpf_map__fd(pl->sensors->skel->maps.denied_counts);
	struct denied_row *rows = calloc(EPERM_ROWS_MAX, sizeof(*rows));
	struct vigil_denied_key key, next, *prev = NULL;
	struct sbuf *b = pl->out.b;
	size_t n = 0;

	if (!rows) {
		fprintf(stderr, "vigil: out of memory\n");
		return;
	}
	while (n < EPERM_ROWS_MAX && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &rows[n].val))
			continue; /* evicted meanwhile */
		rows[n++].key = key;
	}
	if (((struct eperm_opts *)tool_of(pl)->state)->by_comm) {
		put_by_comm(b, rows, n);
		free(rows);
		return;
	}
	qsort(rows, n, sizeof(*rows), by_count);

	tool_put_time(b, now_boot_ns());
	sbuf_printf(b, " %zu process/syscall pair%s denied\n", n, n == 1 ? "" : "s");
	sbuf_puts(b, "PID     COMM             UID    SYSCALL              ERRNO  COUNT\n");
	for (size_t i = 0; i < n; i++) {
		const struct denied_row *r = &rows[i];
		bool compat = r->key.nr & VIGIL_DENIED_COMPAT;
		const char *err = errno_short_name((int)r->key.err);
		char name[64];

		syscall_name(r->key.nr & ~VIGIL_DENIED_COMPAT, compat, name, sizeof(name));
		sbuf_printf(b, "%-7u %-16.16s %-6u %-20s %-6s %llu\n", r->key.tgid, r->val.comm,
			    r->val.uid, name, err ? err : "?", (unsigned long long)r->val.count);
	}
	sbuf_putc(b, '\n');
	free(rows);
}

/* The events (at the 1st, 2nd, 4th ... failure of a pair) are the agent's; the table is read
 * from the map. */
static void eperm_row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	(void)pl;
	(void)rec;
	(void)size;
	(void)proc;
}

static void eperm_ready(struct pipeline *pl)
{
	fprintf(stderr, "Counting syscalls that fail with EPERM or EACCES, every %g s and at exit. "
			"Ctrl-C to end.\n",
		tool_of(pl)->interval);
}

const struct tool tool_eperm = {
	.name = "eperm",
	.summary = "count syscalls failing with EPERM or EACCES, by process and syscall",
	.doc = "Count the syscalls that fail with EPERM or EACCES, by process, syscall and errno, and "
	       "print the table every --interval and at exit (totals since the start, largest first). "
	       "The count is kept in the kernel (raw_syscalls:sys_exit, one map update per failure, "
	       "nothing per success), so it is exact whatever the rate. With --json the agent's "
	       "syscall.denied events are printed instead: one at the 1st, 2nd, 4th, 8th ... failure "
	       "of each process/syscall/errno, each with the exact count so far.\v"
	       "Examples:\n"
	       "  vigil eperm\n"
	       "  vigil eperm -i 10 -u 1000\n"
	       "  vigil eperm -c nginx -d 60\n"
	       "  vigil eperm --by-comm -d 10",
	.kinds = KIND_BIT(VIGIL_KIND_SYSCALL_DENIED),
	.row = eperm_row,
	.on_tick = eperm_tick,
	.on_ready = eperm_ready,
	.default_interval = 5,
	.options = eperm_options,
	.parse = eperm_parse,
	.state_size = sizeof(struct eperm_opts),
};
