// SPDX-License-Identifier: GPL-2.0-only
#include "session.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "cli.h"
#include "kinds.h"
#include "loss.h"
#include "notify.h"
#include "output/metrics.h"
#include "output/outputs.h"
#include "probe.h"
#include "timefmt.h"
#include "vigil.skel.h"

#define NS_PER_SEC 1000000000ULL
#define LOSS_REPORT_NS NS_PER_SEC
#define EXITED_KEEP_NS (10 * NS_PER_SEC)

/* stop_requested: 1 at the first SIGINT/SIGTERM (stop: detach, drain, report), 2 at the second
 * (stop now: what is still in the ring buffer is counted as lost, a blocked write gives up). */
static volatile sig_atomic_t stop_requested, reload_requested, reopen_requested;
static struct sink *volatile signal_sink;
static bool stop_notice; /* stderr is a terminal: say that vigil is stopping */

static void say(const char *msg)
{
	if (stop_notice && write(STDERR_FILENO, msg, strlen(msg)) < 0)
		return;
}

static void on_signal(int sig)
{
	(void)sig;
	if (stop_requested) {
		stop_requested = 2;
		if (signal_sink)
			signal_sink->give_up = 1;
		outputs_give_up(); /* a file or stdout write blocked on a slow reader returns */
		say("vigil: stopping now; what is not yet written is counted as lost\n");
		return;
	}
	stop_requested = 1;
	say("vigil: stopping\n");
}

