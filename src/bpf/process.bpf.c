/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process sensor: exec, fork and exit from the scheduler's tracepoints, and a task iterator
 * that seeds the process table with what was running before vigil started.
 * Each hook exists as tp_btf and as raw_tp (same arguments); user space loads the one that
 * `vigil probe` found working.
 */
#include "path.bpf.h"

/* The iterator may sleep in bpf_copy_from_user_task: it gets scratch of its own. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_scratch);
} seed_scratch SEC(".maps");

static __always_inline __u64 proc_record_size(struct vigil_scratch *s)
{
	__u64 size = offsetof(struct vigil_proc_event, data) + s->cursor;

	barrier_var(size); /* else clang clamps the cursor, and the verifier loses the bound */
	return size > sizeof(struct vigil_proc_event) ? sizeof(struct vigil_proc_event) : size;
}

/* exe, argv, cwd, cgroup and tty of a task: the part of a process that exec changes. */
static __always_inline void fill_proc_body(struct vigil_scratch *s, struct task_struct *task,
					   bool from_task)
{
	struct vigil_proc_event *e = &s->ev;
	struct vigil_proc_body *b = &e->body;
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	struct cgroup *cgrp = BPF_CORE_READ(cset, dfl_cgrp);
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	unsigned long arg_start = BPF_CORE_READ(mm, arg_start);
	unsigned long arg_end = BPF_CORE_READ(mm, arg_end);

	s->cursor = 0;
	b->args_bytes = arg_end > arg_start ? arg_end - arg_start : 0;
	walk_file_path(s, e->data, &b->seg[VIGIL_PSEG_EXE], BPF_CORE_READ(mm, exe_file), true);
	append_user(s, e->data, &b->seg[VIGIL_PSEG_ARGS], (const void *)arg_start, b->args_bytes,
		    task, from_task);
	if (fs)
		append_path(s, e->data, &b->seg[VIGIL_PSEG_CWD], BPF_CORE_READ(fs, pwd.dentry),
			    BPF_CORE_READ(fs, pwd.mnt));
	else
		seg_begin(s, &b->seg[VIGIL_PSEG_CWD]);

	/* On a host whose v2 hierarchy is empty (v1 or hybrid), report the memory cgroup. */
	if (BPF_CORE_READ(cgrp, level) == 0 &&
	    bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
		int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
		struct cgroup_subsys_state *css = NULL;

		bpf_core_read(&css, sizeof(css), &cset->subsys[id & 15]);
		struct cgroup *v1 = BPF_CORE_READ(css, cgroup);
		if (v1 && BPF_CORE_READ(v1, level) > 0)
			cgrp = v1;
	}
	b->cgroup_level = BPF_CORE_READ(cgrp, level);
	append_cgroup_path(s, e->data, &b->seg[VIGIL_PSEG_CGROUP], cgrp);

	seg_begin(s, &b->seg[VIGIL_PSEG_TTY]);
	if (tty) {
		append_kstr(s, e->data, &b->seg[VIGIL_PSEG_TTY], &tty->name, sizeof(tty->name));
		seg_end(s, &b->seg[VIGIL_PSEG_TTY]);
		b->tty_dev = (BPF_CORE_READ(tty, driver, major) << 20) |
			     (BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index));
	}
	for (int i = 0; i < VIGIL_PSEG_COUNT; i++)
		if (b->seg[i].flags & VIGIL_SEG_READ_ERROR)
			e->hdr.flags |= VIGIL_EF_READ_ERROR;
}

/* ---- exec: facts of the file executed (docs/events.md, process.exec) ---- */

#define EXEC_TMPFS_MAGIC 0x01021994
#define EXEC_RAMFS_MAGIC 0x858458f6
#define EXEC_HUGETLBFS_MAGIC 0x958458f6
#define S_IFMT_BITS 0170000
#define S_IFSOCK_BITS 0140000
#define EXEC_AF_INET 2
#define EXEC_AF_INET6 10

struct vma_file_ctx {
	__u64 file;
};

static long vma_file_cb(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	((struct vma_file_ctx *)ctx)->file = (__u64)BPF_CORE_READ(vma, vm_file);
	return 0;
}

/* memfd_create names its files "memfd:NAME" (fs/memfd.c); nothing else does */
static __always_inline bool is_memfd(struct file *file)
{
	char name[6] = {};

	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	       name[4] == 'd' && name[5] == ':';
}

/*
 * The file the new program runs from (bprm->file, which is also mm->exe_file; a script's own
 * file is released before this tracepoint, so for #! it is the interpreter's), its owner, mode
 * and where it lives; and the interpreter: for #! the kernel swaps bprm->interp away from
 * bprm->filename (the name the exec call used, kept as SCRIPT); else the ELF loader, found as
 * the file mapped at the new program counter (the kernel starts a dynamic program in PT_INTERP's
 * loader). Called at sched_process_exec, in the new image, with current == task.
 */
