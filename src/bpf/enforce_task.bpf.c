/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deny and kill rules on processes, files, privileges and kernel activity (docs/enforcement.md).
 *
 * Two program sets decide the same rules from the same tables; user space loads one of them:
 *  - lsm:    BPF LSM hooks (bprm_check_security, file_open, task_fix_setuid, kernel_read_file,
 *            kernel_load_data, bpf) return -EPERM: the call fails and nothing happens;
 *  - signal: where the kernel has no BPF LSM, tracepoints send SIGKILL to the caller before the
 *            result reaches its code (sched_process_exec: before the new image's first
 *            instruction; sys_exit of open/setuid: before the fd or the new uid is used;
 *            sys_enter of bpf: the verifier stops at the pending signal).
 *
 * Matching is the bitmap scheme of enforce_connect.bpf.c: one lookup per field, whatever the
 * number of rules; paths are looked up in an LPM trie (a prefix is startswith; the path with its
 * NUL is equality), the first key byte naming the field.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/abi.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM 1
#define SIGKILL 9
#define LSM_SETID_FS 8
#define PF_KTHREAD 0x00200000
#define PTRACE_MODE_ATTACH 0x02
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206
#define ENF_DEPTH 32 /* path components kept: the top-most ones */
#define ENF_WALK 128 /* dentries and mount crossings walked towards the root */
#define MECH_LSM 1
#define MECH_SIGNAL 2

/*
 * The rules are double-buffered: the configuration and every table exist once per slot, and
 * enf_task_slot names the set in force. A reload fills the other slot and switches with one
 * update (src/enforce/task.c); a reload that fails midway never touches the set in force.
 * decide() reads the slot once.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} enf_task_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct vigil_enf_task_config);
} enf_task_config SEC(".maps");

/* name_0, name_1: the two slots' tables; name: the array of maps that gives a slot's */
#define ENF_SLOTS(name, inner)                                                                     \
	struct inner name##_0 SEC(".maps");                                                        \
	struct inner name##_1 SEC(".maps");                                                        \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                                          \
		__uint(max_entries, 2);                                                            \
		__type(key, __u32);                                                                \
		__array(values, struct inner);                                                     \
	} name SEC(".maps") = { .values = { &name##_0, &name##_1 } }

struct enf_task_path_table {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_ENF_VALUES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_enf_path_key);
	__type(value, __u64);
};
ENF_SLOTS(enf_task_path, enf_task_path_table);

#define ENF_HASH(name, key_type)                                                                   \
	struct name##_table {                                                                      \
		__uint(type, BPF_MAP_TYPE_HASH);                                                   \
		__uint(max_entries, VIGIL_ENF_VALUES_MAX);                                         \
		__type(key, key_type);                                                             \
		__type(value, __u64);                                                              \
	};                                                                                         \
	ENF_SLOTS(name, name##_table)

ENF_HASH(enf_task_comm, char[VIGIL_COMM_LEN]);
ENF_HASH(enf_task_not_comm, char[VIGIL_COMM_LEN]); /* the rules a comm takes out */
ENF_HASH(enf_task_uid, __u32);
ENF_HASH(enf_task_new_uid, __u32);
ENF_HASH(enf_task_new_euid, __u32);
ENF_HASH(enf_task_exempt_comm, char[VIGIL_COMM_LEN]);
ENF_HASH(enf_task_exempt_cgroup, __u64);

/* The value of key in a slot's table, or NULL. */
#define SLOT_LOOKUP(slots, slot, key)                                                              \
	({                                                                                         \
		void *_t = bpf_map_lookup_elem(&slots, &(slot));                                   \
		_t ? (__u64 *)bpf_map_lookup_elem(_t, key) : (__u64 *)0;                           \
	})

static __always_inline __u32 enf_slot_now(void)
{
	__u32 zero = 0, *s = bpf_map_lookup_elem(&enf_task_slot, &zero);

	return s ? (*s & 1) : 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_enf_stats);
} enf_task_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} enf_task_events SEC(".maps");

/* A path key with room behind it: a component is read at any offset below 256 without a bound
 * the verifier would have to prove against the end of the key. */