static void on_usr1(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

enum { OPT_CGROUP = 0x200 };

static const struct argp_option filter_options[] = {
	{ NULL, 0, NULL, 0, "Filters, applied in the kernel (repeat an option for more values):", 10 },
	{ "tgid", 'p', "TGID", 0, "Only processes with this tgid", 10 },
	{ "uid", 'u', "UID", 0, "Only processes with this uid", 10 },
	{ "comm", 'c', "COMM", 0, "Only processes with this command name", 10 },
	{ "cgroup", OPT_CGROUP, "PATH", 0, "Only processes in this cgroup v2 directory", 10 },
	{},
};

static int room_for(struct argp_state *state, size_t n, const char *opt)
{
	if (n < FILTER_VALUES_MAX)
		return 0;
	char why[64];
	snprintf(why, sizeof(why), "at most %d values", FILTER_VALUES_MAX);
	cli_bad_value(state, opt, why);
	return -1;
}

static error_t parse_filter_opt(int key, char *arg, struct argp_state *state)
{
	struct filter *f = &((struct run_opts *)state->input)->filter;
	char err[256];
	uint64_t v;

	switch (key) {
	case 'p':
		if (room_for(state, f->ntgid, "--tgid"))
			return EINVAL;
		if (parse_u64(arg, 1, UINT32_MAX, &v, err, sizeof(err)))
			cli_bad_value(state, "--tgid", err);
		f->tgid[f->ntgid++] = (uint32_t)v;
		return 0;
	case 'u':
		if (room_for(state, f->nuid, "--uid"))
			return EINVAL;
		if (parse_u64(arg, 0, UINT32_MAX - 1, &v, err, sizeof(err)))
			cli_bad_value(state, "--uid", err);
		f->uid[f->nuid++] = (uint32_t)v;
		return 0;
	case 'c':
		if (room_for(state, f->ncomm, "--comm"))
			return EINVAL;
		if (!*arg || strlen(arg) >= VIGIL_COMM_LEN)
			cli_bad_value(state, "--comm", "expected 1 to 15 characters (the kernel's comm)");
		snprintf(f->comm[f->ncomm++], VIGIL_COMM_LEN, "%s", arg);
		return 0;
	case OPT_CGROUP: {
		uint64_t id = 0;
		int rc;
		if (room_for(state, f->ncgroup, "--cgroup"))
			return EINVAL;
		rc = cgroup_id_of(arg, &id);
		if (rc) {
			snprintf(err, sizeof(err), "%s: %s", arg, strerror(-rc));
			cli_bad_value(state, "--cgroup", err);
		}
		f->cgroup[f->ncgroup++] = id;
		return 0;
	}
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp filter_argp = { filter_options, parse_filter_opt, NULL, NULL, NULL, NULL, NULL };

void run_opts_init(struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = isatty(STDOUT_FILENO) ? OUT_TEXT : OUT_JSON;
}

bool run_opts_filtered(const struct run_opts *o)
{
	const struct filter *f = &o->filter;

	return f->ntgid || f->nuid || f->ncomm || f->ncgroup;
}

static int install_filters(struct sensors *s, const struct run_opts *o,
			   const struct session_hooks *h, uint64_t shown, uint64_t loaded, char *err,
			   size_t errlen)
{
	if (h->use_filters)
		return session_set_filters(s, h->filters, h->nfilters, shown, loaded, err, errlen);
	if (!run_opts_filtered(o))
		return 0;
	return session_set_filters(s, &o->filter, 1, shown, loaded, err, errlen);
}

static void emit_ready(struct pipeline *pl, const struct sensors *s, const struct run_opts *o,
		       uint64_t ringbuf_size)
{
	struct out *out = &pl->out;
	struct utsname u;

	uname(&u);
	format_open(out, now_boot_ns(), "agent.ready");
	out_obj(out, "agent");
	out_str(out, "version", VIGIL_VERSION);
	out_u64(out, "tgid", (uint64_t)getpid());
	out_str(out, "kernel", u.release);
	out_u64(out, "ringbuf_size", ringbuf_size);
	out_u64(out, "processes_seeded", pl->seeded);
	out_bool(out, "filtered", run_opts_filtered(o));
	out_obj_end(out);
	sensors_describe(s, out);
	out_end(out);
}

/* Losses by site and cause, and records the decoder refused: now and as last reported. */
struct loss_state {
	uint64_t now[LOSS_SLOTS], reported[LOSS_SLOTS];
	uint64_t malformed_reported;
};

static void emit_loss(struct pipeline *pl, const uint64_t lost[VIGIL_KIND_MAX], uint64_t total,
		      const uint64_t table_lost[VIGIL_KIND_MAX], uint64_t table,
		      const uint64_t causes[LOSS_SLOTS], bool any_cause, uint64_t malformed)
{
	format_open(&pl->out, now_boot_ns(), "agent.loss");
	out_obj(&pl->out, "lost");
	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++)
		if (lost[k])
			out_u64(&pl->out, kind_name(k), lost[k]);
	out_obj_end(&pl->out);
	out_u64(&pl->out, "total", total);
	if (table) {
		/* lifecycle events the filters refused, lost on their way to the process table */
		out_obj(&pl->out, "table_lost");
		for (unsigned k = 0; k < VIGIL_KIND_MAX; k++)
			if (table_lost[k])
				out_u64(&pl->out, kind_name(k), table_lost[k]);
		out_obj_end(&pl->out);
	}
	if (any_cause)
		loss_write(&pl->out, "causes", causes, false);
	if (malformed)
		out_u64(&pl->out, "malformed", malformed);
	out_end(&pl->out);
}

/* Reports what was dropped since the last report, if anything. */
/* reported[] holds, per kind, the drops already reported: shown events first, then (at
 * VIGIL_KIND_MAX + kind) the process table's own. */
static void report_loss(struct pipeline *pl, const struct session_hooks *h,
			const struct vigil_kind_stats *now, uint64_t *reported, struct loss_state *ls)
{
	uint64_t lost[VIGIL_KIND_MAX] = {}, table_lost[VIGIL_KIND_MAX] = {}, total = 0, table = 0;
	uint64_t causes[LOSS_SLOTS], malformed = pl->malformed - ls->malformed_reported;
	bool any_cause = false;

	for (unsigned i = 0; i < LOSS_SLOTS; i++) {
		causes[i] = ls->now[i] - ls->reported[i];
		any_cause |= causes[i] != 0;
		ls->reported[i] = ls->now[i];
	}
	ls->malformed_reported = pl->malformed;

	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++) {
		lost[k] = now[k].dropped - reported[k];
		table_lost[k] = now[k].table_dropped - reported[VIGIL_KIND_MAX + k];
		total += lost[k];
		table += table_lost[k];
		reported[k] = now[k].dropped;
		reported[VIGIL_KIND_MAX + k] = now[k].table_dropped;
	}
	if (!total && !table && !any_cause && !malformed)
		return;
	if (h->on_loss) {
		if (total + table)
			h->on_loss(pl, lost, total + table);
		return;
	}
	emit_loss(pl, lost, total, table_lost, table, causes, any_cause, malformed);
}

/* A network sink changed state (docs/outputs.md). */
static void emit_sink_change(void *ctx, const char *name, const struct sink_change *c)
{
	struct pipeline *pl = ctx;

	format_open(&pl->out, now_boot_ns(), "agent.sink");
	out_obj(&pl->out, "sink");
	out_str(&pl->out, "name", name);
	out_str(&pl->out, "state", c->state);
	if (c->reason[0])
		out_str(&pl->out, "reason", c->reason);
	out_u64(&pl->out, "backlog", c->backlog);
	out_obj_end(&pl->out);
	out_end(&pl->out);
}

static void emit_stats(struct pipeline *pl, const struct vigil_kind_stats *st, uint64_t kinds,
		       const uint64_t losses[LOSS_SLOTS], double seconds, struct outputs *outputs)
{
	struct out *out = &pl->out;
	char secs[32];

	format_open(out, now_boot_ns(), "agent.stats");
	out_obj(out, "stats");
	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++) {
		if (!(kinds & KIND_BIT(k)))
			continue;
		out_obj(out, kind_name(k));
		out_u64(out, "produced", st[k].produced);
		out_u64(out, "delivered", pl->delivered[k]);
		out_u64(out, "lost", st[k].dropped);
		out_u64(out, "filtered", st[k].filtered);
		out_u64(out, "read_errors", st[k].read_errors);
		if (st[k].table_produced) {
			out_obj(out, "table_only");
			out_u64(out, "produced", st[k].table_produced);
			out_u64(out, "delivered", pl->table_delivered[k]);
			out_u64(out, "lost", st[k].table_dropped);
			out_obj_end(out);
		}
		out_obj_end(out);
	}
	out_obj_end(out);
	out_u64(out, "malformed", pl->malformed);
	loss_write(out, "losses", losses, true);
	snprintf(secs, sizeof(secs), "%.3f", seconds);
	out_str(out, "duration_s", secs);
	outputs_describe(outputs, out);
	out_end(out);
}

