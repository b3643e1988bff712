// SPDX-License-Identifier: GPL-2.0-only
/*
 * Conditions: a small recursive-descent parser over a hand-written lexer.
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | '(' expr ')' | MACRO | pred
 *   pred    := FIELD 'exists' | FIELD OP value | FIELD SETOP ( '(' value (',' value)* ')' | LIST )
 * Every error names the position and what was expected, and parsing stops at the first one.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/policy.h"
#include "suggest.h"

enum tt { T_EOF, T_LP, T_RP, T_COMMA, T_WORD, T_STRING, T_OP, T_BAD };

struct tok {
	enum tt t;
	const char *p;
	size_t len;
	size_t off;
};

struct parser {
	struct policy_set *ps;
	const char *s;
	size_t n, i;
	struct pos base;
	struct tok cur;
	bool failed;
	int depth;
};

static const char *const op_names[] = {
	[OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">",
	[OP_GE] = ">=", [OP_IN] = "in", [OP_STARTSWITH] = "startswith",
	[OP_ENDSWITH] = "endswith", [OP_CONTAINS] = "contains", [OP_GLOB] = "glob",
	[OP_CIDR] = "cidr", [OP_EXISTS] = "exists",
};

const char *op_name(enum op op)
{
	return op_names[op];
}

/* The position of byte off of the condition text. */
static struct pos pos_at(const struct parser *p, size_t off)
{
	struct pos pos = p->base;
	size_t last_nl = (size_t)-1;

	for (size_t i = 0; i < off && i < p->n; i++) {
		if (p->s[i] == '\n') {
			pos.line++;
			last_nl = i;
		}
	}
	pos.col = last_nl == (size_t)-1 ? p->base.col + (int)off : (int)(off - last_nl);
	return pos;
}

static void fail(struct parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct parser *p, size_t off, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	policy_error(p->ps, pos_at(p, off), "%s", msg);
}

static bool is_word_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr("(),\"'=!<>", c);
}

static void next(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->i;

	while (i < p->n && isspace((unsigned char)s[i]))
		i++;
	p->cur = (struct tok){ .t = T_EOF, .p = s + i, .len = 0, .off = i };
	if (i >= p->n) {
		p->i = i;
		return;
	}
	char c = s[i];
	if (c == '(' || c == ')' || c == ',') {
		p->cur.t = c == '(' ? T_LP : c == ')' ? T_RP : T_COMMA;
		p->cur.len = 1;
		p->i = i + 1;
		return;
	}
	if (c == '"' || c == '\'') {
		size_t j = i + 1;
		while (j < p->n && s[j] != c) {
			if (s[j] == '\\' && j + 1 < p->n)
				j++;
			j++;
		}
		if (j >= p->n) {
			p->cur.t = T_BAD;
			fail(p, i, "unterminated string: expected a closing %c", c);
			p->i = p->n;
			return;
		}
		p->cur.t = T_STRING;
		p->cur.p = s + i + 1;
		p->cur.len = j - i - 1;
		p->i = j + 1;
		return;
	}
	if (strchr("=!<>", c)) {
		size_t len = (i + 1 < p->n && s[i + 1] == '=') ? 2 : 1;
		p->cur.t = T_OP;
		p->cur.len = len;
		p->i = i + len;
		if ((c == '=' || c == '!') && len == 1) {
			p->cur.t = T_BAD;
			fail(p, i, "unknown operator '%c': expected ==, !=, <, <=, > or >=", c);
		}
		return;
	}
	size_t j = i;
	while (j < p->n && is_word_char(s[j]))
		j++;
	p->cur.t = T_WORD;
	p->cur.len = j - i;
	p->i = j;
}

static bool tok_is(const struct tok *t, const char *word)
{
	return t->t == T_WORD && t->len == strlen(word) && !memcmp(t->p, word, t->len);
}

static char *tok_text(const struct tok *t)
{
	char *out = malloc(t->len + 1);
	size_t o = 0;

	if (!out)
		abort();
	for (size_t i = 0; i < t->len; i++) {
		if (t->t == T_STRING && t->p[i] == '\\' && i + 1 < t->len)
			i++;
		out[o++] = t->p[i];
	}
	out[o] = '\0';
	return out;
}

static const char *describe(const struct tok *t, char *buf, size_t len)
{
	switch (t->t) {
	case T_EOF: return "the end of the condition";
	case T_LP: return "'('";
	case T_RP: return "')'";
	case T_COMMA: return "','";
	default:
		snprintf(buf, len, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->p);
		return buf;
	}
}

