// SPDX-License-Identifier: GPL-2.0-only
#include "policy/fields.h"

#include <string.h>

#include "kinds.h"
#include "vigil/abi.h"

#define PROC_KINDS 0 /* proc and parent come with every kernel event */
#define EXIT_KINDS KIND_BIT(VIGIL_KIND_PROCESS_EXIT)

/* One row per field; sensors add theirs as their events land (docs/policy.md lists them). */
static const struct field_def fields[] = {
	{ "kind", F_STR, FS_KIND, { "kind" }, PROC_KINDS, VIGIL_FF_KIND, "the event kind" },

	{ "proc.tgid", F_INT, FS_PATH, { "proc", "tgid" }, PROC_KINDS, VIGIL_FF_TGID, "process id" },
	{ "proc.tid", F_INT, FS_PATH, { "proc", "tid" }, PROC_KINDS, -1, "thread id" },
	{ "proc.ppid", F_INT, FS_PATH, { "proc", "ppid" }, PROC_KINDS, -1, "parent's tgid" },
	{ "proc.uid", F_INT, FS_PATH, { "proc", "uid" }, PROC_KINDS, VIGIL_FF_UID, "real uid" },
	{ "proc.gid", F_INT, FS_PATH, { "proc", "gid" }, PROC_KINDS, -1, "real gid" },
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
	{ "proc.ns.pid", F_INT, FS_PATH, { "proc", "ns", "pid" }, PROC_KINDS, -1, "pid namespace inode" },
	{ "proc.ns.mnt", F_INT, FS_PATH, { "proc", "ns", "mnt" }, PROC_KINDS, -1, "mount namespace inode" },
	{ "proc.ns.net", F_INT, FS_PATH, { "proc", "ns", "net" }, PROC_KINDS, -1, "network namespace inode" },
	{ "proc.ns.user", F_INT, FS_PATH, { "proc", "ns", "user" }, PROC_KINDS, -1, "user namespace inode" },
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