struct path_buf {
	struct vigil_enf_path_key key;
	__u8 slack[VIGIL_ENF_PATH_MAX];
	__u32 len;   /* bytes of the path, without its NUL */
	__u8 trunc;  /* did not fit */
	__u8 valid;
};

struct scratch {
	struct path_buf exe;
	struct path_buf file;
	const unsigned char *names[ENF_DEPTH];
	__u32 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} enf_task_scratch SEC(".maps");

/* What a hook knows about the operation. */
struct op_ctx {
	__u8 op;
	__u8 mech;
	__s32 arg;
	__u32 new_uid, new_euid;
	struct file *exe_file; /* exec: the new image; NULL: current's */
	struct dentry *dentry; /* the object's path (open, unlink, rename, module, mount) */
	struct vfsmount *mnt;
};

/* Field by field: a constant initializer becomes a .rodata.cst section libbpf 1.1 mishandles. */
static __always_inline void op_init(struct op_ctx *o, __u8 op, __u8 mech)
{
	__builtin_memset(o, 0, sizeof(*o));
	o->op = op;
	o->mech = mech;
}

static __always_inline void set_file(struct op_ctx *o, struct file *f)
{
	o->dentry = BPF_CORE_READ(f, f_path.dentry);
	o->mnt = BPF_CORE_READ(f, f_path.mnt);
}

static __always_inline struct mount *vfs_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

static __always_inline struct vfsmount *mount_vfs(struct mount *mnt)
{
	return (struct vfsmount *)((char *)mnt + bpf_core_field_offset(struct mount, mnt));
}

/* The mask keeps the verifier's bound; the barrier keeps clang from proving it away. */
static __always_inline __u32 path_off(__u32 off)
{
	asm volatile("" : "+r"(off));
	return 1 + (off & (VIGIL_ENF_PATH_MAX - 1));
}

/*
 * The file's path from the root of its mount tree into pb->key.data[1..], NUL-terminated.
 * The component count and the offset live in memory, not in registers: the verifier then sees
 * one state per iteration instead of one per (iteration, count) pair.
 */
static __noinline void build_path(struct scratch *s, struct path_buf *pb, struct dentry *d,
				  struct vfsmount *vm)
{
	struct mount *mnt = vfs_mount(vm);

	pb->trunc = 1; /* until the walk reaches the root */
	pb->valid = 1;
	s->n = 0;
	/* names is a ring: past ENF_DEPTH components it keeps the top-most ones, so a path too deep
	 * to hold whole is still a true prefix of the real one */
	for (int i = 0; i < ENF_WALK; i++) {
		struct dentry *root = BPF_CORE_READ(vm, mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);

		if (d == root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
			if (up == mnt || !up) {
				pb->trunc = 0;
				break;
			}
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vm = mount_vfs(mnt);
			continue;
		}
		if (d == parent || !d) {
			pb->trunc = 0; /* a filesystem's root (or a pseudo file's) */
			break;
		}
		s->names[s->n & (ENF_DEPTH - 1)] = BPF_CORE_READ(d, d_name.name);
		s->n++;
		d = parent;
	}
	if (pb->trunc) {
		/* the root was not reached: the top of the path is unknown, and so is any prefix of
		 * it. A key of the field byte alone matches no entry (docs/enforcement.md). */
		pb->valid = 0;
		pb->len = 0;
		pb->key.prefixlen = 8;
		return;
	}
	if (s->n > ENF_DEPTH)
		pb->trunc = 1;
	pb->len = 0;
	pb->key.data[1] = '/';
	pb->key.data[2] = 0;
	if (s->n == 0)
		pb->len = 1;
	for (int j = 0; j < ENF_DEPTH; j++) {
		__u32 n = s->n, off = pb->len;
		if ((__u32)j >= n)
			break;
		if (off >= VIGIL_ENF_PATH_MAX - 2) {
			pb->trunc = 1;
			break;
		}
		pb->key.data[path_off(off)] = '/';
		long r = bpf_probe_read_kernel_str(&pb->key.data[path_off(off + 1)], VIGIL_ENF_PATH_MAX,
						   s->names[(n - 1 - j) & (ENF_DEPTH - 1)]);
		if (r <= 0) {
			pb->valid = 0;
			break;
		}
		pb->len = off + (__u32)r;
	}
	/* the path and its NUL fit in data[1..255]: at most 254 bytes */
	if (pb->len > VIGIL_ENF_PATH_MAX - 2) {
		pb->trunc = 1;
		pb->len = VIGIL_ENF_PATH_MAX - 1;
	}
	/* a whole path is compared with its NUL (equality); a truncated one without it, so that only
	 * prefixes can match it */
	pb->key.prefixlen = (pb->len + (pb->trunc ? 1 : 2)) * 8;
}

