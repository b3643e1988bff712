/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel-activity sensors: module loads, bpf(), mounts, ptrace, namespaces, memfd_create,
 * and failed execs. Each is a sys_enter/sys_exit pair; at sys_exit the object the kernel made or
 * acted on (a new fd's bpf_prog, bpf_map, fs_context or memfd dentry; a ptrace target's task) is
 * preferred to the caller's memory, which is used only when there is no such object.
 */
#include "syspair.bpf.h"

#define KERN_BPF_MAP_CREATE 0
#define KERN_BPF_PROG_LOAD 5
#define KERN_PTRACE_TRACEME 0
#define KERN_EXEC_ARGS_MAX 16

/* The record being built in the per-CPU scratch; NULL when nobody wants it. */
static __always_inline struct vigil_kernel_event *kern_begin(struct vigil_scratch **sp, __u32 kind,
							     const struct syspair_state *st,
							     __u32 op, __s64 ret)
{
	struct vigil_scratch *s = get_scratch();
	struct vigil_kernel_event *e;

	if (!s)
		return NULL;
	e = (struct vigil_kernel_event *)s->raw;
	if (!syspair_want(&e->hdr, kind))
		return NULL;
	__builtin_memset(&e->body, 0, sizeof(e->body));
	syspair_fill_call(&e->body.call, st, op, ret);
	s->cursor = 0;
	*sp = s;
	return e;
}

static __always_inline void kern_emit(struct vigil_scratch *s, struct vigil_kernel_event *e)
{
	__u64 size = offsetof(struct vigil_kernel_event, data) + s->cursor;

	for (int i = 0; i < VIGIL_KSEG_COUNT; i++)
		if (e->body.seg[i].flags & VIGIL_SEG_READ_ERROR)
			e->hdr.flags |= VIGIL_EF_READ_ERROR;
	barrier_var(size); /* compare the value emitted, or the verifier loses the bound */
	emit(&e->hdr, size > sizeof(*e) ? sizeof(*e) : size);
}

/* ---- kernel.module_load ---- */

static __always_inline void kern_module_exit(struct syspair_state *st, __u32 op, __u32 kind,
					     __s64 ret)
{
	struct vigil_scratch *s;
	struct vigil_kernel_event *e = kern_begin(&s, kind, st, op, ret);

	if (!e)
		return;
	if (op == VIGIL_OP_FINIT_MODULE) {
		append_file_path(s, e->data, &e->body.seg[VIGIL_KSEG_MOD_FILE],
				 syspair_fd_file(st->args[0]));
		e->body.flags |= VIGIL_KF_FROM_KERNEL;
		syspair_ustr(s, e->data, &e->body.seg[VIGIL_KSEG_MOD_PARAMS], st->args[1]);
	} else {
		seg_begin(s, &e->body.seg[VIGIL_KSEG_MOD_FILE]);
		e->body.count = st->args[1]; /* image length */
		syspair_ustr(s, e->data, &e->body.seg[VIGIL_KSEG_MOD_PARAMS], st->args[2]);
	}
	kern_emit(s, e);
}

SYSPAIR(init_module, init_module, 3, VIGIL_OP_INIT_MODULE, VIGIL_KIND_KERNEL_MODULE_LOAD,
	kern_module_exit)
SYSPAIR(finit_module, finit_module, 3, VIGIL_OP_FINIT_MODULE, VIGIL_KIND_KERNEL_MODULE_LOAD,
	kern_module_exit)

/* ---- kernel.bpf ---- */