static __always_inline void fill_exec_facts(struct vigil_scratch *s, struct linux_binprm *bprm)
{
	struct vigil_proc_event *e = &s->ev;
	struct vigil_proc_body *b = &e->body;
	struct file *file = NULL;
	struct vigil_seg *seg;
	struct inode *inode;
	__u32 magic;

	/* binfmt_misc's "O" flag keeps the original file there; otherwise it is NULL */
	if (bpf_core_field_exists(bprm->executable))
		file = BPF_CORE_READ(bprm, executable);
	if (!file)
		file = BPF_CORE_READ(bprm, file);
	inode = BPF_CORE_READ(file, f_inode);
	if (inode) {
		b->file_ino = BPF_CORE_READ(inode, i_ino);
		b->file_dev = BPF_CORE_READ(inode, i_sb, s_dev);
		b->file_uid = BPF_CORE_READ(inode, i_uid.val);
		b->file_gid = BPF_CORE_READ(inode, i_gid.val);
		b->file_mode = BPF_CORE_READ(inode, i_mode);
		b->file_nlink = BPF_CORE_READ(inode, i_nlink);
		magic = BPF_CORE_READ(inode, i_sb, s_magic);
		b->file_fs_magic = magic;
		b->exec_flags |= VIGIL_XF_FACTS;
		if (!b->file_nlink)
			b->exec_flags |= VIGIL_XF_DELETED;
		if (magic == EXEC_TMPFS_MAGIC || magic == EXEC_RAMFS_MAGIC ||
		    magic == EXEC_HUGETLBFS_MAGIC)
			b->exec_flags |= VIGIL_XF_TMPFS;
		if (is_memfd(file))
			b->exec_flags |= VIGIL_XF_MEMFD;
	}

	/* stdin or stdout on a socket: how every reverse and bind shell runs, whatever set it up
	 * (nc -e, socat, a dup2 one-liner, bash's /dev/tcp) */
	struct file **fds = BPF_CORE_READ((struct task_struct *)bpf_get_current_task_btf(), files,
					  fdt, fd);
	unsigned int max_fds = BPF_CORE_READ((struct task_struct *)bpf_get_current_task_btf(), files,
					     fdt, max_fds);
	for (int i = 0; i < 2 && i < (int)max_fds; i++) {
		struct file *f = NULL;

		bpf_core_read(&f, sizeof(f), &fds[i]);
		if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT_BITS) != S_IFSOCK_BITS)
			continue;
		/* network sockets only: ssh and systemd hand commands local socketpairs */
		struct socket *sock = BPF_CORE_READ(f, private_data);
		__u16 family = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
		if (family == EXEC_AF_INET || family == EXEC_AF_INET6)
			b->exec_flags |= i ? VIGIL_XF_STDOUT_SOCKET : VIGIL_XF_STDIN_SOCKET;
	}

	if (BPF_CORE_READ(bprm, interp) != BPF_CORE_READ(bprm, filename)) {
		b->exec_flags |= VIGIL_XF_SCRIPT;
		seg = &b->seg[VIGIL_PSEG_INTERP];
		seg_begin(s, seg);
		append_kstr(s, e->data, seg, BPF_CORE_READ(bprm, interp), VIGIL_NAME_MAX + 1);
		seg_end(s, seg);
		seg = &b->seg[VIGIL_PSEG_SCRIPT];
		seg_begin(s, seg);
		append_kstr(s, e->data, seg, BPF_CORE_READ(bprm, filename), VIGIL_NAME_MAX + 1);
		seg_end(s, seg);
	} else {
		struct task_struct *cur = bpf_get_current_task_btf();
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);
		struct vma_file_ctx c = {};
		struct file *loader;

		bpf_find_vma(cur, PT_REGS_IP_CORE(regs), vma_file_cb, &c, 0);
		loader = (struct file *)c.file;
		/* a static program starts in itself: no loader */
		if (loader && BPF_CORE_READ(loader, f_inode) != BPF_CORE_READ(bprm, file, f_inode)) {
			b->exec_flags |= VIGIL_XF_ELF_INTERP;
			append_file_path(s, e->data, &b->seg[VIGIL_PSEG_INTERP], loader);
		}
	}
}

/* The filter's second question for an exec, asked with the new image's path (proc.exe) and
 * the task's namespaces. */
static __always_inline bool exec_wanted(struct vigil_scratch *s, struct vigil_proc_event *e)
{
	const struct vigil_seg *exe = &e->body.seg[VIGIL_PSEG_EXE];
	bool by_path = filter_tests(VIGIL_FF_PATH), by_suffix = filter_tests(VIGIL_FF_SUFFIX);
	struct filter_facts f = {};

	if ((by_path || by_suffix) && (f.keys = get_filter_keys())) {
		if (by_path && path_key_forward(s, e->data, exe, &f.keys->path))
			f.known |= FACT(VIGIL_FF_PATH);
		if (by_suffix && path_key_suffix(e->data, exe, &f.keys->suffix))
			f.known |= FACT(VIGIL_FF_SUFFIX);
	}
	/* the task is whole here: the namespaces are asked about too */
	return (!f.known && !filter_tests_any(NS_FIELDS)) ||
	       filter_pass(VIGIL_KIND_PROCESS_EXEC, &e->hdr.task, &f);
}

