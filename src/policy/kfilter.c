// SPDX-License-Identifier: GPL-2.0-only
#include "policy/kfilter.h"

#include <stdlib.h>
#include <string.h>

#include "enforce/enforce.h"
#include "kinds.h"

#define MAX_TERMS 16 /* per rule; beyond that a rule's kernel part is just its kinds */

struct terms {
	struct filter t[MAX_TERMS];
	size_t n;
	bool overflow;
};

/* Can the kernel test this predicate? Equality on a field the filter tables hold. */
static bool pushable(const struct node *n)
{
	if (n->type != N_PRED || (n->op != OP_EQ && n->op != OP_IN) || !n->nvals ||
	    n->nvals > FILTER_VALUES_MAX)
		return false;
	return n->field->kernel_field >= 0;
}

static void add_term(struct terms *ts, const struct filter *f)
{
	if (ts->n == MAX_TERMS) {
		ts->overflow = true;
		return;
	}
	ts->t[ts->n++] = *f;
}

static void atom(const struct node *n, struct terms *ts)
{
	struct filter f;

	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < n->nvals; i++) {
		const struct value *v = &n->vals[i];
		switch (n->field->kernel_field) {
		case VIGIL_FF_KIND: {
			const struct kind_info *k = kind_by_name(v->s);
			if (k)
				f.kinds |= KIND_BIT(k->kind);
			break;
		}
		case VIGIL_FF_TGID: f.tgid[f.ntgid++] = (uint32_t)v->i; break;
		case VIGIL_FF_UID: f.uid[f.nuid++] = (uint32_t)v->i; break;
		case VIGIL_FF_COMM: snprintf(f.comm[f.ncomm++], VIGIL_COMM_LEN, "%s", v->s); break;
		case VIGIL_FF_CGROUP: f.cgroup[f.ncgroup++] = (uint64_t)v->i; break;
		}
	}
	if (n->field->kernel_field == VIGIL_FF_KIND && !f.kinds)
		return; /* "kind == no.such.kind": nothing can match */
	add_term(ts, &f);
}

/* a AND b for one field's value set; n == 0 means "any". Returns false if empty. */
#define INTERSECT(a, b, field, count, eq)                                                          \
	do {                                                                                       \
		if (!(b)->count)                                                                   \
			break;                                                                     \
		if (!(a)->count) {                                                                 \
			(a)->count = (b)->count;                                                   \
			memcpy((a)->field, (b)->field, sizeof((a)->field));                        \
			break;                                                                     \
		}                                                                                  \
		size_t keep = 0;                                                                   \
		for (size_t i = 0; i < (a)->count; i++)                                            \
			for (size_t j = 0; j < (b)->count; j++)                                    \
				if (eq((a)->field[i], (b)->field[j])) {                            \
					memmove(&(a)->field[keep++], &(a)->field[i], sizeof((a)->field[0])); \
					break;                                                     \
				}                                                                  \
		if (!keep)                                                                         \
			return false;                                                              \
		(a)->count = keep;                                                                 \
	} while (0)

#define NUM_EQ(x, y) ((x) == (y))
#define STR_EQ(x, y) (!strncmp((x), (y), VIGIL_COMM_LEN))

static bool intersect(struct filter *a, const struct filter *b)
{
	if (b->kinds)
		a->kinds = a->kinds ? (a->kinds & b->kinds) : b->kinds;
	if (b->kinds && !a->kinds)
		return false;
	INTERSECT(a, b, tgid, ntgid, NUM_EQ);
	INTERSECT(a, b, uid, nuid, NUM_EQ);
	INTERSECT(a, b, comm, ncomm, STR_EQ);
	INTERSECT(a, b, cgroup, ncgroup, NUM_EQ);
	return true;
}

