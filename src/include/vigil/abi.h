/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one ABI shared by the BPF programs and user space: event records, map keys and values.
 * Fixed-width types only; every layout is pinned with _Static_assert so both compilers agree.
 *
 * An event record is a struct vigil_event_hdr followed by a kind-specific body. Variable-length
 * data (paths, argv, names) lives in a data area at the end of the record and is addressed by
 * struct vigil_seg descriptors; user space checks every descriptor against the record's size.
 */
#ifndef VIGIL_ABI_H
#define VIGIL_ABI_H

#ifdef __VIGIL_BPF__
/* vmlinux.h already provides __u8 .. __u64 */
#else
#include <linux/types.h>
#endif

#define VIGIL_COMM_LEN 16
#define VIGIL_NAME_MAX 255          /* one path component, as in the kernel */
#define VIGIL_PATH_DEPTH 48         /* path components walked before a path is marked truncated */
#define VIGIL_SEG_MAX 4096          /* the largest one segment may be */
#define VIGIL_DATA_MAX 16384        /* the data area of one record */
#define VIGIL_EVENT_MAX (VIGIL_DATA_MAX + 512)

/*
 * Event kinds produced in the kernel. User-space kinds (agent.*, alert) have no number here.
 * Numbers are grouped by sensor so that sensors can be added without renumbering:
 *   1..9 process, 10..19 file, 20..29 privileges, 30..39 kernel activity, 40..44 syscalls,
 *   45..54 network, 55..59 shell and terminal, 60..62 seccomp, 63 the seed record.
 */
enum vigil_kind {
	VIGIL_KIND_NONE = 0,
	VIGIL_KIND_PROCESS_EXEC = 1,
	VIGIL_KIND_PROCESS_FORK = 2,
	VIGIL_KIND_PROCESS_EXIT = 3,
	VIGIL_KIND_FILE_OPEN = 10,
	VIGIL_KIND_FILE_UNLINK = 11,
	VIGIL_KIND_FILE_RENAME = 12,
	VIGIL_KIND_FILE_CHMOD = 13,
	VIGIL_KIND_FILE_CHOWN = 14,
	VIGIL_KIND_FILE_LINK = 15,
	VIGIL_KIND_FILE_SYMLINK = 16,
	VIGIL_KIND_FILE_TRUNCATE = 17,
	VIGIL_KIND_MAX = 64, /* stats and filter tables are sized for this many */
};

/* Record kinds that are not events: the process table seed from the task iterator. */
#define VIGIL_RECORD_SEED 63

/* Filters: per-field tables whose values are bitmaps of the filter ids a value satisfies. */
#define VIGIL_FILTER_WORDS 4
#define VIGIL_FILTER_MAX (VIGIL_FILTER_WORDS * 64)

struct vigil_bitmap {
	__u64 w[VIGIL_FILTER_WORDS];
};

enum vigil_filter_field {
	VIGIL_FF_KIND = 0,
	VIGIL_FF_TGID,
	VIGIL_FF_UID,
	VIGIL_FF_COMM,
	VIGIL_FF_CGROUP,
	VIGIL_FF_COUNT,
};

/* Filter state that is not per value: which filters exist, and which ignore each field. */
struct vigil_filter_meta {
	struct vigil_bitmap active;               /* filters in force; none means "emit all" */
	struct vigil_bitmap any[VIGIL_FF_COUNT];  /* filters that do not constrain that field */
};

struct vigil_comm_key {
	char comm[VIGIL_COMM_LEN];
};

/* Per-CPU, per-kind counters. delivered is counted in user space; lost == dropped. */
struct vigil_kind_stats {
	__u64 produced;    /* passed the filters and went for the ring buffer */
	__u64 dropped;     /* the ring buffer was full: the event is lost, and counted */
	__u64 read_errors; /* delivered, but some field could not be read (flagged in the event) */
	__u64 filtered;    /* seen, but no filter wanted it: never reached the ring buffer */
};