static __always_inline int on_exec(struct task_struct *task, pid_t old_tid,
				   struct linux_binprm *bprm)
{
	const __u32 kind = VIGIL_KIND_PROCESS_EXEC;
	struct vigil_scratch *s;
	struct vigil_proc_event *e;

	struct vigil_task quick;
	__u32 flags;
	bool go;

	if (!kind_enabled(kind))
		return 0;
	/* at sched_process_exec the task is current: ask the filter before reading anything */
	fill_task_quick(&quick);
	flags = lifecycle_gate(kind, &quick, &go);
	if (!go || !(s = get_scratch()))
		return 0;
	e = &s->ev;
	fill_task(&e->hdr.task, task);
	fill_header(&e->hdr, kind);
	e->hdr.flags = flags;
	__builtin_memset(&e->body, 0, sizeof(e->body));
	e->body.old_tid = old_tid;
	e->body.argc_total = BPF_CORE_READ(bprm, argc);
	fill_proc_body(s, task, false);
	fill_exec_facts(s, bprm);
	if (!flags && !exec_wanted(s, e)) {
		STAT_ADD(kind, filtered);
		e->hdr.flags = VIGIL_EF_TABLE_ONLY;
	}
	emit(&e->hdr, proc_record_size(s));
	return 0;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	const __u32 kind = VIGIL_KIND_PROCESS_FORK;
	struct vigil_fork_event e = {};

	if (!kind_enabled(kind))
		return 0;
	__u32 child_tid = BPF_CORE_READ(child, pid), child_tgid = BPF_CORE_READ(child, tgid);
	e.is_thread = child_tid != child_tgid;
	if (e.is_thread && !cfg.fork_threads)
		return 0;
	/* the child has its parent's (current's) creds, comm and cgroup at this point */
	fill_task_quick(&e.hdr.task);
	e.hdr.task.tgid = child_tgid;
	e.hdr.task.tid = child_tid;
	bool go;
	__u32 flags = e.is_thread ? 0 : lifecycle_gate(kind, &e.hdr.task, &go);
	if (e.is_thread && !(go = want_event(kind, &e.hdr.task)))
		return 0; /* threads are not the table's business: a refused one is dropped */
	if (!go)
		return 0;
	fill_task(&e.hdr.task, child);
	fill_header(&e.hdr, kind);
	e.hdr.flags = flags;
	e.parent_tid = BPF_CORE_READ(parent, pid);
	emit(&e.hdr, sizeof(e));
	return 0;
}

static __always_inline int on_exit(struct task_struct *task)
{
	const __u32 kind = VIGIL_KIND_PROCESS_EXIT;
	struct vigil_exit_event e = {};

	if (!kind_enabled(kind))
		return 0;
	/* Only the last thread of a group reports: the process is gone when live reaches 0. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	fill_task_quick(&e.hdr.task); /* the exiting task is current */
	bool go;
	__u32 flags = lifecycle_gate(kind, &e.hdr.task, &go);
	if (!go)
		return 0;
	fill_task(&e.hdr.task, task);
	fill_header(&e.hdr, kind);
	e.hdr.flags = flags;
	e.exit_code = BPF_CORE_READ(task, exit_code);
	e.runtime_ns = e.hdr.ktime_ns - e.hdr.task.start_ns;
	emit(&e.hdr, sizeof(e));
	return 0;
}

/* One body, two attach methods: tp_btf (typed, 5.5+) and raw_tp (4.17+). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *p, pid_t old_tid, struct linux_binprm *bprm)
{
	return on_exec(p, old_tid, bprm);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(exec_raw, struct task_struct *p, pid_t old_tid, struct linux_binprm *bprm)
{
	return on_exec(p, old_tid, bprm);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf, struct task_struct *p)
{
	return on_exit(p);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(exit_raw, struct task_struct *p)
{
	return on_exit(p);
}

/* Every process alive now, with the same body an exec event carries. */
SEC("iter.s/task")
int seed_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u32 zero = 0;
	struct vigil_scratch *s;
	struct vigil_proc_event *e;

	if (!task || task->pid != task->tgid)
		return 0;
	s = bpf_map_lookup_elem(&seed_scratch, &zero);
	if (!s)
		return 0;
	e = &s->ev;
	__builtin_memset(&e->body, 0, sizeof(e->body));
	fill_task(&e->hdr.task, task);
	e->hdr.ktime_ns = bpf_ktime_get_boot_ns();
	e->hdr.kind = VIGIL_RECORD_SEED;
	e->hdr.flags = 0;

	fill_proc_body(s, task, true);
	__u64 size = proc_record_size(s);
	e->hdr.size = size;
	bpf_seq_write(ctx->meta->seq, e, size);
	return 0;
}
