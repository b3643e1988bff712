/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes seen at the syscall, for two sensors:
 *   tty.write       bytes written to a terminal (ttysnoop). Without kprobes the tty layer's own
 *                   write path cannot be hooked here, so the write/writev tracepoints resolve
 *                   the fd to its struct file and keep it only when it is a tty: a character
 *                   device of a tty driver's major (table filled from /proc/tty/drivers) whose
 *                   private data points back at the file (struct tty_file_private).
 *   process.output  writes to fd 1 and 2 by followed processes (shellsnoop): a map of followed
 *                   tgids seeded by user space, grown at fork and shrunk at exit in the kernel.
 * Both decide with a few reads before anything is copied: every write on the host passes here.
 * The syscall tracepoints exist only as tracepoint programs, so every hook here is one.
 * Included after shell.bpf.c, whose shell_record_size() it shares.
 */
#include "path.bpf.h"

/* ttysnoop DEVICE: only this terminal (kernel dev_t); 0: every terminal. */
const volatile __u32 tty_filter_dev = 0;
/* shellsnoop without -s: follow the descendants of a followed process too. */
const volatile __u32 output_follow_children = 1;

#define TERM_MAJOR_MAX 4096 /* majors are 12 bits */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TERM_MAJOR_MAX);
	__type(key, __u32);
	__type(value, __u32);
} tty_majors SEC(".maps");

/* Keys are tids: a followed process's threads are added at clone and removed at their own exit,
 * so that a dead thread's tid, reused by an unrelated process, is never followed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} output_followed SEC(".maps");

#define TERM_S_IFMT 0170000
#define TERM_S_IFCHR 0020000
#define TERM_PTY_DRIVER_TYPE 4 /* TTY_DRIVER_TYPE_PTY */
#define TERM_PTY_MASTER 1      /* PTY_TYPE_MASTER */

static __always_inline struct file *term_fd_file(struct task_struct *task, __u64 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* The terminal a file writes to (after /dev/tty redirection), or NULL. Pty masters are left
 * out: what is written to them is the terminal's input, not its output. */
static __always_inline struct tty_struct *term_tty_of_file(struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct tty_file_private *priv;
	struct tty_struct *tty;
	struct tty_driver *driver;
	__u32 major, *is_tty;

	if ((BPF_CORE_READ(inode, i_mode) & TERM_S_IFMT) != TERM_S_IFCHR)
		return NULL;
	major = (BPF_CORE_READ(inode, i_rdev) >> 20) & (TERM_MAJOR_MAX - 1);
	is_tty = bpf_map_lookup_elem(&tty_majors, &major);
	if (!is_tty || !*is_tty)
		return NULL;
	priv = BPF_CORE_READ(file, private_data);
	if (!priv || BPF_CORE_READ(priv, file) != file)
		return NULL;
	tty = BPF_CORE_READ(priv, tty);
	driver = BPF_CORE_READ(tty, driver);
	if (!tty || !driver)
		return NULL;
	if (BPF_CORE_READ_BITFIELD_PROBED(driver, type) == TERM_PTY_DRIVER_TYPE &&
	    BPF_CORE_READ_BITFIELD_PROBED(driver, subtype) == TERM_PTY_MASTER)
		return NULL;
	return tty;
}

static __always_inline __u32 term_tty_dev(struct tty_struct *tty)
{
	return (BPF_CORE_READ(tty, driver, major) << 20) |
	       (BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index));
}

/* writev: the first VIGIL_WRITE_IOV_MAX iovecs, into one segment of at most
 * VIGIL_WRITE_DATA_MAX bytes; count adds up their lengths. */
static __always_inline void term_copy_iov(struct vigil_scratch *s, struct vigil_write_event *e,
					  const struct iovec *iov, __u64 iovcnt)
{
	struct vigil_seg *seg = &e->body.seg[VIGIL_WSEG_DATA];
	__u32 start = s->cursor;

	seg_begin(s, seg);
	if (iovcnt > VIGIL_WRITE_IOV_MAX)
		seg->flags |= VIGIL_SEG_TRUNCATED;
	for (int i = 0; i < VIGIL_WRITE_IOV_MAX; i++) {
		struct iovec v;
		__u32 off = s->cursor, room, n;

		if (i >= iovcnt)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i])) {
			seg->flags |= VIGIL_SEG_READ_ERROR;
			break;
		}
		e->body.count += v.iov_len;
		room = VIGIL_WRITE_DATA_MAX - (off - start);
		n = v.iov_len > room ? room : v.iov_len;
		if (v.iov_len > room)
			seg->flags |= VIGIL_SEG_TRUNCATED;
		if (!n)
			continue;
		if (off > CURSOR_ROOM(VIGIL_SEG_MAX)) {
			seg->flags |= VIGIL_SEG_TRUNCATED;
			break;
		}
		n &= 2 * VIGIL_SEG_MAX - 1;
		if (n > VIGIL_SEG_MAX)
			n = VIGIL_SEG_MAX;
		if (bpf_probe_read_user(data_at(e->data, off), n, v.iov_base)) {
			seg->flags |= VIGIL_SEG_READ_ERROR;
			break;
		}
		s->cursor = off + n;
	}
	seg_end(s, seg);
}

