/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The file sensor: file.open .. file.truncate, from the syscall exit tracepoints only.
 *
 * Why exit and not enter: at exit the result is known, the new descriptor exists (so an open is
 * reported as the struct file the kernel really made, whatever the string said), and the
 * caller's string has been faulted in by the kernel's own getname(). The arguments come from the
 * task's saved user registers, which hold them unchanged until the return to user space.
 * One program per syscall, and nothing read before the filter has said yes: an open nobody
 * asked for costs four helper calls and the filter lookups.
 */
#include "path.bpf.h"

#define FILE_AT_FDCWD (-100)
#define FILE_AT_EMPTY_PATH 0x1000
#define FILE_O_CREAT 0100
#define FILE_O_WRONLY 01
#define FILE_O_TRUNC 01000
#define FILE_AT_REMOVEDIR 0x200

/* Which argument holds what, counted from 1; 0: the call has none. Constant per program, so the
 * always-inlined handler below is specialised and the unused branches are compiled away. */
struct file_call {
	__u16 call;      /* enum vigil_file_call */
	__u8 kind;
	__u8 dirfd;      /* dirfd of path (none: the cwd) */
	__u8 path;       /* the path string */
	__u8 dirfd2;     /* dirfd of path2 (none: the cwd) */
	__u8 path2;
	__u8 fd;         /* the fd acted on (fchmod, fchown, ftruncate) */
	__u8 flags;
	__u8 mode;
	__u8 uid;
	__u8 gid;
	__u8 length;
	__u8 how;        /* openat2: struct open_how * */
	bool opens;      /* the result is a new fd: report its file */
	bool path_text;  /* path is not a path (symlink's target): never resolved */
	__u32 fixed_flags; /* flags implied by the call (creat, rmdir) */
};

static __always_inline __u64 sys_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 1: return PT_REGS_PARM1_CORE_SYSCALL(regs);
	case 2: return PT_REGS_PARM2_CORE_SYSCALL(regs);
	case 3: return PT_REGS_PARM3_CORE_SYSCALL(regs);
	case 4: return PT_REGS_PARM4_CORE_SYSCALL(regs);
	case 5: return PT_REGS_PARM5_CORE_SYSCALL(regs);
	default: return 0;
	}
}

/* current->files->fdt->fd[fd], bounded by the table's size; NULL if the slot is empty. */
static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file **arr = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || fd >= max)
		return NULL;
	bpf_core_read(&f, sizeof(f), &arr[fd]);
	return f;
}

/* A NUL-terminated user string as a one-element segment. Returns its length, or -1. */
static __always_inline long append_ustr(struct vigil_scratch *s, char *data, struct vigil_seg *seg,
					const void *src)
{
	__u32 off = s->cursor;
	long n;

	seg_begin(s, seg);
	if (off > CURSOR_ROOM(VIGIL_SEG_MAX)) {
		seg->flags |= VIGIL_SEG_TRUNCATED;
		return -1;
	}
	n = src ? bpf_probe_read_user_str(data_at(data, off), VIGIL_SEG_MAX, src) : -1;
	if (n <= 0) {
		if (src)
			loss_count(VIGIL_LS_USER_MEM, VIGIL_LC_READ_FAILED);
		seg->flags |= VIGIL_SEG_READ_ERROR;
		return -1;
	}
	if (n == VIGIL_SEG_MAX) /* a longer string would read the same: cannot tell, so say so */
		seg->flags |= VIGIL_SEG_TRUNCATED;
	s->cursor = off + n;
	seg->count = 1;
	seg_end(s, seg);
	return n;
}

/* The directory a relative name starts from: the dirfd's file, or the cwd for AT_FDCWD. */
static __always_inline void append_dir(struct vigil_scratch *s, char *data, struct vigil_seg *seg,
				       struct task_struct *task, int dirfd, __u16 *info,
				       __u16 cwd_flag)
{
	if (dirfd == FILE_AT_FDCWD) {
		struct fs_struct *fs = BPF_CORE_READ(task, fs);

		*info |= cwd_flag;
		append_path(s, data, seg, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt));
	} else {
		append_file_path(s, data, seg, fd_file(task, dirfd));
	}
}

static __always_inline void file_facts(struct vigil_file_body *b, struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);

	if (!inode)
		return;
	b->ino = BPF_CORE_READ(inode, i_ino);
	b->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	b->i_mode = BPF_CORE_READ(inode, i_mode);
	b->info |= VIGIL_FI_INODE;
}

static __always_inline bool is_relative(const char *data, const struct vigil_seg *seg)
{
	return seg->len > 1 && data_at((char *)data, seg->off)[0] != '/';
}

/*
 * The filter's second question, now that the path and flags are read: the event's path as the
 * JSON will show it (the file acted on, else the absolute string passed), its components leaf
 * first, and for opens the flag names.
 */
