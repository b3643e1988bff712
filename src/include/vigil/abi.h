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
#define VIGIL_FILTER_WORDS 16
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
	VIGIL_FF_GID,
	/* Facts of the event, not of the task: known only once the sensor has read them, and
	 * only for the kinds whose sensor supplies them (docs/architecture.md, "Filters"). */
	VIGIL_FF_PATH,   /* the event's path (file.path, or the exe of process.exec): exact/prefix */
	VIGIL_FF_SUFFIX, /* the same path's last components (component-aligned suffixes) */
	VIGIL_FF_FLAGS,  /* file.open's flag names: any of a set */
	VIGIL_FF_PORT,   /* net.dport */
	VIGIL_FF_ADDR,   /* net.daddr: exact or a network */
	VIGIL_FF_NS_PID, /* the task's namespaces, where the sensor read the whole task */
	VIGIL_FF_NS_MNT,
	VIGIL_FF_NS_NET,
	VIGIL_FF_NS_USER,
	VIGIL_FF_COUNT,
};

/* Paths in the filter's tries: at most this many bytes, its terminating NUL included. */
#define VIGIL_PATH_KEY_MAX 256

/*
 * An LPM trie key over a path. VIGIL_FF_PATH: the path as written ("/etc/shadow"), a prefix
 * entry's bits cover its bytes and an exact entry's also its NUL. VIGIL_FF_SUFFIX: the path's
 * components leaf first, each with its NUL ("shadow\0etc\0"), as the walk records them: a
 * component-aligned suffix ("/.ssh/authorized_keys") is a prefix of that.
 */
struct vigil_path_key {
	__u32 prefixlen;
	__u8 data[VIGIL_PATH_KEY_MAX];
};

/* An LPM trie key over an address: the family's byte, then 16 bytes (IPv4 in the first 4). */
struct vigil_addr_key {
	__u32 prefixlen;
	__u8 family; /* 4 or 6 */
	__u8 addr[16];
};

/* file.open's flags as name bits: the access mode's value (O_RDONLY 0, O_WRONLY 1, O_RDWR 2)
 * is bit 0-3, and every other open flag bit b is bit VIGIL_FLAG_BIT0 + b. */
#define VIGIL_FLAG_BIT0 8
#define VIGIL_FLAG_BITS 64

/* Filter state that is not per value: which filters exist, and which ignore each field. */
struct vigil_filter_meta {
	struct vigil_bitmap active;               /* filters in force; none means "emit all" */
	struct vigil_bitmap any[VIGIL_FF_COUNT];  /* filters that do not constrain that field */
	__u64 tested;                             /* 1 << field: some filter constrains it */
};

struct vigil_comm_key {
	char comm[VIGIL_COMM_LEN];
};