static const struct {
	const char *word;
	enum op op;
} word_ops[] = {
	{ "in", OP_IN }, { "startswith", OP_STARTSWITH }, { "endswith", OP_ENDSWITH },
	{ "contains", OP_CONTAINS }, { "glob", OP_GLOB }, { "cidr", OP_CIDR },
	{ "exists", OP_EXISTS },
};

static bool tok_op(const struct tok *t, enum op *op)
{
	if (t->t == T_OP) {
		static const char *const sym[] = { "==", "!=", "<", "<=", ">", ">=" };
		static const enum op ops[] = { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
		for (size_t i = 0; i < 6; i++)
			if (t->len == strlen(sym[i]) && !memcmp(t->p, sym[i], t->len)) {
				*op = ops[i];
				return true;
			}
		return false;
	}
	for (size_t i = 0; i < sizeof(word_ops) / sizeof(word_ops[0]); i++)
		if (tok_is(t, word_ops[i].word)) {
			*op = word_ops[i].op;
			return true;
		}
	return false;
}

static bool op_fits(enum field_type ft, enum op op)
{
	switch (ft) {
	case F_INT:
		return op <= OP_IN || op == OP_EXISTS;
	case F_STR:
	case F_STRLIST:
		return op == OP_EQ || op == OP_NE || (op >= OP_IN && op <= OP_GLOB) || op == OP_EXISTS;
	case F_BOOL:
		return op == OP_EQ || op == OP_NE || op == OP_EXISTS;
	case F_NET:
		return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_CIDR || op == OP_EXISTS;
	}
	return false;
}

static const char *ops_for(enum field_type ft)
{
	switch (ft) {
	case F_INT: return "==, !=, <, <=, >, >=, in or exists";
	case F_STR:
	case F_STRLIST: return "==, !=, in, startswith, endswith, contains, glob or exists";
	case F_BOOL: return "==, != or exists";
	case F_NET: return "==, !=, in, cidr or exists";
	}
	return "";
}

/* Parses an address ("10.0.0.1", "fe80::1") or, when want_prefix, a network ("10.0.0.0/8"). */
static bool parse_net(const char *s, bool want_prefix, struct value *v)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen >= sizeof(buf) || (slash && !want_prefix))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(v->addr, 0, sizeof(v->addr));
	if (inet_pton(AF_INET, buf, v->addr) == 1)
		v->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, v->addr) == 1)
		v->family = AF_INET6;
	else
		return false;
	int max = v->family == AF_INET ? 32 : 128;
	v->prefix = max;
	if (slash) {
		char *end;
		errno = 0;
		long pl = strtol(slash + 1, &end, 10);
		if (errno || *end || slash[1] == '\0' || pl < 0 || pl > max)
			return false;
		v->prefix = (int)pl;
	}
	return true;
}

/* Types one value for the field; false (with an error) if it does not fit. */
static bool type_value(struct parser *p, const struct field_def *f, enum op op, struct value *v,
		       size_t off)
{
	char *end;

	switch (f->type) {
	case F_INT:
		errno = 0;
		v->i = strtoll(v->s, &end, 0);
		if (errno || !*v->s || *end) {
			fail(p, off, "expected a number for %s, got '%s'", f->name, v->s);
			return false;
		}
		v->t = V_INT;
		return true;
	case F_BOOL:
		if (strcmp(v->s, "true") && strcmp(v->s, "false")) {
			fail(p, off, "expected true or false for %s, got '%s'", f->name, v->s);
			return false;
		}
		v->t = V_BOOL;
		v->i = !strcmp(v->s, "true");
		return true;
	case F_NET:
		if (!parse_net(v->s, op == OP_CIDR, v)) {
			fail(p, off, "expected %s for %s, got '%s'",
			     op == OP_CIDR ? "a network such as 10.0.0.0/8 or fd00::/8" :
					     "an IP address such as 192.0.2.1 or 2001:db8::1",
			     f->name, v->s);
			return false;
		}
		v->t = V_NET;
		return true;
	case F_STR:
	case F_STRLIST:
		v->t = V_STR;
		return true;
	}
	return false;
}

static const struct named_list *find_list(struct policy_set *ps, const char *name, size_t len)
{
	for (size_t i = 0; i < ps->nlists; i++)
		if (strlen(ps->lists[i].name) == len && !memcmp(ps->lists[i].name, name, len))
			return &ps->lists[i];
	return NULL;
}

