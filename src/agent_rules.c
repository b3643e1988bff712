// SPDX-License-Identifier: GPL-2.0-only
#include "agent_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fault.h"
#include "format.h"
#include "kinds.h"
#include "policy/alert.h"
#include "policy/kfilter.h"
#include "timefmt.h"

size_t agent_rules_load(const struct agent_rules *r, struct policy_set *ps)
{
	policy_init(ps);
	if (!r->npaths)
		policy_add_bundled(ps);
	for (size_t i = 0; i < r->npaths; i++) {
		if (!strcmp(r->paths[i], "bundled"))
			policy_add_bundled(ps);
		else
			policy_add_path(ps, r->paths[i]);
	}
	policy_compile(ps);
	policy_print_errors(ps, stderr);
	return ps->nerrors;
}

#define PROCESS_KINDS                                                                              \
	(KIND_BIT(VIGIL_KIND_PROCESS_EXEC) | KIND_BIT(VIGIL_KIND_PROCESS_FORK) |                   \
	 KIND_BIT(VIGIL_KIND_PROCESS_EXIT))

/* Kinds the rules need that are not streamed (--all-events: a rule on an on-request kind such
 * as priv.capable gets its events, filtered by the rules, without streaming them all). */
static uint64_t extra_kinds(const struct agent_rules *r, const struct policy_set *ps)
{
	return r->all_events ? policy_kinds(ps) & ~r->stream_kinds : 0;
}

/* The kernel filters for a policy: the rules' terms within the user's own filter, or with
 * --all-events the user's filter for the streamed kinds (everything is shown, so everything
 * must come) plus the rules' terms for the kinds the rules need beyond those. */
static int compute_filters(struct agent_rules *r, const struct policy_set *ps, struct filter **f,
			   size_t *n, char *err, size_t errlen)
{
	uint64_t extra = extra_kinds(r, ps);

	*f = NULL;
	*n = 0;
	if (r->all_events && !extra) {
		if (!run_opts_filtered(r->opts))
			return 1; /* no filter at all */
		*f = malloc(sizeof(**f));
		if (!*f)
			abort();
		**f = r->opts->filter;
		*n = 1;
		return 0;
	}
	if (policy_kernel_filters(ps, f, n, err, errlen))
		return -1;
	if (run_opts_filtered(r->opts))
		*n = policy_filters_restrict(*f, *n, &r->opts->filter);
	if (!r->all_events)
		return 0;
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		uint64_t k = ((*f)[i].kinds ? (*f)[i].kinds : ~0ULL) & extra;
		if (!k)
			continue;
		(*f)[kept] = (*f)[i];
		(*f)[kept++].kinds = k;
	}
	struct filter *g = realloc(*f, (kept + 1) * sizeof(**f));
	if (!g)
		abort();
	g[kept] = r->opts->filter;
	g[kept].kinds = r->stream_kinds;
	*f = g;
	*n = kept + 1;
	return 0;
}

static void rules_render(struct pipeline *pl, const void *rec, size_t size, const struct proc *proc)
{
	struct agent_rules *r = pl->user;
	const struct vigil_event_hdr *h = rec;
	struct format_opts jfmt = { .fmt = OUT_JSON, .ancestors = pl->fmt.ancestors };
	struct out jo;

	sbuf_reset(&r->json);
	out_init(&jo, &r->json, OUT_JSON);
	format_event(&jo, &jfmt, &pl->cache, rec, size, proc);
	if (r->all_events && (r->stream_kinds & KIND_BIT(h->kind))) {
		if (pl->fmt.fmt == OUT_JSON)
			sbuf_putn(pl->out.b, r->json.p, r->json.len);
		else
			format_event(&pl->out, &pl->fmt, &pl->cache, rec, size, proc);
	}
	if (!(policy_kinds(&r->ps) & KIND_BIT(h->kind)))
		return;
	size_t n = r->json.len;
	while (n && r->json.p[n - 1] == '\n')
		n--;
	json_t *ev = json_loadb(r->json.p, n, 0, NULL);
	if (!ev) {
		pl->malformed++;
		return;
	}
	r->alerts += policy_alerts(&r->ps, h->kind, ev, r->json.p, n, &pl->out);
	json_decref(ev);
}

