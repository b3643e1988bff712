// SPDX-License-Identifier: GPL-2.0-only
/* shellsnoop PID: mirrors what a process and its descendants write to stdout and stderr
 * (process.output); -r writes a replay script with the timings instead. */
#include "tools/tool.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "events/shell_events.h"
#include "kinds.h"
#include "vigil/abi.h"

#define REPLAY_MIN_SLEEP_NS 1000000ULL /* shorter gaps are not worth a sleep */

struct shellsnoop_state {
	bool replay;
	bool pid_set;
	uint64_t last_ns; /* replay: when the previous write happened */
};

static const struct argp_option shellsnoop_options[] = {
	{ "replay", 'r', NULL, 0, "Print a shell script that replays the output with its timings", 0 },
	{ "self-only", 's', NULL, 0, "Leave out the output of subcommands (descendants)", 0 },
	{},
};

static error_t shellsnoop_parse(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;
	struct shellsnoop_state *st = r->state;
	char err[256];
	uint64_t v;

	switch (key) {
	case 'r':
		st->replay = true;
		return 0;
	case 's':
		r->opts.shell.follow_self_only = true;
		return 0;
	case ARGP_KEY_ARG:
		if (st->pid_set)
			argp_error(state, "expected one PID, got another: '%s'", arg);
		if (parse_u64(arg, 1, UINT32_MAX, &v, err, sizeof(err)))
			cli_bad_value(state, "PID", err);
		if (kill((pid_t)v, 0) && errno == ESRCH)
			argp_error(state, "no process has the PID %s", arg);
		r->opts.shell.follow_tgid = (uint32_t)v;
		st->pid_set = true;
		return 0;
	case ARGP_KEY_END:
		if (!st->pid_set)
			argp_error(state, "expected the PID of the process to follow");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static void shellsnoop_row(struct pipeline *pl, const void *rec, size_t size,
			   const struct proc *proc)
{
	const struct vigil_write_event *e = rec;
	struct tool_run *r = tool_of(pl);
	struct shellsnoop_state *st = r->state;
	struct sbuf *b = pl->out.b;
	const char *data;
	size_t n;
	bool truncated;

	(void)proc;
	if (!write_event_data(rec, size, &data, &n, &truncated))
		return;
	if (!st->replay) {
		sbuf_putn(b, data, n);
		if (truncated)
			fprintf(stderr, "vigil: tgid %u wrote %llu bytes; the first %zu are shown\n",
				e->hdr.task.tgid, (unsigned long long)e->body.count, n);
		return;
	}
	if (!st->last_ns)
		sbuf_puts(b, "#!/bin/sh\n");
	else if (e->hdr.ktime_ns > st->last_ns + REPLAY_MIN_SLEEP_NS)
		sbuf_printf(b, "sleep %.3f\n", (double)(e->hdr.ktime_ns - st->last_ns) / 1e9);
	st->last_ns = e->hdr.ktime_ns;
	sbuf_puts(b, "printf ");
	shell_replay_quote(b, data, n);
	sbuf_putc(b, '\n');
	if (truncated)
		sbuf_printf(b, "# %llu more bytes were written here and not captured\n",
			    (unsigned long long)(e->body.count - n));
}

static void shellsnoop_ready(struct pipeline *pl)
{
	const struct run_opts *o = &tool_of(pl)->opts;

	fprintf(stderr, "vigil: following the output of %u%s (Ctrl-C to end)\n",
		o->shell.follow_tgid, o->shell.follow_self_only ? "" : " and its descendants");
}

const struct tool tool_shellsnoop = {
	.name = "shellsnoop",
	.summary = "mirror what a process and its descendants write to stdout and stderr",
	.doc = "Mirror what the process PID and its descendants (children forked after vigil "
	       "starts, and those alive then) write to their stdout and stderr, as they write it.\v"
	       "Examples:\n"
	       "  vigil shellsnoop 1234\n"
	       "  vigil shellsnoop -s 1234       # the shell's own output, not its commands'\n"
	       "  vigil shellsnoop -r 1234 > replay.sh; sh replay.sh",
	.kinds = KIND_BIT(VIGIL_KIND_PROCESS_OUTPUT),
	.row = shellsnoop_row,
	.options = shellsnoop_options,
	.parse = shellsnoop_parse,
	.state_size = sizeof(struct shellsnoop_state),
	.args_doc = "PID",
	.on_ready = shellsnoop_ready,
};
