// SPDX-License-Identifier: GPL-2.0-only
/* Docker/OCI seccomp profile parser: strict about types, keys and values, and precise about where
 * a problem is. Unknown keys are errors (a typo must not silently widen a sandbox). */
#include "sandbox/profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ---- names ---- */

static const char *const action_names[SB_ACT_COUNT] = {
	[SB_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[SB_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[SB_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[SB_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[SB_ACT_TRAP] = "SCMP_ACT_TRAP",
	[SB_ACT_TRACE] = "SCMP_ACT_TRACE",
	[SB_ACT_LOG] = "SCMP_ACT_LOG",
	[SB_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

const char *sb_action_name(enum sb_action a)
{
	return a < SB_ACT_COUNT ? action_names[a] : "?";
}

int sb_action_from_name(const char *name)
{
	if (!strcmp(name, "SCMP_ACT_KILL")) /* the older spelling: kills the thread */
		return SB_ACT_KILL_THREAD;
	for (int a = 0; a < SB_ACT_COUNT; a++)
		if (!strcmp(name, action_names[a]))
			return a;
	return -1;
}

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct {
	const char *name;
	uint32_t arch;
} arches[] = {
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", SCMP_ARCH_S390 },
	{ "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
	{ "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
	{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
};

uint32_t arch_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(name, arches[i].name))
			return arches[i].arch;
	return 0;
}

const char *arch_name(uint32_t arch)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i].arch == arch)
			return arches[i].name;
	return NULL;
}

/* In capability number order (linux/capability.h). */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

int capability_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (!strcmp(name, cap_names[i]))
			return (int)i;
	return -1;
}

/* ---- the parse context: where we are, and the first error ---- */

struct pctx {
	char *err;
	size_t errlen;
	bool failed;
	unsigned flags;
	struct profile *p;
};

static int fail(struct pctx *c, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct pctx *c, const char *where, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (c->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s", where, msg);
	c->failed = true;
	return -1;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* "syscalls[3]" + ".args" -> "syscalls[3].args"; a root key has no dot. */
static void path_key(char *out, const char *base, const char *key)
{
	snprintf(out, PROFILE_PATH_LEN, "%s%s%s", base, *base ? "." : "", key);
}

static void path_index(char *out, const char *base, size_t i)
{
	snprintf(out, PROFILE_PATH_LEN, "%s[%zu]", base, i);
}

/* Every key of obj must be in allowed (NULL-terminated). */
static int check_keys(struct pctx *c, const char *where, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(key, *a);
		if (!ok) {
			char p[PROFILE_PATH_LEN];
			path_key(p, where, key);
			return fail(c, p, "unknown key");
		}
	}
	return 0;
}

static int get_u64(struct pctx *c, const char *where, json_t *v, uint64_t max, uint64_t *out)
{
	if (!json_is_integer(v))
		return fail(c, where, "expected an integer, got %s", type_name(v));
	json_int_t n = json_integer_value(v);
	if (n < 0 || (uint64_t)n > max)
		return fail(c, where, "expected 0 to %llu, got %lld", (unsigned long long)max,
			    (long long)n);
	*out = (uint64_t)n;
	return 0;
}

static int get_errno(struct pctx *c, const char *where, json_t *v, int *out)
{
	uint64_t n;

	if (get_u64(c, where, v, PROFILE_ERRNO_MAX, &n))
		return -1;
	*out = (int)n;
	return 0;
}

static int get_action(struct pctx *c, const char *where, json_t *v, enum sb_action *out)
{
	if (!json_is_string(v))
		return fail(c, where, "expected an action name, got %s", type_name(v));
	int a = sb_action_from_name(json_string_value(v));
	if (a < 0)
		return fail(c, where, "unknown action '%s' (expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
				      "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, "
				      "SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG or SCMP_ACT_NOTIFY)",
			    json_string_value(v));
	*out = (enum sb_action)a;
	return 0;
}

static int add_arch(struct pctx *c, const char *where, json_t *a, uint32_t *out, size_t *n)
{
	if (!json_is_string(a))
		return fail(c, where, "expected an architecture name, got %s", type_name(a));
	uint32_t arch = arch_from_name(json_string_value(a));
	if (!arch)
		return fail(c, where, "unknown architecture '%s'", json_string_value(a));
	for (size_t k = 0; k < *n; k++)
		if (out[k] == arch)
			return 0;
	if (*n >= PROFILE_ARCH_MAX)
		return fail(c, where, "more than %d architectures", PROFILE_ARCH_MAX);
	out[(*n)++] = arch;
	return 0;
}

static int get_arches(struct pctx *c, const char *where, json_t *v, uint32_t *out, size_t *n)
{
	char p[PROFILE_PATH_LEN];
	size_t i;
	json_t *a;

	if (!json_is_array(v))
		return fail(c, where, "expected an array of architecture names, got %s", type_name(v));
	json_array_foreach(v, i, a) {
		path_index(p, where, i);
		if (add_arch(c, p, a, out, n))
			return -1;
	}
	return 0;
}

static int get_caps(struct pctx *c, const char *where, json_t *v, uint64_t *out)
{
	char p[PROFILE_PATH_LEN];
	size_t i;
	json_t *a;

	if (!json_is_array(v))
		return fail(c, where, "expected an array of capability names, got %s", type_name(v));
	json_array_foreach(v, i, a) {
		path_index(p, where, i);
		if (!json_is_string(a))
			return fail(c, p, "expected a capability name, got %s", type_name(a));
		int cap = capability_from_name(json_string_value(a));
		if (cap < 0)
			return fail(c, p, "unknown capability '%s'", json_string_value(a));
		*out |= 1ULL << cap;
	}
	return 0;
}

/* "4.8" or "5.10.0" -> (major << 16) | minor */
static int get_kernel_version(struct pctx *c, const char *where, json_t *v, unsigned *out)
{
	unsigned major, minor;
	char tail;

	if (!json_is_string(v))
		return fail(c, where, "expected a kernel version such as \"4.8\", got %s", type_name(v));
	int n = sscanf(json_string_value(v), "%u.%u%c", &major, &minor, &tail);
	if (n < 2 || (n == 3 && tail != '.') || major > 0xffff || minor > 0xffff)
		return fail(c, where, "expected a kernel version such as \"4.8\", got '%s'",
			    json_string_value(v));
	*out = major << 16 | minor;
	return 0;
}

static int get_cond(struct pctx *c, const char *where, json_t *v, struct profile_cond *cond)
{
	static const char *const keys[] = { "caps", "arches", "minKernel", NULL };
	char p[PROFILE_PATH_LEN];
	json_t *x;

	if (!json_is_object(v))
		return fail(c, where, "expected an object, got %s", type_name(v));
	if (check_keys(c, where, v, keys))
		return -1;
	if ((x = json_object_get(v, "caps"))) {
		path_key(p, where, "caps");
		if (get_caps(c, p, x, &cond->caps))
			return -1;
	}
	if ((x = json_object_get(v, "arches"))) {
		path_key(p, where, "arches");
		if (get_arches(c, p, x, cond->arches, &cond->narches))
			return -1;
	}
	if ((x = json_object_get(v, "minKernel"))) {
		path_key(p, where, "minKernel");
		if (get_kernel_version(c, p, x, &cond->min_kernel))
			return -1;
	}
	return 0;
}

static int get_arg(struct pctx *c, const char *where, json_t *v, struct profile_arg *arg)
{
	static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
	char p[PROFILE_PATH_LEN];
	uint64_t index;
	json_t *x;

	if (!json_is_object(v))
		return fail(c, where, "expected an object, got %s", type_name(v));
	if (check_keys(c, where, v, keys))
		return -1;
	path_key(p, where, "index");
	if (!(x = json_object_get(v, "index")))
		return fail(c, p, "required");
	if (get_u64(c, p, x, PROFILE_ARGS_MAX - 1, &index))
		return -1;
	arg->index = (unsigned)index;
	path_key(p, where, "value");
	if (!(x = json_object_get(v, "value")))
		return fail(c, p, "required");
	if (get_u64(c, p, x, UINT64_MAX, &arg->value))
		return -1;
	arg->value_two = 0;
	if ((x = json_object_get(v, "valueTwo"))) {
		path_key(p, where, "valueTwo");
		if (get_u64(c, p, x, UINT64_MAX, &arg->value_two))
			return -1;
	}
	path_key(p, where, "op");
	if (!(x = json_object_get(v, "op")))
		return fail(c, p, "required");
	if (!json_is_string(x))
		return fail(c, p, "expected an operator name, got %s", type_name(x));
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(json_string_value(x), ops[i].name)) {
			arg->op = ops[i].op;
			return 0;
		}
	}
	return fail(c, p, "unknown operator '%s' (expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
			  "SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)",
		    json_string_value(x));
}

static int add_name(struct pctx *c, const char *where, json_t *v, struct profile_rule *r)
{
	if (!json_is_string(v))
		return fail(c, where, "expected a syscall name, got %s", type_name(v));
	const char *name = json_string_value(v);
	/* a name of another architecture resolves to a pseudo number: fine, it is skipped there */
	if (!*name || seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR) {
		if (!*name || !(c->flags & PROFILE_SKIP_UNKNOWN))
			return fail(c, where, "unknown syscall '%s'", name);
		char note[PROFILE_PATH_LEN + 64], **grown;
		snprintf(note, sizeof(note), "%s '%s'", where, name);
		grown = realloc(c->p->skipped, (c->p->nskipped + 1) * sizeof(char *));
		if (!grown || !(grown[c->p->nskipped] = strdup(note))) {
			if (grown)
				c->p->skipped = grown;
			return fail(c, where, "out of memory");
		}
		c->p->skipped = grown;
		c->p->nskipped++;
		return 0;
	}
	char *copy = strdup(name);
	if (!copy)
		return fail(c, where, "out of memory");
	r->names[r->nnames++] = copy;
	return 0;
}

static int get_rule(struct pctx *c, const char *where, json_t *v, struct profile_rule *r)
{
	static const char *const keys[] = { "names", "name", "action", "errnoRet", "args",
					    "includes", "excludes", "comment", NULL };
	char p[PROFILE_PATH_LEN], q[PROFILE_PATH_LEN];
	json_t *names, *name, *x;
	size_t i;

	snprintf(r->where, sizeof(r->where), "%s", where);
	r->errno_ret = -1;
	if (!json_is_object(v))
		return fail(c, where, "expected an object, got %s", type_name(v));
	if (check_keys(c, where, v, keys))
		return -1;

	names = json_object_get(v, "names");
	name = json_object_get(v, "name");
	if (!names && !name)
		return fail(c, where, "needs \"names\" (or \"name\")");
	if (names && !json_is_array(names)) {
		path_key(p, where, "names");
		return fail(c, p, "expected an array of syscall names, got %s", type_name(names));
	}
	r->names = calloc((names ? json_array_size(names) : 0) + 1, sizeof(char *));
	if (!r->names)
		return fail(c, where, "out of memory");
	if (names) {
		path_key(q, where, "names");
		json_array_foreach(names, i, x) {
			path_index(p, q, i);
			if (add_name(c, p, x, r))
				return -1;
		}
	}
	if (name) {
		path_key(p, where, "name");
		if (add_name(c, p, name, r))
			return -1;
	}

	path_key(p, where, "action");
	if (!(x = json_object_get(v, "action")))
		return fail(c, p, "required");
	if (get_action(c, p, x, &r->action))
		return -1;
	if ((x = json_object_get(v, "errnoRet"))) {
		path_key(p, where, "errnoRet");
		if (get_errno(c, p, x, &r->errno_ret))
			return -1;
		if (r->action != SB_ACT_ERRNO && r->action != SB_ACT_TRACE)
			return fail(c, p, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value");
	}
	if ((x = json_object_get(v, "args")) && !json_is_null(x)) {
		path_key(q, where, "args");
		if (!json_is_array(x))
			return fail(c, q, "expected an array, got %s", type_name(x));
		if (json_array_size(x) > PROFILE_ARGS_MAX)
			return fail(c, q, "at most %d argument comparisons", PROFILE_ARGS_MAX);
		json_t *a;
		json_array_foreach(x, i, a) {
			path_index(p, q, i);
			if (get_arg(c, p, a, &r->args[r->nargs++]))
				return -1;
		}
	}
	if ((x = json_object_get(v, "includes"))) {
		path_key(p, where, "includes");
		if (get_cond(c, p, x, &r->includes))
			return -1;
	}
	if ((x = json_object_get(v, "excludes"))) {
		path_key(p, where, "excludes");
		if (get_cond(c, p, x, &r->excludes))
			return -1;
		if (r->excludes.min_kernel) {
			path_key(q, p, "minKernel");
			return fail(c, q, "only \"includes\" takes minKernel");
		}
	}
	if (json_is_string(json_object_get(v, "comment")) || !json_object_get(v, "comment"))
		return 0;
	path_key(p, where, "comment");
	return fail(c, p, "expected a string");
}

/* archMap: [{"architecture": A, "subArchitectures": [B, ...]}, ...]; on an A machine, the filter
 * covers A and its B (what Docker derives "architectures" from). */
static int get_arch_map(struct pctx *c, json_t *v, struct profile *p)
{
	static const char *const keys[] = { "architecture", "subArchitectures", NULL };
	char w[PROFILE_PATH_LEN], q[PROFILE_PATH_LEN];
	size_t i, one;
	json_t *e;

	if (!json_is_array(v))
		return fail(c, "archMap", "expected an array, got %s", type_name(v));
	if (json_array_size(v) > PROFILE_ARCH_MAX)
		return fail(c, "archMap", "more than %d entries", PROFILE_ARCH_MAX);
	json_array_foreach(v, i, e) {
		struct profile_arch_map *m = &p->arch_map[p->narch_map++];
		path_index(w, "archMap", i);
		if (!json_is_object(e))
			return fail(c, w, "expected an object, got %s", type_name(e));
		if (check_keys(c, w, e, keys))
			return -1;
		json_t *arch = json_object_get(e, "architecture"), *subs;
		path_key(q, w, "architecture");
		if (!arch)
			return fail(c, q, "required");
		one = 0;
		if (add_arch(c, q, arch, &m->arch, &one))
			return -1;
		if ((subs = json_object_get(e, "subArchitectures")) && !json_is_null(subs)) {
			path_key(q, w, "subArchitectures");
			if (get_arches(c, q, subs, m->subs, &m->nsubs))
				return -1;
		}
	}
	return 0;
}

static int get_flags(struct pctx *c, json_t *v, struct profile *p)
{
	char w[PROFILE_PATH_LEN];
	size_t i;
	json_t *f;

	if (!json_is_array(v))
		return fail(c, "flags", "expected an array of flag names, got %s", type_name(v));
	json_array_foreach(v, i, f) {
		path_index(w, "flags", i);
		const char *s = json_is_string(f) ? json_string_value(f) : NULL;
		if (!s)
			return fail(c, w, "expected a flag name, got %s", type_name(f));
		if (!strcmp(s, "SECCOMP_FILTER_FLAG_LOG"))
			p->flag_log = true;
		else if (!strcmp(s, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			p->flag_spec_allow = true;
		else if (strcmp(s, "SECCOMP_FILTER_FLAG_TSYNC")) /* vigil loads before exec: one thread */
			return fail(c, w, "unsupported flag '%s' (expected SECCOMP_FILTER_FLAG_LOG, "
					  "SECCOMP_FILTER_FLAG_SPEC_ALLOW or SECCOMP_FILTER_FLAG_TSYNC)", s);
	}
	return 0;
}

static int parse_root(struct pctx *c, json_t *root, struct profile *p)
{
	static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "architectures",
					    "archMap", "syscalls", "flags", "listenerPath",
					    "listenerMetadata", "comment", NULL };
	char w[PROFILE_PATH_LEN];
	json_t *x;
	size_t i;

	if (!json_is_object(root))
		return fail(c, "(root)", "expected an object, got %s", type_name(root));
	if (check_keys(c, "", root, keys))
		return -1;
	if (!(x = json_object_get(root, "defaultAction")))
		return fail(c, "defaultAction", "required");
	if (get_action(c, "defaultAction", x, &p->default_action))
		return -1;
	if ((x = json_object_get(root, "defaultErrnoRet"))) {
		if (get_errno(c, "defaultErrnoRet", x, &p->default_errno))
			return -1;
		if (p->default_action != SB_ACT_ERRNO && p->default_action != SB_ACT_TRACE)
			return fail(c, "defaultErrnoRet", "only a defaultAction of SCMP_ACT_ERRNO or "
							  "SCMP_ACT_TRACE takes a return value");
	}
	if ((x = json_object_get(root, "architectures")) &&
	    get_arches(c, "architectures", x, p->arches, &p->narches))
		return -1;
	if ((x = json_object_get(root, "archMap")) && !json_is_null(x) && get_arch_map(c, x, p))
		return -1;
	if ((x = json_object_get(root, "flags")) && !json_is_null(x) && get_flags(c, x, p))
		return -1;
	if ((x = json_object_get(root, "listenerPath")) && !json_is_string(x))
		return fail(c, "listenerPath", "expected a string, got %s", type_name(x));

	x = json_object_get(root, "syscalls");
	if (!x || json_is_null(x))
		return 0;
	if (!json_is_array(x))
		return fail(c, "syscalls", "expected an array, got %s", type_name(x));
	p->rules = calloc(json_array_size(x) + 1, sizeof(*p->rules));
	if (!p->rules)
		return fail(c, "syscalls", "out of memory");
	json_t *rule;
	json_array_foreach(x, i, rule) {
		path_index(w, "syscalls", i);
		p->nrules++;
		if (get_rule(c, w, rule, &p->rules[i]))
			return -1;
	}
	return 0;
}

static int parse_json(json_t *root, unsigned flags, struct profile *p, char *err, size_t errlen)
{
	struct pctx c = { .err = err, .errlen = errlen, .flags = flags, .p = p };

	memset(p, 0, sizeof(*p));
	p->default_errno = -1;
	if (parse_root(&c, root, p)) {
		profile_free(p);
		return -1;
	}
	return 0;
}

int profile_parse_string(const char *json, struct profile *p, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &je);

	if (!root) {
		memset(p, 0, sizeof(*p));
		snprintf(err, errlen, "line %d, column %d: %s", je.line, je.column, je.text);
		return -1;
	}
	int rc = parse_json(root, 0, p, err, errlen);
	json_decref(root);
	return rc;
}

int profile_parse_file(const char *path, struct profile *p, char *err, size_t errlen)
{
	return profile_parse_file_flags(path, 0, p, err, errlen);
}

int profile_parse_file_flags(const char *path, unsigned flags, struct profile *p, char *err,
			     size_t errlen)
{
	json_error_t je;
	char msg[384];
	int rc;

	memset(p, 0, sizeof(*p));
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (!root) {
		snprintf(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
		return -1;
	}
	rc = parse_json(root, flags, p, msg, sizeof(msg));
	json_decref(root);
	if (rc)
		snprintf(err, errlen, "%s: %s", path, msg);
	return rc;
}

void profile_free(struct profile *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		for (size_t k = 0; k < p->rules[i].nnames; k++)
			free(p->rules[i].names[k]);
		free(p->rules[i].names);
	}
	free(p->rules);
	for (size_t i = 0; i < p->nskipped; i++)
		free(p->skipped[i]);
	free(p->skipped);
	memset(p, 0, sizeof(*p));
}
