// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which deny/kill rules on process.exec, file.open, file.unlink, file.rename, priv.setuid,
 * kernel.module_load, kernel.bpf, kernel.mount and kernel.ptrace the kernel carries out
 * (enforce_task.bpf.c), as sets per field, and why not when it cannot (docs/enforcement.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "enforce/conjunction.h"
#include "enforce/task.h"
#include "kinds.h"
#include "probe.h"

static const struct {
	unsigned kind;
	const char *lsm_hooks;
	const char *signal_hooks;
} ops[VIGIL_ENF_OP_COUNT] = {
	[VIGIL_ENF_OP_EXEC] = { VIGIL_KIND_PROCESS_EXEC, "lsm/bprm_check_security",
				"tp_btf/sched_process_exec" },
	[VIGIL_ENF_OP_OPEN] = { VIGIL_KIND_FILE_OPEN, "lsm/file_open",
				"syscalls/sys_exit_openat, syscalls/sys_exit_openat2, syscalls/sys_exit_open, syscalls/sys_exit_creat" },
	[VIGIL_ENF_OP_SETUID] = { VIGIL_KIND_PRIV_SETUID, "lsm/task_fix_setuid",
				  "syscalls/sys_exit_setuid, syscalls/sys_exit_setreuid, syscalls/sys_exit_setresuid" },
	[VIGIL_ENF_OP_MODULE] = { VIGIL_KIND_KERNEL_MODULE_LOAD, "lsm/kernel_read_file, lsm/kernel_load_data",
				  "syscalls/sys_enter_finit_module, syscalls/sys_enter_init_module" },
	[VIGIL_ENF_OP_BPF] = { VIGIL_KIND_KERNEL_BPF, "lsm/bpf", "syscalls/sys_enter_bpf" },
	/* no signal: a kill after the call cannot bring the file or the mount back */
	[VIGIL_ENF_OP_UNLINK] = { VIGIL_KIND_FILE_UNLINK, "lsm/path_unlink, lsm/path_rmdir", NULL },
	[VIGIL_ENF_OP_RENAME] = { VIGIL_KIND_FILE_RENAME, "lsm/path_rename", NULL },
	[VIGIL_ENF_OP_MOUNT] = { VIGIL_KIND_KERNEL_MOUNT, "lsm/sb_mount, lsm/move_mount", NULL },
	[VIGIL_ENF_OP_PTRACE] = { VIGIL_KIND_KERNEL_PTRACE, "lsm/ptrace_access_check",
				  "syscalls/sys_enter_ptrace" },
};

static const char fields_help[] =
	"proc.uid, proc.comm, proc.exe, file.path, mount.target, setuid.new.uid/euid, bpf.cmd, "
	"ptrace.request tests joined by 'and'; "
	"see docs/enforcement.md";

static int op_of(uint64_t kinds)
{
	for (int i = 0; i < VIGIL_ENF_OP_COUNT; i++)
		if (kinds == KIND_BIT(ops[i].kind))
			return i;
	return -1;
}

static bool any_task_kind(uint64_t kinds)
{
	for (int i = 0; i < VIGIL_ENF_OP_COUNT; i++)
		if (kinds & KIND_BIT(ops[i].kind))
			return true;
	return false;
}

bool enf_task_handles(const struct rule *r)
{
	return r->enabled && r->cond && r->action != ACT_ALERT && any_task_kind(r->kinds) &&
	       !(r->kinds & KIND_BIT(VIGIL_KIND_NET_CONNECT));
}

bool enf_task_lsm(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = probe_bpf_lsm();
	return cached == 1;
}

/* Every LSM hook of op exists in this kernel (bpf_lsm_<hook> in its BTF: the path hooks need
 * CONFIG_SECURITY_PATH). Looked up once. */
static bool lsm_hooks_exist(int op)
{
	static struct btf *btf;
	static bool tried;
	char hooks[160];

	if (!tried) {
		btf = btf__load_vmlinux_btf();
		tried = true;
	}
	if (!btf)
		return false;
	snprintf(hooks, sizeof(hooks), "%s", ops[op].lsm_hooks);
	for (char *save = NULL, *h = strtok_r(hooks, ", ", &save); h; h = strtok_r(NULL, ", ", &save)) {
		char fn[80];
		snprintf(fn, sizeof(fn), "bpf_lsm_%s", h + 4); /* after "lsm/" */
		if (btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) < 0)
			return false;
	}
	return true;
}

/* hooks (", "-separated) names the program section sec ("tracepoint/" is left out there). */
static bool hooks_name(const char *hooks, const char *sec)
{
	char buf[160];

	if (!hooks)
		return false;
	if (!strncmp(sec, "tracepoint/", 11))
		sec += 11;
	snprintf(buf, sizeof(buf), "%s", hooks);
	for (char *save = NULL, *h = strtok_r(buf, ", ", &save); h; h = strtok_r(NULL, ", ", &save))
		if (!strcmp(h, sec))
			return true;
	return false;
}

