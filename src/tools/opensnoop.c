// SPDX-License-Identifier: GPL-2.0-only
/* opensnoop: every open, one line each (file.open): the file the kernel opened, or the error. */
#include "tools/tool.h"

#include <stdlib.h>

#include "events/file_events.h"
#include "kinds.h"
#include "vigil/abi.h"

struct opensnoop {
	bool failed_only; /* -x */
	bool extended;    /* -e: the flags column */
};

enum { OPT_FAILED = 'x', OPT_EXTENDED = 'e' };

static const struct argp_option options[] = {
	{ "failed", OPT_FAILED, NULL, 0, "Only opens that failed", 0 },
	{ "extended", OPT_EXTENDED, NULL, 0, "Show the open flags (a FLAGS column)", 0 },
	{},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct opensnoop *o = ((struct tool_run *)state->input)->state;

	(void)arg;
	switch (key) {
	case OPT_FAILED:
		o->failed_only = true;
		return 0;
	case OPT_EXTENDED:
		o->extended = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* The header depends on -e, so it is printed here rather than from .header. */
static void on_ready(struct pipeline *pl)
{
	struct opensnoop *o = tool_of(pl)->state;

	sbuf_printf(&pl->sink->buf, "TIME     PID     COMM               FD ERR %sPATH\n",
		    o->extended ? "FLAGS                    " : "");
}

static void row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_file_event *e = rec;
	struct opensnoop *o = tool_of(pl)->state;
	struct sbuf *b = pl->out.b;
	struct sbuf path = {}, flags = {};
	bool from_file, trunc;
	long long ret = e->body.ret;

	(void)proc;
	if (o->failed_only && ret >= 0)
		return;
	tool_put_time(b, e->hdr.ktime_ns);
	sbuf_printf(b, " %-7u %-16.16s %4lld %3lld ", e->hdr.task.tgid, e->hdr.task.comm,
		    ret >= 0 ? ret : -1LL, ret >= 0 ? 0LL : -ret);
	if (o->extended) {
		file_open_flags(&flags, e->body.flags, "|");
		sbuf_printf(b, "%-24s ", sbuf_str(&flags));
	}
	if (!file_event_path(rec, size, &path, &from_file, &trunc))
		sbuf_puts(&path, "?");
	for (size_t i = 0; i < path.len; i++) {
		unsigned char c = (unsigned char)path.p[i];
		if (c < 0x20 || c == 0x7f)
			sbuf_printf(b, "\\x%02x", c);
		else
			sbuf_putc(b, (char)c);
	}
	if (trunc)
		sbuf_puts(b, " ...");
	sbuf_putc(b, '\n');
	sbuf_free(&path);
	sbuf_free(&flags);
}

const struct tool tool_opensnoop = {
	.name = "opensnoop",
	.summary = "trace file opens (open, openat, openat2, creat)",
	.doc = "Trace every open on the host. PATH is the file the kernel opened, resolved from the new "
	       "descriptor (symlinks, .. and dirfds already followed); for a failed open it is the "
	       "name asked for, joined to its directory. FD is -1 and ERR the errno on failure.\v"
	       "Examples:\n"
	       "  vigil opensnoop\n"
	       "  vigil opensnoop -x            # failed opens only\n"
	       "  vigil opensnoop -e -p 1234    # with flags, one process\n"
	       "  vigil opensnoop -c nginx --json",
	.kinds = KIND_BIT(VIGIL_KIND_FILE_OPEN),
	.header = NULL, /* on_ready: -e adds a column */
	.row = row,
	.options = options,
	.parse = parse,
	.state_size = sizeof(struct opensnoop),
	.on_ready = on_ready,
};
