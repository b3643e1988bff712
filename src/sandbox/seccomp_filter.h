/* SPDX-License-Identifier: GPL-2.0-only */
/* A parsed profile made into a libseccomp filter for this machine: includes/excludes are
 * resolved against the capabilities, architecture and kernel the sandboxed command will have. */
#ifndef VIGIL_SANDBOX_SECCOMP_FILTER_H
#define VIGIL_SANDBOX_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

#include "sandbox/profile.h"

struct filter_env {
	uint64_t caps;       /* effective capabilities of the command */
	uint32_t arch;       /* native SCMP_ARCH_* */
	unsigned kernel;     /* (major << 16) | minor of the running kernel */
};

/* What the filter does, for the supervisor and the warnings. */
struct filter_info {
	bool notify;             /* some rule (or the default) is SCMP_ACT_NOTIFY */
	size_t rules_added;      /* libseccomp rules added */
	size_t rules_skipped;    /* profile rules left out by includes/excludes or equal to default */
};

/* The environment of this process (its effective capabilities, arch and kernel). */
void filter_env_current(struct filter_env *env);

/* Builds the filter; it logs every action but ALLOW (for seccomp.violation). 0, or -1 with a
 * message naming the profile path of the problem. */
int filter_build(const struct profile *p, const struct filter_env *env, scmp_filter_ctx *out,
		 struct filter_info *info, char *err, size_t errlen);

/* The libseccomp action for a profile action and errnoRet (-1: the default, EPERM). */
uint32_t filter_action(enum sb_action a, int errno_ret);

/* Does the rule apply under env? */
bool filter_rule_applies(const struct profile_rule *r, const struct filter_env *env);

/*
 * The errno the profile gives syscall `name` when it answers SCMP_ACT_ERRNO (the kernel's audit
 * record names the action but not its data). -1 when the rules for it do not agree on one.
 */
int filter_errno_for(const struct profile *p, const struct filter_env *env, const char *name);

#endif
