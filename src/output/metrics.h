/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --metrics ADDR:PORT: Prometheus text at /metrics and health at /healthz, served by libmicrohttpd
 * on its own thread. The consumer renders the page once a second (metrics_publish) from what it
 * owns; the server thread only hands out the last rendering, so it never touches the consumer's
 * state.
 */
#ifndef VIGIL_OUTPUT_METRICS_H
#define VIGIL_OUTPUT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"
#include "vigil/abi.h"

struct outputs;
struct sensors;
struct metrics;

/* What the consumer knows at one moment. */
struct metrics_source {
	const struct vigil_kind_stats *st; /* per kind, from the kernel */
	const uint64_t *delivered;         /* per kind, read by user space */
	uint64_t kinds;                    /* the loaded kinds */
	struct outputs *outputs;
	const struct sensors *sensors;
	uint64_t ringbuf_size, ringbuf_used;
	uint64_t proc_entries;
	uint64_t malformed;
};

/* Parses ADDR:PORT ([V6]:PORT) and starts serving. 0, or -1 with one line in err. */
int metrics_start(struct metrics **m, const char *addr, char *err, size_t errlen);
/* The page from src, and the health: healthy, or why not. */
void metrics_publish(struct metrics *m, const struct metrics_source *src, const char *unhealthy);
void metrics_stop(struct metrics *m);
/* Renders the Prometheus text of src (exposed for the unit tests). */
void metrics_render(struct sbuf *b, const struct metrics_source *src);
/* Bytes waiting in the BPF ring buffer of fd (maps its position pages once); 0 if unknown. */
uint64_t ringbuf_used_bytes(int fd);

#endif
