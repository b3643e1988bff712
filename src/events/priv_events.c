// SPDX-License-Identifier: GPL-2.0-only
#include "events/priv_events.h"

#include <inttypes.h>
#include <stdio.h>

#include "priv_names.h"

static const struct {
	unsigned nargs;
	int gid;
} setid_ops[VIGIL_OP_COUNT] = {
	[VIGIL_OP_SETUID] = { 1, 0 },	 [VIGIL_OP_SETGID] = { 1, 1 },
	[VIGIL_OP_SETREUID] = { 2, 0 },	 [VIGIL_OP_SETREGID] = { 2, 1 },
	[VIGIL_OP_SETRESUID] = { 3, 0 }, [VIGIL_OP_SETRESGID] = { 3, 1 },
	[VIGIL_OP_SETFSUID] = { 1, 0 },	 [VIGIL_OP_SETFSGID] = { 1, 1 },
};

unsigned setuid_nargs(unsigned op)
{
	return op < VIGIL_OP_COUNT ? setid_ops[op].nargs : 0;
}

int setuid_is_gid(unsigned op)
{
	return op < VIGIL_OP_COUNT && setid_ops[op].gid;
}

void setuid_put_args(struct sbuf *b, const struct vigil_setuid_event *e)
{
	unsigned n = setuid_nargs(e->call.op);

	for (unsigned i = 0; i < n; i++)
		sbuf_printf(b, "%s%" PRId64, i ? "," : "", (int64_t)(int32_t)(uint32_t)e->call.args[i]);
}

void put_ret(struct sbuf *b, int64_t ret)
{
	const char *name = ret < 0 && ret > -4096 ? errno_short_name((int)-ret) : NULL;

	if (name)
		sbuf_printf(b, "-1 %s", name);
	else
		sbuf_printf(b, "%" PRId64, ret);
}

void out_ret(struct out *o, int64_t ret)
{
	out_i64(o, "ret", ret);
	if (ret < 0 && ret > -4096) {
		const char *name = errno_short_name((int)-ret);
		out_str(o, "errno", name ? name : "unknown");
	}
}

static void out_ids(struct out *o, const char *key, const struct vigil_cred_ids *ids, int gid)
{
	out_obj(o, key);
	if (gid) {
		out_u64(o, "gid", ids->gid);
		out_u64(o, "egid", ids->egid);
		out_u64(o, "sgid", ids->sgid);
		out_u64(o, "fsgid", ids->fsgid);
	} else {
		out_u64(o, "uid", ids->uid);
		out_u64(o, "euid", ids->euid);
		out_u64(o, "suid", ids->suid);
		out_u64(o, "fsuid", ids->fsuid);
	}
	out_obj_end(o);
}

void body_priv_setuid(struct out *o, const void *rec, size_t size)
{
	const struct vigil_setuid_event *e = rec;
	unsigned op = e->call.op;
	int gid = setuid_is_gid(op);

	(void)size;
	out_obj(o, "setuid");
	out_str(o, "syscall", sys_op_name(op));
	out_arr(o, "args");
	for (unsigned i = 0; i < setuid_nargs(op); i++)
		out_i64(o, NULL, (int32_t)(uint32_t)e->call.args[i]);
	out_arr_end(o);
	out_ret(o, e->call.ret);
	out_ids(o, "old", &e->old_ids, gid);
	out_ids(o, "new", &e->new_ids, gid);
	out_obj_end(o);
}

static void out_caps(struct out *o, const char *key, uint64_t set)
{
	out_arr(o, key);
	for (int c = 0; c < 64; c++)
		if (set & (1ULL << c)) {
			const char *name = capability_name(c);
			char num[16];
			snprintf(num, sizeof(num), "CAP_%d", c);
			out_str(o, NULL, name ? name : num);
		}
	out_arr_end(o);
}

static void out_capsets(struct out *o, const char *key, const __u64 caps[3])
{
	char hex[3][24];

	for (int i = 0; i < 3; i++)
		snprintf(hex[i], sizeof(hex[i]), "0x%llx", (unsigned long long)caps[i]);
	out_obj(o, key);
	out_str(o, "effective", hex[0]);
	out_str(o, "permitted", hex[1]);
	out_str(o, "inheritable", hex[2]);
	out_obj_end(o);
}

void body_priv_capset(struct out *o, const void *rec, size_t size)
{
	const struct vigil_capset_event *e = rec;

	(void)size;
	out_obj(o, "capset");
	out_ret(o, e->call.ret);
	out_capsets(o, "old", e->old_caps);
	out_capsets(o, "new", e->new_caps);
	out_caps(o, "effective_dropped", e->old_caps[0] & ~e->new_caps[0]);
	out_caps(o, "effective_added", e->new_caps[0] & ~e->old_caps[0]);
	out_obj_end(o);
}

void body_priv_capable(struct out *o, const void *rec, size_t size)
{
	const struct vigil_capable_event *e = rec;
	const char *name = capability_name(e->cap);

	(void)size;
	out_obj(o, "capable");
	out_i64(o, "cap", e->cap);
	out_str(o, "name", name ? name : "unknown");
	out_bool(o, "granted", e->ret == 0);
	out_i64(o, "ret", e->ret);
	if (e->audit == VIGIL_CAP_AUDIT_UNKNOWN)
		out_null(o, "audit");
	else
		out_bool(o, "audit", e->audit);
	out_u64(o, "user_ns", e->target_ns);
	out_u64(o, "cred_euid", e->cred_euid);
	out_obj_end(o);
}

void body_syscall_denied(struct out *o, const void *rec, size_t size)
{
	const struct vigil_denied_event *e = rec;
	bool compat = e->nr & VIGIL_DENIED_COMPAT;
	unsigned nr = e->nr & ~VIGIL_DENIED_COMPAT;
	const char *err = errno_short_name((int)e->err);
	char name[64];

	(void)size;
	out_obj(o, "denied");
	out_str(o, "syscall", syscall_name(nr, compat, name, sizeof(name)));
	out_u64(o, "nr", nr);
	out_bool(o, "compat", compat);
	out_str(o, "errno", err ? err : "unknown");
	out_u64(o, "count", e->count);
	out_obj_end(o);
}