static __always_inline __u64 bits_or(const __u64 *v, __u64 any)
{
	return (v ? *v : 0) | any;
}

static __always_inline bool exempt(const struct vigil_enf_task_config *c, __u32 slot, const char *comm)
{
	if (c->exempt_comms && SLOT_LOOKUP(enf_task_exempt_comm, slot, comm))
		return true;
	if (!c->exempt_cgroups)
		return false;
	__u64 id = bpf_get_current_cgroup_id();
	if (SLOT_LOOKUP(enf_task_exempt_cgroup, slot, &id))
		return true;
	for (int level = 0; level < VIGIL_ENF_CGROUP_DEPTH; level++) {
		id = bpf_get_current_ancestor_cgroup_id(level);
		if (!id)
			break;
		if (SLOT_LOOKUP(enf_task_exempt_cgroup, slot, &id))
			return true;
	}
	return false;
}

static __always_inline void copy_path(char *dst, const struct path_buf *pb)
{
	if (pb->valid)
		bpf_probe_read_kernel(dst, VIGIL_ENF_PATH_MAX - 1, &pb->key.data[1]);
}

/*
 * Decides the operation against the rules. Returns -EPERM (lsm: the call fails), or 0. A signal
 * mechanism sends SIGKILL here; lsm sends it for action kill and denies as well.
 */
