// SPDX-License-Identifier: GPL-2.0-only
#include "priv_names.h"

#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/abi.h"

#define N(x) sizeof(x) / sizeof((x)[0])

const struct flag_name mount_flag_names[] = {
	{ 1ULL << 0, "MS_RDONLY" },	{ 1ULL << 1, "MS_NOSUID" },	{ 1ULL << 2, "MS_NODEV" },
	{ 1ULL << 3, "MS_NOEXEC" },	{ 1ULL << 4, "MS_SYNCHRONOUS" }, { 1ULL << 5, "MS_REMOUNT" },
	{ 1ULL << 6, "MS_MANDLOCK" },	{ 1ULL << 7, "MS_DIRSYNC" },	{ 1ULL << 8, "MS_NOSYMFOLLOW" },
	{ 1ULL << 10, "MS_NOATIME" },	{ 1ULL << 11, "MS_NODIRATIME" }, { 1ULL << 12, "MS_BIND" },
	{ 1ULL << 13, "MS_MOVE" },	{ 1ULL << 14, "MS_REC" },	{ 1ULL << 15, "MS_SILENT" },
	{ 1ULL << 16, "MS_POSIXACL" },	{ 1ULL << 17, "MS_UNBINDABLE" }, { 1ULL << 18, "MS_PRIVATE" },
	{ 1ULL << 19, "MS_SLAVE" },	{ 1ULL << 20, "MS_SHARED" },	{ 1ULL << 21, "MS_RELATIME" },
	{ 1ULL << 22, "MS_KERNMOUNT" }, { 1ULL << 23, "MS_I_VERSION" }, { 1ULL << 24, "MS_STRICTATIME" },
	{ 1ULL << 25, "MS_LAZYTIME" },	{ 0, NULL },
};

const struct flag_name umount_flag_names[] = {
	{ 1, "MNT_FORCE" }, { 2, "MNT_DETACH" }, { 4, "MNT_EXPIRE" }, { 8, "UMOUNT_NOFOLLOW" },
	{ 0, NULL },
};

const struct flag_name clone_ns_flag_names[] = {
	{ 0x00000080, "CLONE_NEWTIME" }, { 0x00000200, "CLONE_FS" },	  { 0x00000400, "CLONE_FILES" },
	{ 0x00000800, "CLONE_SIGHAND" }, { 0x00008000, "CLONE_THREAD" },  { 0x00020000, "CLONE_NEWNS" },
	{ 0x00040000, "CLONE_SYSVSEM" }, { 0x02000000, "CLONE_NEWCGROUP" }, { 0x04000000, "CLONE_NEWUTS" },
	{ 0x08000000, "CLONE_NEWIPC" },	 { 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },	 { 0, NULL },
};

const struct flag_name memfd_flag_names[] = {
	{ 0x0001, "MFD_CLOEXEC" }, { 0x0002, "MFD_ALLOW_SEALING" }, { 0x0004, "MFD_HUGETLB" },
	{ 0x0008, "MFD_NOEXEC_SEAL" }, { 0x0010, "MFD_EXEC" }, { 0, NULL },
};

const struct flag_name move_mount_flag_names[] = {
	{ 0x01, "MOVE_MOUNT_F_SYMLINKS" }, { 0x02, "MOVE_MOUNT_F_AUTOMOUNTS" },
	{ 0x04, "MOVE_MOUNT_F_EMPTY_PATH" }, { 0x10, "MOVE_MOUNT_T_SYMLINKS" },
	{ 0x20, "MOVE_MOUNT_T_AUTOMOUNTS" }, { 0x40, "MOVE_MOUNT_T_EMPTY_PATH" },
	{ 0x100, "MOVE_MOUNT_SET_GROUP" },  { 0x200, "MOVE_MOUNT_BENEATH" }, { 0, NULL },
};

void flags_put(struct sbuf *b, uint64_t v, const struct flag_name *tbl)
{
	bool first = true;

	if (!v) {
		sbuf_putc(b, '0');
		return;
	}
	for (const struct flag_name *f = tbl; f->name; f++) {
		if (!(v & f->bit))
			continue;
		sbuf_printf(b, "%s%s", first ? "" : "|", f->name);
		first = false;
		v &= ~f->bit;
	}
	if (v)
		sbuf_printf(b, "%s0x%" PRIx64, first ? "" : "|", v);
}

