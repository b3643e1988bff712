// SPDX-License-Identifier: GPL-2.0-only
/* execsnoop: every exec, one line each: the successful ones (process.exec) with RET 0 and the
 * new argv, the failed ones (process.exec_failed) with RET -errno and the argv asked for.
 * BCC's flags: -x failed only (in the kernel: the other kind is not loaded), -t seconds since
 * the start instead of the clock, -n substring of the command or its arguments, -q quotes,
 * --max-args, -P parent tgid; -T and -U name columns that are always shown here. */
#include "tools/tool.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "events/kernel_events.h"
#include "kinds.h"
#include "record.h"
#include "timefmt.h"
#include "vigil/abi.h"

struct execsnoop_opts {
	bool seconds;       /* -t */
	bool quote;         /* -q */
	const char *name;   /* -n */
	uint32_t ppid;      /* -P */
	bool ppid_set;
	uint64_t max_args;  /* --max-args; 0: all the kernel kept */
	uint64_t start_ns;
	struct sbuf args;   /* the argument column, built before the row for -n */
};

enum { OPT_MAX_ARGS = 0x400 };

static const struct argp_option execsnoop_options[] = {
	{ NULL, 0, NULL, 0, "BCC's execsnoop flags:", 1 },
	{ "fails", 'x', NULL, 0, "Only failed execs (RET < 0)", 1 },
	{ "time", 'T', NULL, 0, "The TIME column (HH:MM:SS; always shown)", 1 },
	{ "timestamp", 't', NULL, 0, "TIME(s): seconds since vigil started, instead of the clock", 1 },
	{ "print-uid", 'U', NULL, 0, "The UID column (always shown)", 1 },
	{ "name", 'n', "NAME", 0, "Only execs whose command name or arguments contain NAME", 1 },
	{ "quote", 'q', NULL, 0, "Quote each argument (\"a b\" stays one)", 1 },
	{ "max-args", OPT_MAX_ARGS, "N", 0, "Show at most N arguments (1-1000; default: all the kernel kept)", 1 },
	{ "ppid", 'P', "PPID", 0, "Only execs by children of PPID", 1 },
	{},
};

