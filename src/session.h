/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One run of the sensors, shared by the agent and every tool: check privileges, probe, load,
 * filter, attach, seed the process table, report ready, consume until stopped, account for every
 * loss, detach, drain, report the totals. Hooks let a tool render rows instead of events.
 */
#ifndef VIGIL_SESSION_H
#define VIGIL_SESSION_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "filter.h"
#include "out.h"
#include "pipeline.h"
#include "sensors.h"

#define RUN_OUTPUTS_MAX 16

struct run_opts {
	enum out_format format;
	bool format_set;
	const char *output;   /* a tool's -o (one spec) */
	const char *outputs[RUN_OUTPUTS_MAX]; /* vigil run --output, repeatable (docs/outputs.md) */
	size_t noutputs;
	const char *spool_dir; /* --spool-dir */
	double drain_s;        /* --drain-timeout */
	const char *metrics;   /* --metrics ADDR:PORT */
	double duration;
	uint64_t kinds;       /* kinds shown; 0: all */
	uint64_t ringbuf_size;
	bool ancestors;
	bool threads;
	bool verbose;
	struct filter filter;
	bool strict_sensors;  /* fail rather than run without a sensor that was asked for */
	struct shell_params shell; /* --bash, shellsnoop's PID, ttysnoop's DEVICE */
	bool cap_noaudit;          /* priv.capable: also the checks made without audit */
};

struct session_hooks {
	render_fn render; /* NULL: the agent's event formatter */
	void *user;       /* pipeline.user */
	/* Instead of agent.ready / agent.loss / agent.stats (text tools); NULL: the agent's events. */
	void (*on_ready)(struct pipeline *pl, const struct sensors *s);
	void (*on_loss)(struct pipeline *pl, const uint64_t lost[VIGIL_KIND_MAX], uint64_t total);
	void (*on_end)(struct pipeline *pl, const struct vigil_kind_stats *st, uint64_t kinds);
	/* Called every tick_ns (interval tools); and once more at the end when set. */
	void (*on_tick)(struct pipeline *pl);
	uint64_t tick_ns;
	/* After load, before attach: a tool fills its sensor's own maps (e.g. -P PORT). Returns 0,
	 * or -1 after printing one "vigil: ..." line. */
	int (*on_loaded)(struct pipeline *pl, struct sensors *s);
	/* Kernel filters to install instead of run_opts' (rules); kinds 0 means "the shown kinds". */
	bool use_filters;
	const struct filter *filters;
	size_t nfilters;
	/* Right after agent.ready (e.g. agent.policy). */
	void (*after_ready)(struct pipeline *pl);
	/* SIGHUP: reload (rules); without it SIGHUP stops the run like SIGTERM. */
	void (*on_reload)(struct pipeline *pl, struct sensors *s);
};

void run_opts_init(struct run_opts *o);
bool run_opts_filtered(const struct run_opts *o);
/* The kernel-filter options (-p, -u, -c, --cgroup), as an argp child: input is struct run_opts. */
extern const struct argp filter_argp;

int session_run(const struct run_opts *o, const struct session_hooks *hooks);
/* Replaces the kernel filters while running: the given ones for the shown kinds, plus an
 * unconstrained one for kinds loaded only for the process table. 0, or -1 with a message. */
int session_set_filters(struct sensors *s, const struct filter *f, size_t n, uint64_t shown,
			uint64_t loaded, char *err, size_t errlen);
/* The same in two steps (src/filter_install.c): stage the new set beside the one in force
 * (*slot), then put it in force with one map update. A failed stage leaves the set in force
 * untouched. 0, or -1 with a message. */
int session_stage_filters(struct sensors *s, const struct filter *f, size_t n, uint64_t shown,
			  uint64_t loaded, uint32_t *slot, char *err, size_t errlen);
int session_switch_filters(struct sensors *s, uint32_t slot, char *err, size_t errlen);

#endif
