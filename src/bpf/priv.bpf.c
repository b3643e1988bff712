/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The privilege sensors: the setuid family and capset (ids and capability sets before and
 * after, from the kernel's cred), and every capability check from capability:cap_capable.
 */
#include "syspair.bpf.h"

/* ---- priv.setuid, priv.capset: sys_enter/sys_exit pairs ---- */

static __always_inline void priv_setuid_exit(struct syspair_state *st, __u32 op, __u32 kind,
					     __s64 ret)
{
	struct vigil_setuid_event e = {};

	if (!syspair_want(&e.hdr, kind))
		return;
	syspair_fill_call(&e.call, st, op, ret);
	e.old_ids = st->ids;
	syspair_read_ids(&e.new_ids, syspair_cred());
	emit(&e.hdr, sizeof(e));
}

static __always_inline void priv_capset_exit(struct syspair_state *st, __u32 op, __u32 kind,
					     __s64 ret)
{
	struct vigil_capset_event e = {};

	if (!syspair_want(&e.hdr, kind))
		return;
	syspair_fill_call(&e.call, st, op, ret);
	e.old_caps[0] = st->caps[0];
	e.old_caps[1] = st->caps[1];
	e.old_caps[2] = st->caps[2];
	syspair_read_caps(e.new_caps, syspair_cred());
	emit(&e.hdr, sizeof(e));
}

SYSPAIR(setuid, setuid, 1, VIGIL_OP_SETUID, VIGIL_KIND_PRIV_SETUID, priv_setuid_exit)
SYSPAIR(setgid, setgid, 1, VIGIL_OP_SETGID, VIGIL_KIND_PRIV_SETUID, priv_setuid_exit)
SYSPAIR(setreuid, setreuid, 2, VIGIL_OP_SETREUID, VIGIL_KIND_PRIV_SETUID, priv_setuid_exit)
SYSPAIR(setregid, setregid, 2, VIGIL_OP_SETREGID, VIGIL_KIND_PRIV_SETUID, priv_setuid_exit)
SYSPAIR(setresuid, setresuid, 3, VIGIL_OP_SETRESUID, VIGIL_KIND_PRIV_SETUID, priv_setuid_exit)
SYSPAIR(setresgid, setresgid, 3, VIGIL_OP_SETRESGID, VIGIL_KIND_PRIV_SETUID, priv_setuid_exit)
SYSPAIR(setfsuid, setfsuid, 1, VIGIL_OP_SETFSUID, VIGIL_KIND_PRIV_SETUID, priv_setuid_exit)
SYSPAIR(setfsgid, setfsgid, 1, VIGIL_OP_SETFSGID, VIGIL_KIND_PRIV_SETUID, priv_setuid_exit)
SYSPAIR(capset, capset, 2, VIGIL_OP_CAPSET, VIGIL_KIND_PRIV_CAPSET, priv_capset_exit)

/* ---- priv.capable: capability:cap_capable (Linux 6.13+: cred, target_ns, capable_ns, cap, ret) ---- */

/* The address ranges of the kernel's noaudit callers of cap_capable (src/cap_audit.c). */
#define CAP_NOAUDIT_RANGES 12
#define CAP_STACK_DEPTH 6
const volatile __u64 cap_noaudit_lo[CAP_NOAUDIT_RANGES] = {};
const volatile __u64 cap_noaudit_hi[CAP_NOAUDIT_RANGES] = {};
const volatile __u32 cap_noaudit_known = 0;
const volatile __u32 cap_report_noaudit = 0; /* else silent probes are dropped here */

/* The tracepoint has no audit option: a noaudit caller among the first frames says it. */
static __always_inline __u32 cap_audit_of(void *ctx)
{
	__u64 ips[CAP_STACK_DEPTH] = {};

	if (!cap_noaudit_known || bpf_get_stack(ctx, ips, sizeof(ips), 0) <= 0)
		return VIGIL_CAP_AUDIT_UNKNOWN;
	for (int i = 0; i < CAP_STACK_DEPTH; i++)
		for (int j = 0; j < CAP_NOAUDIT_RANGES; j++)
			if (ips[i] >= cap_noaudit_lo[j] && ips[i] < cap_noaudit_hi[j])
				return 0;
	return 1;
}

/* audit_known: the hook knows the audit flag (fexit: the options); else it is read from the stack */
static __always_inline int on_capable(void *ctx, const struct cred *cred,
				      struct user_namespace *target_ns, int cap, int ret,
				      bool audit_known, __u32 audit)
{
	const __u32 kind = VIGIL_KIND_PRIV_CAPABLE;
	struct vigil_capable_event e = {};

	if (!kind_enabled(kind) || (bpf_get_current_pid_tgid() >> 32) == cfg.agent_tgid)
		return 0;
	/* silent probes (every mmap asks for CAP_SYS_ADMIN) are noise unless asked for */
	e.audit = audit_known ? audit : cap_audit_of(ctx);
	if (e.audit == 0 && !cap_report_noaudit)
		return 0;
	if (!syspair_want(&e.hdr, kind))
		return 0;
	e.cap = cap;
	e.ret = ret;
	e.target_ns = BPF_CORE_READ(target_ns, ns.inum);
	e.cred_euid = BPF_CORE_READ(cred, euid.val);
	emit(&e.hdr, sizeof(e));
	return 0;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(capable_btf, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	return on_capable(ctx, cred, target_ns, cap, ret, false, 0);
}

SEC("raw_tp/cap_capable")
int BPF_PROG(capable_raw, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	return on_capable(ctx, cred, target_ns, cap, ret, false, 0);
}

SEC("tracepoint/capability/cap_capable")
int capable_tp(struct trace_event_raw_cap_capable *ctx)
{
	return on_capable(ctx, ctx->cred, ctx->target_ns, ctx->cap, ctx->ret, false, 0);
}

/*
 * Kernels before the cap_capable tracepoint (6.13): the function's exit, where fentry works. It
 * sees the arguments, the result and the options, so the audit flag is the kernel's own.
 */
#define CAP_OPT_NOAUDIT_BIT (1u << 1)

SEC("fexit/cap_capable")
int BPF_PROG(capable_fexit, const struct cred *cred, struct user_namespace *target_ns, int cap,
	     unsigned int opts, int ret)
{
	return on_capable(ctx, cred, target_ns, cap, ret, true, !(opts & CAP_OPT_NOAUDIT_BIT));
}
