/* SPDX-License-Identifier: GPL-2.0-only */
/* The sandbox's events, seccomp.violation and seccomp.notify (docs/events.md), written through
 * out.h like every other event. */
#ifndef VIGIL_SANDBOX_EVENTS_H
#define VIGIL_SANDBOX_EVENTS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "out.h"

struct notify_call;
struct notify_verdict;

/* One seccomp audit record (type 1326) of a sandboxed process. */
struct violation {
	uint64_t wall_ns;   /* the audit record's time stamp */
	uint64_t serial;    /* the audit record's serial number */
	uint32_t tgid, uid, gid, auid, ses;
	char comm[64];
	char exe[PATH_MAX];
	uint32_t arch;      /* AUDIT_ARCH_* */
	int nr;
	bool compat;
	int sig;
	uint64_t ip;
	uint32_t code;      /* the filter's action (SECCOMP_RET_*; the kernel logs no data) */
	int errno_ret;      /* ERRNO: the errno the profile gives this syscall, -1 if unknown */
};

/* "SCMP_ACT_ERRNO" for a filter return value; NULL for ALLOW or an unknown one. */
const char *violation_action_name(uint32_t code);

void sandbox_event_violation(struct out *o, const struct violation *v);
void sandbox_event_notify(struct out *o, const struct notify_call *c, const struct notify_verdict *v,
			  bool answered);

/* "EACCES" for 13; NULL if unknown. */
const char *errno_name(int e);

#endif
