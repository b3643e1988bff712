// SPDX-License-Identifier: GPL-2.0-only
#include "policy/kfilter.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "enforce/enforce.h"
#include "events/file_events.h"
#include "kinds.h"

#define MAX_TERMS 16 /* per rule; beyond that a rule's kernel part is just its kinds */

struct terms {
	struct filter t[MAX_TERMS];
	size_t n;
	bool overflow;
};

#define K(x) KIND_BIT(VIGIL_KIND_##x)
#define FILE_KINDS (K(FILE_OPEN) | K(FILE_UNLINK) | K(FILE_RENAME) | K(FILE_CHMOD) | K(FILE_CHOWN) | \
		    K(FILE_LINK) | K(FILE_SYMLINK) | K(FILE_TRUNCATE))

/*
 * The event's own facts the kernel can test (abi.h, VIGIL_FF_PATH and after), and the kinds
 * whose sensor supplies them: for other kinds the field is not tested in the kernel.
 */
#define NET_TUPLE_KINDS (K(NET_CONNECT) | K(NET_ACCEPT) | K(NET_LISTEN) | K(NET_CLOSE) | K(NET_RESET))

static const struct event_fact {
	const char *field;
	int kernel_field; /* VIGIL_FF_PATH stands for the path's two tables: exact/prefix, suffix */
	uint64_t kinds;
} event_facts[] = {
	{ "file.path", VIGIL_FF_PATH, FILE_KINDS },
	{ "proc.exe", VIGIL_FF_PATH, K(PROCESS_EXEC) },
	{ "file.flags", VIGIL_FF_FLAGS, K(FILE_OPEN) },
	{ "net.dport", VIGIL_FF_PORT, NET_TUPLE_KINDS },
	{ "net.daddr", VIGIL_FF_ADDR, NET_TUPLE_KINDS },
};

static const struct event_fact *fact_of(const struct field_def *f)
{
	for (size_t i = 0; i < sizeof(event_facts) / sizeof(event_facts[0]); i++)
		if (!strcmp(event_facts[i].field, f->name))
			return &event_facts[i];
	return NULL;
}

/* fnmatch's special characters: a glob's literal head ends at the first */
static size_t glob_head(const char *g)
{
	return strcspn(g, "*?[\\");
}

static bool path_value_ok(const char *s, size_t len)
{
	return len > 0 && len < VIGIL_PATH_KEY_MAX && !memchr(s, '\0', len);
}

/* The path table a predicate on a path goes to, or -1 if the kernel cannot test it. */
static int path_table(const struct node *n)
{
	if (n->field->nocase)
		return -1;
	for (size_t i = 0; i < n->nvals; i++) {
		const char *v = n->vals[i].s;
		size_t len = strlen(v);
		switch (n->op) {
		case OP_EQ:
		case OP_IN:
		case OP_STARTSWITH:
			if (!path_value_ok(v, len))
				return -1;
			break;
		case OP_GLOB:
			if (!path_value_ok(v, glob_head(v)))
				return -1;
			break;
		case OP_ENDSWITH:
			if (!filter_suffix_ok(v, len))
				return -1;
			break;
		default:
			return -1;
		}
	}
	return n->op == OP_ENDSWITH ? VIGIL_FF_SUFFIX : VIGIL_FF_PATH;
}

/* Which kernel table tests this predicate, or -1: equality on a task field the tables hold,
 * or a path, flag test the sensor supplies (*kinds: the kinds it supplies it for; 0 all). */
static int kernel_table(const struct node *n, uint64_t *kinds)
{
	const struct event_fact *fact;

	*kinds = 0;
	if (n->type != N_PRED || !n->nvals || n->nvals > FILTER_VALUES_MAX)
		return -1;
	if (n->field->kernel_field >= 0)
		return n->op == OP_EQ || n->op == OP_IN ? n->field->kernel_field : -1;
	if (!(fact = fact_of(n->field)))
		return -1;
	*kinds = fact->kinds;
	if (fact->kernel_field == VIGIL_FF_PATH)
		return path_table(n);
	if (fact->kernel_field == VIGIL_FF_FLAGS) {
		if (n->op != OP_EQ && n->op != OP_IN)
			return -1;
		for (size_t i = 0; i < n->nvals; i++)
			if (file_open_flag_bit(n->vals[i].s) < 0)
				return -1;
		return VIGIL_FF_FLAGS;
	}
	if (fact->kernel_field == VIGIL_FF_PORT) {
		if (n->op != OP_EQ && n->op != OP_IN)
			return -1;
		for (size_t i = 0; i < n->nvals; i++)
			if (n->vals[i].i < 0 || n->vals[i].i > 65535)
				return -1;
		return VIGIL_FF_PORT;
	}
	if (fact->kernel_field == VIGIL_FF_ADDR)
		return n->op == OP_EQ || n->op == OP_IN || n->op == OP_CIDR ? VIGIL_FF_ADDR : -1;
	return -1;
}

