// SPDX-License-Identifier: GPL-2.0-only
#include "events/process_events.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "events/file_events.h"
#include "format.h"
#include "record.h"
#include "vigil/abi.h"

static const struct {
	uint32_t flag;
	const char *name;
} fileless_names[] = {
	{ VIGIL_XF_MEMFD, "memfd" },
	{ VIGIL_XF_DELETED, "deleted" },
	{ VIGIL_XF_TMPFS, "tmpfs" },
};

void exec_fileless_names(struct sbuf *b, uint32_t flags, const char *sep)
{
	bool first = true;

	for (size_t i = 0; i < sizeof(fileless_names) / sizeof(fileless_names[0]); i++) {
		if (!(flags & fileless_names[i].flag))
			continue;
		if (!first)
			sbuf_puts(b, sep);
		sbuf_puts(b, fileless_names[i].name);
		first = false;
	}
}

void exec_facts_free(struct exec_facts *f)
{
	sbuf_free(&f->interp);
	sbuf_free(&f->script);
}

bool exec_facts_decode(const void *rec, size_t size, struct exec_facts *f)
{
	const struct vigil_proc_event *e = rec;
	const struct vigil_proc_body *b = &e->body;
	const size_t data_off = offsetof(struct vigil_proc_event, data);
	const char *p;
	size_t n;

	memset(f, 0, sizeof(*f));
	if (size < data_off || !(b->exec_flags & VIGIL_XF_FACTS))
		return size >= data_off;
	f->valid = true;
	f->ino = b->file_ino;
	f->dev = file_st_dev(b->file_dev);
	f->uid = b->file_uid;
	f->gid = b->file_gid;
	f->mode = b->file_mode;
	f->nlink = b->file_nlink;
	f->fs_magic = b->file_fs_magic;
	f->flags = b->exec_flags;
	if (!record_seg(rec, size, data_off, &b->seg[VIGIL_PSEG_INTERP], &p, &n) ||
	    !record_seg(rec, size, data_off, &b->seg[VIGIL_PSEG_SCRIPT], &p, &n))
		return false;
	record_seg(rec, size, data_off, &b->seg[VIGIL_PSEG_INTERP], &p, &n);
	if (b->exec_flags & VIGIL_XF_SCRIPT)
		sbuf_putn(&f->interp, p, strnlen(p, n)); /* the #! line's text, as the kernel used it */
	else if (n)
		path_from_components(&f->interp, p, n, b->seg[VIGIL_PSEG_INTERP].count);
	record_seg(rec, size, data_off, &b->seg[VIGIL_PSEG_SCRIPT], &p, &n);
	n = strnlen(p, n);
	while (n > 2 && p[0] == '.' && p[1] == '/') { /* "./x": the "." adds nothing */
		p += 2;
		n -= 2;
	}
	if (n && p[0] != '/') { /* relative to the cwd of the exec, which the record carries */
		const char *cwd;
		size_t cn;

		if (!record_seg(rec, size, data_off, &b->seg[VIGIL_PSEG_CWD], &cwd, &cn))
			return false;
		path_from_components(&f->script, cwd, cn, b->seg[VIGIL_PSEG_CWD].count);
		if (f->script.len > 1)
			sbuf_putc(&f->script, '/');
	}
	sbuf_putn(&f->script, p, n);
	return true;
}

static void put_facts(struct out *o, const struct exec_facts *f)
{
	char mode[16];

	if (f->interp.len)
		out_strn(o, "interpreter", f->interp.p, f->interp.len);
	if (f->flags & VIGIL_XF_SCRIPT)
		out_strn(o, "script", f->script.p ? f->script.p : "", f->script.len);
	out_obj(o, "file");
	out_u64(o, "inode", f->ino);
	out_u64(o, "dev", f->dev);
	out_u64(o, "uid", f->uid);
	out_u64(o, "gid", f->gid);
	snprintf(mode, sizeof(mode), "%04o", f->mode & 07777);
	out_str(o, "mode", mode);
	out_bool(o, "setuid", f->mode & S_ISUID);
	out_bool(o, "setgid", f->mode & S_ISGID);
	out_u64(o, "nlink", f->nlink);
	out_obj_end(o);
	out_bool(o, "stdin_socket", f->flags & VIGIL_XF_STDIN_SOCKET);
	out_bool(o, "stdout_socket", f->flags & VIGIL_XF_STDOUT_SOCKET);
	out_bool(o, "fileless", f->flags & (VIGIL_XF_MEMFD | VIGIL_XF_DELETED | VIGIL_XF_TMPFS));
	out_arr(o, "fileless_reasons");
	for (size_t i = 0; i < sizeof(fileless_names) / sizeof(fileless_names[0]); i++)
		if (f->flags & fileless_names[i].flag)
			out_str(o, NULL, fileless_names[i].name);
	out_arr_end(o);
}

void body_process_exec(struct out *o, const void *rec, size_t size)
{
	const struct vigil_proc_event *e = rec;
	struct exec_facts f;

	if (o->fmt == OUT_TEXT)
		return;
	out_obj(o, "exec");
	out_u64(o, "argc", e->body.argc_total);
	if (e->body.old_tid && e->body.old_tid != e->hdr.task.tgid)
		out_u64(o, "old_tid", e->body.old_tid);
	if (exec_facts_decode(rec, size, &f) && f.valid)
		put_facts(o, &f);
	exec_facts_free(&f);
	out_obj_end(o);
}

void body_process_fork(struct out *o, const void *rec, size_t size)
{
	const struct vigil_fork_event *e = rec;

	(void)size;
	out_obj(o, "fork");
	out_u64(o, "parent_tid", e->parent_tid);
	out_bool(o, "thread", e->is_thread);
	out_obj_end(o);
}

void body_process_exit(struct out *o, const void *rec, size_t size)
{
	const struct vigil_exit_event *e = rec;
	struct exit_status st = exit_status_decode(e->exit_code);
	const char *sig = signal_name(st.signal);

	(void)size;
	out_obj(o, "exit");
	out_i64(o, "code", st.code);
	out_i64(o, "signal", st.signal);
	if (st.signal)
		out_str(o, "signal_name", sig ? sig : "unknown");
	if (st.core_dumped || o->fmt == OUT_JSON)
		out_bool(o, "core_dumped", st.core_dumped);
	if (o->fmt == OUT_JSON)
		out_u64(o, "runtime_ns", e->runtime_ns);
	out_obj_end(o);
}