static struct macro *find_macro(struct policy_set *ps, const char *name, size_t len)
{
	for (size_t i = 0; i < ps->nmacros; i++)
		if (strlen(ps->macros[i].name) == len && !memcmp(ps->macros[i].name, name, len))
			return &ps->macros[i];
	return NULL;
}

static void add_value(struct node *n, struct value v)
{
	struct value *nv = realloc(n->vals, (n->nvals + 1) * sizeof(*nv));
	if (!nv)
		abort();
	n->vals = nv;
	n->vals[n->nvals++] = v;
}

/* One value token (or a list name, expanded) for the predicate n. */
static void parse_value(struct parser *p, struct node *n, bool allow_list)
{
	const struct tok t = p->cur;
	char buf[64];

	if (t.t != T_WORD && t.t != T_STRING) {
		fail(p, t.off, "expected a value for %s %s, found %s", n->field->name, op_name(n->op),
		     describe(&t, buf, sizeof(buf)));
		return;
	}
	next(p);
	if (t.t == T_WORD && allow_list) {
		const struct named_list *l = find_list(p->ps, t.p, t.len);
		if (l) {
			for (size_t i = 0; i < l->nitems && !p->failed; i++) {
				struct value v = { .s = strdup(l->items[i]) };
				if (type_value(p, n->field, n->op, &v, t.off))
					add_value(n, v);
				else
					free(v.s);
			}
			return;
		}
	}
	struct value v = { .s = tok_text(&t) };
	if (type_value(p, n->field, n->op, &v, t.off))
		add_value(n, v);
	else
		free(v.s);
}

static void parse_values(struct parser *p, struct node *n)
{
	char buf[64];

	if (p->cur.t != T_LP) {
		/* a bare list name: "proc.comm in shells" */
		if (n->op == OP_IN && p->cur.t == T_WORD && !find_list(p->ps, p->cur.p, p->cur.len)) {
			fail(p, p->cur.off, "unknown list '%.*s': expected '(' or the name of a list",
			     (int)p->cur.len, p->cur.p);
			return;
		}
		parse_value(p, n, true);
		return;
	}
	next(p);
	for (;;) {
		parse_value(p, n, true);
		if (p->failed)
			return;
		if (p->cur.t == T_RP) {
			next(p);
			return;
		}
		if (p->cur.t != T_COMMA) {
			fail(p, p->cur.off, "expected ',' or ')' in the value list, found %s",
			     describe(&p->cur, buf, sizeof(buf)));
			return;
		}
		next(p);
	}
}

static const char *closest_field(const char *name)
{
	const struct field_def *f, *best = NULL;
	size_t bd = 3;

	for (unsigned i = 0; (f = field_at(i)); i++) {
		size_t d = edit_distance(name, f->name);
		if (d < bd) {
			bd = d;
			best = f;
		}
	}
	return best ? best->name : NULL;
}

static struct node *parse_or(struct parser *p);

static struct node *expand_macro(struct parser *p, struct macro *m, size_t off)
{
	if (m->state == 2)
		return m->tree;
	if (m->state == 3) { /* already reported where the macro is defined */
		p->failed = true;
		return NULL;
	}
	if (m->state == 1) {
		char chain[256] = "";
		struct policy_set *ps = p->ps;
		int i = 0;
		while (i < ps->nexpanding && strcmp(ps->expanding[i], m->name))
			i++;
		for (; i < ps->nexpanding; i++)
			snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "%s -> ",
				 ps->expanding[i]);
		fail(p, off, "macros refer to each other in a cycle: %s%s", chain, m->name);
		return NULL;
	}
	if (p->ps->nexpanding == 16) {
		fail(p, off, "macros nest more than 16 deep");
		return NULL;
	}
	m->state = 1;
	p->ps->expanding[p->ps->nexpanding++] = m->name;
	struct node *tree = policy_parse_condition(p->ps, m->condition, m->cond_pos);
	p->ps->nexpanding--;
	m->state = tree ? 2 : 3;
	m->tree = tree;
	if (!tree)
		p->failed = true; /* the error is reported where the macro is defined */
	return tree;
}

static struct node *parse_unary(struct parser *p)
{
	char buf[64];