static void emit_policy(struct pipeline *pl, const struct agent_rules *r, const char *status,
			const struct policy_set *ps)
{
	struct out *o = &pl->out;
	size_t enabled = 0;

	for (size_t i = 0; i < ps->nrules; i++)
		enabled += ps->rules[i].enabled;
	format_open(o, now_boot_ns(), "agent.policy");
	out_str(o, "status", status);
	out_u64(o, "rules", ps->nrules);
	out_u64(o, "enabled", enabled);
	out_bool(o, "all_events", r->all_events);
	out_u64(o, "kernel_filters", r->nfilters);
	enforce_describe(ps, &r->enf, r->enforcer != NULL, o);
	out_arr(o, "files");
	for (size_t i = 0; i < ps->nfiles; i++)
		out_str(o, NULL, ps->files[i]);
	out_arr_end(o);
	if (ps->nerrors) {
		out_arr(o, "errors");
		for (size_t i = 0; i < ps->nerrors; i++) {
			char line[512];
			snprintf(line, sizeof(line), "%s:%d:%d: %s", ps->errors[i].pos.file,
				 ps->errors[i].pos.line, ps->errors[i].pos.col, ps->errors[i].msg);
			out_str(o, NULL, line);
		}
		out_arr_end(o);
	}
	out_end(o);
}

static struct agent_rules *the_rules; /* after_ready has no user pointer of its own */

