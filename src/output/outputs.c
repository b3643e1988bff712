// SPDX-License-Identifier: GPL-2.0-only
#include "output/outputs.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/evscan.h"
#include "sbuf.h"

struct outputs {
	struct output *o;
	size_t n;
	struct sbuf *sel; /* per output: the lines of the current batch it wants */
	bool any_filter;
	bool need_severity;
	double drain_s;
	bool drained; /* the last outputs_drain sent everything */
	bool count_alerts;
	struct alert_count *alerts;
	size_t nalerts;
};

#define ALERT_ROWS_MAX 1024 /* distinct (rule, severity, outcome): the rest share one row */

static volatile sig_atomic_t reopen_requested, giving_up;

void outputs_give_up(void)
{
	giving_up = 1;
}

bool outputs_giving_up(void)
{
	return giving_up;
}

const char *sink_drop_name(enum sink_drop d)
{
	static const char *const names[DROP_MAX] = {
		[DROP_SPOOL_FULL] = "spool_full",
		[DROP_TOO_LARGE] = "too_large",
		[DROP_REJECTED] = "rejected",
		[DROP_SPOOL_ERROR] = "spool_error",
		[DROP_AT_EXIT] = "at_exit",
	};
	return d < DROP_MAX ? names[d] : "?";
}

static void free_outputs(struct outputs *os)
{
	for (size_t i = 0; i < os->n; i++) {
		if (os->o[i].ops)
			os->o[i].ops->close(os->o[i].impl);
		output_spec_free(&os->o[i].spec);
		sbuf_free(&os->sel[i]);
	}
	free(os->o);
	free(os->sel);
	free(os->alerts);
	free(os);
}

static int parse_all(struct outputs *os, const struct outputs_config *cfg, char *err, size_t errlen)
{
	static const char *const dflt[] = { "-" };
	const char *const *specs = cfg->nspecs ? cfg->specs : dflt;
	size_t n = cfg->nspecs ? cfg->nspecs : 1;
	char why[512];

	os->o = calloc(n, sizeof(*os->o));
	os->sel = calloc(n, sizeof(*os->sel));
	if (!os->o || !os->sel) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct output_spec *s = &os->o[i].spec;
		if (output_spec_parse(specs[i], s, why, sizeof(why))) {
			snprintf(err, errlen, "--output %s: %s", specs[i], why);
			os->n = i + 1;
			return -1;
		}
		os->n = i + 1;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(os->o[j].spec.name, s->name)) {
				snprintf(err, errlen, "--output %s: another output is named %s: give one of them name=...",
					 specs[i], s->name);
				return -1;
			}
			if ((s->type == OT_FILE && os->o[j].spec.type == OT_FILE &&
			     !strcmp(s->path, os->o[j].spec.path)) ||
			    (s->type == OT_STDOUT && os->o[j].spec.type == OT_STDOUT)) {
				snprintf(err, errlen, "--output %s: given twice", specs[i]);
				return -1;
			}
		}
		if (s->nkinds || s->min_severity >= 0)
			os->any_filter = true;
		if (s->min_severity >= 0)
			os->need_severity = true;
	}
	return 0;
}

int outputs_check(const struct outputs_config *cfg, char *err, size_t errlen)
{
	struct outputs *os = calloc(1, sizeof(*os));
	int rc;

	if (!os) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = parse_all(os, cfg, err, errlen);
	free_outputs(os);
	return rc;
}

int outputs_open(struct outputs **out, const struct outputs_config *cfg, char *err, size_t errlen)
{
	struct outputs *os = calloc(1, sizeof(*os));
	char why[512];

	*out = NULL;
	if (!os) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	os->drain_s = cfg->drain_s > 0 ? cfg->drain_s : OUTPUTS_DRAIN_S;
	os->drained = true;
	if (parse_all(os, cfg, err, errlen))
		goto fail;
	for (size_t i = 0; i < os->n; i++) {
		struct output *o = &os->o[i];
		int rc = output_spec_is_network(&o->spec) ? net_output_open(o, cfg, why, sizeof(why))
							   : file_output_open(o, why, sizeof(why));
		if (rc) {
			snprintf(err, errlen, "--output %s: %s", o->spec.text, why);
			goto fail;
		}
	}
	*out = os;
	return 0;
fail:
	free_outputs(os);
	return -1;
}

