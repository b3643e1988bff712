// SPDX-License-Identifier: GPL-2.0-only
/* vigil run: the agent. Streams every event of the requested kinds (docs/events.md). */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kinds.h"

enum {
	OPT_RINGBUF = 0x100,
	OPT_ANCESTORS,
	OPT_THREADS,
	OPT_BASH,
	OPT_FOLLOW,
};

static const struct argp_option run_options[] = {
	{ "format", 'f', "FORMAT", 0, "json or text (default: text on a terminal, json otherwise)", 0 },
	{ "output", 'o', "FILE", 0, "Append events to FILE instead of stdout (json by default)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "kind", 'k', "KIND[,KIND]", 0, "Only these event kinds (default: all)", 0 },
	{ "ancestors", OPT_ANCESTORS, NULL, 0, "Add the chain of ancestors up to init", 0 },
	{ "threads", OPT_THREADS, NULL, 0, "Report thread creation as process.fork too", 0 },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0, "Ring buffer size, a power of two (default 8M)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's log (verifier output on load failures)", 0 },
	{ "bash", OPT_BASH, "PATH", 0, "shell.command: the bash to watch (default /bin/bash)", 0 },
	{ "follow", OPT_FOLLOW, "PID", 0, "process.output: follow PID and its descendants", 0 },
	{},
};

int parse_kind_list(const char *list, uint64_t *kinds, char *err, size_t errlen)
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
		*kinds |= KIND_BIT(k->kind);
	}
	if (!rc && !*kinds) {
		snprintf(err, errlen, "expected event kind names, got '%s'", list);
		rc = -1;
	}
	free(copy);
	return rc;
}

static error_t parse_run_opt(int key, char *arg, struct argp_state *state)
{
	struct run_opts *o = state->input;
	char err[512];

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = o;
		return 0;
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
		if (parse_kind_list(arg, &o->kinds, err, sizeof(err)))
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
	case 'v':
		o->verbose = true;
		return 0;
	case OPT_BASH:
		o->shell.bash_path = arg;
		return 0;
	case OPT_FOLLOW: {
		uint64_t v;
		if (parse_u64(arg, 1, UINT32_MAX, &v, err, sizeof(err)))
			cli_bad_value(state, "--follow", err);
		o->shell.follow_tgid = (uint32_t)v;
		return 0;
	}
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_child run_children[] = {
	{ &filter_argp, 0, NULL, 0 },
	{},
};

static const struct argp run_argp = {
	run_options, parse_run_opt, NULL,
	"Run the agent: stream security events until SIGINT/SIGTERM or --duration.\v"
	"Examples:\n"
	"  vigil run\n"
	"  vigil run --format json --output /var/log/vigil.jsonl\n"
	"  vigil run -k process.exec --uid 1000 --ancestors\n"
	"  vigil run --comm bash --duration 60",
	run_children, NULL, NULL,
};

int run_opts_parse(struct run_opts *o, int argc, char **argv)
{
	run_opts_init(o);
	int rc = cli_parse(&run_argp, argc, argv, o);
	if (!rc && o->output && !o->format_set)
		o->format = OUT_JSON;
	return rc;
}

int cmd_run(int argc, char **argv)
{
	static const struct session_hooks agent_hooks = {};
	struct run_opts o;

	if (run_opts_parse(&o, argc, argv))
		return 2;
	return session_run(&o, &agent_hooks);
}
