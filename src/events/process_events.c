// SPDX-License-Identifier: GPL-2.0-only
#include "events/process_events.h"

#include "format.h"
#include "vigil/abi.h"

void body_process_exec(struct out *o, const void *rec, size_t size)
{
	const struct vigil_proc_event *e = rec;

	(void)size;
	if (o->fmt == OUT_TEXT)
		return;
	out_obj(o, "exec");
	out_u64(o, "argc", e->body.argc_total);
	if (e->body.old_tid && e->body.old_tid != e->hdr.task.tgid)
		out_u64(o, "old_tid", e->body.old_tid);
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
