/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fan-out: every rendered event goes to every output whose selection wants it (docs/outputs.md).
 * The consumer renders once, into a buffer of whole lines, and hands the buffer here; file and
 * stdout outputs write it at once, network outputs queue it for their own threads, so a slow or
 * dead receiver never holds up the ring buffer.
 */
#ifndef VIGIL_OUTPUT_OUTPUTS_H
#define VIGIL_OUTPUT_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "output/output.h"

struct outputs_config {
	const char *const *specs; /* --output values; none: stdout */
	size_t nspecs;
	const char *spool_dir;    /* --spool-dir; NULL: OUTPUTS_SPOOL_DIR */
	double drain_s;           /* --drain-timeout: time network outputs get at exit */
};

#define OUTPUTS_SPOOL_DIR "/var/lib/vigil/spool"
#define OUTPUTS_DRAIN_S 5.0

struct outputs;

/* Parses every spec and opens every output. 0, or -1 with one line in err. A network receiver
 * that is down is not an error (its output spools and retries). */
int outputs_open(struct outputs **os, const struct outputs_config *cfg, char *err, size_t errlen);
/* Only parses the specs (for the config file and `vigil run` checks). */
int outputs_check(const struct outputs_config *cfg, char *err, size_t errlen);
/* buf holds whole lines. 0, or -errno when a file or stdout output broke (the run ends). */
int outputs_write(struct outputs *os, const char *buf, size_t len);
/* The second stop signal: a file or stdout write that a signal interrupts (EINTR) is abandoned
 * rather than retried. Async-signal-safe. */
void outputs_give_up(void);
bool outputs_giving_up(void);
/* Asks every file output to reopen its path at the next outputs_tick. Async-signal-safe: a
 * SIGUSR1 handler may call it. */
void outputs_request_reopen(void);
/* Reopens the file outputs now; 0, or -errno of the first failure. */
int outputs_reopen(struct outputs *os);
/* From the main loop: pending reopen requests, and each sink's state changes, given to fn. */
typedef void (*outputs_change_fn)(void *ctx, const char *sink, const struct sink_change *c);
void outputs_tick(struct outputs *os, outputs_change_fn fn, void *ctx);
/* Writes "sinks": {NAME: {counters}} into the event being formatted. */
void outputs_describe(struct outputs *os, struct out *o);
size_t outputs_count(const struct outputs *os);
const char *outputs_name(const struct outputs *os, size_t i);
void outputs_counters(struct outputs *os, size_t i, struct sink_counters *c);
/* Alerts seen going out, per rule, severity and enforcement outcome (for the metrics). Off
 * until outputs_count_alerts; then outputs_alert_count(os, i) walks them (NULL at the end). */
struct alert_count {
	char rule[128];
	char severity[16];
	char outcome[24]; /* empty: an alert without enforcement */
	uint64_t alerts;
};
void outputs_count_alerts(struct outputs *os);
const struct alert_count *outputs_alert_count(const struct outputs *os, size_t i);
/* Gives network outputs up to seconds to send what they hold (the exit path); true if they
 * sent everything. */
bool outputs_drain(struct outputs *os, double seconds);
bool outputs_has_network(const struct outputs *os);
/* Drains (cfg->drain_s, or briefly if the last drain ran out of time), spools what is left, stops every thread, closes. NULL is fine. */
void outputs_close(struct outputs *os);

#endif
