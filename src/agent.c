// SPDX-License-Identifier: GPL-2.0-only
/* vigil run: the agent. Loads the sensors, seeds the process table, streams events, accounts for
 * every loss, and detaches cleanly. */
#include "agent.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "cli.h"
#include "filter.h"
#include "kinds.h"
#include "pipeline.h"
#include "probe.h"
#include "sensors.h"
#include "timefmt.h"
#include "vigil.skel.h"

#define NS_PER_SEC 1000000000ULL
#define LOSS_REPORT_NS NS_PER_SEC
#define EXITED_KEEP_NS (10 * NS_PER_SEC)

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

enum {
	OPT_RINGBUF = 0x100,
	OPT_ANCESTORS,
	OPT_THREADS,
	OPT_CGROUP,
};

static const struct argp_option run_options[] = {
	{ "format", 'f', "FORMAT", 0, "json or text (default: text on a terminal, json otherwise)", 0 },
	{ "output", 'o', "FILE", 0, "Append events to FILE instead of stdout", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "kind", 'k', "KIND[,KIND]", 0, "Only these event kinds (default: all)", 0 },
	{ "ancestors", OPT_ANCESTORS, NULL, 0, "Add the chain of ancestors up to init", 0 },
	{ "threads", OPT_THREADS, NULL, 0, "Report thread creation as process.fork too", 0 },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0, "Ring buffer size, a power of two (default 8M)", 0 },
	{ NULL, 0, NULL, 0, "Filters, applied in the kernel (repeat an option for more values):", 1 },
	{ "tgid", 'p', "TGID", 0, "Only processes with this tgid", 1 },
	{ "uid", 'u', "UID", 0, "Only processes with this uid", 1 },
	{ "comm", 'c', "COMM", 0, "Only processes with this command name", 1 },
	{ "cgroup", OPT_CGROUP, "PATH", 0, "Only processes in this cgroup v2 directory", 1 },
	{ NULL, 0, NULL, 0, "Other:", 2 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's log (verifier output on load failures)", 2 },
	{},
};

static int add_kinds(struct run_opts *o, const char *list, char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	int rc = 0;

	if (!copy)
		return -1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct kind_info *k = kind_by_name(tok);
		if (!k) {
			struct sbuf names = {};
			const struct kind_info *x;
			for (unsigned i = 0; (x = kind_at(i)); i++)
				sbuf_printf(&names, "%s%s", i ? ", " : "", x->name);
			snprintf(err, errlen, "unknown event kind '%s' (known: %s)", tok, sbuf_str(&names));
			sbuf_free(&names);
			rc = -1;
			break;
		}
		o->kinds |= KIND_BIT(k->kind);
	}
	free(copy);
	return rc;
}

static int add_value(struct argp_state *state, size_t *n, const char *opt)
{
	if (*n >= FILTER_VALUES_MAX) {
		char why[64];
		snprintf(why, sizeof(why), "at most %d values", FILTER_VALUES_MAX);
		cli_bad_value(state, opt, why);
		return -1;
	}
	return 0;
}

