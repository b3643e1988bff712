// SPDX-License-Identifier: GPL-2.0-only
/*
 * The running process/file/privilege/kernel enforcement: loads enforce_task.bpf.c with its LSM
 * programs where this kernel has BPF LSM, else with its signal programs; compiles the rules into
 * its tables; turns its records into alerts carrying the enforcement. Programs are attached with
 * bpf links held by vigil only, so enforcement ends when vigil exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enforce/report.h"
#include "fault.h"
#include "enforce/task.h"
#include "enforce_task.skel.h"
#include "format.h"
#include "pipeline.h"

#define MAX_PROGS 32
/* a slot's table: name_0 or name_1 */
#define SLOT_MAP(sk, name, slot) ((slot) ? (sk)->maps.name##_1 : (sk)->maps.name##_0)

struct task_enforcer {
	struct enforce_task_bpf *skel;
	struct bpf_link *links[MAX_PROGS]; /* by program index; attached once an op has rules */
	bool lsm;
	struct ring_buffer *rb;
	/* the rules of each slot (enforce_task.bpf.c double-buffers them): a record names its
	 * generation, and is read against the set of that generation */
	struct rule_set {
		const struct rule *rules[VIGIL_ENF_RULES_MAX];
		enum mode modes[VIGIL_ENF_RULES_MAX];
		size_t nrules;
		uint32_t generation;
	} sets[2];
	uint32_t slot;       /* in force */
	uint32_t generation; /* the last one given out */
	struct pipeline *pl;
	uint64_t alerts, stale, lost_reported;
	struct sbuf json;
};

/* --- tables ---------------------------------------------------------------------------- */

struct path_entry {
	uint8_t data[VIGIL_ENF_PATH_MAX];
	size_t len; /* bytes of data that count (the prefix) */
	uint64_t bits;
};

struct u32_entry {
	uint32_t key;
	uint64_t bits;
};

struct comm_entry {
	char comm[VIGIL_COMM_LEN];
	uint64_t bits;
};

struct tables {
	struct path_entry *paths;
	size_t npaths;
	struct u32_entry *uids, *new_uids, *new_euids;
	size_t nuids, nnew_uids, nnew_euids;
	struct comm_entry *comms, *not_comms;
	size_t ncomms, nnot_comms;
};

static void add_path(struct tables *t, int field, const struct enf_task_path *p, uint64_t bit)
{
	struct path_entry e = { .data = { (uint8_t)field } };
	size_t l = strlen(p->s);

	memcpy(e.data + 1, p->s, l); /* lengths were checked by enf_task_build */
	e.len = 1 + l + (p->prefix ? 0 : 1); /* equality: the NUL is part of the prefix */
	for (size_t i = 0; i < t->npaths; i++)
		if (t->paths[i].len == e.len && !memcmp(t->paths[i].data, e.data, e.len)) {
			t->paths[i].bits |= bit;
			return;
		}
	t->paths = realloc(t->paths, (t->npaths + 1) * sizeof(*t->paths));
	if (!t->paths)
		abort();
	e.bits = bit;
	t->paths[t->npaths++] = e;
}

static void add_u32(struct u32_entry **v, size_t *n, uint32_t key, uint64_t bit)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].key == key) {
			(*v)[i].bits |= bit;
			return;
		}
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	(*v)[(*n)++] = (struct u32_entry){ key, bit };
}

static void add_comm(struct comm_entry **v, size_t *n, const char *comm, uint64_t bit)
{
	for (size_t i = 0; i < *n; i++)
		if (!strncmp((*v)[i].comm, comm, VIGIL_COMM_LEN)) {
			(*v)[i].bits |= bit;
			return;
		}
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	memset(&(*v)[*n], 0, sizeof(**v));
	strncpy((*v)[*n].comm, comm, VIGIL_COMM_LEN - 1);
	(*v)[(*n)++].bits = bit;
}

static void tables_free(struct tables *t)
{
	free(t->paths);
	free(t->uids);
	free(t->new_uids);
	free(t->new_euids);
	free(t->comms);
	free(t->not_comms);
}