/* One write event of either kind; tty is NULL for process.output. */
static __always_inline void term_emit_write(__u32 kind, struct task_struct *task,
					    struct tty_struct *tty, __u64 fd, const void *buf,
					    __u64 count, __u32 call)
{
	struct vigil_scratch *s = get_scratch();
	struct vigil_write_event *e;

	if (!s)
		return;
	e = (struct vigil_write_event *)s->raw;
	fill_task(&e->hdr.task, task);
	if (!want_event(kind, &e->hdr.task))
		return;
	fill_header(&e->hdr, kind);
	__builtin_memset(&e->body, 0, sizeof(e->body));
	e->body.fd = fd;
	e->body.call = call;
	s->cursor = 0;
	if (call == VIGIL_WRITE_CALL_WRITEV) {
		term_copy_iov(s, e, buf, count);
	} else {
		e->body.count = count;
		append_user(s, e->data, &e->body.seg[VIGIL_WSEG_DATA], buf, count, task, false);
	}
	seg_begin(s, &e->body.seg[VIGIL_WSEG_TTY]);
	if (tty) {
		e->body.tty_dev = term_tty_dev(tty);
		append_kstr(s, e->data, &e->body.seg[VIGIL_WSEG_TTY], &tty->name, sizeof(tty->name));
		seg_end(s, &e->body.seg[VIGIL_WSEG_TTY]);
	}
	if ((e->body.seg[VIGIL_WSEG_DATA].flags | e->body.seg[VIGIL_WSEG_TTY].flags) &
	    VIGIL_SEG_READ_ERROR)
		e->hdr.flags |= VIGIL_EF_READ_ERROR;
	emit(&e->hdr, shell_record_size(s, offsetof(struct vigil_write_event, data)));
}

static __always_inline int on_tty_write(__u64 fd, const void *buf, __u64 count, __u32 call)
{
	const __u32 kind = VIGIL_KIND_TTY_WRITE;
	struct task_struct *task;
	struct tty_struct *tty;
	struct file *file;

	if (!kind_enabled(kind) || !count)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	file = term_fd_file(task, fd);
	if (!file || !(tty = term_tty_of_file(file)))
		return 0;
	if (tty_filter_dev && term_tty_dev(tty) != tty_filter_dev)
		return 0;
	term_emit_write(kind, task, tty, fd, buf, count, call);
	return 0;
}

static __always_inline int on_output(__u64 fd, const void *buf, __u64 count, __u32 call)
{
	const __u32 kind = VIGIL_KIND_PROCESS_OUTPUT;
	__u32 tgid;

	if (!kind_enabled(kind) || (fd != 1 && fd != 2) || !count)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!bpf_map_lookup_elem(&output_followed, &tgid))
		return 0;
	term_emit_write(kind, (struct task_struct *)bpf_get_current_task(), NULL, fd, buf, count,
			call);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int tty_write_tp(struct trace_event_raw_sys_enter *ctx)
{
	return on_tty_write(ctx->args[0], (const void *)ctx->args[1], ctx->args[2],
			    VIGIL_WRITE_CALL_WRITE);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int tty_writev_tp(struct trace_event_raw_sys_enter *ctx)
{
	return on_tty_write(ctx->args[0], (const void *)ctx->args[1], ctx->args[2],
			    VIGIL_WRITE_CALL_WRITEV);
}

SEC("tracepoint/syscalls/sys_enter_write")
int output_write_tp(struct trace_event_raw_sys_enter *ctx)
{
	return on_output(ctx->args[0], (const void *)ctx->args[1], ctx->args[2],
			 VIGIL_WRITE_CALL_WRITE);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int output_writev_tp(struct trace_event_raw_sys_enter *ctx)
{
	return on_output(ctx->args[0], (const void *)ctx->args[1], ctx->args[2],
			 VIGIL_WRITE_CALL_WRITEV);
}

/* The parent is current; the child (a process, or a thread of one) inherits being followed. */
SEC("tracepoint/sched/sched_process_fork")
int output_fork_tp(struct trace_event_raw_sched_process_fork *ctx)
{
	__u32 parent = bpf_get_current_pid_tgid() >> 32, child, one = 1;

	if (!kind_enabled(VIGIL_KIND_PROCESS_OUTPUT) || !output_follow_children)
		return 0;
	if (!bpf_map_lookup_elem(&output_followed, &parent))
		return 0;
	child = ctx->child_pid;
	bpf_map_update_elem(&output_followed, &child, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int output_exit_tp(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (kind_enabled(VIGIL_KIND_PROCESS_OUTPUT))
		bpf_map_delete_elem(&output_followed, &tid);
	return 0;
}
