/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Enforcement (docs/enforcement.md): which rules the kernel carries out and how.
 * This slice: `action: deny` rules `on: net.connect` whose condition is a conjunction the cgroup
 * sock_addr hooks decide exactly (net.daddr, net.dport, net.proto, net.family, proc.uid,
 * proc.comm). Every other deny or kill rule is "not enforceable here": refused at load unless
 * --allow-degraded, which runs it as an alert.
 */
#ifndef VIGIL_ENFORCE_H
#define VIGIL_ENFORCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "out.h"
#include "policy/policy.h"

struct pipeline;

enum enforce_mode_override { ENF_PER_RULE, ENF_FORCE_MONITOR, ENF_FORCE_ENFORCE };

struct enforce_opts {
	enum enforce_mode_override mode;
	bool allow_degraded;
	const char **exempt_comm;
	size_t nexempt_comm;
	const char **exempt_cgroup; /* paths: absolute, or under the cgroup2 mount */
	size_t nexempt_cgroup;
};

enum enforce_class {
	ENF_CLASS_ALERT,  /* action alert (or disabled): nothing to enforce */
	ENF_CLASS_CGROUP, /* carried out by the cgroup sock_addr hooks */
	ENF_CLASS_NONE,   /* not enforceable here */
	ENF_CLASS_LSM,    /* process/file/privilege/kernel rules: BPF LSM hooks (EPERM) */
	ENF_CLASS_SIGNAL, /* the same where there is no BPF LSM: SIGKILL from a tracepoint */
};

/* Carried out by a kernel program (the rule needs no events in user space). */
static inline bool enforce_class_in_kernel(enum enforce_class c)
{
	return c == ENF_CLASS_CGROUP || c == ENF_CLASS_LSM || c == ENF_CLASS_SIGNAL;
}

/* How rule r would be enforced on this host; for NONE, why (and where) in why/at. */
enum enforce_class enforce_classify(const struct rule *r, char *why, size_t whylen,
				    struct pos *at);
/* The effective mode of an enforcing rule under the options. */
enum mode enforce_rule_mode(const struct rule *r, const struct enforce_opts *o);

/* Marks the kernel-enforced rules (rule.in_kernel) and reports each deny/kill rule that cannot
 * be enforced as a policy error (file:line:col), unless allowed degraded or only monitored.
 * Returns the number of errors added. */
size_t enforce_mark(struct policy_set *ps, const struct enforce_opts *o);
/* Rules marked in_kernel for the cgroup hooks. */
size_t enforce_count(const struct policy_set *ps);

/* `vigil policy explain`: one "  enforcement: ..." line for the rule (nothing for alerts);
 * true when the kernel's enforcement program decides the whole rule. */
bool enforce_explain_rule(const struct rule *r, FILE *f);
/* agent.policy: the "enforcement" object. */
void enforce_describe(const struct policy_set *ps, const struct enforce_opts *o, bool running,
		      struct out *out);

/* The running enforcement: a BPF object attached to the cgroup2 root. */
struct enforcer;
/* Loads and attaches when ps has kernel-enforced rules (else does nothing and *e stays NULL),
 * or replaces the rules of a running one (records of the old rules are drained first through
 * pl). 0, or -1 with a message. */
int enforcer_apply(struct enforcer **e, const struct policy_set *ps, const struct enforce_opts *o,
		   struct pipeline *pl, char *err, size_t errlen);
/* Writes an alert for every record waiting; returns how many. */
uint64_t enforcer_poll(struct enforcer *e, struct pipeline *pl);
/* Detaches: enforcement ends. */
void enforcer_destroy(struct enforcer *e);

/* The running process/file/privilege/kernel enforcement (enforce_task.bpf.c, src/enforce/task.c):
 * the same contract as enforcer_*. */
struct task_enforcer;
int task_enforcer_apply(struct task_enforcer **e, const struct policy_set *ps,
			const struct enforce_opts *o, struct pipeline *pl, char *err, size_t errlen);
uint64_t task_enforcer_poll(struct task_enforcer *e, struct pipeline *pl);
void task_enforcer_destroy(struct task_enforcer *e);

/* Finds the cgroup2 mount; 0, or -1. */
int enforce_cgroup2_root(char *buf, size_t len);

/* vigil block add|del|list */
int cmd_block(int argc, char **argv);

#endif