int enf_task_section_op(const char *section)
{
	for (int op = 0; op < VIGIL_ENF_OP_COUNT; op++)
		if (hooks_name(ops[op].lsm_hooks, section) || hooks_name(ops[op].signal_hooks, section))
			return op;
	return -1;
}

bool enf_task_lsm_hook(const char *section)
{
	int op = enf_task_section_op(section);

	return op >= 0 && hooks_name(ops[op].lsm_hooks, section) && lsm_hooks_exist(op);
}

const char *enf_task_hooks(int op, bool lsm)
{
	if (op < 0 || op >= VIGIL_ENF_OP_COUNT)
		return "?";
	const char *h = lsm ? ops[op].lsm_hooks : ops[op].signal_hooks;
	return h ? h : "none";
}

const char *enf_task_kind_name(int op)
{
	return op >= 0 && op < VIGIL_ENF_OP_COUNT ? kind_name(ops[op].kind) : "?";
}

static void *grow(void *p, size_t n, size_t add, size_t size)
{
	p = realloc(p, (n + add + 1) * size);
	if (!p)
		abort();
	return p;
}

static bool add_u64(uint64_t **v, size_t *n, bool *has, const struct node *p, char *why, size_t len)
{
	if (*has) {
		snprintf(why, len, "%s is tested twice (the kernel table holds one set per rule)", p->field->name);
		return false;
	}
	if (p->nvals > VIGIL_ENF_VALUES_MAX) {
		snprintf(why, len, "%s has more than %d values (the kernel table's size)", p->field->name,
			 VIGIL_ENF_VALUES_MAX);
		return false;
	}
	*v = grow(*v, 0, p->nvals, sizeof(**v));
	for (size_t i = 0; i < p->nvals; i++) {
		if (p->vals[i].i < 0 || p->vals[i].i > (int64_t)UINT32_MAX) {
			snprintf(why, len, "%s value %s is out of range", p->field->name, p->vals[i].s);
			return false;
		}
		(*v)[i] = (uint64_t)p->vals[i].i;
	}
	*n = p->nvals;
	*has = true;
	return true;
}

static bool add_comms(const char ***v, size_t *n, const struct node *p, char *why, size_t len)
{
	*v = grow(*v, *n, p->nvals, sizeof(**v));
	for (size_t i = 0; i < p->nvals; i++) {
		if (strlen(p->vals[i].s) >= VIGIL_COMM_LEN) {
			snprintf(why, len, "proc.comm '%s' is longer than the kernel's 15 bytes", p->vals[i].s);
			return false;
		}
		(*v)[(*n)++] = p->vals[i].s;
	}
	return true;
}

static bool add_paths(struct enf_task_path **v, size_t *n, const struct node *p, char *why, size_t len)
{
	bool prefix = p->op == OP_STARTSWITH;

	*v = grow(*v, *n, p->nvals, sizeof(**v));
	for (size_t i = 0; i < p->nvals; i++) {
		const char *s = p->vals[i].s;
		size_t l = strlen(s);
		if (s[0] != '/') {
			snprintf(why, len, "%s '%s' is not an absolute path (the kernel sees resolved paths)",
				 p->field->name, s);
			return false;
		}
		if (l > (size_t)(prefix ? VIGIL_ENF_PATH_MAX - 1 : VIGIL_ENF_PATH_MAX - 2)) {
			snprintf(why, len, "%s '%.40s...' is longer than the kernel table's %d bytes",
				 p->field->name, s, VIGIL_ENF_PATH_MAX - 2);
			return false;
		}
		(*v)[(*n)++] = (struct enf_task_path){ s, prefix };
	}
	return true;
}

static bool is(const struct node *p, const char *field)
{
	return !strcmp(p->field->name, field);
}

/* A test under 'not': the allow-lists. */
static bool neg_pred(const struct node *p, struct enf_task_spec *s, char *why, size_t len)
{
	bool set_op = p->op == OP_EQ || p->op == OP_IN;

	if (is(p, "proc.comm") && set_op && s->op != VIGIL_ENF_OP_EXEC)
		return add_comms(&s->not_comms, &s->nnot_comms, p, why, len);
	if (is(p, "proc.exe") && (set_op || p->op == OP_STARTSWITH))
		return add_paths(&s->not_exes, &s->nnot_exes, p, why, len);
	snprintf(why, len, "'not %s %s' (the kernel decides 'not' only over proc.comm ==/in and proc.exe ==/in/startswith; it decides: %s)",
		 p->field->name, op_name(p->op), fields_help);
	return false;
}