void out_flags(struct out *o, const char *key, uint64_t v, const struct flag_name *tbl)
{
	char hex[24];

	if (o->fmt == OUT_TEXT) {
		struct sbuf b = {};
		flags_put(&b, v, tbl);
		out_strn(o, key, b.p, b.len);
		sbuf_free(&b);
		return;
	}
	out_arr(o, key);
	for (const struct flag_name *f = tbl; f->name; f++) {
		if (!(v & f->bit))
			continue;
		out_str(o, NULL, f->name);
		v &= ~f->bit;
	}
	if (v) {
		snprintf(hex, sizeof(hex), "0x%" PRIx64, v);
		out_str(o, NULL, hex);
	}
	out_arr_end(o);
}

static const char *const op_names[VIGIL_OP_COUNT] = {
	[VIGIL_OP_SETUID] = "setuid",		[VIGIL_OP_SETGID] = "setgid",
	[VIGIL_OP_SETREUID] = "setreuid",	[VIGIL_OP_SETREGID] = "setregid",
	[VIGIL_OP_SETRESUID] = "setresuid",	[VIGIL_OP_SETRESGID] = "setresgid",
	[VIGIL_OP_SETFSUID] = "setfsuid",	[VIGIL_OP_SETFSGID] = "setfsgid",
	[VIGIL_OP_CAPSET] = "capset",		[VIGIL_OP_INIT_MODULE] = "init_module",
	[VIGIL_OP_FINIT_MODULE] = "finit_module", [VIGIL_OP_BPF] = "bpf",
	[VIGIL_OP_MOUNT] = "mount",		[VIGIL_OP_UMOUNT] = "umount2",
	[VIGIL_OP_FSMOUNT] = "fsmount",		[VIGIL_OP_MOVE_MOUNT] = "move_mount",
	[VIGIL_OP_PTRACE] = "ptrace",		[VIGIL_OP_UNSHARE] = "unshare",
	[VIGIL_OP_SETNS] = "setns",		[VIGIL_OP_MEMFD_CREATE] = "memfd_create",
	[VIGIL_OP_EXECVE] = "execve",		[VIGIL_OP_EXECVEAT] = "execveat",
};

const char *sys_op_name(unsigned op)
{
	return op < VIGIL_OP_COUNT && op_names[op] ? op_names[op] : "unknown";
}