static __always_inline int decide(struct op_ctx *o)
{
	__u32 zero = 0, slot = enf_slot_now();
	struct vigil_enf_task_config *c = bpf_map_lookup_elem(&enf_task_config, &slot);
	struct vigil_enf_stats *st = bpf_map_lookup_elem(&enf_task_stats, &zero);

	if (!c || !st)
		return 0;
	__u64 m = c->active & c->op[o->op & 15];
	if (!m)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == c->self_tgid || tgid == 1)
		return 0; /* vigil itself and PID 1 are never enforced against */
	struct task_struct *task = bpf_get_current_task_btf();
	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		return 0; /* nor the kernel's own threads */
	if (BPF_CORE_READ(task, real_parent, tgid) == c->self_tgid)
		return 0; /* nor vigil's own children */
	st->checked++;

	char comm[VIGIL_COMM_LEN] = {};
	bpf_get_current_comm(comm, sizeof(comm));
	m &= bits_or(SLOT_LOOKUP(enf_task_comm, slot, comm), c->any_comm);
	if (m && c->not_comms)
		m &= ~bits_or(SLOT_LOOKUP(enf_task_not_comm, slot, comm), 0);
	if (!m)
		return 0;

	__u64 uid_gid = bpf_get_current_uid_gid();
	__u32 uid = (__u32)uid_gid;
	m &= bits_or(SLOT_LOOKUP(enf_task_uid, slot, &uid), c->any_uid);
	if (!m)
		return 0;
	if (o->op == VIGIL_ENF_OP_SETUID) {
		m &= bits_or(SLOT_LOOKUP(enf_task_new_uid, slot, &o->new_uid), c->any_new_uid);
		m &= bits_or(SLOT_LOOKUP(enf_task_new_euid, slot, &o->new_euid), c->any_new_euid);
		if (!m)
			return 0;
	}

	struct scratch *s = bpf_map_lookup_elem(&enf_task_scratch, &zero);
	if (!s)
		return 0;
	s->exe.valid = 0;
	s->file.valid = 0;
	s->exe.trunc = 0;
	s->file.trunc = 0;
	if ((m & ~c->any_exe) || (m & c->not_exe)) {
		struct file *ef = o->exe_file;
		if (!ef)
			ef = BPF_CORE_READ(task, mm, exe_file);
		if (ef) {
			build_path(s, &s->exe, BPF_CORE_READ(ef, f_path.dentry), BPF_CORE_READ(ef, f_path.mnt));
			s->exe.key.data[0] = VIGIL_ENF_PF_EXE;
			m &= bits_or(SLOT_LOOKUP(enf_task_path, slot, &s->exe.key), c->any_exe);
			if (m & c->not_exe) {
				s->exe.key.data[0] = VIGIL_ENF_PF_NOT_EXE;
				m &= ~bits_or(SLOT_LOOKUP(enf_task_path, slot, &s->exe.key), 0);
			}
		} else {
			m &= c->any_exe; /* a kernel thread has no image */
		}
		if (!m)
			return 0;
	}
	if (m & ~c->any_file) {
		if (o->dentry && o->mnt) {
			build_path(s, &s->file, o->dentry, o->mnt);
			s->file.key.data[0] = VIGIL_ENF_PF_FILE;
			m &= bits_or(SLOT_LOOKUP(enf_task_path, slot, &s->file.key), c->any_file);
		} else {
			m &= c->any_file;
		}
		if (!m)
			return 0;
	}

	st->matched++;
	if (exempt(c, slot, comm)) {
		st->exempt++;
		return 0;
	}
	__u64 acting = m & c->enforce;
	bool kill = (acting & c->kill) || (acting && o->mech == MECH_SIGNAL);
	bool deny = acting && o->mech == MECH_LSM;
	if (kill)
		bpf_send_signal(SIGKILL);
	if (deny || kill)
		st->denied++;

	struct vigil_enf_task_record *r = bpf_ringbuf_reserve(&enf_task_events, sizeof(*r), 0);
	if (!r) {
		st->lost++;
		return deny ? -EPERM : 0;
	}
	r->ktime_ns = bpf_ktime_get_boot_ns();
	r->cgroup_id = bpf_get_current_cgroup_id();
	r->rules = m;
	r->tgid = tgid;
	r->tid = (__u32)pid_tgid;
	r->ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->uid = uid;
	r->gid = uid_gid >> 32;
	r->euid = BPF_CORE_READ(task, cred, euid.val);
	r->generation = c->generation;
	r->new_uid = o->new_uid;
	r->new_euid = o->new_euid;
	r->arg = o->arg;
	r->op = o->op;
	r->mechanism = o->mech;
	r->denied = deny;
	r->killed = kill;
	r->path_trunc = s->exe.trunc | s->file.trunc;
	__builtin_memset(r->_pad, 0, sizeof(r->_pad));
	__builtin_memcpy(r->comm, comm, sizeof(comm));
	r->exe[0] = 0;
	r->file[0] = 0;
	r->exe[VIGIL_ENF_PATH_MAX - 1] = 0;
	r->file[VIGIL_ENF_PATH_MAX - 1] = 0;
	copy_path(r->exe, &s->exe);
	copy_path(r->file, &s->file);
	bpf_ringbuf_submit(r, 0);
	return deny ? -EPERM : 0;
}

/* Some loaded rule is about op: checked before a hook reads anything. */
static __always_inline bool op_active(__u8 op)
{
	__u32 slot = enf_slot_now();
	struct vigil_enf_task_config *c = bpf_map_lookup_elem(&enf_task_config, &slot);

	return c && (c->active & c->op[op & 15]);
}

/* --- lsm ----------------------------------------------------------------------------- */

/* Two constant returns: the verifier of 6.12 checks that an LSM program returns [-4095, 0], and
 * a value clang computes arithmetically from the decision has no such bound. */
static __always_inline int lsm_ret(int r)
{
	asm volatile("" : "+r"(r));
	if (r)
		return -EPERM;
	return 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(enf_lsm_exec, struct linux_binprm *bprm)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_EXEC, MECH_LSM);
	o.exe_file = BPF_CORE_READ(bprm, file);
	return lsm_ret(decide(&o));
}