/* The acting (or described) task, filled for every event from kernel memory. */
struct vigil_task {
	__u64 start_ns;        /* the thread group leader's start, boot clock (ns) */
	__u64 exec_seq;        /* the leader's self_exec_id: bumped by every exec */
	__u64 parent_start_ns; /* the same two for the real parent, for parent_exec_id */
	__u64 parent_exec_seq;
	__u64 cgroup_id;       /* cgroup v2 id (kernfs inode number) */
	__u32 tgid;
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u32 auid;            /* login uid; (u32)-1 when unset */
	__u32 ns_pid;
	__u32 ns_mnt;
	__u32 ns_net;
	__u32 ns_user;
	char comm[VIGIL_COMM_LEN];
};

struct vigil_event_hdr {
	__u64 ktime_ns;        /* boot clock */
	__u16 kind;            /* enum vigil_kind, or VIGIL_RECORD_SEED */
	__u16 size;            /* whole record, header included */
	__u32 flags;           /* VIGIL_EF_* */
	struct vigil_task task;
};

#define VIGIL_EF_READ_ERROR (1u << 0) /* a field could not be read; see the kind's flags */

/* A slice of the data area. */
struct vigil_seg {
	__u16 off;   /* from the start of the data area */
	__u16 len;   /* bytes, terminating NULs included */
	__u16 flags; /* VIGIL_SEG_* */
	__u16 count; /* paths: components; argv: strings */
};

#define VIGIL_SEG_TRUNCATED (1u << 0) /* the source was longer than what was copied */
#define VIGIL_SEG_PATH_ROOTED (1u << 1) /* the walk reached the root of its mount tree */
#define VIGIL_SEG_READ_ERROR (1u << 2)

/*
 * Path segments hold components leaf first, each NUL-terminated ("c\0b\0a\0" is /a/b/c): the
 * kernel only ever appends, which the verifier can bound, and user space reverses them.
 */

/* process.exec and the task iterator's seed record share one body. */
enum vigil_proc_seg {
	VIGIL_PSEG_EXE = 0, /* path of mm->exe_file */
	VIGIL_PSEG_ARGS,    /* argv strings, NUL-separated */
	VIGIL_PSEG_CWD,     /* path of fs->pwd */
	VIGIL_PSEG_CGROUP,  /* cgroup path components, leaf first */
	VIGIL_PSEG_TTY,     /* controlling terminal name, e.g. "pts3" */
	VIGIL_PSEG_INTERP,  /* exec: the #! interpreter (a string), or the ELF loader's file path */
	VIGIL_PSEG_SCRIPT,  /* exec of a #! script: the script's own file path */
	VIGIL_PSEG_COUNT,
};

struct vigil_proc_body {
	__u32 argc_total;   /* argv entries the process really has (mm arg area) */
	__u32 args_bytes;   /* bytes of the process's arg area */
	__u32 old_tid;      /* exec: the thread that called execve, if not the leader */
	__u32 tty_dev;      /* controlling terminal (major << 20 | minor), 0 if none */
	__u32 cgroup_level; /* depth of the cgroup reported in VIGIL_PSEG_CGROUP */
	__u32 _pad;
	struct vigil_seg seg[VIGIL_PSEG_COUNT];
	/* exec only (0 in seed records): the file the exec call named, the script for #! */
	__u64 file_ino;
	__u32 file_dev;     /* kernel dev_t: major << 20 | minor */
	__u32 file_uid;     /* owner */
	__u32 file_gid;
	__u32 file_mode;    /* i_mode: type, setuid/setgid and permission bits */
	__u32 file_nlink;
	__u32 file_fs_magic; /* superblock magic of its filesystem */
	__u32 exec_flags;   /* VIGIL_XF_* */
	__u32 _pad2;
};

#define VIGIL_XF_FACTS (1u << 0)   /* the file_* fields are filled */
#define VIGIL_XF_SCRIPT (1u << 1)  /* a #! script: INTERP is its interpreter, SCRIPT its path */
#define VIGIL_XF_ELF_INTERP (1u << 2) /* INTERP is the ELF loader mapped by the kernel */
#define VIGIL_XF_MEMFD (1u << 3)   /* the file is a memfd (memfd_create) */
#define VIGIL_XF_DELETED (1u << 4) /* no name left on any filesystem (i_nlink == 0) */
#define VIGIL_XF_TMPFS (1u << 5)   /* on a memory filesystem (tmpfs/shmem, ramfs, hugetlbfs) */

struct vigil_proc_event {
	struct vigil_event_hdr hdr;
	struct vigil_proc_body body;
	char data[VIGIL_DATA_MAX];
};