static __always_inline void kern_bpf_exit(struct syspair_state *st, __u32 op, __u32 kind, __s64 ret)
{
	struct vigil_scratch *s;
	struct vigil_kernel_event *e = kern_begin(&s, kind, st, op, ret);
	struct vigil_seg *name;
	union bpf_attr *uattr = (union bpf_attr *)st->args[1];
	__u64 cmd = st->args[0];

	if (!e)
		return;
	name = &e->body.seg[VIGIL_KSEG_BPF_NAME];
	seg_begin(s, name);
	if (cmd == KERN_BPF_PROG_LOAD && ret >= 0) {
		struct file *f = syspair_fd_file(ret);
		struct bpf_prog *prog = f ? BPF_CORE_READ(f, private_data) : NULL;

		if (prog) {
			e->body.type = BPF_CORE_READ(prog, type);
			e->body.count = BPF_CORE_READ(prog, len);
			struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);

			append_kstr(s, e->data, name, &aux->name, sizeof(aux->name));
			e->body.flags |= VIGIL_KF_FROM_KERNEL;
		}
	} else if (cmd == KERN_BPF_MAP_CREATE && ret >= 0) {
		struct file *f = syspair_fd_file(ret);
		struct bpf_map *map = f ? BPF_CORE_READ(f, private_data) : NULL;

		if (map) {
			e->body.type = BPF_CORE_READ(map, map_type);
			e->body.count = BPF_CORE_READ(map, max_entries);
			append_kstr(s, e->data, name, &map->name, sizeof(map->name));
			e->body.flags |= VIGIL_KF_FROM_KERNEL;
		}
	}
	if (!(e->body.flags & VIGIL_KF_FROM_KERNEL) && uattr &&
	    (cmd == KERN_BPF_PROG_LOAD || cmd == KERN_BPF_MAP_CREATE)) {
		/* failed: what the caller asked for, from its attr (the kernel copied it already) */
		__u32 head[4] = {};
		char buf[16] = {};

		bpf_probe_read_user(head, sizeof(head), uattr);
		e->body.type = head[0];
		if (cmd == KERN_BPF_PROG_LOAD) {
			e->body.count = head[1];
			bpf_probe_read_user(buf, sizeof(buf), &uattr->prog_name);
		} else {
			e->body.count = head[3];
			bpf_probe_read_user(buf, sizeof(buf), &uattr->map_name);
		}
		buf[15] = 0;
		if (buf[0]) {
			__u32 off = s->cursor;
			__builtin_memcpy(data_at(e->data, off), buf, sizeof(buf));
			s->cursor = off + sizeof(buf);
			name->count = 1;
		}
	}
	seg_end(s, name);
	kern_emit(s, e);
}

SYSPAIR(bpf, bpf, 3, VIGIL_OP_BPF, VIGIL_KIND_KERNEL_BPF, kern_bpf_exit)

/* ---- kernel.mount, kernel.umount ---- */

static __always_inline void kern_mount_exit(struct syspair_state *st, __u32 op, __u32 kind,
					    __s64 ret)
{
	struct vigil_scratch *s;
	struct vigil_kernel_event *e = kern_begin(&s, kind, st, op, ret);
	struct vigil_seg *seg;

	if (!e)
		return;
	seg = e->body.seg;
	if (op == VIGIL_OP_MOUNT) {
		syspair_ustr(s, e->data, &seg[VIGIL_KSEG_MNT_SOURCE], st->args[0]);
		syspair_ustr(s, e->data, &seg[VIGIL_KSEG_MNT_TARGET], st->args[1]);
		syspair_ustr(s, e->data, &seg[VIGIL_KSEG_MNT_FSTYPE], st->args[2]);
	} else if (op == VIGIL_OP_UMOUNT) {
		seg_begin(s, &seg[VIGIL_KSEG_MNT_SOURCE]);
		syspair_ustr(s, e->data, &seg[VIGIL_KSEG_MNT_TARGET], st->args[0]);
		seg_begin(s, &seg[VIGIL_KSEG_MNT_FSTYPE]);
	} else if (op == VIGIL_OP_FSMOUNT) {
		/* the type from the fs context behind fs_fd; the source from the new mount (which
		 * takes it over from the context) behind the returned fd */
		struct file *f = syspair_fd_file(st->args[0]);
		struct fs_context *fc = f ? BPF_CORE_READ(f, private_data) : NULL;
		struct file *mf = ret >= 0 ? syspair_fd_file(ret) : NULL;
		struct vfsmount *vm = mf ? BPF_CORE_READ(mf, f_path.mnt) : NULL;

		syspair_kstr(s, e->data, &seg[VIGIL_KSEG_MNT_SOURCE],
			     vm ? BPF_CORE_READ(vfs_mount(vm), mnt_devname) : NULL);
		seg_begin(s, &seg[VIGIL_KSEG_MNT_TARGET]);
		syspair_kstr(s, e->data, &seg[VIGIL_KSEG_MNT_FSTYPE],
			     fc ? BPF_CORE_READ(fc, fs_type, name) : NULL);
		if (fc)
			e->body.flags |= VIGIL_KF_FROM_KERNEL;
	} else { /* move_mount(from_dfd, from_path, to_dfd, to_path, flags) */
		syspair_ustr(s, e->data, &seg[VIGIL_KSEG_MNT_SOURCE], st->args[1]);
		syspair_ustr(s, e->data, &seg[VIGIL_KSEG_MNT_TARGET], st->args[3]);
		seg_begin(s, &seg[VIGIL_KSEG_MNT_FSTYPE]);
	}
	kern_emit(s, e);
}

