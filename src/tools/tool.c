// SPDX-License-Identifier: GPL-2.0-only
#include "tools/tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "kinds.h"
#include "timefmt.h"

enum {
	OPT_JSON = 0x300,
	OPT_RINGBUF,
	OPT_LIBBPF_LOG,
};

static const struct argp_option common_options[] = {
	{ NULL, 0, NULL, 0, "Output:", 20 },
	{ "json", OPT_JSON, NULL, 0, "Print the agent's JSON events instead of columns", 20 },
	{ "output", 'o', "FILE", 0, "Append to FILE instead of stdout", 20 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 20 },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0, "Ring buffer size, a power of two", 20 },
	{ "libbpf-log", OPT_LIBBPF_LOG, NULL, 0, "Show libbpf's log (verifier output on load failures)", 20 },
	/* -v, as in `vigil run`; a tool may give it BCC's meaning (capable -v) */
	{ "verbose", 'v', NULL, OPTION_HIDDEN, "Show libbpf's log", 20 },
	{},
};

static const struct argp_option interval_options[] = {
	{ "interval", 'i', "SECONDS", 0, "Print the table every SECONDS (and at exit)", 21 },
	{},
};

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;
	char err[256];

	switch (key) {
	case OPT_JSON:
		r->json = true;
		return 0;
	case 'o':
		r->opts.output = arg;
		return 0;
	case 'd':
		if (parse_seconds(arg, &r->opts.duration, err, sizeof(err)))
			cli_bad_value(state, "--duration", err);
		return 0;
	case OPT_RINGBUF:
		if (parse_pow2_size(arg, 4096, 1ULL << 30, &r->opts.ringbuf_size, err, sizeof(err)))
			cli_bad_value(state, "--ringbuf-size", err);
		return 0;
	case 'v':
	case OPT_LIBBPF_LOG:
		r->opts.verbose = true;
		return 0;
	case 'i':
		if (parse_seconds(arg, &r->interval, err, sizeof(err)))
			cli_bad_value(state, "--interval", err);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static error_t parse_tool(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;

	if (key == ARGP_KEY_INIT) {
		state->child_inputs[0] = &r->opts; /* the filter options fill run_opts */
		state->child_inputs[1] = r;
		state->child_inputs[2] = r;
		return 0;
	}
	if (r->tool->parse) {
		error_t e = r->tool->parse(key, arg, state);
		if (e != ARGP_ERR_UNKNOWN)
			return e;
	}
	if (key == ARGP_KEY_ARG) {
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	}
	return ARGP_ERR_UNKNOWN;
}

struct tool_run *tool_of(struct pipeline *pl)
{
	return pl->user;
}

void tool_put_time(struct sbuf *b, uint64_t boot_ns)
{
	time_t sec = (time_t)(boot_to_wall_ns(boot_ns) / 1000000000ULL);
	struct tm tm;
	char buf[16];

	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	sbuf_puts(b, buf);
}

void tool_put_args(struct sbuf *b, const struct proc_image *img)
{
	for (size_t i = 0; i < img->args_len; i++) {
		unsigned char c = (unsigned char)img->args[i];
		if (c == '\0')
			sbuf_putc(b, ' ');
		else if (c < 0x20 || c == 0x7f)
			sbuf_printf(b, "\\x%02x", c);
		else
			sbuf_putc(b, (char)c);
	}
	if (img->args_truncated)
		sbuf_puts(b, " ...");
}

static void text_ready(struct pipeline *pl, const struct sensors *s)
{
	const struct tool *t = tool_of(pl)->tool;

	(void)s;
	const char *header = t->header_of ? t->header_of(tool_of(pl)) : t->header;
	if (header) {
		sbuf_puts(&pl->sink->buf, header);
		sbuf_putc(&pl->sink->buf, '\n');
	}
	if (t->on_ready)
		t->on_ready(pl);
}

static void text_loss(struct pipeline *pl, const uint64_t lost[VIGIL_KIND_MAX], uint64_t total)
{
	(void)pl;
	(void)lost;
	fprintf(stderr, "vigil: %llu events lost (ring buffer full; try --ringbuf-size)\n",
		(unsigned long long)total);
}

static void text_end(struct pipeline *pl, const struct vigil_kind_stats *st, uint64_t kinds)
{
	uint64_t lost = 0;

	(void)pl;
	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++)
		if (kinds & KIND_BIT(k))
			lost += st[k].dropped;
	if (lost)
		fprintf(stderr, "vigil: %llu events lost in all\n", (unsigned long long)lost);
}

int tool_main(const struct tool *t, int argc, char **argv)
{
	const struct argp common_argp = { common_options, parse_common, NULL, NULL, NULL, NULL, NULL };
	const struct argp interval_argp = { interval_options, parse_common, NULL, NULL, NULL, NULL, NULL };
	struct argp_child children[] = {
		{ &filter_argp, 0, NULL, 0 },
		{ &common_argp, 0, NULL, 0 },
		{ t->on_tick ? &interval_argp : NULL, 0, NULL, 0 }, /* NULL ends the list */
		{},
	};
	const struct argp argp = { t->options, parse_tool, t->args_doc, t->doc, children, NULL, NULL };
	struct tool_run r = { .tool = t };
	struct session_hooks hooks = {};
	int rc;

	run_opts_init(&r.opts);
	r.interval = t->default_interval;
	r.state = t->state_size ? calloc(1, t->state_size) : NULL;
	if (cli_parse(&argp, argc, argv, &r)) {
		free(r.state);
		return 2;
	}
	if (t->no_process_filters && run_opts_filtered(&r.opts)) {
		fprintf(stderr, "vigil %s: -p, -u, -c and --cgroup do not apply: %s\n", t->name,
			t->no_process_filters_why);
		free(r.state);
		return 2;
	}
	r.opts.kinds = r.kinds ? r.kinds : t->kinds;
	r.opts.strict_sensors = true; /* a tool without its sensor has nothing to show */
	r.opts.format = r.json ? OUT_JSON : OUT_TEXT;
	hooks.user = &r;
	hooks.on_loaded = t->setup; /* kernel filters apply with --json too */
	if (!r.json) {
		hooks.render = t->row;
		hooks.on_ready = text_ready;
		hooks.on_loss = text_loss;
		hooks.on_end = text_end;
		if (t->on_tick) {
			hooks.on_tick = t->on_tick;
			hooks.tick_ns = (uint64_t)(r.interval * 1e9);
		}
		if (!t->row) /* aggregating tools: records only feed their state */
			hooks.render = NULL;
	}
	rc = session_run(&r.opts, &hooks);
	free(r.state);
	return rc;
}