static error_t execsnoop_parse(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;
	struct execsnoop_opts *o = r->state;
	char err[256];
	uint64_t v;

	switch (key) {
	case 'x':
		r->kinds = KIND_BIT(VIGIL_KIND_PROCESS_EXEC_FAILED);
		return 0;
	case 'T':
	case 'U':
		return 0;
	case 't':
		o->seconds = true;
		return 0;
	case 'n':
		if (!*arg)
			cli_bad_value(state, "--name", "expected a non-empty string");
		o->name = arg;
		return 0;
	case 'q':
		o->quote = true;
		return 0;
	case OPT_MAX_ARGS:
		if (parse_u64(arg, 1, 1000, &o->max_args, err, sizeof(err)))
			cli_bad_value(state, "--max-args", err);
		return 0;
	case 'P':
		if (parse_u64(arg, 1, UINT32_MAX, &v, err, sizeof(err)))
			cli_bad_value(state, "--ppid", err);
		o->ppid = (uint32_t)v;
		o->ppid_set = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* NUL-separated strings (n bytes) into the argument column: -q and --max-args apply. */
static void put_strings(struct sbuf *b, const char *s, size_t n, bool truncated,
			const struct execsnoop_opts *o)
{
	uint64_t shown = 0;
	size_t i = 0;

	while (i < n) {
		size_t len = strnlen(s + i, n - i);
		if (o->max_args && shown == o->max_args) {
			truncated = true;
			break;
		}
		if (shown++)
			sbuf_putc(b, ' ');
		if (o->quote)
			sbuf_putc(b, '"');
		for (size_t k = i; k < i + len; k++) {
			unsigned char c = (unsigned char)s[k];
			if (c < 0x20 || c == 0x7f)
				sbuf_printf(b, "\\x%02x", c);
			else if (o->quote && (c == '"' || c == '\\'))
				sbuf_printf(b, "\\%c", c);
			else
				sbuf_putc(b, (char)c);
		}
		if (o->quote)
			sbuf_putc(b, '"');
		i += len + 1;
	}
	if (truncated)
		sbuf_puts(b, " ...");
}

static void execsnoop_row(struct pipeline *pl, const void *rec, size_t size,
			  const struct proc *proc)
{
	const struct vigil_event_hdr *h = rec;
	const struct vigil_kernel_event *f = rec;
	bool failed = h->kind == VIGIL_KIND_PROCESS_EXEC_FAILED;
	struct execsnoop_opts *o = tool_of(pl)->state;
	struct sbuf *b = pl->out.b, *args = &o->args;

	if (o->ppid_set && h->task.ppid != o->ppid)
		return;
	sbuf_reset(args);
	if (!failed) {
		put_strings(args, proc->img->args, proc->img->args_len, proc->img->args_truncated, o);
	} else if (f->body.seg[VIGIL_KSEG_EXEC_ARGV].count) {
		const char *p;
		size_t n;
		const struct vigil_seg *seg = &f->body.seg[VIGIL_KSEG_EXEC_ARGV];
		if (record_seg(rec, size, offsetof(struct vigil_kernel_event, data), seg, &p, &n))
			put_strings(args, p, n, seg->flags & VIGIL_SEG_TRUNCATED, o);
	} else { /* no argv: the file asked for */
		kernel_event_seg(rec, size, VIGIL_KSEG_EXEC_FILE, args);
	}
	if (o->name && !strstr(proc->comm, o->name) && !strstr(sbuf_str(args), o->name))
		return;
	if (o->seconds) {
		if (!o->start_ns)
			o->start_ns = now_boot_ns();
		double secs = h->ktime_ns > o->start_ns ? (double)(h->ktime_ns - o->start_ns) / 1e9 : 0;
		sbuf_printf(b, "%-8.3f", secs);
	} else {
		tool_put_time(b, h->ktime_ns);
	}
	sbuf_printf(b, " %-7u %-7u %-6u %3d %-16.16s ", h->task.tgid, h->task.ppid, h->task.uid,
		    failed ? (int)f->body.call.ret : 0, proc->comm);
	sbuf_puts(b, sbuf_str(args));
	sbuf_putc(b, '\n');
}

static const char *execsnoop_header(const struct tool_run *r)
{
	const struct execsnoop_opts *o = r->state;

	return o->seconds ? "TIME(s)  PID     PPID    UID    RET COMM             ARGS"
			  : "TIME     PID     PPID    UID    RET COMM             ARGS";
}

static void execsnoop_ready(struct pipeline *pl)
{
	struct execsnoop_opts *o = tool_of(pl)->state;

	o->start_ns = now_boot_ns();
}

const struct tool tool_execsnoop = {
	.name = "execsnoop",
	.summary = "trace new programs (exec)",
	.doc = "Trace every exec on the host: the new program's tgid, parent, uid and full argv, "
	       "as the kernel saw them. A failed exec is shown too: RET is the negative errno, COMM "
	       "the caller's, ARGS the argv it asked for (its first 16 strings). The flags of BCC's "
	       "execsnoop work as there; TIME and UID are always shown.\v"
	       "Examples:\n"
	       "  vigil execsnoop\n"
	       "  vigil execsnoop -u 1000\n"
	       "  vigil execsnoop -x -t\n"
	       "  vigil execsnoop -n ssh -q --max-args 4\n"
	       "  vigil execsnoop -c bash --json",
	.kinds = KIND_BIT(VIGIL_KIND_PROCESS_EXEC) | KIND_BIT(VIGIL_KIND_PROCESS_EXEC_FAILED),
	.header = "TIME     PID     PPID    UID    RET COMM             ARGS",
	.header_of = execsnoop_header,
	.row = execsnoop_row,
	.options = execsnoop_options,
	.parse = execsnoop_parse,
	.state_size = sizeof(struct execsnoop_opts),
	.on_ready = execsnoop_ready,
};