static size_t count_lines(const char *buf, size_t len)
{
	size_t n = 0;

	for (const char *p = buf, *end = buf + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	return n;
}

/* The severity of a rendered alert: its rule's; -1 for events without one. */
static int line_severity(const char *line, size_t len, const char *kind, size_t kn)
{
	static const char *const path[] = { "rule.severity" };
	struct evfield f;

	if (kn != 5 || memcmp(kind, "alert", 5))
		return -1;
	evscan(line, len, path, 1, &f);
	return f.p ? severity_rank(f.p, f.n) : -1;
}

static bool wants(const struct output_spec *s, const char *kind, size_t kn, int sev)
{
	if (!output_spec_wants_kind(s, kind, kn))
		return false;
	return s->min_severity < 0 || sev >= s->min_severity;
}

void outputs_count_alerts(struct outputs *os)
{
	if (os)
		os->count_alerts = true;
}

const struct alert_count *outputs_alert_count(const struct outputs *os, size_t i)
{
	return os && i < os->nalerts ? &os->alerts[i] : NULL;
}

static void count_alert(struct outputs *os, const char *line, size_t len)
{
	static const char *const paths[] = { "rule.name", "rule.severity", "event.enforcement.outcome" };
	struct evfield f[3];
	struct alert_count key = {};

	evscan(line, len, paths, 3, f);
	evfield_unescape(&f[0], key.rule, sizeof(key.rule));
	evfield_unescape(&f[1], key.severity, sizeof(key.severity));
	evfield_unescape(&f[2], key.outcome, sizeof(key.outcome));
	for (size_t i = 0; i < os->nalerts; i++) {
		struct alert_count *a = &os->alerts[i];
		if (!strcmp(a->rule, key.rule) && !strcmp(a->severity, key.severity) &&
		    !strcmp(a->outcome, key.outcome)) {
			a->alerts++;
			return;
		}
	}
	if (os->nalerts == ALERT_ROWS_MAX) {
		os->alerts[ALERT_ROWS_MAX - 1].alerts++;
		snprintf(os->alerts[ALERT_ROWS_MAX - 1].rule, sizeof(key.rule), "(other rules)");
		return;
	}
	struct alert_count *grown = realloc(os->alerts, (os->nalerts + 1) * sizeof(*grown));
	if (!grown)
		return;
	os->alerts = grown;
	key.alerts = 1;
	os->alerts[os->nalerts++] = key;
}

static void count_alerts(struct outputs *os, const char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		const char *line = buf + off, *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) + 1 : len - off;
		const char *kind;
		size_t kn;
		if (evscan_kind(line, ll, &kind, &kn) && kn == 5 && !memcmp(kind, "alert", 5))
			count_alert(os, line, ll);
		off += ll;
	}
}

int outputs_write(struct outputs *os, const char *buf, size_t len)
{
	int first = 0;

	if (!len)
		return 0;
	if (os->count_alerts)
		count_alerts(os, buf, len);
	if (!os->any_filter) {
		size_t n = count_lines(buf, len);
		for (size_t i = 0; i < os->n; i++) {
			int rc = os->o[i].ops->write(os->o[i].impl, buf, len, n);
			if (rc && !first)
				first = rc;
		}
		return first;
	}
	size_t counts[os->n];
	memset(counts, 0, sizeof(counts));
	for (size_t off = 0; off < len;) {
		const char *line = buf + off, *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) + 1 : len - off;
		const char *kind = "";
		size_t kn = 0;
		int sev = -1;
		evscan_kind(line, ll, &kind, &kn);
		if (os->need_severity)
			sev = line_severity(line, ll, kind, kn);
		for (size_t i = 0; i < os->n; i++)
			if (wants(&os->o[i].spec, kind, kn, sev)) {
				sbuf_putn(&os->sel[i], line, ll);
				counts[i]++;
			}
		off += ll;
	}
	for (size_t i = 0; i < os->n; i++) {
		if (!os->sel[i].len)
			continue;
		int rc = os->o[i].ops->write(os->o[i].impl, os->sel[i].p, os->sel[i].len, counts[i]);
		if (rc && !first)
			first = rc;
		sbuf_reset(&os->sel[i]);
	}
	return first;
}