/* An address or network as the kernel's trie key: the family's byte, then the address. */
static struct vigil_addr_key addr_key(const struct value *v, bool network)
{
	struct vigil_addr_key k;
	int bits = network ? v->prefix : (v->family == AF_INET ? 32 : 128);

	memset(&k, 0, sizeof(k));
	k.family = v->family == AF_INET ? 4 : 6;
	k.prefixlen = 8 + (uint32_t)bits;
	for (int i = 0; i < 16; i++) {
		int keep = bits - 8 * i; /* host bits are zero, so equal networks have equal keys */
		k.addr[i] = keep >= 8 ? v->addr[i] : keep > 0 ? (uint8_t)(v->addr[i] & (0xff << (8 - keep))) : 0;
	}
	return k;
}

static bool pushable(const struct node *n)
{
	uint64_t kinds;

	return kernel_table(n, &kinds) >= 0;
}

static void add_term(struct terms *ts, const struct filter *f)
{
	if (ts->n == MAX_TERMS) {
		ts->overflow = true;
		return;
	}
	ts->t[ts->n++] = *f;
}

static void path_values(const struct node *n, struct filter_path *out, size_t *count)
{
	for (size_t i = 0; i < n->nvals; i++) {
		const char *v = n->vals[i].s;
		struct filter_path *p = &out[(*count)++];

		p->s = v;
		p->len = (uint16_t)(n->op == OP_GLOB ? glob_head(v) : strlen(v));
		/* a glob without special characters is the path itself */
		p->exact = n->op == OP_EQ || n->op == OP_IN || (n->op == OP_GLOB && !v[p->len]);
	}
}

static void atom(const struct node *n, struct terms *ts)
{
	struct filter f;
	uint64_t supplied;
	int table = kernel_table(n, &supplied);

	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < n->nvals && table != VIGIL_FF_PATH && table != VIGIL_FF_SUFFIX; i++) {
		const struct value *v = &n->vals[i];
		switch (table) {
		case VIGIL_FF_KIND: {
			const struct kind_info *k = kind_by_name(v->s);
			if (k)
				f.kinds |= KIND_BIT(k->kind);
			break;
		}
		case VIGIL_FF_TGID: f.tgid[f.ntgid++] = (uint32_t)v->i; break;
		case VIGIL_FF_UID: f.uid[f.nuid++] = (uint32_t)v->i; break;
		case VIGIL_FF_GID: f.gid[f.ngid++] = (uint32_t)v->i; break;
		case VIGIL_FF_COMM: snprintf(f.comm[f.ncomm++], VIGIL_COMM_LEN, "%s", v->s); break;
		case VIGIL_FF_CGROUP: f.cgroup[f.ncgroup++] = (uint64_t)v->i; break;
		case VIGIL_FF_NS_PID: f.ns_pid[f.nns_pid++] = (uint32_t)v->i; break;
		case VIGIL_FF_NS_MNT: f.ns_mnt[f.nns_mnt++] = (uint32_t)v->i; break;
		case VIGIL_FF_NS_NET: f.ns_net[f.nns_net++] = (uint32_t)v->i; break;
		case VIGIL_FF_NS_USER: f.ns_user[f.nns_user++] = (uint32_t)v->i; break;
		case VIGIL_FF_FLAGS: f.flag_bits |= 1ULL << file_open_flag_bit(v->s); break;
		case VIGIL_FF_PORT: f.port[f.nport++] = (uint32_t)v->i; break;
		case VIGIL_FF_ADDR: f.addr[f.naddr++] = addr_key(v, n->op == OP_CIDR); break;
		}
	}
	if (table == VIGIL_FF_PATH)
		path_values(n, f.path, &f.npath);
	if (table == VIGIL_FF_SUFFIX)
		path_values(n, f.suffix, &f.nsuffix);
	if (table == VIGIL_FF_KIND && !f.kinds)
		return; /* "kind == no.such.kind": nothing can match */
	if (!supplied) {
		add_term(ts, &f);
		return;
	}
	/* the kernel has the fact for some kinds only: for the others, the event passes */
	struct filter other;
	memset(&other, 0, sizeof(other));
	f.kinds = supplied;
	other.kinds = ~supplied;
	add_term(ts, &f);
	add_term(ts, &other);
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

