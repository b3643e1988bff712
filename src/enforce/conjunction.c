// SPDX-License-Identifier: GPL-2.0-only
#include "enforce/conjunction.h"

#include <stdio.h>

static struct pos first_pos(const struct node *n, struct pos dflt, int depth)
{
	if (!n || depth > 200)
		return dflt;
	if (n->type == N_PRED)
		return n->pos;
	struct pos p = first_pos(n->l, (struct pos){ 0 }, depth + 1);
	if (!p.file)
		p = first_pos(n->r, (struct pos){ 0 }, depth + 1);
	return p.file ? p : dflt;
}

struct pos enf_first_pos(const struct node *n, struct pos dflt)
{
	return first_pos(n, dflt, 0);
}

static bool walk(const struct node *n, const struct enf_conjunction *c, void *spec, char *why,
		 size_t len, struct pos *at, int depth)
{
	if (!n)
		return true;
	if (depth > 200) {
		snprintf(why, len, "the condition nests too deeply");
		return false;
	}
	switch (n->type) {
	case N_TRUE:
		return true;
	case N_AND:
		return walk(n->l, c, spec, why, len, at, depth + 1) &&
		       walk(n->r, c, spec, why, len, at, depth + 1);
	case N_OR:
		*at = first_pos(n, *at, 0);
		snprintf(why, len, "'or' (the kernel decides a conjunction: %s)", c->fields);
		return false;
	case N_NOT:
		if (!c->neg_pred) {
			*at = first_pos(n, *at, 0);
			snprintf(why, len, "'not' (the kernel decides a conjunction: %s)", c->fields);
			return false;
		}
		if (n->l && n->l->type == N_PRED) {
			if (c->neg_pred(n->l, spec, why, len))
				return true;
			*at = n->l->pos;
			return false;
		}
		*at = first_pos(n, *at, 0);
		snprintf(why, len, "'not' over more than one test (the kernel decides: %s)", c->fields);
		return false;
	case N_PRED:
		if (!c->pred(n, spec, why, len)) {
			*at = n->pos;
			return false;
		}
		return true;
	}
	return false;
}

bool enf_walk_conjunction(const struct node *cond, const struct enf_conjunction *c, void *spec,
			  char *why, size_t len, struct pos *at)
{
	return walk(cond, c, spec, why, len, at, 0);
}
