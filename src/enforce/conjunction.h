/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shape every kernel-enforced rule must have: a conjunction of tests the enforcement program
 * decides. One walker for every mechanism; each gives its own test of a predicate.
 */
#ifndef VIGIL_ENFORCE_CONJUNCTION_H
#define VIGIL_ENFORCE_CONJUNCTION_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

struct enf_conjunction {
	/* records predicate p in spec, or says in why why the kernel cannot decide it */
	bool (*pred)(const struct node *p, void *spec, char *why, size_t len);
	/* the same for "not p"; NULL: the mechanism decides no negation */
	bool (*neg_pred)(const struct node *p, void *spec, char *why, size_t len);
	const char *fields; /* what the mechanism decides, for the messages */
};

/* Walks cond; false with why and the position (*at) of what the kernel cannot decide. */
bool enf_walk_conjunction(const struct node *cond, const struct enf_conjunction *c, void *spec,
			  char *why, size_t len, struct pos *at);
/* The position of the first predicate under n (dflt if none). */
struct pos enf_first_pos(const struct node *n, struct pos dflt);

#endif