/* The second stop signal: what the ring buffer still held is lost, so that
 * delivered + lost == produced stays exact. */
static void count_abandoned(const struct pipeline *pl, struct vigil_kind_stats *st)
{
	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++) {
		uint64_t done = pl->delivered[k] + st[k].dropped;
		uint64_t table_done = pl->table_delivered[k] + st[k].table_dropped;
		if (st[k].produced > done)
			st[k].dropped += st[k].produced - done;
		if (st[k].table_produced > table_done)
			st[k].table_dropped += st[k].table_produced - table_done;
	}
}

/* SIGUSR1 (logrotate): every file output is opened again by its path (what is buffered goes to
 * the old file first); stdout and network outputs stay. outputs_reopen says what failed. */
static void reopen_output(struct sink *sink, struct outputs *outputs)
{
	sink_flush(sink, 0);
	outputs_reopen(outputs);
}

/* --metrics: the page and the health, from what the consumer knows now. Unhealthy: a sensor the
 * run wanted is not attached, or the kernel dropped events within the last 10 s (the consumer
 * does not keep up). */
static void publish_metrics(struct metrics *m, struct pipeline *pl, const struct sensors *s,
			    const struct vigil_kind_stats *st, struct outputs *outputs,
			    uint64_t *dropped_seen, uint64_t *last_loss_ns)
{
	struct metrics_source src = {
		.st = st, .delivered = pl->delivered, .kinds = s->kinds_loaded, .outputs = outputs,
		.sensors = s, .ringbuf_size = bpf_map__max_entries(s->skel->maps.events),
		.ringbuf_used = ringbuf_used_bytes(sensors_ringbuf_fd(s)), .proc_entries = pl->cache.live,
		.malformed = pl->malformed,
	};
	uint64_t dropped = 0, now = now_boot_ns();
	char why[512] = "";
	size_t n = 0;

	if (!m)
		return;
	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++)
		dropped += st[k].dropped + st[k].table_dropped;
	if (dropped > *dropped_seen) {
		*last_loss_ns = now;
		*dropped_seen = dropped;
	}
	for (size_t i = 0; i < s->count; i++)
		if (s->st[i].wanted && s->st[i].method == ATTACH_UNAVAILABLE)
			n += snprintf(why + n, n < sizeof(why) ? sizeof(why) - n : 0, "%ssensor %s unavailable",
				      n ? "; " : "", s->st[i].def->name);
	if (*last_loss_ns && now - *last_loss_ns < 10 * NS_PER_SEC)
		n += snprintf(why + n, n < sizeof(why) ? sizeof(why) - n : 0,
			      "%sthe kernel dropped events in the last 10 s (%llu in all): the consumer does not keep up",
			      n ? "; " : "", (unsigned long long)dropped);
	metrics_publish(m, &src, why);
}