static void dnf(const struct node *n, struct terms *out, int depth)
{
	struct filter any;

	memset(&any, 0, sizeof(any));
	out->n = 0;
	out->overflow = false;
	if (depth > 100) {
		add_term(out, &any);
		return;
	}
	switch (n->type) {
	case N_PRED:
		if (pushable(n))
			atom(n, out);
		else
			add_term(out, &any);
		return;
	case N_OR: {
		struct terms *r = malloc(sizeof(*r));
		if (!r)
			abort();
		dnf(n->l, out, depth + 1);
		dnf(n->r, r, depth + 1);
		for (size_t i = 0; i < r->n; i++)
			add_term(out, &r->t[i]);
		out->overflow |= r->overflow;
		free(r);
		break;
	}
	case N_AND: {
		struct terms *l = malloc(sizeof(*l)), *r = malloc(sizeof(*r));
		if (!l || !r)
			abort();
		dnf(n->l, l, depth + 1);
		dnf(n->r, r, depth + 1);
		for (size_t i = 0; i < l->n; i++)
			for (size_t j = 0; j < r->n; j++) {
				struct filter f = l->t[i];
				if (intersect(&f, &r->t[j]))
					add_term(out, &f);
			}
		out->overflow |= l->overflow || r->overflow;
		free(l);
		free(r);
		break;
	}
	default: /* NOT and TRUE: the kernel cannot narrow them */
		add_term(out, &any);
		return;
	}
	if (out->overflow) {
		out->n = 0;
		out->overflow = false;
		add_term(out, &any);
	}
}

uint64_t policy_kinds(const struct policy_set *ps)
{
	uint64_t k = 0;

	for (size_t i = 0; i < ps->nrules; i++)
		if (ps->rules[i].enabled && ps->rules[i].cond && !ps->rules[i].in_kernel)
			k |= ps->rules[i].kinds;
	return k;
}

bool policy_needs_ancestors(const struct policy_set *ps)
{
	for (size_t i = 0; i < ps->nrules; i++)
		if (ps->rules[i].enabled && ps->rules[i].cond && !ps->rules[i].in_kernel && ps->rules[i].needs_ancestors)
			return true;
	return false;
}

/* The terms of one rule, restricted to its kinds. */
static void rule_terms(const struct rule *r, struct terms *ts)
{
	dnf(r->cond, ts, 0);
	size_t keep = 0;
	for (size_t i = 0; i < ts->n; i++) {
		struct filter f = ts->t[i];
		f.kinds = f.kinds ? (f.kinds & r->kinds) : r->kinds;
		if (f.kinds)
			ts->t[keep++] = f;
	}
	ts->n = keep;
}

int policy_kernel_filters(const struct policy_set *ps, struct filter **out, size_t *n, char *err,
			  size_t errlen)
{
	struct filter *fs = NULL;
	size_t count = 0;
	struct terms *ts = malloc(sizeof(*ts));

	(void)err;
	(void)errlen;
	if (!ts)
		abort();
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct rule *r = &ps->rules[i];
		if (!r->enabled || !r->cond || r->in_kernel)
			continue;
		rule_terms(r, ts);
		for (size_t t = 0; t < ts->n; t++) {
			bool dup = false;
			for (size_t k = 0; k < count && !dup; k++)
				dup = !memcmp(&fs[k], &ts->t[t], sizeof(struct filter));
			if (dup)
				continue;
			fs = realloc(fs, (count + 1) * sizeof(*fs));
			if (!fs)
				abort();
			fs[count++] = ts->t[t];
		}
	}
	free(ts);
	if (count > VIGIL_FILTER_MAX) {
		/* more distinct terms than filter bits: the kernel keeps only the kinds */
		uint64_t kinds = 0;
		for (size_t i = 0; i < count; i++)
			kinds |= fs[i].kinds;
		memset(fs, 0, sizeof(*fs));
		fs[0].kinds = kinds;
		count = 1;
	}
	*out = fs;
	*n = count;
	return 0;
}

static void print_value(FILE *f, const struct value *v)
{
	bool quote = strpbrk(v->s, " ,()\"'") != NULL || !*v->s;
	fprintf(f, quote ? "\"%s\"" : "%s", v->s);
}

