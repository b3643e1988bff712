/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rule language (docs/policy.md): policy files hold rules, lists and macros; a rule's
 * condition is an expression over the event schema's fields. Loading parses YAML (libyaml),
 * parses and type-checks every condition, and reports every error as file:line:col: message.
 */
#ifndef VIGIL_POLICY_H
#define VIGIL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/fields.h"
#include "sbuf.h"

struct pos {
	const char *file; /* owned by the policy set */
	int line, col;    /* 1-based */
};

enum value_type { V_STR, V_INT, V_BOOL, V_NET };

struct value {
	enum value_type t;
	char *s;         /* as written (every type keeps it, for messages and output) */
	int64_t i;       /* V_INT, V_BOOL */
	uint8_t addr[16]; /* V_NET: address (IPv4 mapped into the first 4 bytes) */
	int family;       /* V_NET: AF_INET or AF_INET6 */
	int prefix;       /* V_NET: prefix length */
};

enum op {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_STARTSWITH, OP_ENDSWITH,
	OP_CONTAINS, OP_GLOB, OP_CIDR, OP_EXISTS,
};

const char *op_name(enum op op);

enum node_type { N_AND, N_OR, N_NOT, N_PRED, N_TRUE };

struct node {
	enum node_type type;
	struct node *l, *r; /* AND, OR: both; NOT: l */
	/* N_PRED */
	const struct field_def *field;
	enum op op;
	struct value *vals;
	size_t nvals;
	struct pos pos;
};

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };
enum action { ACT_ALERT, ACT_DENY, ACT_KILL };
enum mode { MODE_MONITOR, MODE_ENFORCE };

const char *severity_name(enum severity s);
const char *action_name(enum action a);
const char *mode_name(enum mode m);

struct rule {
	char *name;
	char *description;
	uint64_t kinds;    /* the kinds in "on" */
	char *when;        /* as written */
	struct node *cond; /* when, and not any exception: what is evaluated */
	struct node *when_tree;
	struct node *exc;  /* the exceptions, ORed */
	struct pos when_pos;
	enum severity severity;
	char **tags;
	size_t ntags;
	char *output;      /* template with %field references */
	struct pos output_pos;
	bool enabled;
	enum action action;
	enum mode mode;
	size_t nexceptions;
	bool needs_ancestors;
	bool in_kernel;    /* decided and carried out by the kernel (src/enforce/): user space
	                    * neither asks for its events nor judges them */
	struct pos pos;
};

struct named_list {
	char *name;
	char **items;
	size_t nitems;
	struct pos pos;
};

struct macro {
	char *name;
	char *condition;
	struct pos pos;
	struct pos cond_pos;
	struct node *tree; /* parsed on first use */
	int state;         /* 0 new, 1 being expanded (cycle check), 2 done, 3 failed */
};

struct policy_error {
	struct pos pos;
	char msg[320];
};

struct policy_set {
	struct rule *rules;
	size_t nrules;
	struct named_list *lists;
	size_t nlists;
	struct macro *macros;
	size_t nmacros;
	char **files; /* names, for positions */
	size_t nfiles;
	struct policy_error *errors;
	size_t nerrors;
	const char *expanding[16]; /* macros being expanded, for a cycle's message */
	int nexpanding;
	struct node **nodes; /* every node allocated, freed at once */
	size_t nnodes, cap_nodes;
};

void policy_init(struct policy_set *ps);
void policy_free(struct policy_set *ps);
/* Adds one file's text (name for messages). Errors are collected in ps->errors. */
void policy_add_text(struct policy_set *ps, const char *name, const char *text, size_t len);
/* Adds a file, or every *.yaml / *.yml in a directory (sorted). */
void policy_add_path(struct policy_set *ps, const char *path);
/* Parses and checks every rule's condition once all lists and macros are in. */
void policy_compile(struct policy_set *ps);
/* Adds the library compiled into the binary (policies/). */
void policy_add_bundled(struct policy_set *ps);
/* A copy of a file name owned by the set, for positions. */
const char *policy_file_name(struct policy_set *ps, const char *name);
void policy_error(struct policy_set *ps, struct pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "file:line:col: message" lines. */
void policy_print_errors(const struct policy_set *ps, FILE *f);

/* Expression parsing (expr.c): condition text at pos, into a tree owned by ps. */
struct node *policy_parse_condition(struct policy_set *ps, const char *text, struct pos pos);
struct node *policy_node(struct policy_set *ps, enum node_type t);
/* field == value, the value typed for the field (an error at pos if it does not fit). */
struct node *policy_make_eq(struct policy_set *ps, const struct field_def *f, const char *value,
			    struct pos pos);

#endif