/* Deny rules: loaded and attached with the sensors, before agent.ready. */
static int rules_on_loaded(struct pipeline *pl, struct sensors *s)
{
	struct agent_rules *r = pl->user;
	char err[512];

	(void)s;
	if (enforcer_apply(&r->enforcer, &r->ps, &r->enf, pl, err, sizeof(err)) ||
	    task_enforcer_apply(&r->task_enforcer, &r->ps, &r->enf, pl, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		return -1;
	}
	return 0;
}

/* The enforcement records become alerts. */
static void rules_tick(struct pipeline *pl)
{
	struct agent_rules *r = pl->user;

	r->alerts += enforcer_poll(r->enforcer, pl);
	r->alerts += task_enforcer_poll(r->task_enforcer, pl);
}

static void rules_after_ready(struct pipeline *pl)
{
	emit_policy(pl, the_rules, "loaded", &the_rules->ps);
}

static void reject(struct pipeline *pl, struct agent_rules *r, struct policy_set *next,
		   const char *why)
{
	if (why)
		policy_error(next, (struct pos){ "reload", 0, 0 }, "%s", why);
	fprintf(stderr, "vigil: policy reload rejected; the previous rules keep running\n");
	emit_policy(pl, r, "rejected", next);
	r->rejected++;
	policy_free(next);
}

/*
 * SIGHUP: compile first; only a policy without errors, needing no sensor that was not asked
 * for at start, replaces the running one. The switch is atomic: the new filters and the new
 * deny rules are staged beside the ones in force, then each is put in force with one map
 * update; a failure at any step leaves the old rules deciding and enforcing, in the kernel too.
 */
static void rules_reload(struct pipeline *pl, struct sensors *s)
{
	struct agent_rules *r = pl->user;
	struct policy_set next;
	struct filter *f = NULL;
	size_t nf = 0;
	char err[512];
	uint32_t fslot = 0;
	struct task_stage ts;

	fault_arm();
	agent_rules_load(r, &next);
	if (!next.nerrors && enforce_mark(&next, &r->enf))
		policy_print_errors(&next, stderr);
	/* what start asked for, not what loaded: a sensor this kernel cannot run (agent.ready
	 * said why) is no reason to refuse rules that name its events */
	uint64_t missing = policy_kinds(&next) & ~s->cfg.kinds;
	if (!next.nerrors && missing) {
		const struct kind_info *k;
		for (unsigned i = 0; (k = kind_at(i)); i++)
			if (missing & KIND_BIT(k->kind))
				break;
		policy_error(&next, (struct pos){ "policy", 0, 0 },
			     "the new rules need %s events, whose sensor was not loaded at start: restart vigil to add it",
			     k ? k->name : "other");
	}
	int rc = next.nerrors ? -1 : compute_filters(r, &next, &f, &nf, err, sizeof(err));
	if (rc < 0) {
		reject(pl, r, &next, next.nerrors ? NULL : err);
		goto out;
	}
	uint64_t shown = r->all_events ? r->stream_kinds | extra_kinds(r, &next) : policy_kinds(&next);
	uint64_t loaded = s->kinds_loaded & (shown | PROCESS_KINDS);
	if (rc == 0 && session_stage_filters(s, f, nf, shown, loaded, &fslot, err, sizeof(err))) {
		reject(pl, r, &next, err);
		goto out;
	}
	if (task_enforcer_stage(&r->task_enforcer, &next, &r->enf, &ts, err, sizeof(err))) {
		reject(pl, r, &next, err);
		goto out;
	}
	if (rc == 0 && session_switch_filters(s, fslot, err, sizeof(err))) {
		task_enforcer_unstage(&r->task_enforcer, &ts);
		reject(pl, r, &next, err);
		goto out;
	}
	if (task_enforcer_switch(r->task_enforcer, &ts, err, sizeof(err))) {
		char back[256];
		if (rc == 0 && session_switch_filters(s, !fslot, back, sizeof(back)))
			fprintf(stderr, "vigil: policy reload: %s; the filters of the new rules stay in force\n", back);
		task_enforcer_unstage(&r->task_enforcer, &ts);
		reject(pl, r, &next, err);
		goto out;
	}
	/* the network enforcers (cgroup, XDP) are not double-buffered yet: they change last */
	if (enforcer_apply(&r->enforcer, &next, &r->enf, pl, err, sizeof(err)))
		fprintf(stderr, "vigil: policy reload: %s; network enforcement is off until the next good reload\n", err);
	/* the old deny rules' last records are read while their rules still exist */
	task_enforcer_settle(r->task_enforcer, pl);
	policy_free(&r->ps);
	r->ps = next;
	free(r->filters);
	r->filters = f;
	f = NULL;
	r->nfilters = nf;
	pl->kinds_shown = shown;
	r->reloads++;
	emit_policy(pl, r, "reloaded", &r->ps);
out:
	free(f);
	fault_disarm();
}

int agent_rules_prepare(struct agent_rules *r, struct run_opts *o, struct session_hooks *h,
			char *err, size_t errlen)
{
	r->opts = o;
	size_t nerr = agent_rules_load(r, &r->ps);
	if (!nerr && (nerr = enforce_mark(&r->ps, &r->enf)))
		policy_print_errors(&r->ps, stderr);
	if (nerr) {
		snprintf(err, errlen, "the policy has %zu error%s (above); nothing started",
			 r->ps.nerrors, r->ps.nerrors == 1 ? "" : "s");
		return -1;
	}
	if (r->all_events) {
		r->stream_kinds = o->kinds ? o->kinds : kinds_default();
		if (extra_kinds(r, &r->ps))
			o->kinds = r->stream_kinds | extra_kinds(r, &r->ps);
	}
	int rc = compute_filters(r, &r->ps, &r->filters, &r->nfilters, err, errlen);
	if (rc < 0)
		return -1;
	if (!r->all_events)
		o->kinds = policy_kinds(&r->ps) ? policy_kinds(&r->ps) : KIND_BIT(VIGIL_KIND_PROCESS_EXEC);
	if (policy_needs_ancestors(&r->ps))
		o->ancestors = true;
	h->render = rules_render;
	h->user = r;
	h->use_filters = rc == 0;
	h->filters = r->filters;
	h->nfilters = r->nfilters;
	h->after_ready = rules_after_ready;
	h->on_reload = rules_reload;
	h->on_loaded = rules_on_loaded;
	h->on_tick = rules_tick;
	h->tick_ns = 50 * 1000 * 1000;
	the_rules = r;
	return 0;
}

void agent_rules_free(struct agent_rules *r)
{
	enforcer_destroy(r->enforcer); /* enforcement ends with vigil */
	r->enforcer = NULL;
	task_enforcer_destroy(r->task_enforcer);
	r->task_enforcer = NULL;
	policy_free(&r->ps);
	free(r->filters);
	sbuf_free(&r->json);
	the_rules = NULL;
}
