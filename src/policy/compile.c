// SPDX-License-Identifier: GPL-2.0-only
/* After loading: every macro and condition parsed and checked against the rule's event kinds. */
#include <string.h>

#include "kinds.h"
#include "policy/bundled.h"
#include "policy/policy.h"

static void kinds_list(uint64_t kinds, char *buf, size_t len)
{
	const struct kind_info *k;
	bool first = true;

	buf[0] = '\0';
	for (unsigned i = 0; (k = kind_at(i)); i++) {
		if (!(kinds & KIND_BIT(k->kind)))
			continue;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", first ? "" : ", ", k->name);
		first = false;
	}
}

/* Every field used must come with every kind the rule applies to. */
static void check_kinds(struct policy_set *ps, const struct rule *r, const struct node *n,
			bool *ancestors, int depth)
{
	if (!n || depth > 200)
		return;
	if (n->type == N_PRED) {
		if (n->field->source == FS_ANCESTOR)
			*ancestors = true;
		/* a field some of the rule's kinds lack is false for those events (a rule may
		 * guard with kind ==); a field none of them carries is a mistake */
		if (n->field->kinds && !(r->kinds & n->field->kinds)) {
			char has[256], rule_kinds[256];
			kinds_list(n->field->kinds, has, sizeof(has));
			kinds_list(r->kinds, rule_kinds, sizeof(rule_kinds));
			policy_error(ps, n->pos, "field %s does not come with %s events (rule '%s'); it comes with: %s",
				     n->field->name, rule_kinds, r->name, has);
		}
		return;
	}
	check_kinds(ps, r, n->l, ancestors, depth + 1);
	check_kinds(ps, r, n->r, ancestors, depth + 1);
}

/* Output templates name fields with %field; %% is a percent sign. */
static void check_output(struct policy_set *ps, const struct rule *r)
{
	for (const char *p = r->output; p && (p = strchr(p, '%'));) {
		if (p[1] == '%') {
			p += 2;
			continue;
		}
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789_.");
		while (n && p[n] == '.') /* a sentence's full stop is not part of the name */
			n--;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
		if (!field_find(name)) {
			struct pos at = r->output_pos;
			at.col += (int)(p - r->output); /* templates are one line */
			policy_error(ps, at, "rule '%s': the output names an unknown field '%%%s'", r->name,
				     name);
		}
		p += 1 + n;
	}
}

void policy_compile(struct policy_set *ps)
{
	for (size_t i = 0; i < ps->nmacros; i++) {
		struct macro *m = &ps->macros[i];
		if (m->state)
			continue;
		m->state = 1;
		ps->nexpanding = 0;
		ps->expanding[ps->nexpanding++] = m->name;
		m->tree = policy_parse_condition(ps, m->condition, m->cond_pos);
		ps->nexpanding = 0;
		m->state = m->tree ? 2 : 3;
	}
	for (size_t i = 0; i < ps->nrules; i++) {
		struct rule *r = &ps->rules[i];
		if (!r->name || !r->when || !r->kinds)
			continue;
		r->when_tree = policy_parse_condition(ps, r->when, r->when_pos);
		if (!r->when_tree)
			continue;
		check_kinds(ps, r, r->when_tree, &r->needs_ancestors, 0);
		check_output(ps, r);
		r->cond = r->when_tree;
		if (r->exc) {
			struct node *not_exc = policy_node(ps, N_NOT);
			not_exc->l = r->exc;
			struct node *both = policy_node(ps, N_AND);
			both->l = r->when_tree;
			both->r = not_exc;
			r->cond = both;
		}
	}
}

void policy_add_bundled(struct policy_set *ps)
{
	for (size_t i = 0; i < vigil_bundled_policy_count; i++)
		policy_add_text(ps, vigil_bundled_policies[i].name, vigil_bundled_policies[i].text,
				vigil_bundled_policies[i].len);
}
