// SPDX-License-Identifier: GPL-2.0-only
/* bashreadline: every line interactive bash reads (shell.command). */
#include "tools/tool.h"

#include "events/shell_events.h"
#include "kinds.h"
#include "vigil/abi.h"

enum { OPT_BASH = 0x400 };

static const struct argp_option bashreadline_options[] = {
	{ "bash", OPT_BASH, "PATH", 0, "The bash to watch (default /bin/bash), or the libreadline it uses", 0 },
	{},
};

static error_t bashreadline_parse(int key, char *arg, struct argp_state *state)
{
	struct tool_run *r = state->input;

	if (key != OPT_BASH)
		return ARGP_ERR_UNKNOWN;
	r->opts.shell.bash_path = arg;
	return 0;
}

static void bashreadline_row(struct pipeline *pl, const void *rec, size_t size,
			     const struct proc *proc)
{
	const struct vigil_event_hdr *h = rec;
	struct sbuf *b = pl->out.b;
	const char *line;
	size_t n;
	bool truncated;

	(void)proc;
	if (!shell_event_line(rec, size, &line, &n, &truncated))
		return;
	tool_put_time(b, h->ktime_ns);
	sbuf_printf(b, " %-7u ", h->task.tgid);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f)
			sbuf_printf(b, "\\x%02x", c); /* a line is one row, whatever was typed */
		else
			sbuf_putc(b, (char)c);
	}
	if (truncated)
		sbuf_puts(b, " ...");
	sbuf_putc(b, '\n');
}

const struct tool tool_bashreadline = {
	.name = "bashreadline",
	.summary = "trace the commands typed into interactive bash",
	.doc = "Print every line interactive bash reads with readline: the time, the bash's tgid and "
	       "the line, from a uretprobe on readline() in the bash binary.\v"
	       "Examples:\n"
	       "  vigil bashreadline\n"
	       "  vigil bashreadline -u 1000\n"
	       "  vigil bashreadline --bash /usr/local/bin/bash --json",
	.kinds = KIND_BIT(VIGIL_KIND_SHELL_COMMAND),
	.header = "TIME     PID     COMMAND",
	.row = bashreadline_row,
	.options = bashreadline_options,
	.parse = bashreadline_parse,
};