static __always_inline bool file_wanted(struct vigil_scratch *s, struct vigil_file_event *e,
					const struct file_call *c)
{
	struct vigil_file_body *b = &e->body;
	struct filter_facts f = {};
	bool by_path = filter_tests(VIGIL_FF_PATH), by_suffix = filter_tests(VIGIL_FF_SUFFIX);

	if (c->opens && filter_tests(VIGIL_FF_FLAGS)) {
		f.known |= FACT(VIGIL_FF_FLAGS);
		f.flag_bits = (1ULL << (b->flags & 3)) | ((__u64)(b->flags & ~3u) << VIGIL_FLAG_BIT0);
	}
	if ((by_path || by_suffix) && (f.keys = get_filter_keys())) {
		const struct vigil_seg *acted = &b->seg[VIGIL_FSEG_PATH];

		if (acted->len) {
			if (by_path && path_key_forward(s, e->data, acted, &f.keys->path))
				f.known |= FACT(VIGIL_FF_PATH);
			if (by_suffix && path_key_suffix(e->data, acted, &f.keys->suffix))
				f.known |= FACT(VIGIL_FF_SUFFIX);
		} else if (by_path) {
			/* a symlink's path is the link it makes, its second string */
			const struct vigil_seg *named = &b->seg[c->kind == VIGIL_KIND_FILE_SYMLINK ?
								VIGIL_FSEG_REQUESTED2 : VIGIL_FSEG_REQUESTED];
			if (path_key_string(e->data, named, &f.keys->path))
				f.known |= FACT(VIGIL_FF_PATH);
		}
	}
	return want_event_facts(c->kind, &e->hdr.task, &f);
}

static __always_inline int on_file_exit(long ret, const struct file_call *c)
{
	struct vigil_scratch *s;
	struct vigil_file_event *e;
	struct vigil_file_body *b;
	struct task_struct *task;
	struct pt_regs *regs;
	struct file *acted = NULL;
	int dirfd = FILE_AT_FDCWD;

	struct vigil_task quick;

	if (!kind_enabled(c->kind))
		return 0;
	fill_task_quick(&quick);
	if (!want_event(c->kind, &quick) || !(s = get_scratch()))
		return 0;
	e = (struct vigil_file_event *)s->raw;

	/* wanted: now read everything */
	task = bpf_get_current_task_btf();
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	fill_task(&e->hdr.task, task);
	fill_header(&e->hdr, c->kind);
	b = &e->body;
	__builtin_memset(b, 0, sizeof(*b));
	s->cursor = 0;
	b->ret = ret;
	b->call = c->call;
	b->dirfd = b->dirfd2 = b->fd = VIGIL_FILE_NO_FD;
	b->flags = c->fixed_flags;
	if (c->flags)
		b->flags |= (__u32)sys_arg(regs, c->flags);
	if (c->mode)
		b->mode = (__u32)sys_arg(regs, c->mode);
	if (c->uid)
		b->uid = (__u32)sys_arg(regs, c->uid);
	if (c->gid)
		b->gid = (__u32)sys_arg(regs, c->gid);
	if (c->length)
		b->length = sys_arg(regs, c->length);
	if (c->how) {
		struct open_how how = {};

		bpf_probe_read_user(&how, sizeof(how), (void *)sys_arg(regs, c->how));
		b->flags = how.flags;
		b->mode = how.mode;
		b->resolve = how.resolve;
	}
	if (c->dirfd)
		b->dirfd = dirfd = (int)sys_arg(regs, c->dirfd);

	/* the caller's string, and the directory it is relative to */
	if (c->path) {
		struct vigil_seg *rq = &b->seg[VIGIL_FSEG_REQUESTED];
		long n = append_ustr(s, e->data, rq, (void *)sys_arg(regs, c->path));

		if (n < 0)
			b->info |= VIGIL_FI_REQUESTED_UNREAD;
		/* AT_EMPTY_PATH with "": the call acts on the dirfd's own file */
		if (!c->opens && n == 1 && c->dirfd && (b->flags & FILE_AT_EMPTY_PATH))
			acted = fd_file(task, dirfd);
		/* a successful open names its file below; the cwd would only repeat it */
		if (!c->path_text && is_relative(e->data, rq) &&
		    !(c->opens && ret >= 0 && dirfd == FILE_AT_FDCWD))
			append_dir(s, e->data, &b->seg[VIGIL_FSEG_DIR], task, dirfd, &b->info,
				   VIGIL_FI_DIR_CWD);
	}
	if (c->path2) {
		struct vigil_seg *rq2 = &b->seg[VIGIL_FSEG_REQUESTED2];
		int dirfd2 = FILE_AT_FDCWD;

		if (c->dirfd2)
			b->dirfd2 = dirfd2 = (int)sys_arg(regs, c->dirfd2);
		if (append_ustr(s, e->data, rq2, (void *)sys_arg(regs, c->path2)) < 0)
			b->info |= VIGIL_FI_REQUESTED2_UNREAD;
		if (is_relative(e->data, rq2))
			append_dir(s, e->data, &b->seg[VIGIL_FSEG_DIR2], task, dirfd2, &b->info,
				   VIGIL_FI_DIR2_CWD);
	}

	/* the kernel's own object, where there is one */
	if (c->opens && ret >= 0)
		acted = fd_file(task, ret);
	if (c->fd) {
		b->fd = (int)sys_arg(regs, c->fd);
		acted = fd_file(task, b->fd);
	}
	if (acted) {
		walk_file_path(s, e->data, &b->seg[VIGIL_FSEG_PATH], acted, true);
		file_facts(b, acted);
	}
	for (int i = 0; i < VIGIL_FSEG_COUNT; i++)
		if (b->seg[i].flags & VIGIL_SEG_READ_ERROR)
			e->hdr.flags |= VIGIL_EF_READ_ERROR;

	if (!file_wanted(s, e, c))
		return 0;

	__u64 size = offsetof(struct vigil_file_event, data) + s->cursor;
	barrier_var(size); /* compare the value emitted, or the verifier loses the bound */
	emit(&e->hdr, size > sizeof(*e) ? sizeof(*e) : size);
	return 0;
}