/* Every kind the process table needs, whatever is shown. */
static uint64_t process_kinds(void)
{
	return KIND_BIT(VIGIL_KIND_PROCESS_EXEC) | KIND_BIT(VIGIL_KIND_PROCESS_FORK) |
	       KIND_BIT(VIGIL_KIND_PROCESS_EXIT);
}

/* The tool's own maps, between load and attach; it has printed its error if it fails. */
static int install_tool_maps(struct pipeline *pl, const struct session_hooks *h, struct sensors *s,
			     char *err, size_t errlen)
{
	pl->sensors = s;
	if (!h->on_loaded || !h->on_loaded(pl, s))
		return 0;
	if (errlen)
		err[0] = '\0';
	return -1;
}

int session_run(const struct run_opts *o, const struct session_hooks *h)
{
	struct sensors sensors = {};
	struct probe_result probe;
	struct ring_buffer *rb = NULL;
	struct pipeline pl;
	struct sink sink;
	struct outputs *outputs;
	struct metrics *metrics = NULL;
	uint64_t dropped_seen = 0, last_loss_ns = 0;
	struct vigil_kind_stats st[VIGIL_KIND_MAX] = {};
	uint64_t reported[2 * VIGIL_KIND_MAX] = {};
	struct loss_state ls = {};
	uint64_t shown = o->kinds ? o->kinds : kinds_default();
	struct sensors_config cfg = {
		.kinds = shown | process_kinds(),
		.ringbuf_size = o->ringbuf_size,
		.fork_threads = o->threads,
		.verbose = o->verbose,
		.shell = o->shell,
		.cap_noaudit = o->cap_noaudit,
		.strict = o->strict_sensors,
	};
	struct format_opts fmt = { .fmt = o->format, .ancestors = o->ancestors };
	char err[512];
	int rc = 1, seeded;

	if (require_bpf_privileges())
		return 1;
	struct outputs_config ocfg = {
		.specs = o->noutputs ? o->outputs : &o->output,
		.nspecs = o->noutputs ? o->noutputs : o->output ? 1 : 0,
		.spool_dir = o->spool_dir,
		.drain_s = o->drain_s,
	};
	if (outputs_open(&outputs, &ocfg, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		return 2;
	}
	sink_open_outputs(&sink, outputs);
	if (o->metrics) {
		if (metrics_start(&metrics, o->metrics, err, sizeof(err))) {
			fprintf(stderr, "vigil: %s\n", err);
			sink_close(&sink);
			return 2;
		}
		outputs_count_alerts(outputs);
	}
	signal(SIGPIPE, SIG_IGN);
	pipeline_init(&pl, &sink, &fmt, shown);
	pl.render = h->render;
	pl.user = h->user;
	if (kernel_fs_ensure(err, sizeof(err)) < 0) {
		fprintf(stderr, "vigil: %s\n", err);
		goto cleanup;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "vigil: this kernel has no BTF (/sys/kernel/btf/vmlinux): vigil needs CONFIG_DEBUG_INFO_BTF=y\n");
		goto cleanup;
	}
	timefmt_init();
	exec_id_init(NULL);
	probe_run(&probe);
	if (!probe.f[FEAT_RINGBUF].available) {
		fprintf(stderr, "vigil: this kernel has no BPF ring buffer (Linux 5.8 or later is needed)\n");
		goto cleanup;
	}
	if (sensors_load(&sensors, &cfg, &probe, err, sizeof(err)) ||
	    install_filters(&sensors, o, h, shown, sensors.kinds_loaded, err, sizeof(err)) ||
	    install_tool_maps(&pl, h, &sensors, err, sizeof(err)) ||
	    sensors_attach(&sensors, err, sizeof(err))) {
		if (err[0])
			fprintf(stderr, "vigil: %s\n", err);
		goto cleanup;
	}
	rb = ring_buffer__new(sensors_ringbuf_fd(&sensors), pipeline_handle, &pl, NULL);
	if (!rb) {
		fprintf(stderr, "vigil: cannot open the ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	/* Attached first, then seeded: a process born in between is in the ring buffer, and its
	 * events, consumed after the seed, update the table in order. */
	seeded = sensors_seed(&sensors, pipeline_seed, &pl);
	if (seeded < 0)
		fprintf(stderr, "vigil: warning: the kernel's task iterator failed (%s); processes started before vigil are read from /proc\n",
			strerror(-seeded));
	pl.seeded += proc_cache_seed_procfs(&pl.cache);
	/* probing and loading parsed the kernel's BTF several times (megabytes, freed since):
	 * give that memory back, so the agent's footprint at rest is what it really uses */
	malloc_trim(0);

	/* no SA_RESTART: a signal interrupts a poll or a write blocked on a slow reader */
	struct sigaction sa = { .sa_handler = on_signal }, usr1 = { .sa_handler = on_usr1 };
	stop_notice = isatty(STDERR_FILENO);
	signal_sink = &sink;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &usr1, NULL);
	if (h->on_reload) {
		struct sigaction hup = { .sa_handler = on_hup };
		sigaction(SIGHUP, &hup, NULL);
	} else {
		sigaction(SIGHUP, &sa, NULL);
	}

	if (h->on_ready)
		h->on_ready(&pl, &sensors);
	else
		emit_ready(&pl, &sensors, o, bpf_map__max_entries(sensors.skel->maps.events));
	if (h->after_ready)
		h->after_ready(&pl);
	sink_flush(&sink, 0);
	notify_ready();
	if (metrics && !sensors_read_stats(&sensors, st))
		publish_metrics(metrics, &pl, &sensors, st, outputs, &dropped_seen, &last_loss_ns);

	uint64_t start = now_boot_ns(), next_loss = start + LOSS_REPORT_NS;
	uint64_t next_tick = h->tick_ns ? start + h->tick_ns : UINT64_MAX;
	uint64_t deadline = o->duration > 0 ? start + (uint64_t)(o->duration * NS_PER_SEC) : 0;
	while (!stop_requested && !sink.broken) {
		int n = ring_buffer__poll(rb, 100);
		/* the kernel wakes us only for a backlog (wakeup_flag): a quiet poll still collects */
		if (n == 0)
			n = ring_buffer__consume(rb);
		pl.since_yield = 0;
		if (n < 0 && n != -EINTR && n != -EAGAIN)
			break;
		uint64_t now = now_boot_ns();
		if (now >= next_loss) {
			if (!sensors_read_stats(&sensors, st) &&
			    !loss_read(bpf_map__fd(sensors.skel->maps.loss_counts), ls.now)) {
				report_loss(&pl, h, st, reported, &ls);
				sink_flush(&sink, 0);
				publish_metrics(metrics, &pl, &sensors, st, outputs, &dropped_seen,
						&last_loss_ns);
			}
			proc_cache_reap(&pl.cache, now, EXITED_KEEP_NS);
			next_loss = now + LOSS_REPORT_NS;
		}
		if (reopen_requested) {
			reopen_requested = 0;
			reopen_output(&sink, outputs);
		}
		if (reload_requested) {
			reload_requested = 0;
			notify_reloading();
			h->on_reload(&pl, &sensors);
			notify_ready();
		}
		/* the end prints the last table: a tick due at the deadline would print it twice */
		if (deadline && now >= deadline)
			break;
		if (now >= next_tick) {
			h->on_tick(&pl);
			next_tick += h->tick_ns;
		}
		outputs_tick(outputs, emit_sink_change, &pl);
		sink_flush(&sink, 0);
	}

	notify_stopping();
	/* Detach first: after that nothing is produced, so draining makes the counts exact. */
	sensors_detach(&sensors);
	/* after detach nothing is produced: drain to the end (each call may yield) */
	for (int n; stop_requested < 2 && (n = ring_buffer__consume(rb)) != 0;) {
		pl.since_yield = 0;
		if (n < 0 && n != -EAGAIN)
			break;
	}
	if (h->on_tick)
		h->on_tick(&pl);
	if (sensors_read_stats(&sensors, st) == 0 &&
	    loss_read(bpf_map__fd(sensors.skel->maps.loss_counts), ls.now) == 0) {
		if (stop_requested >= 2)
			count_abandoned(&pl, st);
		report_loss(&pl, h, st, reported, &ls);
		/* network sinks get their time to send what they hold, so that the totals count it */
		double drain = o->drain_s > 0 ? o->drain_s : OUTPUTS_DRAIN_S;
		sink_flush(&sink, 0);
		bool drained = outputs_drain(outputs, drain);
		/* the state changes of the drain, sent too (quick unless a sink is slow) */
		outputs_tick(outputs, emit_sink_change, &pl);
		sink_flush(&sink, 0);
		if (drained)
			outputs_drain(outputs, drain);
		if (h->on_end)
			h->on_end(&pl, st, sensors.kinds_loaded);
		else
			emit_stats(&pl, st, sensors.kinds_loaded, ls.now,
				   (double)(now_boot_ns() - start) / NS_PER_SEC, outputs);
		publish_metrics(metrics, &pl, &sensors, st, outputs, &dropped_seen, &last_loss_ns);
	}
	sink_flush(&sink, 0);
	signal_sink = NULL;
	if (sink.broken && sink.give_up) {
		fprintf(stderr, "vigil: stopped at the second signal before its output was written\n");
		rc = 1;
	} else if (sink.broken && sink.error != EPIPE) {
		fprintf(stderr, "vigil: writing events failed: %s\n", strerror(sink.error));
		rc = 1;
	} else {
		rc = 0;
	}
cleanup:
	metrics_stop(metrics);
	ring_buffer__free(rb);
	if (sensors.skel)
		sensors_destroy(&sensors);
	pipeline_free(&pl);
	sink_close(&sink);
	return rc;
}