struct vigil_fork_event {
	struct vigil_event_hdr hdr; /* describes the child */
	__u32 parent_tid;           /* the thread that called fork/clone */
	__u32 is_thread;            /* 1 if the child shares the parent's thread group */
};

struct vigil_exit_event {
	struct vigil_event_hdr hdr;
	__s32 exit_code;  /* raw wait status: (code << 8) | signal | 0x80 if core dumped */
	__u32 _pad;
	__u64 runtime_ns; /* from the process's start to its exit */
};

/* Settings fixed for a run, placed in .rodata before load so the verifier prunes what is off. */
struct vigil_config {
	__u64 kinds_enabled;      /* bit per enum vigil_kind */
	__u32 agent_tgid;         /* vigil itself: never reported */
	__u32 fork_threads;       /* report thread creation as process.fork */
};

_Static_assert(sizeof(struct vigil_bitmap) == 8 * VIGIL_FILTER_WORDS, "bitmap");
_Static_assert(sizeof(struct vigil_kind_stats) == 32, "kind stats");
_Static_assert(sizeof(struct vigil_task) == 104, "task");
_Static_assert(sizeof(struct vigil_event_hdr) == 120, "event header");
_Static_assert(__builtin_offsetof(struct vigil_event_hdr, task) == 16, "header task offset");
_Static_assert(sizeof(struct vigil_seg) == 8, "segment");
_Static_assert(sizeof(struct vigil_proc_body) == 24 + 8 * VIGIL_PSEG_COUNT + 40, "proc body");
_Static_assert(__builtin_offsetof(struct vigil_proc_body, file_ino) % 8 == 0, "proc body facts");
_Static_assert(__builtin_offsetof(struct vigil_proc_event, data) ==
		       sizeof(struct vigil_event_hdr) + sizeof(struct vigil_proc_body),
	       "proc data offset");
_Static_assert(sizeof(struct vigil_proc_event) <= VIGIL_EVENT_MAX, "proc event size");
_Static_assert(VIGIL_EVENT_MAX <= 65535, "size must fit the header's u16");
_Static_assert(sizeof(struct vigil_fork_event) == 128, "fork event");
_Static_assert(sizeof(struct vigil_exit_event) == 136, "exit event");
_Static_assert(VIGIL_KIND_MAX <= 64, "kinds_enabled is one u64");
_Static_assert((VIGIL_DATA_MAX & (VIGIL_DATA_MAX - 1)) == 0, "data area is a power of two");

/* ---- file sensor: file.open .. file.truncate (kinds 10..17, issue 3) ---- */

/*
 * One body for every file kind, read at syscall exit (arguments from the task's saved registers,
 * the result from the tracepoint). PATH is the kernel's own object where there is one (the new
 * descriptor of an open, the fd of fchmod/fchown/ftruncate); REQUESTED and DIR are the caller's
 * string and the directory it is relative to, resolved from the dirfd's (or cwd's) struct file.
 */
enum vigil_file_seg {
	VIGIL_FSEG_PATH = 0,   /* canonical path of the file acted on, from its struct file */
	VIGIL_FSEG_REQUESTED,  /* the caller's path (rename/link: old; symlink: the target text) */
	VIGIL_FSEG_DIR,        /* where a relative REQUESTED starts: dirfd's path or the cwd */
	VIGIL_FSEG_REQUESTED2, /* rename/link: the new name; symlink: the link's path */
	VIGIL_FSEG_DIR2,       /* where a relative REQUESTED2 starts */
	VIGIL_FSEG_COUNT,
};

/* Which syscall produced a file event. */
enum vigil_file_call {
	VIGIL_FC_OPEN = 0, VIGIL_FC_OPENAT, VIGIL_FC_OPENAT2, VIGIL_FC_CREAT,
	VIGIL_FC_UNLINK, VIGIL_FC_UNLINKAT, VIGIL_FC_RMDIR,
	VIGIL_FC_RENAME, VIGIL_FC_RENAMEAT, VIGIL_FC_RENAMEAT2,
	VIGIL_FC_CHMOD, VIGIL_FC_FCHMOD, VIGIL_FC_FCHMODAT, VIGIL_FC_FCHMODAT2,
	VIGIL_FC_CHOWN, VIGIL_FC_FCHOWN, VIGIL_FC_LCHOWN, VIGIL_FC_FCHOWNAT,
	VIGIL_FC_LINK, VIGIL_FC_LINKAT, VIGIL_FC_SYMLINK, VIGIL_FC_SYMLINKAT,
	VIGIL_FC_TRUNCATE, VIGIL_FC_FTRUNCATE,
	VIGIL_FC_COUNT,
};