static bool pred(const struct node *p, struct enf_task_spec *s, char *why, size_t len)
{
	bool set_op = p->op == OP_EQ || p->op == OP_IN;

	if (is(p, "kind") && set_op) {
		for (size_t i = 0; i < p->nvals; i++)
			if (!strcmp(p->vals[i].s, enf_task_kind_name(s->op)))
				return true;
		snprintf(why, len, "kind never is %s here", enf_task_kind_name(s->op));
		return false;
	}
	if (is(p, "proc.comm") && set_op) {
		if (s->op == VIGIL_ENF_OP_EXEC) {
			snprintf(why, len, "proc.comm at exec is the new image's name, which the exec hook does not have yet: test proc.exe");
			return false;
		}
		if (s->has_comm) {
			snprintf(why, len, "proc.comm is tested twice (the kernel table holds one set per rule)");
			return false;
		}
		s->has_comm = true;
		return add_comms(&s->comms, &s->ncomms, p, why, len);
	}
	if (is(p, "proc.uid") && set_op)
		return add_u64(&s->uids, &s->nuids, &s->has_uid, p, why, len);
	if (is(p, "proc.exe") && (set_op || p->op == OP_STARTSWITH)) {
		if (s->has_exe) {
			snprintf(why, len, "proc.exe is tested twice (the kernel table holds one set per rule)");
			return false;
		}
		s->has_exe = true;
		return add_paths(&s->exes, &s->nexes, p, why, len);
	}
	bool file_op = s->op == VIGIL_ENF_OP_OPEN || s->op == VIGIL_ENF_OP_UNLINK || s->op == VIGIL_ENF_OP_RENAME;
	if (((is(p, "file.path") && file_op) || (is(p, "mount.target") && s->op == VIGIL_ENF_OP_MOUNT)) &&
	    (set_op || p->op == OP_STARTSWITH)) {
		if (s->has_file) {
			snprintf(why, len, "%s is tested twice (the kernel table holds one set per rule)", p->field->name);
			return false;
		}
		s->has_file = true;
		return add_paths(&s->files, &s->nfiles, p, why, len);
	}
	if (is(p, "setuid.new.uid") && set_op)
		return add_u64(&s->new_uids, &s->nnew_uids, &s->has_new_uid, p, why, len);
	if (is(p, "setuid.new.euid") && set_op)
		return add_u64(&s->new_euids, &s->nnew_euids, &s->has_new_euid, p, why, len);
	if (is(p, "ptrace.request") && set_op) {
		unsigned seen = 0;
		for (size_t i = 0; i < p->nvals; i++) {
			if (!strcmp(p->vals[i].s, "PTRACE_ATTACH"))
				seen |= 1;
			else if (!strcmp(p->vals[i].s, "PTRACE_SEIZE"))
				seen |= 2;
			else
				seen |= 4;
		}
		if (seen != 3) {
			snprintf(why, len, "the attach hook cannot tell requests apart: a rule the kernel enforces tests ptrace.request in (PTRACE_ATTACH, PTRACE_SEIZE)");
			return false;
		}
		s->has_request = true;
		return true;
	}
	if (is(p, "bpf.cmd") && set_op) {
		for (size_t i = 0; i < p->nvals; i++)
			if (strcmp(p->vals[i].s, "BPF_PROG_LOAD")) {
				snprintf(why, len, "bpf.cmd %s: the kernel decides BPF_PROG_LOAD only", p->vals[i].s);
				return false;
			}
		return true;
	}
	snprintf(why, len, "the kernel cannot decide '%s %s' at %s (it decides: %s)", p->field->name,
		 op_name(p->op), enf_task_kind_name(s->op), fields_help);
	return false;
}

static bool spec_pred(const struct node *p, void *spec, char *why, size_t len)
{
	return pred(p, spec, why, len);
}

static bool spec_neg_pred(const struct node *p, void *spec, char *why, size_t len)
{
	return neg_pred(p, spec, why, len);
}

static const struct enf_conjunction shape = {
	.pred = spec_pred, .neg_pred = spec_neg_pred, .fields = fields_help,
};

void enf_task_spec_free(struct enf_task_spec *s)
{
	free(s->comms);
	free(s->not_comms);
	free(s->uids);
	free(s->new_uids);
	free(s->new_euids);
	free(s->exes);
	free(s->not_exes);
	free(s->files);
	memset(s, 0, sizeof(*s));
}

static bool has_bpf_cmd(const struct node *n, int depth)
{
	if (!n || depth > 200)
		return false;
	if (n->type == N_PRED)
		return !strcmp(n->field->name, "bpf.cmd");
	return n->type == N_AND && (has_bpf_cmd(n->l, depth + 1) || has_bpf_cmd(n->r, depth + 1));
}

