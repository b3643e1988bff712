// SPDX-License-Identifier: GPL-2.0-only
/* opensnoop: every open, one line each (file.open): the file the kernel opened, or the error. */
#include "tools/tool.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "events/file_events.h"
#include "kinds.h"
#include "vigil/abi.h"

#define FLAGS_MAX 8

struct opensnoop {
	bool failed_only; /* -x */
	bool extended;    /* -e: the flags column */
	bool uid;         /* -U: the UID column */
	uint32_t tid;     /* -t */
	const char *name; /* -n */
	char flags[FLAGS_MAX][24]; /* -f: every one of them must be set */
	size_t nflags;
};

enum { OPT_FAILED = 'x', OPT_EXTENDED = 'e' };

static const struct argp_option options[] = {
	{ "failed", OPT_FAILED, NULL, 0, "Only opens that failed", 0 },
	{ "extended", OPT_EXTENDED, NULL, 0, "Show the open flags and the mode of a creating open (FLAGS, MODE)", 0 },
	{ "print-uid", 'U', NULL, 0, "Show a UID column", 0 },
	{ "tid", 't', "TID", 0, "Only this thread", 0 },
	{ "name", 'n', "NAME", 0, "Only command names containing NAME", 0 },
	{ "flag", 'f', "FLAG", 0, "Only opens with FLAG set (O_WRONLY, O_CREAT, ...; repeatable: all of them)", 0 },
	{},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct opensnoop *o = ((struct tool_run *)state->input)->state;
	char err[256], name[24];
	uint64_t v;

	switch (key) {
	case 'U':
		o->uid = true;
		return 0;
	case 't':
		if (parse_u64(arg, 1, UINT32_MAX, &v, err, sizeof(err)))
			cli_bad_value(state, "--tid", err);
		o->tid = (uint32_t)v;
		return 0;
	case 'n':
		if (!*arg)
			cli_bad_value(state, "--name", "expected a non-empty string");
		o->name = arg;
		return 0;
	case 'f':
		snprintf(name, sizeof(name), "%s%s", strncmp(arg, "O_", 2) ? "O_" : "", arg);
		if (file_open_flag_bit(name) < 0)
			cli_bad_value(state, "--flag", "expected an open flag such as O_WRONLY, O_CREAT or O_TRUNC");
		else if (o->nflags == FLAGS_MAX)
			cli_bad_value(state, "--flag", "at most 8 flags");
		else
			snprintf(o->flags[o->nflags++], sizeof(o->flags[0]), "%s", name);
		return 0;
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

	sbuf_printf(&pl->sink->buf, "TIME     PID     %sCOMM               FD ERR %sPATH\n",
		    o->uid ? "UID    " : "", o->extended ? "FLAGS                    MODE " : "");
}

/* Is name one of the |-separated names? */
static bool has_flag(const char *names, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = names; p && *p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == '|' || !p[n]))
			return true;
	return false;
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
	if (o->tid && e->hdr.task.tid != o->tid)
		return;
	if (o->name && !strstr(e->hdr.task.comm, o->name))
		return;
	file_open_flags(&flags, e->body.flags, "|");
	for (size_t i = 0; i < o->nflags; i++)
		if (!has_flag(sbuf_str(&flags), o->flags[i])) {
			sbuf_free(&flags);
			return;
		}
	tool_put_time(b, e->hdr.ktime_ns);
	sbuf_printf(b, " %-7u ", e->hdr.task.tgid);
	if (o->uid)
		sbuf_printf(b, "%-6u ", e->hdr.task.uid);
	sbuf_printf(b, "%-16.16s %4lld %3lld ", e->hdr.task.comm, ret >= 0 ? ret : -1LL,
		    ret >= 0 ? 0LL : -ret);
	if (o->extended) {
		sbuf_printf(b, "%-24s ", sbuf_str(&flags));
		/* the mode argument counts only when the open may create the file */
		if (e->body.flags & (O_CREAT | __O_TMPFILE))
			sbuf_printf(b, "%04o ", e->body.mode & 07777);
		else
			sbuf_puts(b, "-    ");
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
	       "  vigil opensnoop -f O_WRONLY -f O_CREAT -U\n"
	       "  vigil opensnoop -c nginx --json",
	.kinds = KIND_BIT(VIGIL_KIND_FILE_OPEN),
	.header = NULL, /* on_ready: -e adds a column */
	.row = row,
	.options = options,
	.parse = parse,
	.state_size = sizeof(struct opensnoop),
	.on_ready = on_ready,
};
