// SPDX-License-Identifier: GPL-2.0-only
#include "policy/fields.h"

#include <string.h>

#include "kinds.h"
#include "vigil/abi.h"

#define PROC_KINDS 0 /* proc and parent come with every kernel event */
#define EXIT_KINDS KIND_BIT(VIGIL_KIND_PROCESS_EXIT)
#define EXEC_KINDS KIND_BIT(VIGIL_KIND_PROCESS_EXEC)
#define K(x) KIND_BIT(VIGIL_KIND_##x)
#define FILE_KINDS (K(FILE_OPEN) | K(FILE_UNLINK) | K(FILE_RENAME) | K(FILE_CHMOD) | K(FILE_CHOWN) | \
		    K(FILE_LINK) | K(FILE_SYMLINK) | K(FILE_TRUNCATE))
#define NET_KINDS (K(NET_CONNECT) | K(NET_ACCEPT) | K(NET_LISTEN) | K(NET_CLOSE) | K(NET_RESET) | \
		   K(NET_DNS))
#define PKT_KINDS (NET_KINDS | K(NET_PACKET)) /* the fields a net.packet rule may test */

/* One row per field; sensors add theirs as their events land (docs/policy.md lists them). */
static const struct field_def fields[] = {
	{ "kind", F_STR, FS_KIND, { "kind" }, PROC_KINDS, VIGIL_FF_KIND, "the event kind" },

	{ "proc.tgid", F_INT, FS_PATH, { "proc", "tgid" }, PROC_KINDS, VIGIL_FF_TGID, "process id" },
	{ "proc.tid", F_INT, FS_PATH, { "proc", "tid" }, PROC_KINDS, -1, "thread id" },
	{ "proc.ppid", F_INT, FS_PATH, { "proc", "ppid" }, PROC_KINDS, -1, "parent's tgid" },
	{ "proc.uid", F_INT, FS_PATH, { "proc", "uid" }, PROC_KINDS, VIGIL_FF_UID, "real uid" },
	{ "proc.gid", F_INT, FS_PATH, { "proc", "gid" }, PROC_KINDS, VIGIL_FF_GID, "real gid" },
	{ "proc.euid", F_INT, FS_PATH, { "proc", "euid" }, PROC_KINDS, -1, "effective uid" },
	{ "proc.egid", F_INT, FS_PATH, { "proc", "egid" }, PROC_KINDS, -1, "effective gid" },
	{ "proc.auid", F_INT, FS_PATH, { "proc", "auid" }, PROC_KINDS, -1, "login uid (-1 unset)" },
	{ "proc.comm", F_STR, FS_PATH, { "proc", "comm" }, PROC_KINDS, VIGIL_FF_COMM, "command name" },
	{ "proc.exe", F_STR, FS_PATH, { "proc", "exe" }, PROC_KINDS, -1, "executable path" },
	{ "proc.args", F_STRLIST, FS_PATH, { "proc", "args" }, PROC_KINDS, -1, "argv, any element" },
	{ "proc.cmdline", F_STR, FS_CMDLINE, { "proc", "args" }, PROC_KINDS, -1, "argv joined by spaces" },
	{ "proc.cwd", F_STR, FS_PATH, { "proc", "cwd" }, PROC_KINDS, -1, "working directory" },
	{ "proc.tty", F_STR, FS_PATH, { "proc", "tty" }, PROC_KINDS, -1, "controlling terminal" },
	{ "proc.cgroup", F_STR, FS_PATH, { "proc", "cgroup" }, PROC_KINDS, -1, "cgroup path" },
	{ "proc.cgroup_id", F_INT, FS_PATH, { "proc", "cgroup_id" }, PROC_KINDS, VIGIL_FF_CGROUP, "cgroup v2 id" },
	{ "proc.exec_id", F_STR, FS_PATH, { "proc", "exec_id" }, PROC_KINDS, -1, "process image id" },
	{ "proc.ns.pid", F_INT, FS_PATH, { "proc", "ns", "pid" }, PROC_KINDS, VIGIL_FF_NS_PID, "pid namespace inode" },
	{ "proc.ns.mnt", F_INT, FS_PATH, { "proc", "ns", "mnt" }, PROC_KINDS, VIGIL_FF_NS_MNT, "mount namespace inode" },
	{ "proc.ns.net", F_INT, FS_PATH, { "proc", "ns", "net" }, PROC_KINDS, VIGIL_FF_NS_NET, "network namespace inode" },
	{ "proc.ns.user", F_INT, FS_PATH, { "proc", "ns", "user" }, PROC_KINDS, VIGIL_FF_NS_USER, "user namespace inode" },
	{ "container.id", F_STR, FS_PATH, { "proc", "container_id" }, PROC_KINDS, -1, "container id (empty on the host)" },
	{ "container.runtime", F_STR, FS_PATH, { "proc", "container_runtime" }, PROC_KINDS, -1, "container runtime" },

	{ "parent.tgid", F_INT, FS_PATH, { "parent", "tgid" }, PROC_KINDS, -1, "parent's tgid" },
	{ "parent.comm", F_STR, FS_PATH, { "parent", "comm" }, PROC_KINDS, -1, "parent's command name" },
	{ "parent.exe", F_STR, FS_PATH, { "parent", "exe" }, PROC_KINDS, -1, "parent's executable" },
	{ "parent.args", F_STRLIST, FS_PATH, { "parent", "args" }, PROC_KINDS, -1, "parent's argv" },
	{ "parent.cmdline", F_STR, FS_CMDLINE, { "parent", "args" }, PROC_KINDS, -1, "parent's argv joined" },
	{ "parent.exec_id", F_STR, FS_PATH, { "parent", "exec_id" }, PROC_KINDS, -1, "parent's image id" },

	{ "ancestors.tgid", F_INT, FS_ANCESTOR, { "tgid" }, PROC_KINDS, -1, "any ancestor's tgid" },
	{ "ancestors.comm", F_STR, FS_ANCESTOR, { "comm" }, PROC_KINDS, -1, "any ancestor's command name" },
	{ "ancestors.exe", F_STR, FS_ANCESTOR, { "exe" }, PROC_KINDS, -1, "any ancestor's executable" },
	{ "ancestors.cmdline", F_STR, FS_ANCESTOR, { "args" }, PROC_KINDS, -1, "any ancestor's argv joined" },

	{ "exec.argc", F_INT, FS_PATH, { "exec", "argc" }, KIND_BIT(VIGIL_KIND_PROCESS_EXEC), -1, "argument count" },
	{ "fork.thread", F_BOOL, FS_PATH, { "fork", "thread" }, KIND_BIT(VIGIL_KIND_PROCESS_FORK), -1, "a thread" },
	{ "exit.code", F_INT, FS_PATH, { "exit", "code" }, EXIT_KINDS, -1, "exit status" },
	{ "exit.signal", F_INT, FS_PATH, { "exit", "signal" }, EXIT_KINDS, -1, "the signal that ended it" },
	{ "exec.interpreter", F_STR, FS_PATH, { "exec", "interpreter" }, EXEC_KINDS, -1, "ELF interpreter or script interpreter" },
	{ "exec.fileless", F_BOOL, FS_PATH, { "exec", "fileless" }, EXEC_KINDS, -1, "memfd, deleted or tmpfs binary" },
	{ "exec.stdin_socket", F_BOOL, FS_PATH, { "exec", "stdin_socket" }, EXEC_KINDS, -1, "fd 0 is a socket" },
	{ "exec.stdout_socket", F_BOOL, FS_PATH, { "exec", "stdout_socket" }, EXEC_KINDS, -1, "fd 1 is a socket" },
	{ "exec.fileless_reasons", F_STRLIST, FS_PATH, { "exec", "fileless_reasons" }, EXEC_KINDS, -1, "memfd, deleted, tmpfs" },
	{ "exec.file.setuid", F_BOOL, FS_PATH, { "exec", "file", "setuid" }, EXEC_KINDS, -1, "the binary is set-user-id" },
	{ "exec.file.setgid", F_BOOL, FS_PATH, { "exec", "file", "setgid" }, EXEC_KINDS, -1, "the binary is set-group-id" },
	{ "exec.file.uid", F_INT, FS_PATH, { "exec", "file", "uid" }, EXEC_KINDS, -1, "the binary's owner" },

	{ "file.syscall", F_STR, FS_PATH, { "file", "syscall" }, FILE_KINDS, -1, "the syscall" },
	{ "file.path", F_STR, FS_PATH, { "file", "path" }, FILE_KINDS, -1, "the file acted on" },
	{ "file.requested", F_STR, FS_PATH, { "file", "requested" }, FILE_KINDS, -1, "the string the caller passed" },
	{ "file.flags", F_STRLIST, FS_PATH, { "file", "flags" }, FILE_KINDS, -1, "flags as names" },
	{ "file.mode", F_STR, FS_PATH, { "file", "mode" }, K(FILE_OPEN) | K(FILE_CHMOD), -1, "mode, octal" },
	{ "file.errno", F_INT, FS_PATH, { "file", "errno" }, FILE_KINDS, -1, "0 or the error number" },
	{ "file.error", F_STR, FS_PATH, { "file", "error" }, FILE_KINDS, -1, "the error's name" },
	{ "file.inode", F_INT, FS_PATH, { "file", "inode" }, FILE_KINDS, -1, "inode number" },
	{ "file.dev", F_INT, FS_PATH, { "file", "dev" }, FILE_KINDS, -1, "device" },
	{ "file.fd", F_INT, FS_PATH, { "file", "fd" }, FILE_KINDS, -1, "descriptor" },
	{ "file.new.path", F_STR, FS_PATH, { "file", "new", "path" }, K(FILE_RENAME) | K(FILE_LINK), -1, "the new name" },
	{ "file.target", F_STR, FS_PATH, { "file", "target" }, K(FILE_SYMLINK), -1, "the symlink's text" },
	{ "file.uid", F_INT, FS_PATH, { "file", "uid" }, K(FILE_CHOWN), -1, "new owner (-1 unchanged)" },
	{ "file.gid", F_INT, FS_PATH, { "file", "gid" }, K(FILE_CHOWN), -1, "new group (-1 unchanged)" },
	{ "file.exe_users", F_INT, FS_PATH, { "file", "exe_users" }, K(FILE_UNLINK), -1, "live processes executing the unlinked file" },
	{ "file.length", F_INT, FS_PATH, { "file", "length" }, K(FILE_TRUNCATE), -1, "new length" },

	{ "net.family", F_STR, FS_PATH, { "net", "family" }, PKT_KINDS, -1, "inet or inet6" },
	{ "net.proto", F_STR, FS_PATH, { "net", "proto" }, PKT_KINDS, -1, "tcp or udp" },
	{ "net.saddr", F_NET, FS_PATH, { "net", "saddr" }, PKT_KINDS, -1, "this host's address" },
	{ "net.sport", F_INT, FS_PATH, { "net", "sport" }, PKT_KINDS, -1, "this host's port" },
	{ "net.daddr", F_NET, FS_PATH, { "net", "daddr" }, PKT_KINDS, -1, "the remote address" },
	{ "net.dport", F_INT, FS_PATH, { "net", "dport" }, PKT_KINDS, -1, "the remote port" },
	{ "net.result", F_INT, FS_PATH, { "net", "result" }, K(NET_CONNECT), -1, "0 or -errno" },
	{ "net.direction", F_STR, FS_PATH, { "net", "direction" }, K(NET_RESET), -1, "sent or received" },
	{ "dns.name", F_STR, FS_PATH, { "dns", "name" }, K(NET_DNS), -1, "the question's name (case-insensitive)", true },
	{ "dns.type", F_STR, FS_PATH, { "dns", "type" }, K(NET_DNS), -1, "A, AAAA, ..." },
	{ "dns.qr", F_STR, FS_PATH, { "dns", "qr" }, K(NET_DNS), -1, "query or response" },
	{ "dns.direction", F_STR, FS_PATH, { "dns", "direction" }, K(NET_DNS), -1, "sent or received" },
	{ "dns.rcode_name", F_STR, FS_PATH, { "dns", "rcode_name" }, K(NET_DNS), -1, "response code" },
	{ "dns.malformed", F_STR, FS_PATH, { "dns", "malformed" }, K(NET_DNS), -1, "why a message is malformed" },

	{ "setuid.syscall", F_STR, FS_PATH, { "setuid", "syscall" }, K(PRIV_SETUID), -1, "setuid, setresuid, ..." },
	{ "setuid.ret", F_INT, FS_PATH, { "setuid", "ret" }, K(PRIV_SETUID), -1, "result" },
	{ "setuid.old.uid", F_INT, FS_PATH, { "setuid", "old", "uid" }, K(PRIV_SETUID), -1, "real uid before" },
	{ "setuid.old.euid", F_INT, FS_PATH, { "setuid", "old", "euid" }, K(PRIV_SETUID), -1, "effective uid before" },
	{ "setuid.new.uid", F_INT, FS_PATH, { "setuid", "new", "uid" }, K(PRIV_SETUID), -1, "real uid after" },
	{ "setuid.new.euid", F_INT, FS_PATH, { "setuid", "new", "euid" }, K(PRIV_SETUID), -1, "effective uid after" },
	{ "capable.name", F_STR, FS_PATH, { "capable", "name" }, K(PRIV_CAPABLE), -1, "CAP_SYS_ADMIN, ..." },
	{ "capable.granted", F_BOOL, FS_PATH, { "capable", "granted" }, K(PRIV_CAPABLE), -1, "the check passed" },
	{ "capable.audit", F_BOOL, FS_PATH, { "capable", "audit" }, K(PRIV_CAPABLE), -1, "an audited check (false: a silent probe)" },
	{ "module.syscall", F_STR, FS_PATH, { "module", "syscall" }, K(KERNEL_MODULE_LOAD), -1, "init_module or finit_module" },
	{ "bpf.cmd", F_STR, FS_PATH, { "bpf", "cmd" }, K(KERNEL_BPF), -1, "BPF_PROG_LOAD, ..." },
	{ "bpf.prog_type", F_STR, FS_PATH, { "bpf", "prog_type" }, K(KERNEL_BPF), -1, "program type" },
	{ "mount.source", F_STR, FS_PATH, { "mount", "source" }, K(KERNEL_MOUNT), -1, "what is mounted" },
	{ "mount.target", F_STR, FS_PATH, { "mount", "target" }, K(KERNEL_MOUNT), -1, "where" },
	{ "mount.fstype", F_STR, FS_PATH, { "mount", "fstype" }, K(KERNEL_MOUNT), -1, "filesystem type" },
	{ "ptrace.request", F_STR, FS_PATH, { "ptrace", "request" }, K(KERNEL_PTRACE), -1, "PTRACE_ATTACH, ..." },
	{ "ptrace.target.tgid", F_INT, FS_PATH, { "ptrace", "target", "tgid" }, K(KERNEL_PTRACE), -1, "the traced process" },
	{ "ptrace.target.exe", F_STR, FS_PATH, { "ptrace", "target", "exe" }, K(KERNEL_PTRACE), -1, "its executable" },
	{ "namespace.syscall", F_STR, FS_PATH, { "namespace", "syscall" }, K(KERNEL_NAMESPACE), -1, "unshare or setns" },
	{ "namespace.flags", F_STRLIST, FS_PATH, { "namespace", "flags" }, K(KERNEL_NAMESPACE), -1, "CLONE_NEW* names" },
	{ "memfd.name", F_STR, FS_PATH, { "memfd", "name" }, K(KERNEL_MEMFD), -1, "the memfd's name" },
	{ "shell.command", F_STR, FS_PATH, { "shell", "command" }, K(SHELL_COMMAND), -1, "the line bash read" },
};

const struct field_def *field_at(unsigned i)
{
	return i < sizeof(fields) / sizeof(fields[0]) ? &fields[i] : NULL;
}

const struct field_def *field_find(const char *name)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

const char *field_type_name(enum field_type t)
{
	static const char *const names[] = { "string", "number", "bool", "address", "string list" };
	return names[t];
}