enum enforce_class enf_task_build(const struct rule *r, struct enf_task_spec *s, char *why,
				  size_t whylen, struct pos *at)
{
	memset(s, 0, sizeof(*s));
	*at = r->pos;
	s->op = op_of(r->kinds);
	if (s->op < 0) {
		snprintf(why, whylen, "a rule the kernel enforces is on one kind (process.exec, file.open, file.unlink, file.rename, priv.setuid, kernel.module_load, kernel.bpf, kernel.mount or kernel.ptrace)");
		return ENF_CLASS_NONE;
	}
	if (r->nexceptions) {
		snprintf(why, whylen, "exceptions are decided in user space, after the operation");
		return ENF_CLASS_NONE;
	}
	bool lsm = enf_task_lsm();
	if (!lsm && s->op == VIGIL_ENF_OP_MODULE && r->action == ACT_DENY) {
		snprintf(why, whylen, "deny on kernel.module_load needs BPF LSM (kernel_read_file, kernel_load_data), which this kernel does not offer; a SIGKILL at sys_enter of finit_module does not stop the load (action kill kills the caller)");
		return ENF_CLASS_NONE;
	}
	if (lsm && !lsm_hooks_exist(s->op)) {
		snprintf(why, whylen, "this kernel has BPF LSM but not the hook %s needs (%s; the path hooks need CONFIG_SECURITY_PATH)",
			 enf_task_kind_name(s->op), ops[s->op].lsm_hooks);
		return ENF_CLASS_NONE;
	}
	if (!lsm && !ops[s->op].signal_hooks) {
		snprintf(why, whylen, "%s on %s needs BPF LSM (%s), which this kernel does not offer: without it there is no hook before the operation, and a kill after it cannot undo it",
			 action_name(r->action), enf_task_kind_name(s->op), ops[s->op].lsm_hooks);
		return ENF_CLASS_NONE;
	}
	*at = enf_first_pos(r->when_tree, r->when_pos);
	if (!enf_walk_conjunction(r->when_tree, &shape, s, why, whylen, at)) {
		enf_task_spec_free(s);
		return ENF_CLASS_NONE;
	}
	if (s->op == VIGIL_ENF_OP_PTRACE && !s->has_request) {
		*at = r->when_pos;
		snprintf(why, whylen, "a kernel.ptrace rule the kernel enforces tests ptrace.request in (PTRACE_ATTACH, PTRACE_SEIZE) (the hook decides attaching only)");
		enf_task_spec_free(s);
		return ENF_CLASS_NONE;
	}
	if (s->op == VIGIL_ENF_OP_BPF && !has_bpf_cmd(r->when_tree, 0)) {
		*at = r->when_pos;
		snprintf(why, whylen, "a kernel.bpf rule the kernel enforces tests bpf.cmd == BPF_PROG_LOAD (the hook decides program loads only)");
		enf_task_spec_free(s);
		return ENF_CLASS_NONE;
	}
	return lsm ? ENF_CLASS_LSM : ENF_CLASS_SIGNAL;
}

/* What the caller sees when the rule acts. */
static const char *effect(const struct rule *r, enum enforce_class c)
{
	if (c == ENF_CLASS_LSM)
		return r->action == ACT_KILL ? "the call fails with EPERM and the caller gets SIGKILL"
					     : "the call fails with EPERM";
	return "the caller gets SIGKILL before the result reaches its code (the operation itself has run: see docs/enforcement.md)";
}

static int rule_op(const struct rule *r)
{
	return op_of(r->kinds);
}

void enf_task_explain(const struct rule *r, enum enforce_class c, FILE *f)
{
	bool lsm = c == ENF_CLASS_LSM;

	fprintf(f, "  enforcement: %s (%s): %s%s\n", lsm ? "lsm" : "signal",
		enf_task_hooks(rule_op(r), lsm), effect(r, c),
		r->mode == MODE_MONITOR ? "; mode monitor: reported as would-deny/would-kill, allowed" : "");
	fputs("    decided in the kernel: the whole condition, by the enforcement program (no events to user space)\n", f);
}

void enf_task_describe(const struct rule *r, enum enforce_class c, enum mode m, struct out *out)
{
	bool lsm = c == ENF_CLASS_LSM;
	char hooks[160];

	out_str(out, "mechanism", lsm ? "lsm" : "signal");
	out_arr(out, "hooks");
	snprintf(hooks, sizeof(hooks), "%s", enf_task_hooks(rule_op(r), lsm));
	for (char *save = NULL, *h = strtok_r(hooks, ", ", &save); h; h = strtok_r(NULL, ", ", &save))
		out_str(out, NULL, h);
	out_arr_end(out);
	bool deny = lsm && r->action == ACT_DENY;
	if (m == MODE_MONITOR)
		out_str(out, "outcome", deny ? "would-deny" : "would-kill");
	else
		out_str(out, "outcome", deny ? "denied" : "killed");
}