/* Does every path p matches also match q? (p within q: q is a prefix of p, or the same exact) */
static bool path_within(const struct filter_path *p, const struct filter_path *q, bool suffix)
{
	if (q->exact)
		return p->exact && p->len == q->len && !memcmp(p->s, q->s, p->len);
	if (p->len < q->len)
		return false;
	return suffix ? !memcmp(p->s + p->len - q->len, q->s, q->len) : !memcmp(p->s, q->s, q->len);
}

/* a's paths AND b's: the narrower of each pair that overlaps (prefix and suffix sets nest). */
static bool intersect_paths(struct filter_path *a, size_t *na, const struct filter_path *b,
			    size_t nb, bool suffix)
{
	struct filter_path out[FILTER_VALUES_MAX];
	size_t n = 0;

	if (!nb)
		return true;
	if (!*na) {
		memcpy(a, b, nb * sizeof(*b));
		*na = nb;
		return true;
	}
	for (size_t i = 0; i < *na; i++)
		for (size_t j = 0; j < nb && n < FILTER_VALUES_MAX; j++) {
			if (path_within(&a[i], &b[j], suffix))
				out[n++] = a[i];
			else if (path_within(&b[j], &a[i], suffix))
				out[n++] = b[j];
		}
	if (!n)
		return false;
	memcpy(a, out, n * sizeof(*out));
	*na = n;
	return true;
}

/* Is network p within network q? */
static bool addr_within(const struct vigil_addr_key *p, const struct vigil_addr_key *q)
{
	struct vigil_addr_key x = *p;
	int bits = (int)q->prefixlen - 8;

	if (p->family != q->family || p->prefixlen < q->prefixlen)
		return false;
	for (int i = 0; i < 16; i++) {
		int keep = bits - 8 * i;
		x.addr[i] = keep >= 8 ? x.addr[i] : keep > 0 ? (uint8_t)(x.addr[i] & (0xff << (8 - keep))) : 0;
	}
	return !memcmp(x.addr, q->addr, sizeof(x.addr));
}

/* a's networks AND b's: the narrower of each pair that overlaps (networks nest). */
static bool intersect_addrs(struct filter *a, const struct filter *b)
{
	struct vigil_addr_key out[FILTER_VALUES_MAX];
	size_t n = 0;

	if (!b->naddr)
		return true;
	if (!a->naddr) {
		memcpy(a->addr, b->addr, b->naddr * sizeof(b->addr[0]));
		a->naddr = b->naddr;
		return true;
	}
	for (size_t i = 0; i < a->naddr; i++)
		for (size_t j = 0; j < b->naddr && n < FILTER_VALUES_MAX; j++) {
			if (addr_within(&a->addr[i], &b->addr[j]))
				out[n++] = a->addr[i];
			else if (addr_within(&b->addr[j], &a->addr[i]))
				out[n++] = b->addr[j];
		}
	if (!n)
		return false;
	memcpy(a->addr, out, n * sizeof(out[0]));
	a->naddr = n;
	return true;
}

