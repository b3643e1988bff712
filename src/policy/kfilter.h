/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What of a policy the kernel can decide: each rule's condition is over-approximated by a
 * disjunction of conjunctions over the fields the kernel filter tables know (kind, tgid, uid,
 * comm, cgroup id); every other predicate counts as "true" there and is decided in user space on
 * the candidates. An event that no rule could match never reaches the ring buffer, and the
 * kernel's cost per event stays one lookup per field however many rules there are.
 */
#ifndef VIGIL_POLICY_KFILTER_H
#define VIGIL_POLICY_KFILTER_H

#include <stdio.h>

#include "filter.h"
#include "policy/policy.h"

/* The kernel filters for every enabled rule; *out is malloc'd. 0, or -1 with a message. */
int policy_kernel_filters(const struct policy_set *ps, struct filter **out, size_t *n, char *err,
			  size_t errlen);
/* Narrows every filter to what the user's own filter allows too; returns how many remain. */
size_t policy_filters_restrict(struct filter *f, size_t n, const struct filter *user);
/* Kinds some enabled rule applies to. */
uint64_t policy_kinds(const struct policy_set *ps);
bool policy_needs_ancestors(const struct policy_set *ps);
/* `vigil policy explain`: per rule, the kernel part and the user-space part. */
void policy_explain(const struct policy_set *ps, FILE *f);
void policy_print_condition(FILE *f, const struct node *n);

#endif