	if (p->failed)
		return NULL;
	if (++p->depth > 64) {
		fail(p, p->cur.off, "the condition nests too deeply (more than 64 levels)");
		return NULL;
	}
	struct tok t = p->cur;
	struct node *n = NULL;

	if (tok_is(&t, "not")) {
		next(p);
		n = policy_node(p->ps, N_NOT);
		n->l = parse_unary(p);
	} else if (t.t == T_LP) {
		next(p);
		n = parse_or(p);
		if (!p->failed && p->cur.t != T_RP)
			fail(p, p->cur.off, "expected ')' to close the '(' at column %d, found %s",
			     pos_at(p, t.off).col, describe(&p->cur, buf, sizeof(buf)));
		next(p);
	} else if (t.t == T_WORD) {
		next(p);
		enum op op;
		char *name = tok_text(&t);
		if (!tok_op(&p->cur, &op)) {
			struct macro *m = find_macro(p->ps, t.p, t.len);
			if (m) {
				n = expand_macro(p, m, t.off);
			} else if (field_find(name)) {
				fail(p, p->cur.off, "expected an operator after %s, found %s", name,
				     describe(&p->cur, buf, sizeof(buf)));
			} else {
				const char *near = closest_field(name);
				fail(p, t.off, "unknown field or macro '%s'%s%s%s", name,
				     near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
			}
			free(name);
			p->depth--;
			return n;
		}
		const struct field_def *f = field_find(name);
		if (!f) {
			const char *near = closest_field(name);
			fail(p, t.off, "unknown field '%s'%s%s%s", name, near ? " (did you mean " : "",
			     near ? near : "", near ? "?)" : "");
			free(name);
			p->depth--;
			return NULL;
		}
		free(name);
		size_t op_off = p->cur.off;
		next(p);
		if (!op_fits(f->type, op)) {
			fail(p, op_off, "operator '%s' does not apply to %s (a %s): use %s", op_name(op),
			     f->name, field_type_name(f->type), ops_for(f->type));
			p->depth--;
			return NULL;
		}
		n = policy_node(p->ps, N_PRED);
		n->field = f;
		n->op = op;
		n->pos = pos_at(p, t.off);
		if (op == OP_EXISTS) {
			/* nothing more */
		} else if (op == OP_IN || op >= OP_STARTSWITH) {
			parse_values(p, n);
		} else {
			parse_value(p, n, false);
		}
	} else {
		fail(p, t.off, "expected a field, a macro, 'not' or '(', found %s",
		     describe(&t, buf, sizeof(buf)));
	}
	p->depth--;
	return p->failed ? NULL : n;
}

static struct node *parse_and(struct parser *p)
{
	struct node *l = parse_unary(p);

	while (!p->failed && tok_is(&p->cur, "and")) {
		next(p);
		struct node *n = policy_node(p->ps, N_AND);
		n->l = l;
		n->r = parse_unary(p);
		l = n;
	}
	return l;
}

static struct node *parse_or(struct parser *p)
{
	struct node *l = parse_and(p);

	while (!p->failed && tok_is(&p->cur, "or")) {
		next(p);
		struct node *n = policy_node(p->ps, N_OR);
		n->l = l;
		n->r = parse_and(p);
		l = n;
	}
	return l;
}

struct node *policy_parse_condition(struct policy_set *ps, const char *text, struct pos pos)
{
	struct parser p = { .ps = ps, .s = text, .n = strlen(text), .base = pos };
	char buf[64];

	next(&p);
	if (p.cur.t == T_EOF) {
		fail(&p, 0, "empty condition: expected an expression such as proc.exe == /bin/sh");
		return NULL;
	}
	struct node *n = parse_or(&p);
	if (!p.failed && p.cur.t != T_EOF)
		fail(&p, p.cur.off, "expected 'and', 'or' or the end of the condition, found %s",
		     describe(&p.cur, buf, sizeof(buf)));
	return p.failed ? NULL : n;
}

struct node *policy_make_eq(struct policy_set *ps, const struct field_def *f, const char *value,
			    struct pos pos)
{
	struct parser p = { .ps = ps, .s = value, .n = strlen(value), .base = pos };
	struct value v = { .s = strdup(value) };

	if (!type_value(&p, f, OP_EQ, &v, 0)) {
		free(v.s);
		return NULL;
	}
	struct node *n = policy_node(ps, N_PRED);
	n->field = f;
	n->op = OP_EQ;
	n->pos = pos;
	add_value(n, v);
	return n;
}
