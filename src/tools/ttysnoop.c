// SPDX-License-Identifier: GPL-2.0-only
/* ttysnoop DEVICE: mirrors what is written to one terminal (tty.write). */
#include "tools/tool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "events/shell_events.h"
#include "kinds.h"
#include "shell_sensor.h"
#include "vigil/abi.h"

struct ttysnoop_state {
	char path[256];
};

/* "3" is /dev/pts/3, "tty1" is /dev/tty1, a path is itself. */
static void device_path(char *out, size_t len, const char *arg)
{
	if (arg[0] && strspn(arg, "0123456789") == strlen(arg))
		snprintf(out, len, "/dev/pts/%s", arg);
	else if (!strchr(arg, '/'))
		snprintf(out, len, "/dev/%s", arg);
	else
		snprintf(out, len, "%s", arg);
}

static error_t ttysnoop_parse(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;
	struct ttysnoop_state *st = r->state;
	struct stat sb;

	switch (key) {
	case ARGP_KEY_ARG:
		if (st->path[0])
			argp_error(state, "expected one DEVICE, got another: '%s'", arg);
		device_path(st->path, sizeof(st->path), arg);
		if (stat(st->path, &sb))
			argp_error(state, "%s: %s", st->path, strerror(errno));
		if (!S_ISCHR(sb.st_mode))
			argp_error(state, "%s is not a terminal device", st->path);
		/* /dev/tty, /dev/console and /dev/ptmx stand for another terminal, which the kernel
		 * reports instead: name that one */
		if (major(sb.st_rdev) == 5)
			argp_error(state, "%s stands for another terminal: give that one (e.g. /dev/pts/3)",
				   st->path);
		r->opts.shell.tty_dev = kernel_dev(sb.st_rdev);
		return 0;
	case ARGP_KEY_END:
		if (!st->path[0])
			argp_error(state, "expected the terminal to watch, e.g. /dev/pts/3 or 3");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static void ttysnoop_row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_write_event *e = rec;
	const char *data;
	size_t n;
	bool truncated;

	(void)proc;
	if (!write_event_data(rec, size, &data, &n, &truncated))
		return;
	sbuf_putn(pl->out.b, data, n);
	if (truncated)
		fprintf(stderr, "vigil: tgid %u wrote %llu bytes; the first %zu are shown\n",
			e->hdr.task.tgid, (unsigned long long)e->body.count, n);
}

static void ttysnoop_ready(struct pipeline *pl)
{
	const struct ttysnoop_state *st = tool_of(pl)->state;

	fprintf(stderr, "vigil: mirroring what is written to %s (Ctrl-C to end)\n", st->path);
}

const struct tool tool_ttysnoop = {
	.name = "ttysnoop",
	.summary = "mirror what is written to a terminal",
	.doc = "Mirror what programs write to one terminal (a tty or a pts), as they write it. "
	       "DEVICE is a path (/dev/pts/3), a pts number (3) or a name under /dev (tty1).\v"
	       "Examples:\n"
	       "  vigil ttysnoop 3\n"
	       "  vigil ttysnoop /dev/tty1\n"
	       "  vigil ttysnoop --json /dev/pts/0",
	.kinds = KIND_BIT(VIGIL_KIND_TTY_WRITE),
	.row = ttysnoop_row,
	.parse = ttysnoop_parse,
	.state_size = sizeof(struct ttysnoop_state),
	.args_doc = "DEVICE",
	.on_ready = ttysnoop_ready,
};
