/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The consumer: every record from the ring buffer is checked, counted as delivered, joined to
 * the process table (which it may update), and rendered, by the agent's formatter or a tool's.
 */
#ifndef VIGIL_PIPELINE_H
#define VIGIL_PIPELINE_H

#include <stdint.h>

#include "format.h"
#include "proc_cache.h"
#include "sink.h"

struct pipeline;
struct sensors;

/* A tool's own rendering of an event; proc is the acting process (never NULL). */
typedef void (*render_fn)(struct pipeline *pl, const void *rec, size_t size,
			  const struct proc *proc);

struct pipeline {
	struct proc_cache cache;
	struct format_opts fmt;
	struct out out;
	struct sink *sink;
	uint64_t kinds_shown;           /* kinds rendered; the others only feed the table */
	render_fn render;               /* NULL: the agent's event formatter */
	void *user;                     /* for render */
	uint64_t delivered[VIGIL_KIND_MAX];
	uint64_t table_delivered[VIGIL_KIND_MAX]; /* VIGIL_EF_TABLE_ONLY: kept the table, not shown */
	uint64_t malformed;             /* records that failed their checks (dropped, counted) */
	uint64_t seeded;
	unsigned since_yield; /* records handled since the consumer last returned to its loop */
	struct sensors *sensors;        /* the run's sensors, for tools that read their own maps */
};

void pipeline_init(struct pipeline *pl, struct sink *sink, const struct format_opts *fmt,
		   uint64_t kinds_shown);
void pipeline_free(struct pipeline *pl);
/* How many records one poll handles before it returns to the caller's loop, so that a flood
 * cannot keep the agent from its timers (loss reports) and from SIGINT. */
#define PIPELINE_YIELD_EVERY 4096

/* ring_buffer_sample_fn: 0, -EAGAIN to yield (see PIPELINE_YIELD_EVERY), or -1 when the output
 * is gone. */
int pipeline_handle(void *ctx, void *data, size_t size);
/* Seed record callback for sensors_seed. */
void pipeline_seed(const void *rec, size_t size, void *ctx);

#endif
