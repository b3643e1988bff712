// SPDX-License-Identifier: GPL-2.0-only
/* elfsnoop: every exec with the facts of the file run: fileless, setuid, script, interpreter. */
#include "tools/tool.h"

#include <sys/stat.h>

#include "events/process_events.h"
#include "kinds.h"
#include "vigil/abi.h"

struct elfsnoop {
	bool flagged_only; /* -f */
};

static const struct argp_option options[] = {
	{ "flagged", 'f', NULL, 0, "Only execs with a flag (fileless, setuid, setgid)", 0 },
	{},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct elfsnoop *o = ((struct tool_run *)state->input)->state;

	(void)arg;
	if (key != 'f')
		return ARGP_ERR_UNKNOWN;
	o->flagged_only = true;
	return 0;
}

static void put_escaped(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			sbuf_printf(b, "\\x%02x", c);
		else
			sbuf_putc(b, (char)c);
	}
}

static void row(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_event_hdr *h = rec;
	struct elfsnoop *o = tool_of(pl)->state;
	struct sbuf *b = pl->out.b;
	struct sbuf flags = {};
	struct exec_facts f;

	if (!exec_facts_decode(rec, size, &f))
		goto out;
	exec_fileless_names(&flags, f.flags, ",");
	if (f.valid && (f.mode & S_ISUID))
		sbuf_puts(&flags, flags.len ? ",setuid" : "setuid");
	if (f.valid && (f.mode & S_ISGID))
		sbuf_puts(&flags, flags.len ? ",setgid" : "setgid");
	if (o->flagged_only && !flags.len)
		goto out;
	if (f.flags & VIGIL_XF_SCRIPT)
		sbuf_puts(&flags, flags.len ? ",script" : "script");
	tool_put_time(b, h->ktime_ns);
	sbuf_printf(b, " %-7u %-16.16s %-20s ", h->task.tgid, proc->comm,
		    flags.len ? sbuf_str(&flags) : "-");
	/* a script's own path; else the program the kernel mapped */
	if (f.script.len)
		put_escaped(b, f.script.p, f.script.len);
	else
		put_escaped(b, proc->img->exe, strlen(proc->img->exe));
	sbuf_putc(b, ' ');
	if (f.interp.len)
		put_escaped(b, f.interp.p, f.interp.len);
	else
		sbuf_putc(b, '-');
	sbuf_putc(b, '\n');
out:
	exec_facts_free(&f);
	sbuf_free(&flags);
}

const struct tool tool_elfsnoop = {
	.name = "elfsnoop",
	.summary = "trace execs with the facts of the file run (fileless, setuid, interpreter)",
	.doc = "Trace every exec with what the kernel knows of the file it ran. FLAGS: memfd (a "
	       "memfd_create file), deleted (no name left on disk), tmpfs (a memory filesystem such "
	       "as /dev/shm), setuid/setgid (mode bits of the file), script (#!). EXE is the program "
	       "run (for #!, the script as named); INTERP the #! interpreter or the ELF loader the "
	       "kernel mapped, - for none.\v"
	       "Examples:\n"
	       "  vigil elfsnoop\n"
	       "  vigil elfsnoop -f             # fileless and setuid/setgid execs only\n"
	       "  vigil elfsnoop -u 1000 --json",
	.kinds = KIND_BIT(VIGIL_KIND_PROCESS_EXEC),
	.header = "TIME     PID     COMM             FLAGS                EXE INTERP",
	.row = row,
	.options = options,
	.parse = parse,
	.state_size = sizeof(struct elfsnoop),
};
