// SPDX-License-Identifier: GPL-2.0-only
#include "events/kernel_events.h"

#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>

#include "events/priv_events.h"
#include "priv_names.h"
#include "record.h"
#include "vigil/abi.h"

#define KERN_BPF_MAP_CREATE 0
#define KERN_BPF_PROG_LOAD 5

/* Which segments hold a walked path (components leaf first) rather than plain strings. */
static bool seg_is_path(const struct vigil_kernel_event *e, unsigned i)
{
	switch (e->hdr.kind) {
	case VIGIL_KIND_KERNEL_MODULE_LOAD:
		return i == VIGIL_KSEG_MOD_FILE;
	case VIGIL_KIND_KERNEL_PTRACE:
		return i == VIGIL_KSEG_PTRACE_EXE;
	default:
		return false;
	}
}

bool kernel_event_seg(const void *rec, size_t size, unsigned i, struct sbuf *b)
{
	const struct vigil_kernel_event *e = rec;
	const char *p;
	size_t n;

	if (i >= VIGIL_KSEG_COUNT ||
	    !record_seg(rec, size, offsetof(struct vigil_kernel_event, data), &e->body.seg[i], &p, &n))
		return false;
	if (seg_is_path(e, i)) {
		if (n)
			path_from_components(b, p, n, e->body.seg[i].count);
		return true;
	}
	/* strings, NUL-separated: joined by spaces, the last NUL dropped */
	while (n && p[n - 1] == '\0')
		n--;
	for (size_t k = 0; k < n; k++)
		sbuf_putc(b, p[k] ? p[k] : ' ');
	return true;
}

/* Segment i as a string field; omitted when empty. Flags a truncated or unreadable one. */
static void out_seg(struct out *o, const char *key, const void *rec, size_t size, unsigned i)
{
	const struct vigil_kernel_event *e = rec;
	struct sbuf b = {};

	if (kernel_event_seg(rec, size, i, &b) && b.len)
		out_strn(o, key, b.p, b.len);
	if (e->body.seg[i].flags & (VIGIL_SEG_TRUNCATED | VIGIL_SEG_READ_ERROR)) {
		char k[48];
		snprintf(k, sizeof(k), "%s_%s", key,
			 e->body.seg[i].flags & VIGIL_SEG_READ_ERROR ? "unreadable" : "truncated");
		out_bool(o, k, true);
	}
	sbuf_free(&b);
}

static void out_source(struct out *o, const struct vigil_kernel_event *e)
{
	out_str(o, "from", e->body.flags & VIGIL_KF_FROM_KERNEL ? "kernel" : "user");
}

void body_kernel_module(struct out *o, const void *rec, size_t size)
{
	const struct vigil_kernel_event *e = rec;
	const struct vigil_sys_call *c = &e->body.call;

	out_obj(o, "module");
	out_str(o, "syscall", sys_op_name(c->op));
	out_ret(o, c->ret);
	if (c->op == VIGIL_OP_FINIT_MODULE) {
		out_i64(o, "fd", (int32_t)c->args[0]);
		out_seg(o, "file", rec, size, VIGIL_KSEG_MOD_FILE);
		out_u64(o, "flags", c->args[2]);
	} else {
		out_u64(o, "len", c->args[1]);
	}
	out_seg(o, "params", rec, size, VIGIL_KSEG_MOD_PARAMS);
	out_obj_end(o);
}

void body_kernel_bpf(struct out *o, const void *rec, size_t size)
{
	const struct vigil_kernel_event *e = rec;
	const struct vigil_sys_call *c = &e->body.call;
	const char *cmd = bpf_cmd_name(c->args[0]);

	out_obj(o, "bpf");
	out_str(o, "cmd", cmd ? cmd : "unknown");
	out_u64(o, "cmd_nr", c->args[0]);
	out_ret(o, c->ret);
	if (c->args[0] == KERN_BPF_PROG_LOAD) {
		const char *t = libbpf_bpf_prog_type_str(e->body.type);
		out_str(o, "prog_type", t ? t : "unknown");
		out_u64(o, "insns", e->body.count);
		out_seg(o, "name", rec, size, VIGIL_KSEG_BPF_NAME);
		out_source(o, e);
	} else if (c->args[0] == KERN_BPF_MAP_CREATE) {
		const char *t = libbpf_bpf_map_type_str(e->body.type);
		out_str(o, "map_type", t ? t : "unknown");
		out_u64(o, "max_entries", e->body.count);
		out_seg(o, "name", rec, size, VIGIL_KSEG_BPF_NAME);
		out_source(o, e);
	}
	out_obj_end(o);
}

