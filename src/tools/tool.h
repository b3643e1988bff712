/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The classic tools as views over the shared sensors: a tool names the kinds it shows, a column
 * header and a row writer; the session does the rest (kernel filters -p/-u/-c/--cgroup, --json,
 * --duration, loss accounting). With --json a tool prints the agent's events unchanged.
 */
#ifndef VIGIL_TOOL_H
#define VIGIL_TOOL_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "pipeline.h"
#include "session.h"

struct tool_run;

struct tool {
	const char *name;
	const char *summary;
	const char *doc;    /* argp doc: what it shows, then "\v" and examples */
	uint64_t kinds;     /* kinds it shows */
	const char *header; /* column header, printed once in text mode (NULL: none) */
	/* The header when options change the columns (NULL: header). */
	const char *(*header_of)(const struct tool_run *r);
	/* Writes one text row for a record into pl->out.b; NULL for tools that only aggregate. */
	void (*row)(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc);
	/* Tool-specific options (NULL: none); parse gets the tool_run as state->input. */
	const struct argp_option *options;
	error_t (*parse)(int key, char *arg, struct argp_state *state);
	/* Interval tools: called every interval and at the end (text mode). */
	void (*on_tick)(struct pipeline *pl);
	double default_interval; /* seconds; 0: no interval */
	size_t state_size;       /* zeroed tool state, at tool_run.state */
	const char *args_doc;    /* positional arguments, e.g. "PID" (parse handles ARGP_KEY_ARG) */
	/* After load, before attach: fill the tool's own kernel maps (-P PORT). 0, or -1 after
	 * printing one "vigil: ..." line. */
	int (*setup)(struct pipeline *pl, struct sensors *s);
	/* The process filters (-p, -u, -c, --cgroup) cannot apply (e.g. softirq context): refused. */
	bool no_process_filters;
	const char *no_process_filters_why;
	/* Text mode, once attached: e.g. a note on stderr for tools that print no header. */
	void (*on_ready)(struct pipeline *pl);
};

struct tool_run {
	struct run_opts opts;
	const struct tool *tool;
	uint64_t kinds; /* set by the tool's options: fewer kinds than it shows by default */
	bool json;
	double interval;
	void *state;
};

int tool_main(const struct tool *t, int argc, char **argv);

/* The registry (src/tools/tools.c). */
const struct tool *tool_find(const char *name);
const struct tool *tool_at(unsigned i);

/* Helpers for row writers. */
struct tool_run *tool_of(struct pipeline *pl);
/* "HH:MM:SS" in local time for a boot-clock stamp. */
void tool_put_time(struct sbuf *b, uint64_t boot_ns);
/* argv as one line, strings separated by spaces, control characters escaped. */
void tool_put_args(struct sbuf *b, const struct proc_image *img);

#endif
