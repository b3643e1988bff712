/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Enforcement (docs/enforcement.md): which rules the kernel carries out and how.
 * This slice: `action: deny` rules `on: net.connect` whose condition is a conjunction the cgroup
 * sock_addr hooks decide exactly (net.daddr, net.dport, net.proto, net.family, proc.uid,
 * proc.comm), and `on: net.listen` ones decided at bind() (net.saddr, net.sport instead). Every other deny or kill rule is "not enforceable here": refused at load unless
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
	bool force_broad;     /* --force-broad-deny: accept a rule that denies every exec or open */
	const char **exempt_comm;
	size_t nexempt_comm;
	const char **exempt_cgroup; /* paths: absolute, or under the cgroup2 mount */
	size_t nexempt_cgroup;
	const char **xdp_iface; /* --xdp-iface: where net.packet rules are attached */
	size_t nxdp_iface;
	bool pin;             /* --pin: the links outlive vigil (pinned under /sys/fs/bpf/vigil/NAME) */
	const char *pin_name; /* --pin=NAME; NULL: ENFORCE_PIN_NAME */
	bool pin_takeover;    /* --pin-takeover: replace an earlier run's pins (e.g. after a crash) */
};

enum enforce_class {
	ENF_CLASS_ALERT,  /* action alert (or disabled): nothing to enforce */
	ENF_CLASS_CGROUP, /* carried out by the cgroup sock_addr hooks */
	ENF_CLASS_NONE,   /* not enforceable here */
	ENF_CLASS_LSM,    /* process/file/privilege/kernel rules: BPF LSM hooks (EPERM) */
	ENF_CLASS_SIGNAL, /* the same where there is no BPF LSM: SIGKILL from a tracepoint */
	ENF_CLASS_XDP,    /* net.packet: carried out at XDP on the --xdp-iface interfaces */
};

/* Carried out by a kernel program (the rule needs no events in user space). */
static inline bool enforce_class_in_kernel(enum enforce_class c)
{
	return c == ENF_CLASS_CGROUP || c == ENF_CLASS_LSM || c == ENF_CLASS_SIGNAL ||
	       c == ENF_CLASS_XDP;
}

/* How rule r would be enforced on this host; for NONE, why (and where) in why/at. */
enum enforce_class enforce_classify(const struct rule *r, char *why, size_t whylen,
				    struct pos *at);
/* A rule on net.listen: enforced at bind() (cgroup/bind4, bind6). */
bool enforce_is_listen(const struct rule *r);
/* The effective mode of an enforcing rule under the options. */
enum mode enforce_rule_mode(const struct rule *r, const struct enforce_opts *o);

/* Marks the kernel-enforced rules (rule.in_kernel) and reports each deny/kill rule that cannot
 * be enforced as a policy error (file:line:col), unless allowed degraded or only monitored.
 * Returns the number of errors added. */
size_t enforce_mark(struct policy_set *ps, const struct enforce_opts *o);
/* Rules marked in_kernel for the cgroup hooks. */
size_t enforce_count(const struct policy_set *ps);
/* Of those, the ones of one class (CGROUP or XDP). */
size_t enforce_count_class(const struct policy_set *ps, enum enforce_class c);

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
/* A reload in steps (atomic: the rules in force change with one map update, or not at all).
 * stage: the new rules beside the ones in force (a new enforcer when none ran: created);
 * switch: one update puts them in force; unstage: after a failure, undoes what stage made;
 * settle: after a switch, waits for the programs that used the old rules and reads their
 * records (their rules must still exist). */
struct task_stage {
	bool created, staged;
	uint32_t slot;
};
int task_enforcer_stage(struct task_enforcer **e, const struct policy_set *ps,
			const struct enforce_opts *o, struct task_stage *st, char *err, size_t errlen);
int task_enforcer_switch(struct task_enforcer *e, const struct task_stage *st, char *err,
			 size_t errlen);
void task_enforcer_unstage(struct task_enforcer **e, const struct task_stage *st);
void task_enforcer_settle(struct task_enforcer *e, struct pipeline *pl);
uint64_t task_enforcer_poll(struct task_enforcer *e, struct pipeline *pl);
void task_enforcer_destroy(struct task_enforcer *e);
/* net.packet rules at XDP (src/enforce/packet.c), run by the enforcer above. */
struct xdp_enforcer;
int xdp_enforcer_apply(struct xdp_enforcer **x, const struct policy_set *ps,
		       const struct enforce_opts *o, struct pipeline *pl, char *err, size_t errlen);
uint64_t xdp_enforcer_poll(struct xdp_enforcer *x, struct pipeline *pl);
void xdp_enforcer_destroy(struct xdp_enforcer *x);

/* Finds the cgroup2 mount; 0, or -1. */
int enforce_cgroup2_root(char *buf, size_t len);
/* The id of an --exempt-cgroup PATH (absolute, or under the cgroup2 mount); 0, or -1 with a
 * message. */
int enforce_exempt_cgroup_id(const char *path, uint64_t *id, char *err, size_t errlen);

/* vigil block add|del|list */
int cmd_block(int argc, char **argv);
/* Mounts bpffs at /sys/fs/bpf if it is not; 0, or -1 after a message. */
int enforce_bpffs(void);

/* --pin (src/enforce/pin.c) */
#define ENFORCE_PIN_ROOT "/sys/fs/bpf/vigil"
#define ENFORCE_PIN_NAME "agent"
struct bpf_link;
/* NULL if NAME is fit for a directory under ENFORCE_PIN_ROOT, else why not. */
const char *enforce_pin_name_error(const char *name);
/* bpffs and an empty pin directory (an earlier pinned enforcement must be lifted first, unless
 * --pin-takeover: then this run's links replace its pins). */
int enforce_pin_prepare(const struct enforce_opts *o, char *err, size_t errlen);
/* Pins a link; with --pin-takeover an earlier pin of that name is replaced in one rename, so
 * that one of the two links is always pinned (and attached). */
int enforce_pin_link(const struct enforce_opts *o, struct bpf_link *l, const char *link_name,
		     char *err, size_t errlen);
/* --pin-takeover, once this run's links are pinned: removes the earlier run's pins this run did
 * not replace (its kernel detaches them). Returns how many. */
int enforce_pin_sweep(const struct enforce_opts *o);
/* vigil unpin */
int cmd_unpin(int argc, char **argv);

#endif
