// SPDX-License-Identifier: GPL-2.0-only
#include "sandbox/seccomp_filter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/capability.h>

void filter_env_current(struct filter_env *env)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	struct utsname u;
	unsigned major = 0, minor = 0;

	memset(env, 0, sizeof(*env));
	if (syscall(SYS_capget, &h, d) == 0)
		env->caps = (uint64_t)d[1].effective << 32 | d[0].effective;
	env->arch = seccomp_arch_native();
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2)
		env->kernel = major << 16 | minor;
}

uint32_t filter_action(enum sb_action a, int errno_ret)
{
	uint16_t data = errno_ret >= 0 ? (uint16_t)errno_ret : EPERM;

	switch (a) {
	case SB_ACT_ALLOW: return SCMP_ACT_ALLOW;
	case SB_ACT_ERRNO: return SCMP_ACT_ERRNO(data);
	case SB_ACT_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
	case SB_ACT_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
	case SB_ACT_TRAP: return SCMP_ACT_TRAP;
	case SB_ACT_TRACE: return SCMP_ACT_TRACE(data);
	case SB_ACT_LOG: return SCMP_ACT_LOG;
	case SB_ACT_NOTIFY: return SCMP_ACT_NOTIFY;
	case SB_ACT_COUNT: break;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static bool arch_listed(const struct profile_cond *c, uint32_t arch)
{
	for (size_t i = 0; i < c->narches; i++)
		if (c->arches[i] == arch)
			return true;
	return false;
}

/* Docker's semantics: includes need every listed capability, the native arch among the listed
 * ones and a kernel at least minKernel; excludes drop the rule on any listed cap or arch. */
bool filter_rule_applies(const struct profile_rule *r, const struct filter_env *env)
{
	if ((r->includes.caps & env->caps) != r->includes.caps)
		return false;
	if (r->includes.narches && !arch_listed(&r->includes, env->arch))
		return false;
	if (r->includes.min_kernel && env->kernel < r->includes.min_kernel)
		return false;
	if (r->excludes.caps & env->caps)
		return false;
	if (r->excludes.narches && arch_listed(&r->excludes, env->arch))
		return false;
	return true;
}

static bool args_share_an_index(const struct profile_rule *r)
{
	for (size_t i = 0; i < r->nargs; i++)
		for (size_t k = i + 1; k < r->nargs; k++)
			if (r->args[i].index == r->args[k].index)
				return true;
	return false;
}

static struct scmp_arg_cmp to_cmp(const struct profile_arg *a)
{
	struct scmp_arg_cmp c = { .arg = a->index, .op = a->op, .datum_a = a->value,
				  .datum_b = a->value_two };
	return c;
}

/*
 * One syscall of a rule. Comparisons on distinct arguments are ANDed in one libseccomp rule;
 * libseccomp cannot AND two on the same argument, so then each becomes a rule of its own (ORed),
 * which is what runc does with such profiles.
 */
static int add_syscall(scmp_filter_ctx ctx, const struct profile_rule *r, uint32_t action, int nr)
{
	struct scmp_arg_cmp cmp[PROFILE_ARGS_MAX];

	if (!r->nargs)
		return seccomp_rule_add_array(ctx, action, nr, 0, NULL);
	if (!args_share_an_index(r)) {
		for (size_t i = 0; i < r->nargs; i++)
			cmp[i] = to_cmp(&r->args[i]);
		return seccomp_rule_add_array(ctx, action, nr, (unsigned)r->nargs, cmp);
	}
	for (size_t i = 0; i < r->nargs; i++) {
		cmp[0] = to_cmp(&r->args[i]);
		int rc = seccomp_rule_add_array(ctx, action, nr, 1, cmp);
		if (rc)
			return rc;
	}
	return 0;
}

int filter_build(const struct profile *p, const struct filter_env *env, scmp_filter_ctx *out,
		 struct filter_info *info, char *err, size_t errlen)
{
	uint32_t def = filter_action(p->default_action, p->default_errno);
	scmp_filter_ctx ctx = seccomp_init(def);
	int rc;

	memset(info, 0, sizeof(*info));
	*out = NULL;
	if (!ctx) {
		snprintf(err, errlen, "libseccomp cannot start a filter with defaultAction %s",
			 sb_action_name(p->default_action));
		return -1;
	}
	info->notify = p->default_action == SB_ACT_NOTIFY;
	/* every action but ALLOW goes to the audit log: the source of seccomp.violation */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1)) ||
	    (p->flag_spec_allow && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1)))) {
		snprintf(err, errlen, "libseccomp refused a filter attribute: %s", strerror(-rc));
		goto fail;
	}
	for (size_t i = 0; i < p->narches; i++) {
		rc = seccomp_arch_add(ctx, p->arches[i]);
		if (rc && rc != -EEXIST) {
			snprintf(err, errlen, "architectures: libseccomp cannot add %s: %s",
				 arch_name(p->arches[i]), strerror(-rc));
			goto fail;
		}
	}
	for (size_t m = 0; m < p->narch_map; m++) {
		if (p->arch_map[m].arch != env->arch)
			continue;
		for (size_t i = 0; i < p->arch_map[m].nsubs; i++) {
			rc = seccomp_arch_add(ctx, p->arch_map[m].subs[i]);
			if (rc && rc != -EEXIST) {
				snprintf(err, errlen, "archMap: libseccomp cannot add %s: %s",
					 arch_name(p->arch_map[m].subs[i]), strerror(-rc));
				goto fail;
			}
		}
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct profile_rule *r = &p->rules[i];
		uint32_t action = filter_action(r->action, r->errno_ret);

		/* a rule that does what the default does adds nothing (and libseccomp refuses it) */
		if (!filter_rule_applies(r, env) || action == def) {
			info->rules_skipped++;
			continue;
		}
		info->notify |= r->action == SB_ACT_NOTIFY;
		for (size_t k = 0; k < r->nnames; k++) {
			int nr = seccomp_syscall_resolve_name(r->names[k]);
			rc = nr == __NR_SCMP_ERROR ? -EINVAL : add_syscall(ctx, r, action, nr);
			if (rc) {
				snprintf(err, errlen, "%s: libseccomp refused the rule for '%s': %s",
					 r->where, r->names[k], strerror(-rc));
				goto fail;
			}
			info->rules_added++;
		}
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

int filter_errno_for(const struct profile *p, const struct filter_env *env, const char *name)
{
	int found = -1;
	bool conditional = false, listed = false;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct profile_rule *r = &p->rules[i];
		bool named = false;
		for (size_t k = 0; k < r->nnames && !named; k++)
			named = !strcmp(r->names[k], name);
		if (!named || !filter_rule_applies(r, env))
			continue;
		listed = true;
		conditional |= r->nargs > 0;
		if (r->action != SB_ACT_ERRNO)
			continue;
		int e = r->errno_ret >= 0 ? r->errno_ret : EPERM;
		if (found >= 0 && found != e)
			return -1;
		found = e;
	}
	/* the default answers when no rule names it, or when its rules have conditions */
	if ((!listed || conditional) && p->default_action == SB_ACT_ERRNO) {
		int e = p->default_errno >= 0 ? p->default_errno : EPERM;
		if (found >= 0 && found != e)
			return -1;
		found = e;
	}
	return found;
}