SYSPAIR(mount, mount, 5, VIGIL_OP_MOUNT, VIGIL_KIND_KERNEL_MOUNT, kern_mount_exit)
SYSPAIR(fsmount, fsmount, 3, VIGIL_OP_FSMOUNT, VIGIL_KIND_KERNEL_MOUNT, kern_mount_exit)
SYSPAIR(move_mount, move_mount, 5, VIGIL_OP_MOVE_MOUNT, VIGIL_KIND_KERNEL_MOUNT, kern_mount_exit)
SYSPAIR(umount, umount, 2, VIGIL_OP_UMOUNT, VIGIL_KIND_KERNEL_UMOUNT, kern_mount_exit)

/* ---- kernel.ptrace ---- */

static __always_inline void kern_ptrace_exit(struct syspair_state *st, __u32 op, __u32 kind,
					     __s64 ret)
{
	struct vigil_scratch *s;
	struct vigil_kernel_event *e = kern_begin(&s, kind, st, op, ret);
	struct task_struct *target;

	if (!e)
		return;
	if (st->args[0] == KERN_PTRACE_TRACEME) {
		struct task_struct *me = (struct task_struct *)bpf_get_current_task();
		target = BPF_CORE_READ(me, parent); /* the tracer, if the request succeeded */
	} else {
		target = syspair_tracee(st->args[1]);
	}
	if (target) {
		e->body.target_tgid = BPF_CORE_READ(target, tgid);
		e->body.count = 1;
		e->body.flags |= VIGIL_KF_FROM_KERNEL;
		append_file_path(s, e->data, &e->body.seg[VIGIL_KSEG_PTRACE_EXE],
				 BPF_CORE_READ(target, mm, exe_file));
	} else {
		/* gone from the list by now (PTRACE_DETACH): the tracee found at sys_enter, if any */
		e->body.target_tgid = st->aux;
		e->body.count = st->aux ? 1 : 0;
		seg_begin(s, &e->body.seg[VIGIL_KSEG_PTRACE_EXE]);
	}
	kern_emit(s, e);
}

SYSPAIR(ptrace, ptrace, 4, VIGIL_OP_PTRACE, VIGIL_KIND_KERNEL_PTRACE, kern_ptrace_exit)

/* ---- kernel.namespace ---- */

static __always_inline void kern_ns_exit(struct syspair_state *st, __u32 op, __u32 kind, __s64 ret)
{
	struct vigil_scratch *s;
	struct vigil_kernel_event *e = kern_begin(&s, kind, st, op, ret);

	if (!e)
		return;
	/* unshare(flags); setns(fd, nstype): the header carries the namespaces after the call */
	e->body.type = op == VIGIL_OP_UNSHARE ? st->args[0] : st->args[1];
	kern_emit(s, e);
}