void body_kernel_mount(struct out *o, const void *rec, size_t size)
{
	const struct vigil_kernel_event *e = rec;
	const struct vigil_sys_call *c = &e->body.call;

	out_obj(o, c->op == VIGIL_OP_UMOUNT ? "umount" : "mount");
	out_str(o, "syscall", sys_op_name(c->op));
	out_ret(o, c->ret);
	out_seg(o, "source", rec, size, VIGIL_KSEG_MNT_SOURCE);
	out_seg(o, "target", rec, size, VIGIL_KSEG_MNT_TARGET);
	out_seg(o, "fstype", rec, size, VIGIL_KSEG_MNT_FSTYPE);
	switch (c->op) {
	case VIGIL_OP_MOUNT:
		out_flags(o, "flags", c->args[3], mount_flag_names);
		break;
	case VIGIL_OP_UMOUNT:
		out_flags(o, "flags", c->args[1], umount_flag_names);
		break;
	case VIGIL_OP_FSMOUNT:
		out_i64(o, "fs_fd", (int32_t)c->args[0]);
		out_u64(o, "flags", c->args[1]);
		out_u64(o, "attr_flags", c->args[2]);
		out_source(o, e);
		break;
	case VIGIL_OP_MOVE_MOUNT:
		out_flags(o, "flags", c->args[4], move_mount_flag_names);
		break;
	}
	out_obj_end(o);
}

void body_kernel_ptrace(struct out *o, const void *rec, size_t size)
{
	const struct vigil_kernel_event *e = rec;
	const struct vigil_sys_call *c = &e->body.call;
	const char *req = ptrace_request_name((int64_t)c->args[0]);

	out_obj(o, "ptrace");
	out_str(o, "request", req ? req : "unknown");
	out_i64(o, "request_nr", (int64_t)c->args[0]);
	out_i64(o, "pid", (int32_t)c->args[1]);
	out_ret(o, c->ret);
	if (e->body.count) {
		out_obj(o, "target");
		out_u64(o, "tgid", e->body.target_tgid);
		out_seg(o, "exe", rec, size, VIGIL_KSEG_PTRACE_EXE);
		out_obj_end(o);
	}
	out_obj_end(o);
}

void body_kernel_namespace(struct out *o, const void *rec, size_t size)
{
	const struct vigil_kernel_event *e = rec;
	const struct vigil_sys_call *c = &e->body.call;

	(void)size;
	out_obj(o, "namespace");
	out_str(o, "syscall", sys_op_name(c->op));
	out_ret(o, c->ret);
	if (c->op == VIGIL_OP_SETNS)
		out_i64(o, "fd", (int32_t)c->args[0]);
	out_flags(o, "flags", e->body.type, clone_ns_flag_names);
	out_obj_end(o);
}

void body_kernel_memfd(struct out *o, const void *rec, size_t size)
{
	const struct vigil_kernel_event *e = rec;
	const struct vigil_sys_call *c = &e->body.call;
	struct sbuf b = {};
	const char *name;

	out_obj(o, "memfd");
	out_ret(o, c->ret);
	if (kernel_event_seg(rec, size, VIGIL_KSEG_MEMFD_NAME, &b)) {
		name = sbuf_str(&b);
		/* the kernel names the file "memfd:NAME" */
		if ((e->body.flags & VIGIL_KF_FROM_KERNEL) && !strncmp(name, "memfd:", 6))
			name += 6;
		out_str(o, "name", name);
	}
	sbuf_free(&b);
	out_flags(o, "flags", c->args[1], memfd_flag_names);
	out_source(o, e);
	out_obj_end(o);
}

void body_exec_failed(struct out *o, const void *rec, size_t size)
{
	const struct vigil_kernel_event *e = rec;
	const struct vigil_sys_call *c = &e->body.call;
	const char *p;
	size_t n;

	out_obj(o, "exec");
	out_str(o, "syscall", sys_op_name(c->op));
	out_ret(o, c->ret);
	out_seg(o, "file", rec, size, VIGIL_KSEG_EXEC_FILE);
	if (record_seg(rec, size, offsetof(struct vigil_kernel_event, data),
		       &e->body.seg[VIGIL_KSEG_EXEC_ARGV], &p, &n)) {
		out_arr(o, "argv");
		for (size_t k = 0; k < n;) {
			const char *end = memchr(p + k, '\0', n - k);
			size_t l = end ? (size_t)(end - (p + k)) : n - k;
			out_strn(o, NULL, p + k, l);
			k += l + 1;
		}
		out_arr_end(o);
		if (e->body.seg[VIGIL_KSEG_EXEC_ARGV].flags & VIGIL_SEG_TRUNCATED)
			out_bool(o, "argv_truncated", true);
	}
	out_obj_end(o);
}
