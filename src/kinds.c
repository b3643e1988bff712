// SPDX-License-Identifier: GPL-2.0-only
#include "kinds.h"

#include <stddef.h>
#include <string.h>

#include "events/file_events.h"
#include "events/net_events.h"
#include "events/kernel_events.h"
#include "events/priv_events.h"
#include "events/process_events.h"
#include "events/shell_events.h"
#include "vigil/abi.h"

static const struct kind_info kinds[] = {
	{ VIGIL_KIND_NET_CONNECT, "net.connect", "net", sizeof(struct vigil_net_event), body_net_connect },
	{ VIGIL_KIND_NET_ACCEPT, "net.accept", "net", sizeof(struct vigil_net_event), body_net_accept },
	{ VIGIL_KIND_NET_LISTEN, "net.listen", "net-listen", sizeof(struct vigil_net_event), body_net_listen },
	{ VIGIL_KIND_NET_CLOSE, "net.close", "net", sizeof(struct vigil_net_event), body_net_close },
	{ VIGIL_KIND_NET_RESET, "net.reset", "net", sizeof(struct vigil_net_event), body_net_reset },
	{ VIGIL_KIND_NET_DNS, "net.dns", "dns", offsetof(struct vigil_dns_event, data), body_net_dns },
	{ VIGIL_KIND_NET_RTT, "net.rtt", "net-rtt", sizeof(struct vigil_event_hdr), NULL, true },
	/* no sensor: only net.packet deny rules produce it, from XDP (docs/enforcement.md) */
	{ VIGIL_KIND_NET_PACKET, "net.packet", "xdp", sizeof(struct vigil_event_hdr), NULL, true },
	{ VIGIL_KIND_PROCESS_EXEC, "process.exec", "process", offsetof(struct vigil_proc_event, data),
	  body_process_exec },
	{ VIGIL_KIND_PROCESS_FORK, "process.fork", "process", sizeof(struct vigil_fork_event),
	  body_process_fork },
	{ VIGIL_KIND_PROCESS_EXIT, "process.exit", "process", sizeof(struct vigil_exit_event),
	  body_process_exit },
	{ VIGIL_KIND_PROCESS_EXEC_FAILED, "process.exec_failed", "exec_failed",
	  offsetof(struct vigil_kernel_event, data), body_exec_failed },
	{ VIGIL_KIND_PRIV_SETUID, "priv.setuid", "setuid", sizeof(struct vigil_setuid_event),
	  body_priv_setuid },
	{ VIGIL_KIND_PRIV_CAPSET, "priv.capset", "capset", sizeof(struct vigil_capset_event),
	  body_priv_capset },
	/* on request: every bpf() call makes two audited checks, every exec several */
	{ VIGIL_KIND_PRIV_CAPABLE, "priv.capable", "capable", sizeof(struct vigil_capable_event),
	  body_priv_capable, true },
	{ VIGIL_KIND_KERNEL_MODULE_LOAD, "kernel.module_load", "module",
	  offsetof(struct vigil_kernel_event, data), body_kernel_module },
	{ VIGIL_KIND_KERNEL_BPF, "kernel.bpf", "bpf", offsetof(struct vigil_kernel_event, data),
	  body_kernel_bpf },
	{ VIGIL_KIND_KERNEL_MOUNT, "kernel.mount", "mount", offsetof(struct vigil_kernel_event, data),
	  body_kernel_mount },
	{ VIGIL_KIND_KERNEL_UMOUNT, "kernel.umount", "mount", offsetof(struct vigil_kernel_event, data),
	  body_kernel_mount },
	{ VIGIL_KIND_KERNEL_PTRACE, "kernel.ptrace", "ptrace", offsetof(struct vigil_kernel_event, data),
	  body_kernel_ptrace },
	{ VIGIL_KIND_KERNEL_NAMESPACE, "kernel.namespace", "namespace",
	  offsetof(struct vigil_kernel_event, data), body_kernel_namespace },
	{ VIGIL_KIND_KERNEL_MEMFD, "kernel.memfd", "memfd", offsetof(struct vigil_kernel_event, data),
	  body_kernel_memfd },
	{ VIGIL_KIND_SYSCALL_DENIED, "syscall.denied", "denied", sizeof(struct vigil_denied_event),
	  body_syscall_denied },
	{ VIGIL_KIND_FILE_OPEN, "file.open", "file", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_UNLINK, "file.unlink", "file_names", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_RENAME, "file.rename", "file_names", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_CHMOD, "file.chmod", "file_attrs", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_CHOWN, "file.chown", "file_attrs", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_LINK, "file.link", "file_names", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_SYMLINK, "file.symlink", "file_names", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_TRUNCATE, "file.truncate", "file_attrs", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_SHELL_COMMAND, "shell.command", "shell", offsetof(struct vigil_shell_event, data),
	  body_shell_command },
	/* on request only: every terminal's bytes are too much for "every kind"; output needs a PID */
	{ VIGIL_KIND_TTY_WRITE, "tty.write", "tty", offsetof(struct vigil_write_event, data),
	  body_tty_write, true },
	{ VIGIL_KIND_PROCESS_OUTPUT, "process.output", "output", offsetof(struct vigil_write_event, data),
	  body_process_output, true },
};

const struct kind_info *kind_at(unsigned i)
{
	return i < sizeof(kinds) / sizeof(kinds[0]) ? &kinds[i] : NULL;
}

const struct kind_info *kind_by_id(unsigned kind)
{
	for (const struct kind_info *k = kinds; k < kinds + sizeof(kinds) / sizeof(kinds[0]); k++)
		if (k->kind == kind)
			return k;
	return NULL;
}

const struct kind_info *kind_by_name(const char *name)
{
	for (const struct kind_info *k = kinds; k < kinds + sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

const char *kind_name(unsigned kind)
{
	const struct kind_info *k = kind_by_id(kind);

	return k ? k->name : "unknown";
}

uint64_t kinds_default(void)
{
	const struct kind_info *k;
	uint64_t all = 0;

	for (unsigned i = 0; (k = kind_at(i)); i++)
		if (!k->on_request)
			all |= KIND_BIT(k->kind);
	return all;
}
