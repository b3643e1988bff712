/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shell sensor: every line interactive bash reads, from a uretprobe on readline() (its return
 * value is the line). User space attaches it by binary path and symbol (src/shell_sensor.c): on
 * Debian, bash carries its own copy of readline and exports the symbol in .dynsym.
 */
#include "path.bpf.h"

/* The record's size, bounded in a way the verifier follows: clang drops a clamp that emit()
 * repeats, and what is left of it is not tracked through the u32 -> u64 widening. */
static __always_inline __u32 shell_record_size(struct vigil_scratch *s, __u32 data_off)
{
	__u32 used = s->cursor;

	barrier_var(used);
	if (used > VIGIL_DATA_MAX)
		used = VIGIL_DATA_MAX;
	barrier_var(used);
	return data_off + (used & (2 * VIGIL_DATA_MAX - 1));
}


static __always_inline int on_readline(const char *line)
{
	const __u32 kind = VIGIL_KIND_SHELL_COMMAND;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_scratch *s;
	struct vigil_shell_event *e;
	struct vigil_seg *seg;
	struct tty_struct *tty;
	long n;

	/* NULL is end of input (^D): nothing was read */
	if (!kind_enabled(kind) || !line || !(s = get_scratch()))
		return 0;
	e = (struct vigil_shell_event *)s->raw;
	seg = &e->seg[VIGIL_SHSEG_LINE];
	s->cursor = 0;
	seg_begin(s, seg);
	/* readline's buffer was just written by bash itself: it is paged in */
	n = bpf_probe_read_user_str(data_at(e->data, 0), VIGIL_SEG_MAX, line);
	if (n == 1)
		return 0; /* an empty line: Enter alone runs nothing */
	if (n < 0) {
		seg->flags |= VIGIL_SEG_READ_ERROR;
		n = 0;
	}
	if (n == VIGIL_SEG_MAX)
		seg->flags |= VIGIL_SEG_TRUNCATED; /* the line filled the bound */
	s->cursor = n;
	seg_end(s, seg);

	fill_task(&e->hdr.task, task);
	if (!want_event(kind, &e->hdr.task))
		return 0;
	fill_header(&e->hdr, kind);
	if (seg->flags & VIGIL_SEG_READ_ERROR)
		e->hdr.flags |= VIGIL_EF_READ_ERROR;

	e->tty_dev = 0;
	e->_pad = 0;
	seg_begin(s, &e->seg[VIGIL_SHSEG_TTY]);
	tty = BPF_CORE_READ(task, signal, tty);
	if (tty) {
		append_kstr(s, e->data, &e->seg[VIGIL_SHSEG_TTY], &tty->name, sizeof(tty->name));
		seg_end(s, &e->seg[VIGIL_SHSEG_TTY]);
		e->tty_dev = (BPF_CORE_READ(tty, driver, major) << 20) |
			     (BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index));
	}
	emit(&e->hdr, shell_record_size(s, offsetof(struct vigil_shell_event, data)));
	return 0;
}

/* libbpf 1.1 has no BPF_URETPROBE: a uretprobe gets the same pt_regs as a kretprobe */
SEC("uretprobe")
int BPF_KRETPROBE(readline_uprobe, const char *line)
{
	return on_readline(line);
}
