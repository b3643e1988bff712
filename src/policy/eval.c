// SPDX-License-Identifier: GPL-2.0-only
#include "policy/eval.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_VALUES 128

/* The values of a field in an event: JSON nodes, or strings built here (cmdline). */
struct values {
	json_t *v[MAX_VALUES];
	size_t n;
	json_t *owned[MAX_VALUES]; /* strings built here, released after the predicate */
	size_t nowned;
};

static json_t *walk(json_t *obj, const char *const *path)
{
	for (int i = 0; i < 4 && path[i] && obj; i++)
		obj = json_object_get(obj, path[i]);
	return obj;
}

static void push(struct values *vs, json_t *v)
{
	if (v && !json_is_null(v) && vs->n < MAX_VALUES)
		vs->v[vs->n++] = v;
}

static json_t *join_args(struct values *vs, json_t *args)
{
	struct sbuf b = {};
	size_t i;
	json_t *a;

	if (!json_is_array(args) || vs->nowned >= MAX_VALUES)
		return NULL;
	json_array_foreach(args, i, a) {
		if (i)
			sbuf_putc(&b, ' ');
		if (json_is_string(a))
			sbuf_putn(&b, json_string_value(a), json_string_length(a));
	}
	json_t *s = json_stringn(b.p ? b.p : "", b.len);
	sbuf_free(&b);
	vs->owned[vs->nowned++] = s;
	return s;
}

static void collect(const struct field_def *f, json_t *ev, struct values *vs)
{
	switch (f->source) {
	case FS_KIND:
		push(vs, json_object_get(ev, "kind"));
		break;
	case FS_PATH: {
		json_t *v = walk(ev, f->path);
		if (f->type == F_STRLIST && json_is_array(v)) {
			size_t i;
			json_t *a;
			json_array_foreach(v, i, a)
				push(vs, a);
		} else {
			push(vs, v);
		}
		break;
	}
	case FS_CMDLINE:
		push(vs, join_args(vs, walk(ev, f->path)));
		break;
	case FS_ANCESTOR: {
		json_t *chain[1 + MAX_VALUES];
		size_t n = 0, i;
		json_t *a;
		if (json_object_get(ev, "parent"))
			chain[n++] = json_object_get(ev, "parent");
		json_array_foreach(json_object_get(ev, "ancestors"), i, a) {
			if (n < MAX_VALUES)
				chain[n++] = a;
		}
		for (size_t k = 0; k < n; k++) {
			json_t *v = json_object_get(chain[k], f->path[0]);
			push(vs, !strcmp(f->path[0], "args") ? join_args(vs, v) : v);
		}
		break;
	}
	}
}

static bool net_of(json_t *v, uint8_t addr[16], int *family)
{
	const char *s = json_string_value(v);

	memset(addr, 0, 16);
	if (!s)
		return false;
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, (size_t)full))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (net[full] & mask);
}

