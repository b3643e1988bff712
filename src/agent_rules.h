/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vigil run with rules: which policy is loaded, what the kernel is told to pass, how each
 * candidate event is judged, and SIGHUP reloads that keep the old rules when the new ones fail.
 */
#ifndef VIGIL_AGENT_RULES_H
#define VIGIL_AGENT_RULES_H

#include <stdbool.h>

#include "enforce/enforce.h"
#include "policy/policy.h"
#include "session.h"

struct agent_rules {
	const char **paths; /* --policy values; "bundled" names the built-in library */
	size_t npaths;
	bool all_events;    /* stream every event too */
	uint64_t stream_kinds; /* with all_events: the kinds streamed (others only feed rules) */
	struct policy_set ps;
	const struct run_opts *opts;
	struct filter *filters;
	size_t nfilters;
	struct sbuf json;   /* the candidate event as JSON */
	uint64_t alerts;
	uint64_t reloads, rejected;
	struct enforce_opts enf;      /* --monitor, --enforce, --allow-degraded, --exempt-* */
	struct enforcer *enforcer;    /* the kernel's deny rules, when there are any */
	struct task_enforcer *task_enforcer; /* deny/kill on exec, open, setuid, modules, bpf */
};

/* Loads the policy named by r->paths (the bundled library when none). Prints every error;
 * returns the number of errors. */
size_t agent_rules_load(const struct agent_rules *r, struct policy_set *ps);
/* Fills hooks and the kinds to show for a run with rules. 0, or -1 with a message. */
int agent_rules_prepare(struct agent_rules *r, struct run_opts *o, struct session_hooks *h,
			char *err, size_t errlen);
void agent_rules_free(struct agent_rules *r);

#endif