/* One tracepoint program per syscall: <syscall>_exit_tp, with its argument map. */
#define FILE_EXIT(sys, ...)                                                                        \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                                                  \
	int sys##_exit_tp(struct trace_event_raw_sys_exit *ctx)                                    \
	{                                                                                          \
		const struct file_call c = { __VA_ARGS__ };                                        \
		return on_file_exit(ctx->ret, &c);                                                 \
	}

#define K(x) .kind = VIGIL_KIND_FILE_##x
#define C(x) .call = VIGIL_FC_##x

FILE_EXIT(open, K(OPEN), C(OPEN), .opens = true, .path = 1, .flags = 2, .mode = 3)
FILE_EXIT(openat, K(OPEN), C(OPENAT), .opens = true, .dirfd = 1, .path = 2, .flags = 3, .mode = 4)
FILE_EXIT(openat2, K(OPEN), C(OPENAT2), .opens = true, .dirfd = 1, .path = 2, .how = 3)
FILE_EXIT(creat, K(OPEN), C(CREAT), .opens = true, .path = 1, .mode = 2,
	  .fixed_flags = FILE_O_CREAT | FILE_O_WRONLY | FILE_O_TRUNC)

FILE_EXIT(unlink, K(UNLINK), C(UNLINK), .path = 1)
FILE_EXIT(unlinkat, K(UNLINK), C(UNLINKAT), .dirfd = 1, .path = 2, .flags = 3)
FILE_EXIT(rmdir, K(UNLINK), C(RMDIR), .path = 1, .fixed_flags = FILE_AT_REMOVEDIR)

FILE_EXIT(rename, K(RENAME), C(RENAME), .path = 1, .path2 = 2)
FILE_EXIT(renameat, K(RENAME), C(RENAMEAT), .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4)
FILE_EXIT(renameat2, K(RENAME), C(RENAMEAT2), .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4,
	  .flags = 5)

FILE_EXIT(chmod, K(CHMOD), C(CHMOD), .path = 1, .mode = 2)
FILE_EXIT(fchmod, K(CHMOD), C(FCHMOD), .fd = 1, .mode = 2)
FILE_EXIT(fchmodat, K(CHMOD), C(FCHMODAT), .dirfd = 1, .path = 2, .mode = 3)
FILE_EXIT(fchmodat2, K(CHMOD), C(FCHMODAT2), .dirfd = 1, .path = 2, .mode = 3, .flags = 4)

FILE_EXIT(chown, K(CHOWN), C(CHOWN), .path = 1, .uid = 2, .gid = 3)
FILE_EXIT(fchown, K(CHOWN), C(FCHOWN), .fd = 1, .uid = 2, .gid = 3)
FILE_EXIT(lchown, K(CHOWN), C(LCHOWN), .path = 1, .uid = 2, .gid = 3)
FILE_EXIT(fchownat, K(CHOWN), C(FCHOWNAT), .dirfd = 1, .path = 2, .uid = 3, .gid = 4, .flags = 5)

FILE_EXIT(link, K(LINK), C(LINK), .path = 1, .path2 = 2)
FILE_EXIT(linkat, K(LINK), C(LINKAT), .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4, .flags = 5)
FILE_EXIT(symlink, K(SYMLINK), C(SYMLINK), .path = 1, .path_text = true, .path2 = 2)
FILE_EXIT(symlinkat, K(SYMLINK), C(SYMLINKAT), .path = 1, .path_text = true, .dirfd2 = 2,
	  .path2 = 3)

FILE_EXIT(truncate, K(TRUNCATE), C(TRUNCATE), .path = 1, .length = 2)
FILE_EXIT(ftruncate, K(TRUNCATE), C(FTRUNCATE), .fd = 1, .length = 2)