static bool intersect(struct filter *a, const struct filter *b)
{
	if (b->kinds)
		a->kinds = a->kinds ? (a->kinds & b->kinds) : b->kinds;
	if (b->kinds && !a->kinds)
		return false;
	INTERSECT(a, b, tgid, ntgid, NUM_EQ);
	INTERSECT(a, b, uid, nuid, NUM_EQ);
	INTERSECT(a, b, gid, ngid, NUM_EQ);
	INTERSECT(a, b, comm, ncomm, STR_EQ);
	INTERSECT(a, b, cgroup, ncgroup, NUM_EQ);
	INTERSECT(a, b, port, nport, NUM_EQ);
	INTERSECT(a, b, ns_pid, nns_pid, NUM_EQ);
	INTERSECT(a, b, ns_mnt, nns_mnt, NUM_EQ);
	INTERSECT(a, b, ns_net, nns_net, NUM_EQ);
	INTERSECT(a, b, ns_user, nns_user, NUM_EQ);
	/* "any of these flags" AND "any of those" is no one set: keep the first, a superset */
	if (!a->flag_bits)
		a->flag_bits = b->flag_bits;
	return intersect_addrs(a, b) && intersect_paths(a->path, &a->npath, b->path, b->npath, false) &&
	       intersect_paths(a->suffix, &a->nsuffix, b->suffix, b->nsuffix, true);
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
	/* the kinds' split (atom) can make the same term twice */
	keep = 0;
	for (size_t i = 0; i < ts->n; i++) {
		bool dup = false;
		for (size_t j = 0; j < keep && !dup; j++)
			dup = filter_equal(&ts->t[j], &ts->t[i]);
		if (!dup)
			ts->t[keep++] = ts->t[i];
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
				dup = filter_equal(&fs[k], &ts->t[t]);
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

/* The predicates the kernel tests (kernel) or leaves to user space (!kernel); one under a "not"
 * is never the kernel's: a negation cannot narrow what reaches user space. */
static void list_preds(FILE *f, const struct node *n, bool kernel, bool negated, int *count,
		       int depth)
{
	if (!n || depth > 100)
		return;
	if (n->type == N_PRED) {
		if ((pushable(n) && !negated) != kernel)
			return;
		fputs(*count ? "; " : "", f);
		policy_print_condition(f, n);
		(*count)++;
		return;
	}
	negated ^= n->type == N_NOT;
	list_preds(f, n->l, kernel, negated, count, depth + 1);
	list_preds(f, n->r, kernel, negated, count, depth + 1);
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
	PRINT_SET("proc.gid", ngid, gid, "%u", (unsigned))
	PRINT_SET("proc.cgroup_id", ncgroup, cgroup, "%llu", (unsigned long long))
	PRINT_SET("proc.ns.pid", nns_pid, ns_pid, "%u", (unsigned))
	PRINT_SET("proc.ns.mnt", nns_mnt, ns_mnt, "%u", (unsigned))
	PRINT_SET("proc.ns.net", nns_net, ns_net, "%u", (unsigned))
	PRINT_SET("proc.ns.user", nns_user, ns_user, "%u", (unsigned))
	PRINT_SET("net.dport", nport, port, "%u", (unsigned))
	for (size_t i = 0; i < t->naddr; i++) {
		char text[INET6_ADDRSTRLEN];
		int fam = t->addr[i].family == 4 ? AF_INET : AF_INET6;
		inet_ntop(fam, t->addr[i].addr, text, sizeof(text));
		fprintf(f, "%s%s/%u", i ? ", " : " and net.daddr in (", text, t->addr[i].prefixlen - 8);
	}
	fputs(t->naddr ? ")" : "", f);
#undef PRINT_SET
	/* the event's path: file.path, or proc.exe for process.exec; "x*" a prefix, "*x" a suffix */
	for (size_t i = 0; i < t->npath; i++)
		fprintf(f, "%s%.*s%s", i ? ", " : " and path in (", (int)t->path[i].len, t->path[i].s,
			t->path[i].exact ? "" : "*");
	fputs(t->npath ? ")" : "", f);
	for (size_t i = 0; i < t->nsuffix; i++)
		fprintf(f, "%s*%.*s", i ? ", " : " and path in (", (int)t->suffix[i].len, t->suffix[i].s);
	fputs(t->nsuffix ? ")" : "", f);
	first = true;
	for (int b = 0; b < VIGIL_FLAG_BITS; b++)
		if (t->flag_bits & (1ULL << b)) {
			fprintf(f, "%s%s", first ? " and file.flags has any of (" : ", ", file_open_flag_name(b));
			first = false;
		}
	fputs(first ? "" : ")", f);
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
		list_preds(f, r->cond, true, false, &nk, 0);
		fputs(nk ? "\n" : "only the event kind\n", f);
		fputs("    decided in user space: ", f);
		list_preds(f, r->cond, false, false, &nu, 0);
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