/* Per-CPU, per-kind counters. delivered is counted in user space; lost == dropped. */
struct vigil_kind_stats {
	__u64 produced;    /* passed the filters and went for the ring buffer */
	__u64 dropped;     /* the ring buffer was full: the event is lost, and counted */
	__u64 read_errors; /* delivered, but some field could not be read (flagged in the event) */
	__u64 filtered;    /* seen, but no filter wanted it: not shown */
	/* process lifecycle events the filters refused still go out, marked VIGIL_EF_TABLE_ONLY,
	 * so the process table never has to guess; they have counters of their own */
	__u64 table_produced;
	__u64 table_dropped;
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
#define VIGIL_EF_TABLE_ONLY (1u << 1) /* for the process table only: the filters refused it */

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
	VIGIL_PSEG_SCRIPT,  /* exec of a #! script: the name the exec call gave (a string) */
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
	/* exec only (0 in seed records): the file the program runs from (for #!, the interpreter) */
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
#define VIGIL_XF_SCRIPT (1u << 1)  /* a #! script: INTERP is its interpreter, SCRIPT its name */
#define VIGIL_XF_ELF_INTERP (1u << 2) /* INTERP is the ELF loader mapped by the kernel */
#define VIGIL_XF_MEMFD (1u << 3)   /* the file is a memfd (memfd_create) */
#define VIGIL_XF_DELETED (1u << 4) /* no name left on any filesystem (i_nlink == 0) */
#define VIGIL_XF_TMPFS (1u << 5)   /* on a memory filesystem (tmpfs/shmem, ramfs, hugetlbfs) */
#define VIGIL_XF_STDIN_SOCKET (1u << 6)  /* fd 0 is an IPv4/IPv6 socket (a shell on one is remote) */
#define VIGIL_XF_STDOUT_SOCKET (1u << 7) /* fd 1 is an IPv4/IPv6 socket */

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
/*
 * Losses by site and cause, besides a full ring buffer (kind_stats.dropped): per-CPU u64
 * counters in the map loss_counts at [site * VIGIL_LC_COUNT + cause] (docs/events.md,
 * "agent.loss"). A site is a map of in-flight state or a class of memory read.
 */
enum vigil_loss_site {
	VIGIL_LS_SYSPAIR,     /* syspair_pending: a syscall's state from sys_enter to sys_exit */
	VIGIL_LS_NET_CALL,    /* net_connect_fd: a connect() or listen() in flight */
	VIGIL_LS_NET_SOCK,    /* net_socks: a socket's owner, from SYN_SENT to its outcome */
	VIGIL_LS_USER_MEM,    /* strings and buffers read from the caller's memory */
	VIGIL_LS_KERNEL_MEM,  /* names read from kernel objects */
	VIGIL_LS_COUNT,
};

enum vigil_loss_cause {
	VIGIL_LC_NO_STATE,      /* an exit found no state from its enter (evicted from the LRU map,
				 * never stored, or entered before vigil attached): its event is lost */
	VIGIL_LC_UPDATE_FAILED, /* storing the state failed: the exit will find none */
	VIGIL_LC_READ_FAILED,   /* a bpf_probe_read_* failed: the event went out with the field
				 * flagged (VIGIL_SEG_READ_ERROR), or without it */
	VIGIL_LC_COUNT,
};

struct vigil_config {
	__u64 kinds_enabled;      /* bit per enum vigil_kind */
	__u32 agent_tgid;         /* vigil itself: never reported */
	__u32 fork_threads;       /* report thread creation as process.fork */
};

_Static_assert(sizeof(struct vigil_bitmap) == 8 * VIGIL_FILTER_WORDS, "bitmap");
_Static_assert(sizeof(struct vigil_path_key) == 4 + VIGIL_PATH_KEY_MAX, "path key");
_Static_assert(sizeof(struct vigil_addr_key) == 24, "addr key");
_Static_assert(sizeof(struct vigil_kind_stats) == 48, "kind stats");
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

/* ---- shells and terminals (issue 4): kinds 55..57 ---- */

#define VIGIL_KIND_SHELL_COMMAND 55  /* a line interactive bash read with readline() */
#define VIGIL_KIND_TTY_WRITE 56      /* bytes written to a terminal device */
#define VIGIL_KIND_PROCESS_OUTPUT 57 /* bytes a followed process wrote to its fd 1 or 2 */

#define VIGIL_WRITE_DATA_MAX VIGIL_SEG_MAX /* bytes copied per write event; the rest is counted */
#define VIGIL_WRITE_IOV_MAX 8              /* writev: iovecs copied from (later ones: counted) */

/* shell.command: the line in one segment, the controlling terminal's name in another. */
enum vigil_shell_seg {
	VIGIL_SHSEG_LINE = 0, /* the line without its newline, NUL-terminated */
	VIGIL_SHSEG_TTY,      /* "pts3"; empty when bash has no controlling terminal */
	VIGIL_SHSEG_COUNT,
};

struct vigil_shell_event {
	struct vigil_event_hdr hdr;
	__u32 tty_dev; /* controlling terminal, kernel dev_t (major << 20 | minor); 0 if none */
	__u32 _pad;
	struct vigil_seg seg[VIGIL_SHSEG_COUNT];
	char data[VIGIL_DATA_MAX];
};

/* tty.write and process.output share one body: what one write(2)/writev(2) passed. */
enum vigil_write_call {
	VIGIL_WRITE_CALL_WRITE = 1,
	VIGIL_WRITE_CALL_WRITEV = 2,
};

enum vigil_write_seg {
	VIGIL_WSEG_DATA = 0, /* up to VIGIL_WRITE_DATA_MAX bytes; TRUNCATED when count is larger */
	VIGIL_WSEG_TTY,      /* tty.write: the terminal's name ("pts3"); process.output: empty */
	VIGIL_WSEG_COUNT,
};

struct vigil_write_body {
	__u64 count;   /* bytes the caller asked to write (writev: the sum of the iovecs read) */
	__u32 fd;
	__u32 tty_dev; /* tty.write: the terminal (kernel dev_t), after /dev/tty redirection */
	__u32 call;    /* enum vigil_write_call */
	__u32 _pad;
	struct vigil_seg seg[VIGIL_WSEG_COUNT];
};

struct vigil_write_event {
	struct vigil_event_hdr hdr;
	struct vigil_write_body body;
	char data[VIGIL_DATA_MAX];
};

_Static_assert(__builtin_offsetof(struct vigil_shell_event, data) == 120 + 8 + 8 * VIGIL_SHSEG_COUNT,
	       "shell data offset");
_Static_assert(sizeof(struct vigil_write_body) == 24 + 8 * VIGIL_WSEG_COUNT, "write body");
_Static_assert(__builtin_offsetof(struct vigil_write_event, data) ==
		       sizeof(struct vigil_event_hdr) + sizeof(struct vigil_write_body),
	       "write data offset");
_Static_assert(sizeof(struct vigil_write_event) <= VIGIL_EVENT_MAX, "write event size");
_Static_assert(sizeof(struct vigil_shell_event) <= VIGIL_EVENT_MAX, "shell event size");


/* ---- network (issue 4): kinds 45..54 ---- */

#define VIGIL_KIND_NET_CONNECT 45
#define VIGIL_KIND_NET_ACCEPT 46
#define VIGIL_KIND_NET_LISTEN 47
#define VIGIL_KIND_NET_CLOSE 48
#define VIGIL_KIND_NET_RESET 49
#define VIGIL_KIND_NET_DNS 50
/* Never an event: selects the RTT aggregation (tcp_probe -> net_rtt map) for vigil tcprtt. */
#define VIGIL_KIND_NET_RTT 51

/* Addresses are in network byte order, IPv4 in the first 4 bytes; ports in host order. */
struct vigil_net_tuple {
	__u8 saddr[16];  /* this host's end */
	__u8 daddr[16];  /* the remote end */
	__u16 family;    /* AF_INET, AF_INET6 */
	__u16 proto;     /* IPPROTO_TCP, IPPROTO_UDP */
	__u16 sport;
	__u16 dport;
};

/* net.connect, net.accept, net.listen, net.close and net.reset share one body. */
struct vigil_net_event {
	struct vigil_event_hdr hdr;
	struct vigil_net_tuple t;
	__s32 result;        /* connect: 0 or -errno */
	__u32 flags;         /* VIGIL_NETF_* */
	__u64 duration_ns;   /* close: from the first SYN to the close */
	__u64 bytes_sent;    /* close: tcp_sock bytes_acked */
	__u64 bytes_received;/* close: tcp_sock bytes_received */
	__u32 state;         /* reset: the socket's TCP state (0 without a socket); close: the old state */
	__u32 reason;        /* reset sent: enum sk_rst_reason */
};

#define VIGIL_NETF_RESET_RECEIVED (1u << 0) /* net.reset: received, not sent */
#define VIGIL_NETF_NO_SOCKET (1u << 1)      /* net.reset: no local socket; the task is whoever ran */
#define VIGIL_NETF_OWNER_UNKNOWN (1u << 2)  /* net.close: opened before vigil; the task is whoever ran */
#define VIGIL_NETF_NONBLOCK (1u << 3)       /* net.connect: a non-blocking socket (O_NONBLOCK) */
#define VIGIL_NETF_PEER_FROM_CALLER (1u << 4) /* net.connect failed early: daddr/dport are the caller's */

/* Up to this many bytes of a DNS message are captured (the rest is reported as cut). */
#define VIGIL_DNS_CAPTURE 1024

struct vigil_dns_event {
	struct vigil_event_hdr hdr;
	struct vigil_net_tuple t; /* saddr/sport: this host; daddr/dport: the peer (resolver or client) */
	__u32 len;                /* bytes the syscall moved */
	__u16 captured;           /* bytes in data */
	__u8 outgoing;            /* 1: sent by this host, 0: received */
	__u8 peer_from_user;      /* the peer came from the caller's sockaddr (unconnected socket) */
	__u8 data[VIGIL_DNS_CAPTURE];
};

/* tcprtt: per remote host, aggregated in the kernel from tcp:tcp_probe's smoothed RTT. */
#define VIGIL_RTT_SLOTS 27 /* log2 buckets of microseconds: [2^i, 2^(i+1)) */

struct vigil_rtt_key {
	__u8 addr[16];
	__u16 family;
	__u16 _pad[3];
};

struct vigil_rtt_val {
	__u64 count;
	__u64 sum_us;
	__u64 min_us;
	__u64 max_us;
	__u64 slots[VIGIL_RTT_SLOTS];
};

/* tcpconnect/tcpaccept/tcpreset -P: up to this many ports, either end. */
#define VIGIL_NET_PORTS_MAX 64

_Static_assert(sizeof(struct vigil_net_tuple) == 40, "net tuple");
_Static_assert(sizeof(struct vigil_net_event) == 120 + 40 + 8 + 24 + 8, "net event");
_Static_assert(__builtin_offsetof(struct vigil_dns_event, data) == 120 + 40 + 8, "dns data offset");
_Static_assert(sizeof(struct vigil_dns_event) <= VIGIL_EVENT_MAX, "dns event size");
_Static_assert(sizeof(struct vigil_rtt_key) == 24, "rtt key");
_Static_assert(sizeof(struct vigil_rtt_val) == 32 + 8 * VIGIL_RTT_SLOTS, "rtt value");

/* ---- privileges and kernel activity (issue 3): kinds 4, 20..29, 30..39, 40 ---- */

#define VIGIL_KIND_PROCESS_EXEC_FAILED 4 /* an execve/execveat that returned an error */
#define VIGIL_KIND_PRIV_SETUID 20
#define VIGIL_KIND_PRIV_CAPSET 21
#define VIGIL_KIND_PRIV_CAPABLE 22
#define VIGIL_KIND_KERNEL_MODULE_LOAD 30
#define VIGIL_KIND_KERNEL_BPF 31
#define VIGIL_KIND_KERNEL_MOUNT 32
#define VIGIL_KIND_KERNEL_UMOUNT 33
#define VIGIL_KIND_KERNEL_PTRACE 34
#define VIGIL_KIND_KERNEL_NAMESPACE 35
#define VIGIL_KIND_KERNEL_MEMFD 36
#define VIGIL_KIND_SYSCALL_DENIED 40

/* The syscall a sys_enter/sys_exit pair program watched: fixed per program, so user space needs
 * no per-architecture syscall numbers to name it. */
enum vigil_sys_op {
	VIGIL_OP_NONE = 0,
	VIGIL_OP_SETUID,
	VIGIL_OP_SETGID,
	VIGIL_OP_SETREUID,
	VIGIL_OP_SETREGID,
	VIGIL_OP_SETRESUID,
	VIGIL_OP_SETRESGID,
	VIGIL_OP_SETFSUID,
	VIGIL_OP_SETFSGID,
	VIGIL_OP_CAPSET,
	VIGIL_OP_INIT_MODULE,
	VIGIL_OP_FINIT_MODULE,
	VIGIL_OP_BPF,
	VIGIL_OP_MOUNT,
	VIGIL_OP_UMOUNT,
	VIGIL_OP_FSMOUNT,
	VIGIL_OP_MOVE_MOUNT,
	VIGIL_OP_PTRACE,
	VIGIL_OP_UNSHARE,
	VIGIL_OP_SETNS,
	VIGIL_OP_MEMFD_CREATE,
	VIGIL_OP_EXECVE,
	VIGIL_OP_EXECVEAT,
	VIGIL_OP_COUNT,
};

/* Every id of a cred: real, effective, saved, filesystem; uids then gids. */
struct vigil_cred_ids {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
};

/* Common to the sys_enter/sys_exit pair kinds: which syscall, its raw arguments, its result. */
struct vigil_sys_call {
	__u16 op;      /* enum vigil_sys_op */
	__u16 _pad;
	__u32 _pad2;
	__s64 ret;     /* the syscall's return value: >= 0, or -errno */
	__u64 args[6]; /* as passed to the syscall */
};

/* priv.setuid: the ids before (read at sys_enter) and after (at sys_exit). */
struct vigil_setuid_event {
	struct vigil_event_hdr hdr;
	struct vigil_sys_call call;
	struct vigil_cred_ids old_ids;
	struct vigil_cred_ids new_ids;
};

/* priv.capset: the capability sets before and after (the kernel's cred, not the user's copy). */
struct vigil_capset_event {
	struct vigil_event_hdr hdr;
	struct vigil_sys_call call;
	__u64 old_caps[3]; /* effective, permitted, inheritable */
	__u64 new_caps[3];
};

/* priv.capable: one capability check (capability:cap_capable). */
#define VIGIL_CAP_AUDIT_UNKNOWN 2 /* this kernel's tracepoint does not carry the audit option */
struct vigil_capable_event {
	struct vigil_event_hdr hdr;
	__s32 cap;        /* CAP_* number */
	__s32 ret;        /* 0: granted; -EPERM: refused */
	__u32 audit;      /* 0, 1, or VIGIL_CAP_AUDIT_UNKNOWN */
	__u32 target_ns;  /* inode number of the user namespace the capability was checked in */
	__u32 cred_euid;  /* the checked cred's euid (may differ from the task's: e.g. a file's) */
	__u32 _pad;
};

/* Segments of the kernel-activity kinds (up to four strings or paths each). */
#define VIGIL_KSEG_COUNT 4

struct vigil_kernel_body {
	struct vigil_sys_call call;
	__u32 type;    /* bpf: prog or map type; namespace: CLONE_NEW* of the new ns; module: 0 */
	__u32 count;   /* bpf: instructions or max_entries; ptrace: 1 if the target was resolved */
	__u32 target_tgid; /* ptrace: the target process, from the kernel's task */
	__u32 flags;   /* VIGIL_KF_* */
	struct vigil_seg seg[VIGIL_KSEG_COUNT];
};

#define VIGIL_KF_FROM_KERNEL (1u << 0) /* described from the kernel object (fd, task), not user memory */

/* Segment roles, per kind. */
enum vigil_kseg {
	/* kernel.mount / kernel.umount */
	VIGIL_KSEG_MNT_SOURCE = 0,
	VIGIL_KSEG_MNT_TARGET = 1,
	VIGIL_KSEG_MNT_FSTYPE = 2,
	/* kernel.bpf: the program's or map's name */
	VIGIL_KSEG_BPF_NAME = 0,
	/* kernel.ptrace: the target's executable (mm->exe_file) */
	VIGIL_KSEG_PTRACE_EXE = 0,
	/* kernel.memfd: the name (from the new file's dentry "memfd:NAME", else the user string) */
	VIGIL_KSEG_MEMFD_NAME = 0,
	/* kernel.module_load: finit_module's file, then the parameter string */
	VIGIL_KSEG_MOD_FILE = 0,
	VIGIL_KSEG_MOD_PARAMS = 1,
	/* process.exec_failed: the file name asked for, then argv */
	VIGIL_KSEG_EXEC_FILE = 0,
	VIGIL_KSEG_EXEC_ARGV = 1,
};

struct vigil_kernel_event {
	struct vigil_event_hdr hdr;
	struct vigil_kernel_body body;
	char data[VIGIL_DATA_MAX];
};

/* syscall.denied: counted in the kernel per (process, syscall, errno). */
#define VIGIL_DENIED_COMPAT (1u << 31) /* nr is a 32-bit compat syscall number */
struct vigil_denied_key {
	__u32 tgid;
	__u32 nr;    /* syscall number, | VIGIL_DENIED_COMPAT */
	__u32 err;   /* EPERM or EACCES */
};

struct vigil_denied_value {
	__u64 count;
	__u64 first_ns; /* boot clock */
	__u32 uid;
	__u32 _pad;
	char comm[VIGIL_COMM_LEN];
};

/* An event at the 1st, 2nd, 4th, 8th ... failure of a key: count is exact at that moment. */
struct vigil_denied_event {
	struct vigil_event_hdr hdr;
	__u32 nr;
	__u32 err;
	__u64 count;
};

_Static_assert(sizeof(struct vigil_cred_ids) == 32, "cred ids");
_Static_assert(sizeof(struct vigil_sys_call) == 64, "sys call");
_Static_assert(sizeof(struct vigil_setuid_event) == 120 + 64 + 64, "setuid event");
_Static_assert(sizeof(struct vigil_capset_event) == 120 + 64 + 48, "capset event");
_Static_assert(sizeof(struct vigil_capable_event) == 144, "capable event");
_Static_assert(sizeof(struct vigil_kernel_body) == 64 + 16 + 8 * VIGIL_KSEG_COUNT, "kernel body");
_Static_assert(__builtin_offsetof(struct vigil_kernel_event, data) ==
		       sizeof(struct vigil_event_hdr) + sizeof(struct vigil_kernel_body),
	       "kernel data offset");
_Static_assert(sizeof(struct vigil_kernel_event) <= VIGIL_EVENT_MAX, "kernel event size");
_Static_assert(sizeof(struct vigil_denied_key) == 12, "denied key");
_Static_assert(sizeof(struct vigil_denied_value) == 40, "denied value");
_Static_assert(sizeof(struct vigil_denied_event) == 136, "denied event");

/* ---- enforcement: cgroup sock_addr deny (src/bpf/enforce_connect.bpf.c, docs/enforcement.md) ----
 * Up to 64 kernel-enforced rules, one bit each. Each field has a table whose values are the bits
 * of the rules that accept that value, plus a mask of the rules that do not test the field; a
 * connect matches the AND of those, so its cost does not grow with the number of rules. */
#define VIGIL_KIND_ENFORCE_CONNECT 58 /* a connect/sendmsg that a deny rule matched (own ring buffer) */
#define VIGIL_KIND_ENFORCE_BLOCK 59   /* reserved: XDP blocklist drops (counted, not streamed) */
#define VIGIL_ENF_RULES_MAX 64
#define VIGIL_ENF_NETS_MAX 16384
#define VIGIL_ENF_VALUES_MAX 4096     /* ports, uids, comms, exempt entries */
#define VIGIL_ENF_CGROUP_DEPTH 16     /* ancestor levels checked against the exempt cgroups */

enum vigil_enf_hook {
	VIGIL_ENF_CONNECT4 = 0,
	VIGIL_ENF_CONNECT6 = 1,
	VIGIL_ENF_SENDMSG4 = 2,
	VIGIL_ENF_SENDMSG6 = 3,
	VIGIL_ENF_BIND4 = 4,    /* net.listen rules, decided at bind() */
	VIGIL_ENF_BIND6 = 5,
};

struct vigil_enf_net4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct vigil_enf_net6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct vigil_enf_config {
	__u64 active;    /* bits of the loaded rules (0: nothing to do) */
	__u64 enforce;   /* of those, the ones whose match denies (the others: would-deny) */
	__u64 any_daddr; /* rules without a net.daddr test */
	__u64 any_dport;
	__u64 any_uid;
	__u64 any_comm;
	__u64 proto_tcp; /* rules that accept tcp (those without a net.proto test too) */
	__u64 proto_udp;
	__u64 fam_inet;  /* rules that accept IPv4 (net.family) */
	__u64 fam_inet6;
	__u32 self_tgid; /* vigil: never denied */
	__u32 generation;
	__u32 exempt_comms;   /* entries in the exempt tables (0: no lookup) */
	__u32 exempt_cgroups;
	__u64 bind_rules; /* net.listen rules: judged at the bind hooks, the others at connect/sendmsg */
};

struct vigil_enf_record {
	__u64 ktime_ns;
	__u64 cgroup_id;
	__u64 rules;     /* every loaded rule that matched */
	__u32 tgid;
	__u32 tid;
	__u32 uid;
	__u32 gid;
	__u32 generation;
	__u16 dport;     /* the call's port: remote (connect, sendmsg) or local (bind) */
	__u8 family;     /* AF_INET or AF_INET6 as the caller used it */
	__u8 proto;      /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 hook;       /* enum vigil_enf_hook */
	__u8 denied;     /* 1: the call got EPERM */
	__u8 v4mapped;   /* an IPv4-mapped IPv6 address, matched as IPv4 */
	__u8 _pad[5];
	__u8 daddr[16];  /* the call's address, as dport; IPv4 in the first 4 bytes */
	char comm[VIGIL_COMM_LEN];
};

struct vigil_enf_stats {
	__u64 checked;   /* calls that reached the matching */
	__u64 matched;
	__u64 denied;
	__u64 exempt;    /* matched but exempt (vigil, PID 1, --exempt-*) */
	__u64 lost;      /* records the ring buffer had no room for */
};

_Static_assert(sizeof(struct vigil_enf_net4_key) == 8, "enf net4 key");
_Static_assert(sizeof(struct vigil_enf_net6_key) == 20, "enf net6 key");
_Static_assert(sizeof(struct vigil_enf_config) == 104, "enf config");
_Static_assert(sizeof(struct vigil_enf_record) == 88, "enf record");
_Static_assert(sizeof(struct vigil_enf_stats) == 40, "enf stats");

/* ---- enforcement: net.packet deny rules at XDP (src/bpf/enforce_packet.bpf.c) ----
 * The same bitmap scheme on the received packet: source network (LPM trie), destination port
 * (hash), protocol and family masks. No ring buffer: every matching packet is counted per rule
 * (a per-CPU array indexed by the rule's bit) and the last one kept as a sample; the agent turns
 * new counts into one alert per rule per tick. */
#define VIGIL_KIND_NET_PACKET 52 /* a received packet a net.packet rule matched (XDP) */

struct vigil_pkt_config {
	__u64 active;    /* bits of the loaded rules (0: pass everything) */
	__u64 enforce;   /* of those, the ones whose match drops (the others: would-deny) */
	__u64 any_saddr; /* rules without a net.saddr test */
	__u64 any_dport; /* rules without a net.dport test (the only ones a portless packet can match) */
	__u64 proto_tcp; /* rules that accept TCP (those without a net.proto test too) */
	__u64 proto_udp;
	__u64 proto_other; /* rules without a net.proto test: ICMP and every other protocol */
	__u64 fam_inet;
	__u64 fam_inet6;
	__u32 generation;
	__u32 _pad;
};

struct vigil_pkt_sample {
	__u64 ktime_ns;
	__u32 ifindex;
	__u16 sport;
	__u16 dport;
	__u8 family;     /* AF_INET or AF_INET6 */
	__u8 proto;      /* IPPROTO_* (ports 0 unless TCP or UDP) */
	__u8 _pad[6];
	__u8 saddr[16];  /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
};

_Static_assert(sizeof(struct vigil_pkt_config) == 80, "pkt config");
_Static_assert(sizeof(struct vigil_pkt_sample) == 56, "pkt sample");
/* ---- end of enforcement ---- */

/* ---- enforcement: processes, files, privileges, kernel activity (src/bpf/enforce_task.bpf.c) ----
 * The same bitmap matching as enforce_connect: per-field tables whose values are rule bitmaps.
 * Each operation is carried out by a BPF LSM hook where the kernel has BPF LSM (the call fails
 * with EPERM), else by bpf_send_signal(SIGKILL) from a tracepoint before the result is used. */
#define VIGIL_ENF_PATH_MAX 256 /* LPM key data: one field byte, then the path and its NUL */

enum vigil_enf_op {
	VIGIL_ENF_OP_EXEC = 0,   /* process.exec */
	VIGIL_ENF_OP_OPEN = 1,   /* file.open */
	VIGIL_ENF_OP_SETUID = 2, /* priv.setuid */
	VIGIL_ENF_OP_MODULE = 3, /* kernel.module_load */
	VIGIL_ENF_OP_BPF = 4,    /* kernel.bpf (BPF_PROG_LOAD) */
	VIGIL_ENF_OP_UNLINK = 5, /* file.unlink (unlink, rmdir): lsm only */
	VIGIL_ENF_OP_RENAME = 6, /* file.rename: lsm only */
	VIGIL_ENF_OP_MOUNT = 7,  /* kernel.mount (mount, move_mount): lsm only */
	VIGIL_ENF_OP_PTRACE = 8, /* kernel.ptrace (PTRACE_ATTACH, PTRACE_SEIZE) */
	VIGIL_ENF_OP_COUNT = 9,
};

/* The first byte of a path key: which field the path is. */
enum vigil_enf_path_field {
	VIGIL_ENF_PF_EXE = 1,     /* proc.exe ==/in/startswith (for exec: the new image) */
	VIGIL_ENF_PF_NOT_EXE = 2, /* not proc.exe ...: the rules this path takes out */
	VIGIL_ENF_PF_FILE = 3,    /* file.path; mount.target (rules are per operation) */
};

struct vigil_enf_path_key {
	__u32 prefixlen; /* bits */
	__u8 data[VIGIL_ENF_PATH_MAX];
};

struct vigil_enf_task_config {
	__u64 active;
	__u64 enforce;      /* rules whose match acts (the others report would-deny/would-kill) */
	__u64 kill;         /* action kill: SIGKILL (with deny where the hook can) */
	__u64 op[16];       /* rules per enum vigil_enf_op */
	__u64 any_exe;      /* rules without a positive proc.exe test */
	__u64 not_exe;      /* rules with a 'not proc.exe' test (the exe must be looked up) */
	__u64 any_file;
	__u64 any_comm;
	__u64 any_uid;
	__u64 any_new_uid;  /* setuid.new.uid */
	__u64 any_new_euid; /* setuid.new.euid */
	__u32 self_tgid;
	__u32 generation;
	__u32 exempt_comms;
	__u32 exempt_cgroups;
	__u32 not_comms;    /* entries in the 'not proc.comm' table (0: no lookup) */
	__u32 _pad;
};

struct vigil_enf_task_record {
	__u64 ktime_ns;
	__u64 cgroup_id;
	__u64 rules;      /* every loaded rule that matched */
	__u32 tgid;
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 generation;
	__u32 new_uid;    /* setuid: the uid and euid asked for */
	__u32 new_euid;	/* ptrace: new_uid is the target's tgid */
	__s32 arg;        /* bpf: cmd; open: flags; module: 0 init_module, 1 finit_module;
	                   * ptrace: the request (-1: an attach-mode access the lsm hook saw) */
	__u8 op;          /* enum vigil_enf_op */
	__u8 mechanism;   /* 1 lsm, 2 signal */
	__u8 denied;      /* the call failed with EPERM */
	__u8 killed;      /* SIGKILL sent */
	__u8 path_trunc;  /* a path did not fit */
	__u8 _pad[3];
	char comm[VIGIL_COMM_LEN];
	char exe[VIGIL_ENF_PATH_MAX];  /* proc.exe (exec: the new image) */
	char file[VIGIL_ENF_PATH_MAX]; /* file.path (open, unlink, rename, module), mount.target */
};

_Static_assert(sizeof(struct vigil_enf_path_key) == 260, "enf path key");
_Static_assert(sizeof(struct vigil_enf_task_config) == 232, "enf task config");
_Static_assert(sizeof(struct vigil_enf_task_record) == 88 + 512, "enf task record");
/* ---- end of task enforcement ---- */

#endif /* VIGIL_ABI_H */
