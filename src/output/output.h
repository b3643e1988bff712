/* SPDX-License-Identifier: GPL-2.0-only */
/* One output (sink) behind the fan-out: the operations every sink type implements. */
#ifndef VIGIL_OUTPUT_OUTPUT_H
#define VIGIL_OUTPUT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "output/spec.h"

/* CLOCK_MONOTONIC in seconds. */
double output_now(void);

enum sink_drop {
	DROP_SPOOL_FULL, /* queue full and the spool at its cap (or no spool) */
	DROP_TOO_LARGE,  /* one event larger than the queue */
	DROP_REJECTED,   /* the receiver refused it for good (HTTP 4xx) */
	DROP_SPOOL_ERROR, /* the spool could not be written or read */
	DROP_AT_EXIT,    /* still queued at exit with no spool to keep it */
	DROP_MAX,
};
const char *sink_drop_name(enum sink_drop d);

enum sink_state {
	SINK_STARTING,
	SINK_UP,
	SINK_DOWN,
};

/* Counters of one sink, as agent.stats and /metrics show them. */
struct sink_counters {
	uint64_t queued;  /* events accepted (memory queue or spool) */
	uint64_t sent;    /* events the receiver accepted (files: written) */
	uint64_t retried; /* events sent again after a failed attempt */
	uint64_t spooled; /* events written to the spool */
	uint64_t dropped[DROP_MAX];
	uint64_t backlog; /* events waiting (queue + spool) */
	uint64_t spool_bytes;
	uint64_t bytes;   /* bytes sent (files: written) */
	uint64_t rotations; /* files */
	enum sink_state state;
	bool network;
};

/* An agent.sink event waiting to be emitted by the main thread. */
struct sink_change {
	const char *state; /* "connected", "down", "recovered" */
	char reason[200];
	uint64_t backlog;
};

struct output_ops {
	/* Whole lines; nevents of them. 0, or -errno when the output is broken for good. */
	int (*write)(void *impl, const char *buf, size_t len, size_t nevents);
	int (*reopen)(void *impl);           /* files: reopen the path (log rotation); may be NULL */
	void (*counters)(void *impl, struct sink_counters *c);
	bool (*next_change)(void *impl, struct sink_change *c); /* may be NULL */
	/* Waits until everything is sent or CLOCK_MONOTONIC passes deadline (s); true if all was. */
	bool (*drain)(void *impl, double deadline); /* may be NULL */
	void (*close)(void *impl);
};

struct output {
	struct output_spec spec;
	const struct output_ops *ops;
	void *impl;
};

/* Constructors: 0, or -1 with one line in err. */
int file_output_open(struct output *o, char *err, size_t errlen);
struct outputs_config;
int net_output_open(struct output *o, const struct outputs_config *cfg, char *err, size_t errlen);

#endif