/* In capability number order (include/uapi/linux/capability.h). */
static const char *const cap_names[] = {
	"CAP_CHOWN",		"CAP_DAC_OVERRIDE",	"CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID",		"CAP_KILL",		"CAP_SETGID",	       "CAP_SETUID",
	"CAP_SETPCAP",		"CAP_LINUX_IMMUTABLE",	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",	"CAP_NET_RAW",		"CAP_IPC_LOCK",	       "CAP_IPC_OWNER",
	"CAP_SYS_MODULE",	"CAP_SYS_RAWIO",	"CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",	"CAP_SYS_ADMIN",	"CAP_SYS_BOOT",	       "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",	"CAP_SYS_TIME",		"CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
	"CAP_LEASE",		"CAP_AUDIT_WRITE",	"CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",	"CAP_MAC_ADMIN",	"CAP_SYSLOG",	       "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",	"CAP_AUDIT_READ",	"CAP_PERFMON",	       "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *capability_name(int cap)
{
	return cap >= 0 && (size_t)cap < N(cap_names) ? cap_names[cap] : NULL;
}

/* In command number order (include/uapi/linux/bpf.h, enum bpf_cmd). */
static const char *const bpf_cmds[] = {
	"BPF_MAP_CREATE",	     "BPF_MAP_LOOKUP_ELEM",	    "BPF_MAP_UPDATE_ELEM",
	"BPF_MAP_DELETE_ELEM",	     "BPF_MAP_GET_NEXT_KEY",	    "BPF_PROG_LOAD",
	"BPF_OBJ_PIN",		     "BPF_OBJ_GET",		    "BPF_PROG_ATTACH",
	"BPF_PROG_DETACH",	     "BPF_PROG_TEST_RUN",	    "BPF_PROG_GET_NEXT_ID",
	"BPF_MAP_GET_NEXT_ID",	     "BPF_PROG_GET_FD_BY_ID",	    "BPF_MAP_GET_FD_BY_ID",
	"BPF_OBJ_GET_INFO_BY_FD",    "BPF_PROG_QUERY",		    "BPF_RAW_TRACEPOINT_OPEN",
	"BPF_BTF_LOAD",		     "BPF_BTF_GET_FD_BY_ID",	    "BPF_TASK_FD_QUERY",
	"BPF_MAP_LOOKUP_AND_DELETE_ELEM", "BPF_MAP_FREEZE",	    "BPF_BTF_GET_NEXT_ID",
	"BPF_MAP_LOOKUP_BATCH",	     "BPF_MAP_LOOKUP_AND_DELETE_BATCH", "BPF_MAP_UPDATE_BATCH",
	"BPF_MAP_DELETE_BATCH",	     "BPF_LINK_CREATE",		    "BPF_LINK_UPDATE",
	"BPF_LINK_GET_FD_BY_ID",     "BPF_LINK_GET_NEXT_ID",	    "BPF_ENABLE_STATS",
	"BPF_ITER_CREATE",	     "BPF_LINK_DETACH",		    "BPF_PROG_BIND_MAP",
	"BPF_TOKEN_CREATE",	     "BPF_PROG_STREAM_READ_BY_FD",
};

const char *bpf_cmd_name(uint64_t cmd)
{
	return cmd < N(bpf_cmds) ? bpf_cmds[cmd] : NULL;
}

static const struct {
	int64_t req;
	const char *name;
} ptrace_requests[] = {
	{ 0, "PTRACE_TRACEME" },	{ 1, "PTRACE_PEEKTEXT" },	{ 2, "PTRACE_PEEKDATA" },
	{ 3, "PTRACE_PEEKUSER" },	{ 4, "PTRACE_POKETEXT" },	{ 5, "PTRACE_POKEDATA" },
	{ 6, "PTRACE_POKEUSER" },	{ 7, "PTRACE_CONT" },		{ 8, "PTRACE_KILL" },
	{ 9, "PTRACE_SINGLESTEP" },	{ 12, "PTRACE_GETREGS" },	{ 13, "PTRACE_SETREGS" },
	{ 14, "PTRACE_GETFPREGS" },	{ 15, "PTRACE_SETFPREGS" },	{ 16, "PTRACE_ATTACH" },
	{ 17, "PTRACE_DETACH" },	{ 24, "PTRACE_SYSCALL" },	{ 0x4200, "PTRACE_SETOPTIONS" },
	{ 0x4201, "PTRACE_GETEVENTMSG" }, { 0x4202, "PTRACE_GETSIGINFO" }, { 0x4203, "PTRACE_SETSIGINFO" },
	{ 0x4204, "PTRACE_GETREGSET" }, { 0x4205, "PTRACE_SETREGSET" }, { 0x4206, "PTRACE_SEIZE" },
	{ 0x4207, "PTRACE_INTERRUPT" }, { 0x4208, "PTRACE_LISTEN" },	{ 0x4209, "PTRACE_PEEKSIGINFO" },
	{ 0x420e, "PTRACE_GET_SYSCALL_INFO" },
};

const char *ptrace_request_name(int64_t req)
{
	for (size_t i = 0; i < N(ptrace_requests); i++)
		if (ptrace_requests[i].req == req)
			return ptrace_requests[i].name;
	return NULL;
}

const char *errno_short_name(int err)
{
	return err > 0 ? strerrorname_np(err) : NULL;
}

const char *syscall_name(unsigned nr, bool compat, char *buf, size_t len)
{
	uint32_t arch = SCMP_ARCH_NATIVE;
	char *name;

#if defined(__x86_64__)
	if (compat)
		arch = SCMP_ARCH_X86;
#elif defined(__aarch64__)
	if (compat)
		arch = SCMP_ARCH_ARM;
#endif
	name = seccomp_syscall_resolve_num_arch(arch, (int)nr);
	if (name) {
		snprintf(buf, len, "%s", name);
		free(name);
	} else {
		snprintf(buf, len, "syscall_%u", nr);
	}
	return buf;
}