/* One event value against one rule value. */
static bool match_one(const struct node *n, json_t *v, const struct value *want)
{
	switch (n->field->type) {
	case F_INT: {
		if (!json_is_integer(v))
			return false;
		json_int_t x = json_integer_value(v);
		switch (n->op) {
		case OP_EQ: case OP_NE: case OP_IN: return x == want->i;
		case OP_LT: return x < want->i;
		case OP_LE: return x <= want->i;
		case OP_GT: return x > want->i;
		case OP_GE: return x >= want->i;
		default: return false;
		}
	}
	case F_BOOL:
		return json_is_boolean(v) && (json_is_true(v) ? 1 : 0) == want->i;
	case F_NET: {
		uint8_t a[16];
		int fam;
		if (!net_of(v, a, &fam) || fam != want->family)
			return false;
		return prefix_match(a, want->addr, n->op == OP_CIDR ? want->prefix
								   : (fam == AF_INET ? 32 : 128));
	}
	case F_STR:
	case F_STRLIST: {
		const char *s = json_string_value(v);
		if (!s)
			return false;
		size_t sl = json_string_length(v), wl = strlen(want->s);
		if (n->field->nocase) {
			switch (n->op) {
			case OP_EQ: case OP_NE: case OP_IN: return sl == wl && !strcasecmp(s, want->s);
			case OP_STARTSWITH: return sl >= wl && !strncasecmp(s, want->s, wl);
			case OP_ENDSWITH: return sl >= wl && !strcasecmp(s + sl - wl, want->s);
			case OP_CONTAINS: return strcasestr(s, want->s) != NULL;
			case OP_GLOB: return fnmatch(want->s, s, FNM_CASEFOLD) == 0;
			default: return false;
			}
		}
		switch (n->op) {
		case OP_EQ: case OP_NE: case OP_IN: return sl == wl && !memcmp(s, want->s, wl);
		case OP_STARTSWITH: return sl >= wl && !memcmp(s, want->s, wl);
		case OP_ENDSWITH: return sl >= wl && !memcmp(s + sl - wl, want->s, wl);
		case OP_CONTAINS: return memmem(s, sl, want->s, wl) != NULL;
		case OP_GLOB: return fnmatch(want->s, s, 0) == 0;
		default: return false;
		}
	}
	}
	return false;
}

static bool eval_pred(const struct node *n, json_t *ev)
{
	struct values vs = { .n = 0 };
	bool hit = false;

	collect(n->field, ev, &vs);
	if (n->op == OP_EXISTS) {
		hit = vs.n > 0;
	} else {
		for (size_t i = 0; i < vs.n && !hit; i++)
			for (size_t j = 0; j < n->nvals && !hit; j++)
				hit = match_one(n, vs.v[i], &n->vals[j]);
		/* != : no value equals; a field the event lacks is still false */
		if (n->op == OP_NE)
			hit = vs.n > 0 && !hit;
	}
	for (size_t i = 0; i < vs.nowned; i++)
		json_decref(vs.owned[i]);
	return hit;
}

bool policy_eval(const struct node *n, json_t *ev)
{
	switch (n->type) {
	case N_TRUE: return true;
	case N_AND: return policy_eval(n->l, ev) && policy_eval(n->r, ev);
	case N_OR: return policy_eval(n->l, ev) || policy_eval(n->r, ev);
	case N_NOT: return !policy_eval(n->l, ev);
	case N_PRED: return eval_pred(n, ev);
	}
	return false;
}

static void put_value(struct sbuf *out, json_t *v)
{
	if (json_is_string(v))
		sbuf_putn(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		sbuf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_boolean(v))
		sbuf_puts(out, json_is_true(v) ? "true" : "false");
	else
		sbuf_putc(out, '-');
}

void policy_render_output(struct sbuf *out, const char *tmpl, json_t *ev)
{
	for (const char *p = tmpl; *p;) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			sbuf_puts(out, p);
			return;
		}
		sbuf_putn(out, p, (size_t)(pct - p));
		if (pct[1] == '%') {
			sbuf_putc(out, '%');
			p = pct + 2;
			continue;
		}
		size_t n = strspn(pct + 1, "abcdefghijklmnopqrstuvwxyz0123456789_.");
		while (n && pct[n] == '.')
			n--;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)n, pct + 1);
		const struct field_def *f = field_find(name);
		if (!f) {
			sbuf_putn(out, pct, n + 1);
		} else {
			struct values vs = { .n = 0 };
			collect(f, ev, &vs);
			if (!vs.n)
				sbuf_putc(out, '-');
			for (size_t i = 0; i < vs.n; i++) {
				if (i)
					sbuf_putc(out, ' ');
				put_value(out, vs.v[i]);
			}
			for (size_t i = 0; i < vs.nowned; i++)
				json_decref(vs.owned[i]);
		}
		p = pct + 1 + n;
	}
}