SEC("lsm/file_open")
int BPF_PROG(enf_lsm_open, struct file *file)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_OPEN, MECH_LSM);
	set_file(&o, file);
	o.arg = BPF_CORE_READ(file, f_flags);
	return lsm_ret(decide(&o));
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(enf_lsm_setuid, struct cred *new, const struct cred *old, int flags)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_SETUID, MECH_LSM);
	if (flags == LSM_SETID_FS)
		return 0; /* setfsuid: not a change of uid */
	o.new_uid = BPF_CORE_READ(new, uid.val);
	o.new_euid = BPF_CORE_READ(new, euid.val);
	return lsm_ret(decide(&o));
}

SEC("lsm/kernel_read_file")
int BPF_PROG(enf_lsm_module_file, struct file *file, enum kernel_read_file_id id, bool contents)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_MODULE, MECH_LSM);
	o.arg = 1;
	if (id != bpf_core_enum_value(enum kernel_read_file_id, READING_MODULE))
		return 0;
	set_file(&o, file);
	return lsm_ret(decide(&o));
}

SEC("lsm/kernel_load_data")
int BPF_PROG(enf_lsm_module_data, enum kernel_load_data_id id, bool contents)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_MODULE, MECH_LSM);
	o.arg = 0;
	if (id != bpf_core_enum_value(enum kernel_load_data_id, LOADING_MODULE))
		return 0;
	return lsm_ret(decide(&o));
}

SEC("lsm/bpf")
int BPF_PROG(enf_lsm_bpf, int cmd)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_BPF, MECH_LSM);
	o.arg = cmd;
	if (cmd != BPF_PROG_LOAD)
		return 0;
	return lsm_ret(decide(&o));
}

/* The path hooks (CONFIG_SECURITY_PATH): the object is a dentry under a directory's mount. */
static __always_inline int path_op(__u8 op, const struct path *dir, struct dentry *dentry)
{
	struct op_ctx o;

	op_init(&o, op, MECH_LSM);
	o.dentry = dentry;
	o.mnt = BPF_CORE_READ(dir, mnt);
	return lsm_ret(decide(&o));
}

SEC("lsm/path_unlink")
int BPF_PROG(enf_lsm_unlink, const struct path *dir, struct dentry *dentry)
{
	return path_op(VIGIL_ENF_OP_UNLINK, dir, dentry);
}

SEC("lsm/path_rmdir")
int BPF_PROG(enf_lsm_rmdir, const struct path *dir, struct dentry *dentry)
{
	return path_op(VIGIL_ENF_OP_UNLINK, dir, dentry);
}

SEC("lsm/path_rename")
int BPF_PROG(enf_lsm_rename, const struct path *old_dir, struct dentry *old_dentry)
{
	return path_op(VIGIL_ENF_OP_RENAME, old_dir, old_dentry);
}

/* mount(2): the target is the path mounted on. */
SEC("lsm/sb_mount")
int BPF_PROG(enf_lsm_mount, const char *dev_name, const struct path *path)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_MOUNT, MECH_LSM);
	o.dentry = BPF_CORE_READ(path, dentry);
	o.mnt = BPF_CORE_READ(path, mnt);
	return lsm_ret(decide(&o));
}

/* The new mount API attaches with move_mount(2): the target is to_path. */
SEC("lsm/move_mount")
int BPF_PROG(enf_lsm_move_mount, const struct path *from_path, const struct path *to_path)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_MOUNT, MECH_LSM);
	o.arg = 1;
	o.dentry = BPF_CORE_READ(to_path, dentry);
	o.mnt = BPF_CORE_READ(to_path, mnt);
	return lsm_ret(decide(&o));
}