error_t run_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct run_opts *o = state->input;
	char err[256];
	uint64_t v;

	switch (key) {
	case 'f':
		if (!strcmp(arg, "json"))
			o->format = OUT_JSON;
		else if (!strcmp(arg, "text"))
			o->format = OUT_TEXT;
		else
			cli_bad_value(state, "--format", "expected json or text");
		o->format_set = true;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'd':
		if (parse_seconds(arg, &o->duration, err, sizeof(err)))
			cli_bad_value(state, "--duration", err);
		return 0;
	case 'k':
		if (add_kinds(o, arg, err, sizeof(err)))
			cli_bad_value(state, "--kind", err);
		return 0;
	case OPT_ANCESTORS:
		o->ancestors = true;
		return 0;
	case OPT_THREADS:
		o->threads = true;
		return 0;
	case OPT_RINGBUF:
		if (parse_pow2_size(arg, 4096, 1ULL << 30, &o->ringbuf_size, err, sizeof(err)))
			cli_bad_value(state, "--ringbuf-size", err);
		return 0;
	case 'p':
		if (add_value(state, &o->filter.ntgid, "--tgid") == 0) {
			if (parse_u64(arg, 1, UINT32_MAX, &v, err, sizeof(err)))
				cli_bad_value(state, "--tgid", err);
			o->filter.tgid[o->filter.ntgid++] = (uint32_t)v;
		}
		return 0;
	case 'u':
		if (add_value(state, &o->filter.nuid, "--uid") == 0) {
			if (parse_u64(arg, 0, UINT32_MAX - 1, &v, err, sizeof(err)))
				cli_bad_value(state, "--uid", err);
			o->filter.uid[o->filter.nuid++] = (uint32_t)v;
		}
		return 0;
	case 'c':
		if (add_value(state, &o->filter.ncomm, "--comm") == 0) {
			if (!*arg || strlen(arg) >= VIGIL_COMM_LEN)
				cli_bad_value(state, "--comm", "expected 1 to 15 characters (the kernel's comm)");
			snprintf(o->filter.comm[o->filter.ncomm++], VIGIL_COMM_LEN, "%s", arg);
		}
		return 0;
	case OPT_CGROUP:
		if (add_value(state, &o->filter.ncgroup, "--cgroup") == 0) {
			uint64_t id;
			int rc = cgroup_id_of(arg, &id);
			if (rc) {
				snprintf(err, sizeof(err), "%s: %s", arg, strerror(-rc));
				cli_bad_value(state, "--cgroup", err);
			}
			o->filter.cgroup[o->filter.ncgroup++] = id;
		}
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp run_argp = {
	run_options, run_parse_opt, NULL,
	"Run the agent: stream process events until SIGINT/SIGTERM or --duration.\v"
	"Examples:\n"
	"  vigil run\n"
	"  vigil run --format json --output /var/log/vigil.jsonl\n"
	"  vigil run -k process.exec --uid 1000 --ancestors\n"
	"  vigil run --comm bash --duration 60",
	NULL, NULL, NULL,
};

void run_opts_init(struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = isatty(STDOUT_FILENO) ? OUT_TEXT : OUT_JSON;
}

int run_opts_parse(struct run_opts *o, int argc, char **argv)
{
	run_opts_init(o);
	int rc = cli_parse(&run_argp, argc, argv, o);
	if (!rc && o->output && !o->format_set)
		o->format = OUT_JSON;
	return rc;
}

static bool filter_given(const struct filter *f)
{
	return f->ntgid || f->nuid || f->ncomm || f->ncgroup;
}

static int install_filters(struct sensors *s, const struct run_opts *o, char *err, size_t errlen)
{
	struct filter_tables t;
	struct filter_maps m = {
		.meta = bpf_map__fd(s->skel->maps.filter_meta),
		.field = {
			[VIGIL_FF_KIND] = bpf_map__fd(s->skel->maps.filter_kind),
			[VIGIL_FF_TGID] = bpf_map__fd(s->skel->maps.filter_tgid),
			[VIGIL_FF_UID] = bpf_map__fd(s->skel->maps.filter_uid),
			[VIGIL_FF_COMM] = bpf_map__fd(s->skel->maps.filter_comm),
			[VIGIL_FF_CGROUP] = bpf_map__fd(s->skel->maps.filter_cgroup),
		},
	};
	int rc;

	if (!filter_given(&o->filter))
		return 0;
	if (filter_compile(&o->filter, 1, &t, err, errlen))
		return -1;
	rc = filter_apply(&t, &m);
	filter_tables_free(&t);
	if (rc) {
		snprintf(err, errlen, "installing the filters failed: %s", strerror(-rc));
		return -1;
	}
	return 0;
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
	out_bool(out, "filtered", filter_given(&o->filter));
	out_obj_end(out);
	sensors_describe(s, out);
	out_end(out);
	sink_flush(pl->sink, 0);
}

static void emit_loss(struct pipeline *pl, const struct vigil_kind_stats *now, uint64_t *reported)
{
	uint64_t total = 0;

	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++)
		total += now[k].dropped - reported[k];
	if (!total)
		return;
	format_open(&pl->out, now_boot_ns(), "agent.loss");
	out_obj(&pl->out, "lost");
	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++) {
		if (now[k].dropped == reported[k])
			continue;
		out_u64(&pl->out, kind_name(k), now[k].dropped - reported[k]);
		reported[k] = now[k].dropped;
	}
	out_obj_end(&pl->out);
	out_u64(&pl->out, "total", total);
	out_end(&pl->out);
}