SYSPAIR(unshare, unshare, 1, VIGIL_OP_UNSHARE, VIGIL_KIND_KERNEL_NAMESPACE, kern_ns_exit)
SYSPAIR(setns, setns, 2, VIGIL_OP_SETNS, VIGIL_KIND_KERNEL_NAMESPACE, kern_ns_exit)

/* ---- kernel.memfd ---- */

static __always_inline void kern_memfd_exit(struct syspair_state *st, __u32 op, __u32 kind,
					    __s64 ret)
{
	struct vigil_scratch *s;
	struct vigil_kernel_event *e = kern_begin(&s, kind, st, op, ret);
	struct vigil_seg *name;

	if (!e)
		return;
	name = &e->body.seg[VIGIL_KSEG_MEMFD_NAME];
	struct file *f = ret >= 0 ? syspair_fd_file(ret) : NULL;
	if (f) { /* the new file's dentry is "memfd:NAME" */
		syspair_kstr(s, e->data, name, BPF_CORE_READ(f, f_path.dentry, d_name.name));
		e->body.flags |= VIGIL_KF_FROM_KERNEL;
	} else {
		syspair_ustr(s, e->data, name, st->args[0]);
	}
	kern_emit(s, e);
}

SYSPAIR(memfd_create, memfd_create, 2, VIGIL_OP_MEMFD_CREATE, VIGIL_KIND_KERNEL_MEMFD,
	kern_memfd_exit)

/* ---- process.exec_failed: the file name and argv of an exec that returned an error ---- */

static __always_inline void kern_exec_exit(struct syspair_state *st, __u32 op, __u32 kind, __s64 ret)
{
	struct vigil_scratch *s;
	struct vigil_kernel_event *e;
	struct vigil_seg *argv;
	__u64 uargv, ufile;

	if (ret >= 0)
		return;
	e = kern_begin(&s, kind, st, op, ret);
	if (!e)
		return;
	/* execve(filename, argv, envp); execveat(dfd, filename, argv, envp, flags) */
	ufile = op == VIGIL_OP_EXECVE ? st->args[0] : st->args[1];
	uargv = op == VIGIL_OP_EXECVE ? st->args[1] : st->args[2];
	syspair_ustr(s, e->data, &e->body.seg[VIGIL_KSEG_EXEC_FILE], ufile);
	argv = &e->body.seg[VIGIL_KSEG_EXEC_ARGV];
	seg_begin(s, argv);
	for (int i = 0; i < KERN_EXEC_ARGS_MAX && uargv; i++) {
		__u64 p = 0;
		__u32 off = s->cursor;
		long n;

		if (bpf_probe_read_user(&p, sizeof(p), (const void *)(uargv + 8 * i)) || !p)
			break;
		if (off > CURSOR_ROOM(VIGIL_NAME_MAX + 1)) {
			argv->flags |= VIGIL_SEG_TRUNCATED;
			break;
		}
		n = bpf_probe_read_user_str(data_at(e->data, off), VIGIL_NAME_MAX + 1, (const void *)p);
		if (n <= 0) {
			argv->flags |= VIGIL_SEG_READ_ERROR;
			break;
		}
		s->cursor = off + n;
		argv->count++;
	}
	if (argv->count == KERN_EXEC_ARGS_MAX) { /* more only if the next pointer is not NULL */
		__u64 p = 0;

		bpf_probe_read_user(&p, sizeof(p), (const void *)(uargv + 8 * KERN_EXEC_ARGS_MAX));
		if (p)
			argv->flags |= VIGIL_SEG_TRUNCATED;
	}
	seg_end(s, argv);
	kern_emit(s, e);
}

SYSPAIR(execve, execve, 3, VIGIL_OP_EXECVE, VIGIL_KIND_PROCESS_EXEC_FAILED, kern_exec_exit)
SYSPAIR(execveat, execveat, 5, VIGIL_OP_EXECVEAT, VIGIL_KIND_PROCESS_EXEC_FAILED, kern_exec_exit)