/* Every attach-mode access: ptrace(PTRACE_ATTACH/SEIZE), and also /proc/PID/mem,
 * process_vm_writev, pidfd_getfd, which the kernel checks the same way. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(enf_lsm_ptrace, struct task_struct *child, unsigned int mode)
{
	struct op_ctx o;

	if (!(mode & PTRACE_MODE_ATTACH))
		return 0;
	op_init(&o, VIGIL_ENF_OP_PTRACE, MECH_LSM);
	o.arg = -1;
	o.new_uid = BPF_CORE_READ(child, tgid);
	return lsm_ret(decide(&o));
}

/* --- signal ---------------------------------------------------------------------------- */

/* The new image is in place; SIGKILL is delivered before its first instruction runs. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(enf_sig_exec, struct task_struct *p, pid_t old_tid, struct linux_binprm *bprm)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_EXEC, MECH_SIGNAL);
	o.exe_file = BPF_CORE_READ(bprm, file);
	decide(&o);
	return 0;
}

/* An open that succeeded: the caller dies before it sees the fd. */
static __always_inline void open_exit(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file **fds;
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_OPEN, MECH_SIGNAL);
	if (ret < 0 || ret >= (1 << 20) || !op_active(VIGIL_ENF_OP_OPEN))
		return;
	struct file *file = NULL;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (!fds || bpf_probe_read_kernel(&file, sizeof(file), &fds[ret]) || !file)
		return;
	set_file(&o, file);
	o.arg = BPF_CORE_READ(file, f_flags);
	decide(&o);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int enf_sig_openat(struct trace_event_raw_sys_exit *ctx)
{
	open_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int enf_sig_openat2(struct trace_event_raw_sys_exit *ctx)
{
	open_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int enf_sig_open(struct trace_event_raw_sys_exit *ctx)
{
	open_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_creat")
int enf_sig_creat(struct trace_event_raw_sys_exit *ctx)
{
	open_exit(ctx->ret);
	return 0;
}

/* A uid change that succeeded: the caller dies before it runs with the new uid. */
static __always_inline void setuid_exit(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_SETUID, MECH_SIGNAL);
	if (ret != 0)
		return;
	o.new_uid = BPF_CORE_READ(task, cred, uid.val);
	o.new_euid = BPF_CORE_READ(task, cred, euid.val);
	decide(&o);
}

SEC("tracepoint/syscalls/sys_exit_setuid")
int enf_sig_setuid(struct trace_event_raw_sys_exit *ctx)
{
	setuid_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setreuid")
int enf_sig_setreuid(struct trace_event_raw_sys_exit *ctx)
{
	setuid_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setresuid")
int enf_sig_setresuid(struct trace_event_raw_sys_exit *ctx)
{
	setuid_exit(ctx->ret);
	return 0;
}

/* bpf(BPF_PROG_LOAD): the verifier gives up at the pending SIGKILL; the caller never returns. */
SEC("tracepoint/syscalls/sys_enter_bpf")
int enf_sig_bpf(struct trace_event_raw_sys_enter *ctx)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_BPF, MECH_SIGNAL);
	o.arg = (__s32)ctx->args[0];
	if (o.arg != BPF_PROG_LOAD)
		return 0;
	decide(&o);
	return 0;
}

/* ptrace attach: the tracer dies in the call; the kernel detaches whatever it had attached. */
SEC("tracepoint/syscalls/sys_enter_ptrace")
int enf_sig_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	struct op_ctx o;
	long req = ctx->args[0];

	if (req != PTRACE_ATTACH && req != PTRACE_SEIZE)
		return 0;
	op_init(&o, VIGIL_ENF_OP_PTRACE, MECH_SIGNAL);
	o.arg = (__s32)req;
	o.new_uid = (__u32)ctx->args[1];
	decide(&o);
	return 0;
}

/* kill only: the module may still be loaded (the signal does not stop the syscall). */
SEC("tracepoint/syscalls/sys_enter_finit_module")
int enf_sig_finit_module(struct trace_event_raw_sys_enter *ctx)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_MODULE, MECH_SIGNAL);
	o.arg = 1;
	decide(&o);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_init_module")
int enf_sig_init_module(struct trace_event_raw_sys_enter *ctx)
{
	struct op_ctx o;

	op_init(&o, VIGIL_ENF_OP_MODULE, MECH_SIGNAL);
	o.arg = 0;
	decide(&o);
	return 0;
}