static void emit_stats(struct pipeline *pl, const struct vigil_kind_stats *st, uint64_t kinds,
		       double seconds)
{
	struct out *out = &pl->out;

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
		out_obj_end(out);
	}
	out_obj_end(out);
	out_u64(out, "malformed", pl->malformed);
	char secs[32];
	snprintf(secs, sizeof(secs), "%.3f", seconds);
	out_str(out, "duration_s", secs);
	out_end(out);
}

int agent_run(const struct run_opts *o)
{
	struct sensors sensors = {};
	struct probe_result probe;
	struct ring_buffer *rb = NULL;
	struct pipeline pl;
	struct sink sink;
	struct vigil_kind_stats st[VIGIL_KIND_MAX];
	uint64_t reported[VIGIL_KIND_MAX] = {};
	char err[512];
	int rc = 1, seeded;
	uint64_t all_kinds = 0;
	const struct kind_info *k;

	for (unsigned i = 0; (k = kind_at(i)); i++)
		all_kinds |= KIND_BIT(k->kind);
	uint64_t kinds = o->kinds ? o->kinds : all_kinds;
	struct sensors_config cfg = {
		.kinds = kinds,
		.ringbuf_size = o->ringbuf_size,
		.fork_threads = o->threads,
		.verbose = o->verbose,
	};
	struct format_opts fmt = { .fmt = o->format, .ancestors = o->ancestors };

	if (require_bpf_privileges())
		return 1;
	if (sink_open(&sink, o->output)) {
		fprintf(stderr, "vigil: cannot open output file %s: %s\n", o->output, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (kernel_fs_ensure(err, sizeof(err)) < 0) {
		fprintf(stderr, "vigil: %s\n", err);
		goto close_sink;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "vigil: this kernel has no BTF (/sys/kernel/btf/vmlinux): vigil needs CONFIG_DEBUG_INFO_BTF=y\n");
		goto close_sink;
	}
	timefmt_init();
	exec_id_init(NULL);
	probe_run(&probe);
	if (!probe.f[FEAT_RINGBUF].available) {
		fprintf(stderr, "vigil: this kernel has no BPF ring buffer (Linux 5.8 or later is needed)\n");
		goto close_sink;
	}
	pipeline_init(&pl, &sink, &fmt, kinds);
	if (sensors_load(&sensors, &cfg, &probe, err, sizeof(err)) ||
	    install_filters(&sensors, o, err, sizeof(err)) ||
	    sensors_attach(&sensors, err, sizeof(err))) {
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
		fprintf(stderr, "vigil: warning: seeding the process table failed (%s); processes started before vigil are read from /proc when seen\n",
			strerror(-seeded));

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	uint64_t ringbuf_size = bpf_map__max_entries(sensors.skel->maps.events);
	emit_ready(&pl, &sensors, o, ringbuf_size);

	uint64_t start = now_boot_ns(), next_tick = start + LOSS_REPORT_NS;
	uint64_t deadline = o->duration > 0 ? start + (uint64_t)(o->duration * NS_PER_SEC) : 0;
	while (!stop_requested && !sink.broken) {
		int n = ring_buffer__poll(rb, 100);
		if (n < 0 && n != -EINTR)
			break;
		uint64_t now = now_boot_ns();
		if (now >= next_tick) {
			if (!sensors_read_stats(&sensors, st))
				emit_loss(&pl, st, reported);
			proc_cache_reap(&pl.cache, now, EXITED_KEEP_NS);
			next_tick = now + LOSS_REPORT_NS;
		}
		sink_flush(&sink, 0);
		if (deadline && now >= deadline)
			break;
	}

	/* Detach first: after that nothing is produced, so draining makes the counts exact. */
	sensors_detach(&sensors);
	ring_buffer__consume(rb);
	if (sensors_read_stats(&sensors, st) == 0) {
		emit_loss(&pl, st, reported);
		emit_stats(&pl, st, sensors.kinds_loaded, (double)(now_boot_ns() - start) / NS_PER_SEC);
	}
	sink_flush(&sink, 0);
	if (sink.broken && sink.error != EPIPE) {
		fprintf(stderr, "vigil: writing events failed: %s\n", strerror(sink.error));
		rc = 1;
	} else {
		rc = 0;
	}
cleanup:
	ring_buffer__free(rb);
	sensors_destroy(&sensors);
	pipeline_free(&pl);
close_sink:
	sink_close(&sink);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;

	if (run_opts_parse(&o, argc, argv))
		return 2;
	return agent_run(&o);
}
