// SPDX-License-Identifier: GPL-2.0-only
#include "events/shell_events.h"

#include <stdio.h>
#include <string.h>

#include "record.h"
#include "vigil/abi.h"

#define DEV_MAJOR(d) ((d) >> 20)
#define DEV_MINOR(d) ((d) & 0xfffff)

static const char *call_name(uint32_t call)
{
	switch (call) {
	case VIGIL_WRITE_CALL_WRITE:
		return "write";
	case VIGIL_WRITE_CALL_WRITEV:
		return "writev";
	default:
		return "unknown";
	}
}

/* A NUL-terminated string segment, its terminator left out. */
static void seg_string(const void *rec, size_t size, size_t data_off, const struct vigil_seg *seg,
		       const char **p, size_t *n)
{
	if (record_seg(rec, size, data_off, seg, p, n))
		*n = strnlen(*p, *n);
}

/* As process.* events name terminals: the kernel's "ptsN" is the pts/N users know. */
static void put_tty_name(struct out *o, const char *key, const char *p, size_t n)
{
	char name[80];

	if (n > 3 && n < 64 && !memcmp(p, "pts", 3)) {
		snprintf(name, sizeof(name), "pts/%.*s", (int)(n - 3), p + 3);
		out_str(o, key, name);
	} else {
		out_strn(o, key, p, n);
	}
}

bool shell_event_line(const void *rec, size_t size, const char **p, size_t *n, bool *truncated)
{
	const struct vigil_shell_event *e = rec;
	const struct vigil_seg *seg = &e->seg[VIGIL_SHSEG_LINE];

	*p = "";
	*n = 0;
	*truncated = false;
	if (size < offsetof(struct vigil_shell_event, data) ||
	    !record_seg(rec, size, offsetof(struct vigil_shell_event, data), seg, p, n))
		return false;
	*n = strnlen(*p, *n);
	*truncated = seg->flags & VIGIL_SEG_TRUNCATED;
	return true;
}

bool write_event_data(const void *rec, size_t size, const char **p, size_t *n, bool *truncated)
{
	const struct vigil_write_event *e = rec;
	const struct vigil_seg *seg = &e->body.seg[VIGIL_WSEG_DATA];

	bool ok;

	*p = "";
	*n = 0;
	*truncated = false;
	if (size < offsetof(struct vigil_write_event, data))
		return false;
	ok = record_seg(rec, size, offsetof(struct vigil_write_event, data), seg, p, n);
	/* bytes written but not shown, for whatever reason, make the data truncated */
	*truncated = (seg->flags & VIGIL_SEG_TRUNCATED) || e->body.count > *n;
	return ok;
}

void body_shell_command(struct out *o, const void *rec, size_t size)
{
	const struct vigil_shell_event *e = rec;
	const char *line, *tty;
	size_t n, tn;
	bool truncated;

	shell_event_line(rec, size, &line, &n, &truncated);
	seg_string(rec, size, offsetof(struct vigil_shell_event, data), &e->seg[VIGIL_SHSEG_TTY],
		   &tty, &tn);
	out_obj(o, "shell");
	out_strn(o, "command", line, n);
	out_bool(o, "truncated", truncated);
	put_tty_name(o, "tty", tty, tn);
	out_u64(o, "tty_major", DEV_MAJOR(e->tty_dev));
	out_u64(o, "tty_minor", DEV_MINOR(e->tty_dev));
	out_obj_end(o);
}

static void put_write(struct out *o, const struct vigil_write_event *e, size_t size)
{
	const char *data;
	size_t n;
	bool truncated;

	write_event_data(e, size, &data, &n, &truncated);
	out_u64(o, "fd", e->body.fd);
	out_str(o, "call", call_name(e->body.call));
	out_u64(o, "count", e->body.count);
	out_strn(o, "data", data, n);
	out_bool(o, "truncated", truncated);
}

void body_tty_write(struct out *o, const void *rec, size_t size)
{
	const struct vigil_write_event *e = rec;
	const char *name;
	size_t n;

	seg_string(rec, size, offsetof(struct vigil_write_event, data), &e->body.seg[VIGIL_WSEG_TTY],
		   &name, &n);
	out_obj(o, "tty");
	put_tty_name(o, "name", name, n);
	out_u64(o, "major", DEV_MAJOR(e->body.tty_dev));
	out_u64(o, "minor", DEV_MINOR(e->body.tty_dev));
	put_write(o, e, size);
	out_obj_end(o);
}

void body_process_output(struct out *o, const void *rec, size_t size)
{
	const struct vigil_write_event *e = rec;

	out_obj(o, "output");
	out_str(o, "stream", e->body.fd == 2 ? "stderr" : "stdout");
	put_write(o, e, size);
	out_obj_end(o);
}

void shell_replay_quote(struct sbuf *b, const char *p, size_t n)
{
	sbuf_putc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '%')
			sbuf_puts(b, "%%");
		else if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			sbuf_putc(b, (char)c);
		else
			sbuf_printf(b, "\\%03o", c);
	}
	sbuf_putc(b, '\'');
}