static int put(struct bpf_map *m, const void *key, const void *val, const char *what, char *err,
	       size_t errlen)
{
	if (bpf_map_update_elem(bpf_map__fd(m), key, val, BPF_ANY)) {
		snprintf(err, errlen, "enforcement: cannot fill the %s table: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

static int put_u32s(struct bpf_map *m, const struct u32_entry *v, size_t n, const char *what,
		    char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (put(m, &v[i].key, &v[i].bits, what, err, errlen))
			return -1;
	return 0;
}

static int put_comms(struct bpf_map *m, const struct comm_entry *v, size_t n, const char *what,
		     char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (put(m, v[i].comm, &v[i].bits, what, err, errlen))
			return -1;
	return 0;
}

static void rule_tables(struct tables *t, const struct enf_task_spec *s, uint64_t bit,
			struct vigil_enf_task_config *cfg)
{
	cfg->op[s->op & 15] |= bit;
	if (!s->has_comm)
		cfg->any_comm |= bit;
	for (size_t k = 0; k < s->ncomms; k++)
		add_comm(&t->comms, &t->ncomms, s->comms[k], bit);
	for (size_t k = 0; k < s->nnot_comms; k++)
		add_comm(&t->not_comms, &t->nnot_comms, s->not_comms[k], bit);
	if (!s->has_uid)
		cfg->any_uid |= bit;
	for (size_t k = 0; k < s->nuids; k++)
		add_u32(&t->uids, &t->nuids, (uint32_t)s->uids[k], bit);
	if (!s->has_new_uid)
		cfg->any_new_uid |= bit;
	for (size_t k = 0; k < s->nnew_uids; k++)
		add_u32(&t->new_uids, &t->nnew_uids, (uint32_t)s->new_uids[k], bit);
	if (!s->has_new_euid)
		cfg->any_new_euid |= bit;
	for (size_t k = 0; k < s->nnew_euids; k++)
		add_u32(&t->new_euids, &t->nnew_euids, (uint32_t)s->new_euids[k], bit);
	if (!s->has_exe)
		cfg->any_exe |= bit;
	for (size_t k = 0; k < s->nexes; k++)
		add_path(t, VIGIL_ENF_PF_EXE, &s->exes[k], bit);
	if (s->nnot_exes)
		cfg->not_exe |= bit;
	for (size_t k = 0; k < s->nnot_exes; k++)
		add_path(t, VIGIL_ENF_PF_NOT_EXE, &s->not_exes[k], bit);
	if (!s->has_file)
		cfg->any_file |= bit;
	for (size_t k = 0; k < s->nfiles; k++)
		add_path(t, VIGIL_ENF_PF_FILE, &s->files[k], bit);
}

static int fill(struct task_enforcer *e, uint32_t slot, const struct policy_set *ps,
		const struct enforce_opts *o, struct vigil_enf_task_config *cfg, char *err, size_t errlen)
{
	struct enforce_task_bpf *sk = e->skel;
	struct rule_set *set = &e->sets[slot];
	struct tables t = { 0 };
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	set->nrules = 0;
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct rule *r = &ps->rules[i];
		struct enf_task_spec s;
		char why[256];
		struct pos at;
		if (!r->in_kernel || set->nrules == VIGIL_ENF_RULES_MAX || !enf_task_handles(r))
			continue;
		enum enforce_class c = enf_task_build(r, &s, why, sizeof(why), &at);
		if (c != ENF_CLASS_LSM && c != ENF_CLASS_SIGNAL) {
			enf_task_spec_free(&s);
			continue;
		}
		unsigned b = (unsigned)set->nrules++;
		uint64_t bit = 1ULL << b;
		set->rules[b] = r;
		set->modes[b] = enforce_rule_mode(r, o);
		cfg->active |= bit;
		if (set->modes[b] == MODE_ENFORCE)
			cfg->enforce |= bit;
		if (r->action == ACT_KILL)
			cfg->kill |= bit;
		rule_tables(&t, &s, bit, cfg);
		enf_task_spec_free(&s);
	}
	if (fault_hit("enforce.fill")) {
		snprintf(err, errlen, "enforcement: cannot fill the path table: %s", strerror(EIO));
		goto out;
	}
	if (t.npaths > VIGIL_ENF_VALUES_MAX) {
		snprintf(err, errlen, "enforcement: more than %d paths for the kernel table", VIGIL_ENF_VALUES_MAX);
		goto out;
	}
	/* the longest prefix the trie finds must carry every rule whose shorter prefix it extends */
	for (size_t i = 0; i < t.npaths; i++) {
		struct vigil_enf_path_key k = { .prefixlen = (uint32_t)(t.paths[i].len * 8) };
		uint64_t bits = t.paths[i].bits;
		for (size_t j = 0; j < t.npaths; j++)
			if (j != i && t.paths[j].len < t.paths[i].len &&
			    !memcmp(t.paths[j].data, t.paths[i].data, t.paths[j].len))
				bits |= t.paths[j].bits;
		memcpy(k.data, t.paths[i].data, sizeof(k.data));
		if (put(SLOT_MAP(sk, enf_task_path, slot), &k, &bits, "path", err, errlen))
			goto out;
	}
	if (put_comms(SLOT_MAP(sk, enf_task_comm, slot), t.comms, t.ncomms, "comm", err, errlen) ||
	    put_comms(SLOT_MAP(sk, enf_task_not_comm, slot), t.not_comms, t.nnot_comms, "comm", err, errlen) ||
	    put_u32s(SLOT_MAP(sk, enf_task_uid, slot), t.uids, t.nuids, "uid", err, errlen) ||
	    put_u32s(SLOT_MAP(sk, enf_task_new_uid, slot), t.new_uids, t.nnew_uids, "uid", err, errlen) ||
	    put_u32s(SLOT_MAP(sk, enf_task_new_euid, slot), t.new_euids, t.nnew_euids, "uid", err, errlen))
		goto out;
	cfg->not_comms = (uint32_t)t.nnot_comms;
	rc = 0;
out:
	tables_free(&t);
	return rc;
}

static int fill_exempt(struct task_enforcer *e, uint32_t slot, const struct enforce_opts *o,
		       struct vigil_enf_task_config *cfg, char *err, size_t errlen)
{
	uint64_t all = ~0ULL;

	for (size_t i = 0; i < o->nexempt_comm; i++) {
		char c[VIGIL_COMM_LEN] = {};
		strncpy(c, o->exempt_comm[i], VIGIL_COMM_LEN - 1);
		if (put(SLOT_MAP(e->skel, enf_task_exempt_comm, slot), c, &all, "exempt", err, errlen))
			return -1;
		cfg->exempt_comms++;
	}
	for (size_t i = 0; i < o->nexempt_cgroup; i++) {
		uint64_t id;
		if (enforce_exempt_cgroup_id(o->exempt_cgroup[i], &id, err, errlen))
			return -1;
		if (put(SLOT_MAP(e->skel, enf_task_exempt_cgroup, slot), &id, &all, "exempt", err, errlen))
			return -1;
		cfg->exempt_cgroups++;
	}
	return 0;
}

static int clear_map(struct bpf_map *m)
{
	int fd = bpf_map__fd(m);
	size_t ksz = bpf_map__key_size(m);
	uint8_t key[VIGIL_ENF_PATH_MAX + 8], next[VIGIL_ENF_PATH_MAX + 8];

	if (ksz > sizeof(key))
		return -E2BIG;
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, ksz);
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return 0;
}

/* --- records -> alerts ---------------------------------------------------------------- */

static void out_path(struct out *o, const char *name, const char *p, size_t cap)
{
	size_t n = strnlen(p, cap);

	if (n)
		out_strn(o, name, p, n);
}

static const char *outcome(const struct vigil_enf_task_record *r, enum mode m)
{
	if (m == MODE_ENFORCE)
		return r->killed ? "killed" : "denied";
	bool would_kill = r->mechanism == 2 || r->killed;
	return would_kill ? "would-kill" : "would-deny";
}

static void write_proc(struct out *o, const struct vigil_enf_task_record *r, const struct proc *p)
{
	out_obj(o, "proc");
	out_u64(o, "tgid", r->tgid);
	out_u64(o, "tid", r->tid);
	out_u64(o, "ppid", r->ppid);
	out_u64(o, "uid", r->uid);
	out_u64(o, "gid", r->gid);
	out_u64(o, "euid", r->euid);
	out_strn(o, "comm", r->comm, strnlen(r->comm, VIGIL_COMM_LEN));
	if (r->op == VIGIL_ENF_OP_EXEC || !p || !p->img || !p->img->exe || !p->img->exe[0])
		out_path(o, "exe", r->exe, sizeof(r->exe));
	else
		out_str(o, "exe", p->img->exe);
	if (p && r->op != VIGIL_ENF_OP_EXEC)
		out_str(o, "exec_id", p->exec_id);
	out_u64(o, "cgroup_id", r->cgroup_id);
	out_obj_end(o);
}

static void write_body(struct out *o, const struct vigil_enf_task_record *r, bool acted)
{
	switch (r->op) {
	case VIGIL_ENF_OP_EXEC:
		out_obj(o, "exec");
		out_path(o, "file", r->exe, sizeof(r->exe));
		out_obj_end(o);
		break;
	case VIGIL_ENF_OP_OPEN:
		out_obj(o, "file");
		out_path(o, "path", r->file, sizeof(r->file));
		out_u64(o, "open_flags", (uint32_t)r->arg);
		if (acted && r->denied) {
			out_i64(o, "errno", EPERM);
			out_str(o, "error", "EPERM");
		}
		out_obj_end(o);
		break;
	case VIGIL_ENF_OP_SETUID:
		out_obj(o, "setuid");
		out_obj(o, "new");
		out_u64(o, "uid", r->new_uid);
		out_u64(o, "euid", r->new_euid);
		out_obj_end(o);
		if (acted && r->denied)
			out_i64(o, "ret", -EPERM);
		out_obj_end(o);
		break;
	case VIGIL_ENF_OP_MODULE:
		out_obj(o, "module");
		out_str(o, "syscall", r->arg ? "finit_module" : "init_module");
		out_path(o, "file", r->file, sizeof(r->file));
		out_obj_end(o);
		break;
	case VIGIL_ENF_OP_UNLINK:
	case VIGIL_ENF_OP_RENAME:
		out_obj(o, "file");
		out_path(o, "path", r->file, sizeof(r->file));
		if (acted && r->denied) {
			out_i64(o, "errno", EPERM);
			out_str(o, "error", "EPERM");
		}
		out_obj_end(o);
		break;
	case VIGIL_ENF_OP_MOUNT:
		out_obj(o, "mount");
		out_str(o, "syscall", r->arg ? "move_mount" : "mount");
		out_path(o, "target", r->file, sizeof(r->file));
		if (acted && r->denied)
			out_i64(o, "ret", -EPERM);
		out_obj_end(o);
		break;
	case VIGIL_ENF_OP_PTRACE:
		out_obj(o, "ptrace");
		if (r->arg == 16 || r->arg == 0x4206)
			out_str(o, "request", r->arg == 16 ? "PTRACE_ATTACH" : "PTRACE_SEIZE");
		else
			out_str(o, "access", "attach"); /* the lsm hook: ptrace or /proc/PID/mem, ... */
		out_obj(o, "target");
		out_u64(o, "tgid", r->new_uid);
		out_obj_end(o);
		out_obj_end(o);
		break;
	case VIGIL_ENF_OP_BPF:
		out_obj(o, "bpf");
		out_str(o, "cmd", "BPF_PROG_LOAD");
		out_obj_end(o);
		break;
	}
	if (r->path_trunc)
		out_bool(o, "path_truncated", true);
}

static void write_record_alerts(struct task_enforcer *e, const struct vigil_enf_task_record *r)
{
	struct pipeline *pl = e->pl;

	const struct rule_set *set = NULL;
	for (int i = 0; i < 2; i++)
		if (e->sets[i].generation && e->sets[i].generation == r->generation)
			set = &e->sets[i];
	if (!set) {
		e->stale++;
		return;
	}
	if (r->op >= VIGIL_ENF_OP_COUNT) {
		pl->malformed++;
		return;
	}
	const struct proc *p = proc_cache_lookup(&pl->cache, r->tgid);
	for (size_t b = 0; b < set->nrules; b++) {
		if (!(r->rules & (1ULL << b)))
			continue;
		const struct rule *rule = set->rules[b];
		bool acts = set->modes[b] == MODE_ENFORCE;
		struct out o;
		sbuf_reset(&e->json);
		out_init(&o, &e->json, OUT_JSON);
		format_open(&o, r->ktime_ns, enf_task_kind_name(r->op));
		write_proc(&o, r, p);
		write_body(&o, r, acts);
		if (enforce_alert_end(&o, &e->json, rule, action_name(rule->action),
				      r->mechanism == 1 ? "lsm" : "signal", outcome(r, set->modes[b]), pl))
			e->alerts++;
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct task_enforcer *e = ctx;

	if (size < sizeof(struct vigil_enf_task_record)) {
		e->pl->malformed++;
		return 0;
	}
	write_record_alerts(e, data);
	return 0;
}

uint64_t task_enforcer_poll(struct task_enforcer *e, struct pipeline *pl)
{
	if (!e || !e->rb || !pl)
		return 0;
	uint64_t before = e->alerts;
	e->pl = pl;
	ring_buffer__consume(e->rb);
	enforce_report_loss(bpf_map__fd(e->skel->maps.enf_task_stats), "enforce.task", &e->lost_reported, pl);
	return e->alerts - before;
}

/* --- lifecycle ------------------------------------------------------------------------ */

static bool is_lsm_prog(const struct bpf_program *p)
{
	return !strncmp(bpf_program__section_name(p), "lsm/", 4);
}

/* A syscall tracepoint this kernel lacks (open and creat on arm64; the module calls without
 * CONFIG_MODULES) is left out: the call does not exist to be enforced. */
static bool tracepoint_exists(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);
	char path[256];

	if (strncmp(sec, "tracepoint/", 11))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s", sec + 11);
	return access(path, F_OK) == 0;
}

static int open_load(struct task_enforcer *e, char *err, size_t errlen)
{
	struct bpf_program *p;

	e->lsm = enf_task_lsm();
	e->skel = enforce_task_bpf__open();
	if (!e->skel) {
		snprintf(err, errlen, "enforcement: cannot open the task programs: %s", strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(p, e->skel->obj)
		bpf_program__set_autoload(p, is_lsm_prog(p) == e->lsm && tracepoint_exists(p) &&
					      (!e->lsm || enf_task_lsm_hook(bpf_program__section_name(p))));
	if (enforce_task_bpf__load(e->skel)) {
		snprintf(err, errlen, "enforcement: cannot load the %s programs: %s",
			 e->lsm ? "BPF LSM" : "signal", strerror(errno));
		return -1;
	}
	e->rb = ring_buffer__new(bpf_map__fd(e->skel->maps.enf_task_events), on_record, e, NULL);
	if (!e->rb) {
		snprintf(err, errlen, "enforcement: cannot open its ring buffer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Attaches the programs of every operation the rules use that is not attached yet: an operation
 * without rules costs nothing (a syscall tracepoint program alone costs every caller). */
static int attach(struct task_enforcer *e, const struct vigil_enf_task_config *cfg, char *err,
		  size_t errlen)
{
	struct bpf_program *p;
	size_t i = 0;

	bpf_object__for_each_program(p, e->skel->obj) {
		size_t k = i++;
		int op = enf_task_section_op(bpf_program__section_name(p));
		if (!bpf_program__autoload(p) || op < 0 || !cfg->op[op] || k >= MAX_PROGS || e->links[k])
			continue;
		e->links[k] = bpf_program__attach(p);
		if (!e->links[k]) {
			snprintf(err, errlen, "enforcement: cannot attach %s: %s",
				 bpf_program__section_name(p), strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int write_config(struct task_enforcer *e, uint32_t slot,
			const struct vigil_enf_task_config *cfg)
{
	return bpf_map_update_elem(bpf_map__fd(e->skel->maps.enf_task_config), &slot, cfg, BPF_ANY);
}

/* Waits until no program runs any more that read the slot before the last switch: updating an
 * array of maps makes the kernel wait for running BPF programs (synchronize_rcu). */
static int wait_for_programs(struct task_enforcer *e, uint32_t slot)
{
	int fd = bpf_map__fd(SLOT_MAP(e->skel, enf_task_comm, slot));

	if (fault_hit("enforce.barrier"))
		return -EIO;
	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.enf_task_comm), &slot, &fd, BPF_ANY))
		return -errno;
	return 0;
}

static size_t task_rule_count(const struct policy_set *ps)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->nrules; i++)
		n += ps->rules[i].in_kernel && enf_task_handles(&ps->rules[i]);
	return n;
}

static int clear_slot(struct task_enforcer *e, uint32_t slot)
{
	struct enforce_task_bpf *sk = e->skel;
	struct bpf_map *maps[] = {
		SLOT_MAP(sk, enf_task_path, slot),	  SLOT_MAP(sk, enf_task_comm, slot),
		SLOT_MAP(sk, enf_task_not_comm, slot),	  SLOT_MAP(sk, enf_task_uid, slot),
		SLOT_MAP(sk, enf_task_new_uid, slot),	  SLOT_MAP(sk, enf_task_new_euid, slot),
		SLOT_MAP(sk, enf_task_exempt_comm, slot), SLOT_MAP(sk, enf_task_exempt_cgroup, slot),
	};
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		int rc = clear_map(maps[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int task_enforcer_stage(struct task_enforcer **ep, const struct policy_set *ps,
			const struct enforce_opts *o, struct task_stage *st, char *err, size_t errlen)
{
	struct task_enforcer *e = *ep;
	struct vigil_enf_task_config cfg;
	int rc;

	memset(st, 0, sizeof(*st));
	if (!e && !task_rule_count(ps))
		return 0;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			abort();
		if (open_load(e, err, errlen)) {
			task_enforcer_destroy(e);
			return -1;
		}
		st->created = true;
	}
	/* slot 0 is in force from the start (empty: nothing enforced); the new rules go beside */
	uint32_t slot = !e->slot;
	if (!st->created && (rc = wait_for_programs(e, slot))) {
		snprintf(err, errlen, "enforcement: cannot wait for its programs: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = clear_slot(e, slot))) {
		snprintf(err, errlen, "enforcement: cannot clear its tables: %s", strerror(-rc));
		goto fail;
	}
	e->sets[slot].generation = 0; /* no record may name a half-filled set */
	if (fill(e, slot, ps, o, &cfg, err, errlen) || fill_exempt(e, slot, o, &cfg, err, errlen))
		goto fail;
	cfg.self_tgid = (uint32_t)getpid();
	cfg.generation = ++e->generation;
	if (fault_hit("enforce.config") || write_config(e, slot, &cfg)) {
		snprintf(err, errlen, "enforcement: cannot write its configuration: %s",
			 strerror(errno ? errno : EIO));
		goto fail;
	}
	e->sets[slot].generation = cfg.generation;
	/* programs of new operations: harmless until the switch (the set in force has no rule
	 * for them) */
	if (attach(e, &cfg, err, errlen))
		goto fail;
	st->staged = true;
	st->slot = slot;
	*ep = e;
	return 0;
fail:
	if (st->created)
		task_enforcer_destroy(e);
	st->created = false;
	return -1;
}

int task_enforcer_switch(struct task_enforcer *e, const struct task_stage *st, char *err,
			 size_t errlen)
{
	uint32_t zero = 0, slot = st->slot;

	if (!e || !st->staged)
		return 0;
	if (fault_hit("enforce.switch") ||
	    bpf_map_update_elem(bpf_map__fd(e->skel->maps.enf_task_slot), &zero, &slot, BPF_ANY)) {
		snprintf(err, errlen, "enforcement: cannot switch to the new rules: %s",
			 strerror(errno ? errno : EIO));
		return -1;
	}
	e->slot = slot;
	return 0;
}

void task_enforcer_unstage(struct task_enforcer **ep, const struct task_stage *st)
{
	if (st->created) {
		task_enforcer_destroy(*ep);
		*ep = NULL;
	}
}

void task_enforcer_settle(struct task_enforcer *e, struct pipeline *pl)
{
	if (!e)
		return;
	uint32_t old = !e->slot;
	/* every program that read the old slot has finished: its records are in the ring buffer */
	if (wait_for_programs(e, old) == 0)
		task_enforcer_poll(e, pl);
	e->sets[old].generation = 0;
	e->sets[old].nrules = 0;
}

int task_enforcer_apply(struct task_enforcer **ep, const struct policy_set *ps,
			const struct enforce_opts *o, struct pipeline *pl, char *err, size_t errlen)
{
	struct task_stage st;

	if (task_enforcer_stage(ep, ps, o, &st, err, errlen))
		return -1;
	if (task_enforcer_switch(*ep, &st, err, errlen)) {
		task_enforcer_unstage(ep, &st);
		return -1;
	}
	task_enforcer_settle(*ep, pl);
	return 0;
}

void task_enforcer_destroy(struct task_enforcer *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < MAX_PROGS; i++)
		bpf_link__destroy(e->links[i]);
	ring_buffer__free(e->rb);
	enforce_task_bpf__destroy(e->skel);
	sbuf_free(&e->json);
	free(e);
}