void outputs_request_reopen(void)
{
	reopen_requested = 1;
}

int outputs_reopen(struct outputs *os)
{
	int first = 0;

	for (size_t i = 0; os && i < os->n; i++) {
		if (!os->o[i].ops->reopen)
			continue;
		int rc = os->o[i].ops->reopen(os->o[i].impl);
		if (rc) {
			fprintf(stderr, "vigil: cannot reopen %s: %s; still writing to the file it had open\n",
				os->o[i].spec.path, strerror(-rc));
			if (!first)
				first = rc;
		}
	}
	return first;
}

void outputs_tick(struct outputs *os, outputs_change_fn fn, void *ctx)
{
	struct sink_change c;

	if (!os)
		return;
	if (reopen_requested) {
		reopen_requested = 0;
		outputs_reopen(os);
	}
	for (size_t i = 0; i < os->n; i++) {
		if (!os->o[i].ops->next_change)
			continue;
		while (os->o[i].ops->next_change(os->o[i].impl, &c))
			if (fn)
				fn(ctx, os->o[i].spec.name, &c);
	}
}

static const char *state_name(enum sink_state s)
{
	return s == SINK_UP ? "up" : s == SINK_DOWN ? "down" : "starting";
}

void outputs_describe(struct outputs *os, struct out *o)
{
	struct sink_counters c;

	if (!os)
		return;
	out_obj(o, "sinks");
	for (size_t i = 0; i < os->n; i++) {
		os->o[i].ops->counters(os->o[i].impl, &c);
		out_obj(o, os->o[i].spec.name);
		out_str(o, "state", state_name(c.state));
		out_u64(o, "queued", c.queued);
		out_u64(o, "sent", c.sent);
		out_u64(o, "bytes", c.bytes);
		if (c.network) {
			out_u64(o, "retried", c.retried);
			out_u64(o, "spooled", c.spooled);
			out_u64(o, "backlog", c.backlog);
			out_u64(o, "spool_bytes", c.spool_bytes);
			uint64_t total = 0;
			out_obj(o, "dropped");
			for (int d = 0; d < DROP_MAX; d++) {
				out_u64(o, sink_drop_name(d), c.dropped[d]);
				total += c.dropped[d];
			}
			out_obj_end(o);
			out_u64(o, "dropped_total", total);
		} else if (os->o[i].spec.rotate) {
			out_u64(o, "rotations", c.rotations);
		}
		out_obj_end(o);
	}
	out_obj_end(o);
}

size_t outputs_count(const struct outputs *os)
{
	return os ? os->n : 0;
}

const char *outputs_name(const struct outputs *os, size_t i)
{
	return os->o[i].spec.name;
}

void outputs_counters(struct outputs *os, size_t i, struct sink_counters *c)
{
	os->o[i].ops->counters(os->o[i].impl, c);
}

bool outputs_has_network(const struct outputs *os)
{
	for (size_t i = 0; os && i < os->n; i++)
		if (output_spec_is_network(&os->o[i].spec))
			return true;
	return false;
}

double output_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool outputs_drain(struct outputs *os, double seconds)
{
	double deadline = output_now() + seconds;
	bool all = true;

	for (size_t i = 0; os && i < os->n; i++)
		if (os->o[i].ops->drain && !os->o[i].ops->drain(os->o[i].impl, deadline))
			all = false;
	if (os)
		os->drained = all;
	return all;
}

void outputs_close(struct outputs *os)
{
	if (!os)
		return;
	/* a receiver that already missed the drain before agent.stats gets no second wait: what
	 * it did not take stays in the spool for the next run */
	outputs_drain(os, os->drained ? os->drain_s : 0.2);
	free_outputs(os);
}
