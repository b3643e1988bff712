// SPDX-License-Identifier: GPL-2.0-only
#include "sandbox/sandbox_events.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include "format.h"
#include "sandbox/notify.h"
#include "sandbox/profile.h"
#include "timefmt.h"

static const struct {
	uint32_t ret;
	const char *name;
} actions[] = {
	{ SECCOMP_RET_KILL_PROCESS, "SCMP_ACT_KILL_PROCESS" },
	{ SECCOMP_RET_KILL_THREAD, "SCMP_ACT_KILL_THREAD" },
	{ SECCOMP_RET_TRAP, "SCMP_ACT_TRAP" },
	{ SECCOMP_RET_ERRNO, "SCMP_ACT_ERRNO" },
	{ SECCOMP_RET_USER_NOTIF, "SCMP_ACT_NOTIFY" },
	{ SECCOMP_RET_TRACE, "SCMP_ACT_TRACE" },
	{ SECCOMP_RET_LOG, "SCMP_ACT_LOG" },
};

const char *violation_action_name(uint32_t code)
{
	uint32_t action = code & SECCOMP_RET_ACTION_FULL;

	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (actions[i].ret == action)
			return actions[i].name;
	return NULL;
}

const char *errno_name(int e)
{
	return e > 0 ? strerrorname_np(e) : NULL; /* glibc 2.32+ */
}

static void put_errno(struct out *o, int e)
{
	out_i64(o, "errno", e);
	if (errno_name(e))
		out_str(o, "errno_name", errno_name(e));
}

static void put_syscall(struct out *o, uint32_t arch, int nr)
{
	char *name = seccomp_syscall_resolve_num_arch(arch, nr);
	const char *an = arch_name(arch);

	out_obj(o, "syscall");
	out_i64(o, "nr", nr);
	out_str(o, "name", name ? name : "?");
	out_str(o, "arch", an ? an : "?");
	out_obj_end(o);
	free(name);
}

void sandbox_event_violation(struct out *o, const struct violation *v)
{
	const char *action = violation_action_name(v->code);
	uint32_t kind = v->code & SECCOMP_RET_ACTION_FULL;
	char ip[24];

	format_open(o, v->wall_ns - boot_to_wall_ns(0), "seccomp.violation");
	out_obj(o, "proc");
	out_u64(o, "tgid", v->tgid);
	out_u64(o, "uid", v->uid);
	out_u64(o, "gid", v->gid);
	out_i64(o, "auid", v->auid == UINT32_MAX ? -1 : (int64_t)v->auid);
	out_i64(o, "ses", v->ses == UINT32_MAX ? -1 : (int64_t)v->ses);
	out_str(o, "comm", v->comm);
	out_str(o, "exe", v->exe);
	out_obj_end(o);
	put_syscall(o, v->arch, v->nr);
	out_bool(o, "compat", v->compat);
	out_str(o, "action", action ? action : "?");
	if (kind == SECCOMP_RET_ERRNO && v->errno_ret >= 0)
		put_errno(o, v->errno_ret);
	if (v->sig)
		out_str(o, "signal", signal_name(v->sig) ? signal_name(v->sig) : "?");
	snprintf(ip, sizeof(ip), "0x%llx", (unsigned long long)v->ip);
	out_str(o, "ip", ip);
	out_u64(o, "audit_serial", v->serial);
	out_end(o);
}

static void put_address(struct out *o, const struct notify_call *c)
{
	char addr[INET6_ADDRSTRLEN] = "";
	const struct sockaddr_storage *ss = &c->addr;

	out_obj(o, "address");
	if (ss->ss_family == AF_INET && c->addrlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)ss;
		inet_ntop(AF_INET, &in->sin_addr, addr, sizeof(addr));
		out_str(o, "family", "inet");
		out_str(o, "addr", addr);
		out_u64(o, "port", ntohs(in->sin_port));
	} else if (ss->ss_family == AF_INET6 && c->addrlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
		out_str(o, "family", "inet6");
		out_str(o, "addr", addr);
		out_u64(o, "port", ntohs(in6->sin6_port));
	} else {
		out_u64(o, "family", ss->ss_family);
	}
	out_obj_end(o);
}

void sandbox_event_notify(struct out *o, const struct notify_call *c, const struct notify_verdict *v,
			  bool answered)
{
	format_open(o, now_boot_ns(), "seccomp.notify");
	out_obj(o, "proc");
	out_u64(o, "tgid", c->tgid);
	out_u64(o, "tid", c->tid);
	out_str(o, "comm", c->comm);
	out_obj_end(o);
	put_syscall(o, c->arch, c->nr);
	if (c->subject == NOTIFY_SUBJECT_PATH && c->subject_ok) {
		out_str(o, "path", c->path);
		if (c->real_path[0] && strcmp(c->real_path, c->path))
			out_str(o, "real_path", c->real_path);
	} else if (c->subject == NOTIFY_SUBJECT_ADDRESS && c->subject_ok) {
		put_address(o, c);
	}
	out_str(o, "decision", v->deny ? "deny" : "allow");
	if (v->deny)
		put_errno(o, v->error);
	out_str(o, "rule", v->rule);
	out_bool(o, "answered", answered);
	out_end(o);
}