struct vigil_file_body {
	__s64 ret;       /* the syscall's result: fd or 0, or -errno */
	__u64 ino;       /* of the file acted on (VIGIL_FI_INODE) */
	__u64 length;    /* truncate: the new length */
	__u64 resolve;   /* openat2: RESOLVE_* */
	__u32 dev;       /* kernel dev_t of ino's filesystem: major << 20 | minor */
	__u32 i_mode;    /* of the file acted on: type and permission bits */
	__u32 flags;     /* open: O_*; unlinkat/fchmodat/fchownat/linkat: AT_*; renameat2: RENAME_* */
	__u32 mode;      /* open/creat: the mode argument; chmod: the new mode */
	__u32 uid;       /* chown: the new owner, (u32)-1 for unchanged */
	__u32 gid;
	__s32 dirfd;     /* the *at() directory fd; VIGIL_FILE_NO_FD when there is none */
	__s32 dirfd2;
	__s32 fd;        /* fchmod/fchown/ftruncate: the fd argument */
	__u16 call;      /* enum vigil_file_call */
	__u16 info;      /* VIGIL_FI_* */
	struct vigil_seg seg[VIGIL_FSEG_COUNT];
};

#define VIGIL_FILE_NO_FD (-1000)            /* dirfd: the call takes none */
#define VIGIL_FI_INODE (1u << 0)           /* ino, dev and i_mode are filled */
#define VIGIL_FI_DIR_CWD (1u << 1)         /* DIR is the cwd (not a dirfd) */
#define VIGIL_FI_DIR2_CWD (1u << 2)        /* DIR2 is the cwd */
#define VIGIL_FI_REQUESTED_UNREAD (1u << 3) /* the caller's string could not be read */
#define VIGIL_FI_REQUESTED2_UNREAD (1u << 4)

struct vigil_file_event {
	struct vigil_event_hdr hdr;
	struct vigil_file_body body;
	char data[VIGIL_DATA_MAX];
};

_Static_assert(sizeof(struct vigil_file_body) == 72 + 8 * VIGIL_FSEG_COUNT, "file body");
_Static_assert(__builtin_offsetof(struct vigil_file_event, data) ==
		       sizeof(struct vigil_event_hdr) + sizeof(struct vigil_file_body),
	       "file data offset");
_Static_assert(__builtin_offsetof(struct vigil_file_event, data) < 512, "file fixed part");
_Static_assert(sizeof(struct vigil_file_event) <= VIGIL_EVENT_MAX, "file event size");

/* ---- seccomp: sandbox events and the profile recorder (issue 7) ---- */

/* Kinds 60..62 belong to the seccomp sandbox. Both events are produced in user space by
 * `vigil sandbox` (from the audit log and from the notification supervisor). */
#define VIGIL_KIND_SECCOMP_VIOLATION 60
#define VIGIL_KIND_SECCOMP_NOTIFY 61

/* The recorder's counters: one slot per syscall number, native numbers first, then the 32-bit
 * compat numbers of the same machine (x86: i386) at VIGIL_SYSCALL_NR_MAX + nr. */
#define VIGIL_SYSCALL_NR_MAX 1024
#define VIGIL_SYSCALL_SLOTS (2 * VIGIL_SYSCALL_NR_MAX)

/* Which tasks the recorder counts: those whose cgroup v2 ancestor at `level` is `cgroup_id`.
 * cgroup_id 0 counts nothing. */
struct vigil_syscall_scope {
	__u64 cgroup_id;
	__u32 level;
	__u32 _pad;
};

_Static_assert(sizeof(struct vigil_syscall_scope) == 16, "syscall scope");
_Static_assert((VIGIL_SYSCALL_NR_MAX & (VIGIL_SYSCALL_NR_MAX - 1)) == 0, "syscall slots");

#endif /* VIGIL_ABI_H */