void policy_print_condition(FILE *f, const struct node *n)
{
	switch (n->type) {
	case N_TRUE: fputs("true", f); return;
	case N_NOT: fputs("not (", f); policy_print_condition(f, n->l); fputs(")", f); return;
	case N_AND:
	case N_OR:
		fputs("(", f);
		policy_print_condition(f, n->l);
		fputs(n->type == N_AND ? " and " : " or ", f);
		policy_print_condition(f, n->r);
		fputs(")", f);
		return;
	case N_PRED:
		fprintf(f, "%s %s", n->field->name, op_name(n->op));
		if (n->op == OP_EXISTS)
			return;
		if (n->nvals == 1 && n->op != OP_IN) {
			fputc(' ', f);
			print_value(f, &n->vals[0]);
			return;
		}
		fputs(" (", f);
		for (size_t i = 0; i < n->nvals; i++) {
			if (i)
				fputs(", ", f);
			print_value(f, &n->vals[i]);
		}
		fputc(')', f);
		return;
	}
}

static void list_preds(FILE *f, const struct node *n, bool kernel, int *count, int depth)
{
	if (!n || depth > 100)
		return;
	if (n->type == N_PRED) {
		if (pushable(n) != kernel)
			return;
		fputs(*count ? "; " : "", f);
		policy_print_condition(f, n);
		(*count)++;
		return;
	}
	list_preds(f, n->l, kernel, count, depth + 1);
	list_preds(f, n->r, kernel, count, depth + 1);
}

static void print_term(FILE *f, const struct filter *t)
{
	const struct kind_info *k;
	bool first = true;

	fputs("kind in (", f);
	for (unsigned i = 0; (k = kind_at(i)); i++)
		if (t->kinds & KIND_BIT(k->kind)) {
			fprintf(f, "%s%s", first ? "" : ", ", k->name);
			first = false;
		}
	fputc(')', f);
#define PRINT_SET(name, count, arr, fmt, cast)                                                     \
	if (t->count) {                                                                            \
		fprintf(f, " and %s in (", name);                                                  \
		for (size_t i = 0; i < t->count; i++)                                              \
			fprintf(f, i ? ", " fmt : fmt, cast t->arr[i]);                            \
		fputc(')', f);                                                             \
	}
	PRINT_SET("proc.tgid", ntgid, tgid, "%u", (unsigned))
	PRINT_SET("proc.uid", nuid, uid, "%u", (unsigned))
	PRINT_SET("proc.comm", ncomm, comm, "%s", (const char *))
	PRINT_SET("proc.cgroup_id", ncgroup, cgroup, "%llu", (unsigned long long))
#undef PRINT_SET
}

void policy_explain(const struct policy_set *ps, FILE *f)
{
	struct terms *ts = malloc(sizeof(*ts));

	if (!ts)
		abort();
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct rule *r = &ps->rules[i];
		if (!r->cond)
			continue;
		int nk = 0, nu = 0;
		fprintf(f, "rule: %s%s\n", r->name, r->enabled ? "" : " (disabled)");
		fprintf(f, "  severity %s, action %s, mode %s\n", severity_name(r->severity),
			action_name(r->action), mode_name(r->mode));
		if (enforce_explain_rule(r, f)) {
			fputs("  condition: ", f);
			policy_print_condition(f, r->cond);
			fputc('\n', f);
			continue;
		}
		rule_terms(r, ts);
		fputs("  kernel: passes events where ", f);
		for (size_t t = 0; t < ts->n; t++) {
			fputs(t ? "\n                  or " : "", f);
			print_term(f, &ts->t[t]);
		}
		fputc('\n', f);
		fputs("    decided in the kernel: ", f);
		list_preds(f, r->cond, true, &nk, 0);
		fputs(nk ? "\n" : "only the event kind\n", f);
		fputs("    decided in user space: ", f);
		list_preds(f, r->cond, false, &nu, 0);
		fputs(nu ? "\n" : "nothing more\n", f);
		if (r->nexceptions)
			fprintf(f, "    exceptions: %zu tuple(s), in user space\n", r->nexceptions);
		fputs("  condition: ", f);
		policy_print_condition(f, r->cond);
		fputc('\n', f);
	}
	free(ts);
}

size_t policy_filters_restrict(struct filter *f, size_t n, const struct filter *user)
{
	size_t keep = 0;

	for (size_t i = 0; i < n; i++) {
		struct filter x = f[i];
		if (intersect(&x, user))
			f[keep++] = x;
	}
	return keep;
}
