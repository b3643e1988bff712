/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Evaluating conditions in user space, on the JSON form of an event (the same form `vigil policy
 * test` replays), and rendering a rule's output template.
 * A predicate on a field the event does not have is false; on a multi-valued field (an args
 * list, any ancestor) it holds if it holds for some value, except != which holds if no value is
 * equal.
 */
#ifndef VIGIL_POLICY_EVAL_H
#define VIGIL_POLICY_EVAL_H

#include <stdbool.h>

#include <jansson.h>

#include "policy/policy.h"
#include "sbuf.h"

bool policy_eval(const struct node *n, json_t *event);
/* The output template with each %field replaced by the event's value ("-" if absent). */
void policy_render_output(struct sbuf *out, const char *tmpl, json_t *event);

#endif
