// SPDX-License-Identifier: GPL-2.0-only
#include "agent_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

/* The kernel filters for a policy: the rules' terms within the user's own filter, or with
 * --all-events only the user's filter (everything is shown, so everything must come). */
static int compute_filters(struct agent_rules *r, const struct policy_set *ps, struct filter **f,
			   size_t *n, char *err, size_t errlen)
{
	*f = NULL;
	*n = 0;
	if (r->all_events) {
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
	if (r->all_events) {
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

/* SIGHUP: compile first; only a policy without errors, needing no sensor that is not loaded,
 * replaces the running one. The old rules keep running throughout. */
static void rules_reload(struct pipeline *pl, struct sensors *s)
{
	struct agent_rules *r = pl->user;
	struct policy_set next;
	struct filter *f = NULL;
	size_t nf = 0;
	char err[512];

	agent_rules_load(r, &next);
	if (!next.nerrors && enforce_mark(&next, &r->enf))
		policy_print_errors(&next, stderr);
	if (!next.nerrors && (policy_kinds(&next) & ~s->kinds_loaded)) {
		const struct kind_info *k;
		for (unsigned i = 0; (k = kind_at(i)); i++)
			if ((policy_kinds(&next) & ~s->kinds_loaded) & KIND_BIT(k->kind))
				break;
		policy_error(&next, (struct pos){ "policy", 0, 0 },
			     "the new rules need %s events, whose sensor was not loaded at start: restart vigil to add it",
			     k ? k->name : "other");
	}
	int rc = next.nerrors ? -1 : compute_filters(r, &next, &f, &nf, err, sizeof(err));
	if (rc < 0) {
		if (!next.nerrors)
			policy_error(&next, (struct pos){ "policy", 0, 0 }, "%s", err);
		fprintf(stderr, "vigil: policy reload rejected; the previous rules keep running\n");
		emit_policy(pl, r, "rejected", &next);
		r->rejected++;
		policy_free(&next);
		return;
	}
	uint64_t shown = r->all_events ? pl->kinds_shown : policy_kinds(&next);
	if (rc == 0 && session_set_filters(s, f, nf, shown, s->kinds_loaded, err, sizeof(err))) {
		fprintf(stderr, "vigil: policy reload: %s; the previous rules keep running\n", err);
		free(f);
		policy_free(&next);
		return;
	}
	if (enforcer_apply(&r->enforcer, &next, &r->enf, pl, err, sizeof(err)))
		fprintf(stderr, "vigil: policy reload: %s; enforcement is off until the next good reload\n", err);
	if (task_enforcer_apply(&r->task_enforcer, &next, &r->enf, pl, err, sizeof(err)))
		fprintf(stderr, "vigil: policy reload: %s; enforcement is off until the next good reload\n", err);
	policy_free(&r->ps);
	r->ps = next;
	free(r->filters);
	r->filters = f;
	r->nfilters = nf;
	if (!r->all_events)
		pl->kinds_shown = shown;
	r->reloads++;
	emit_policy(pl, r, "reloaded", &r->ps);
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
