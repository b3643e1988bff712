// SPDX-License-Identifier: GPL-2.0-only
/* The long options of an argp tree: lookup, "did you mean", and reading them off an argv. */
#include "config/config.h"
#include "suggest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void add(struct option_list *l, const struct argp_option *o)
{
	const struct argp_option **p = realloc(l->opt, (l->n + 1) * sizeof(*p));
	if (!p)
		abort();
	l->opt = p;
	l->opt[l->n++] = o;
}

void option_list_collect(const struct argp *argp, struct option_list *l)
{
	if (!argp)
		return;
	for (const struct argp_option *o = argp->options; o && (o->name || o->key || o->doc); o++)
		if (o->name && !(o->flags & OPTION_DOC))
			add(l, o);
	for (const struct argp_child *c = argp->children; c && c->argp; c++)
		option_list_collect(c->argp, l);
}

const struct argp_option *option_list_find(const struct option_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->opt[i]->name, name))
			return l->opt[i];
	return NULL;
}

const char *option_list_suggest(const struct option_list *l, const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (size_t i = 0; i < l->n; i++) {
		const char *cand = l->opt[i]->name;
		size_t d = edit_distance(name, cand);
		/* "policies" -> "policy", "exempt" -> "exempt-comm": a shared head counts too */
		if (d >= best_d && strlen(name) >= 4 &&
		    (!strncmp(cand, name, strlen(name)) || !strncmp(name, cand, strlen(cand) - 1)))
			d = 2;
		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	return best;
}

void option_list_free(struct option_list *l)
{
	free(l->opt);
	memset(l, 0, sizeof(*l));
}

static const struct argp_option *by_long(const struct option_list *l, const char *name, size_t len)
{
	const struct argp_option *hit = NULL;
	size_t hits = 0;

	for (size_t i = 0; i < l->n; i++) {
		const char *n = l->opt[i]->name;
		if (strncmp(n, name, len))
			continue;
		if (!n[len])
			return l->opt[i]; /* exact */
		hit = l->opt[i];      /* an abbreviation, as argp accepts when unique */
		hits++;
	}
	return hits == 1 ? hit : NULL;
}

static const struct argp_option *by_short(const struct option_list *l, int key)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->opt[i]->key == key && !(l->opt[i]->flags & OPTION_ALIAS))
			return l->opt[i];
	return NULL;
}

typedef void (*seen_fn)(const struct argp_option *o, const char *value, void *ctx);

/* Walks argv (argv[0] excluded) the way argp reads it: --name[=v], --name v, -abc, -kVALUE. */
static void scan(const struct option_list *l, int argc, char **argv, seen_fn fn, void *ctx)
{
	for (int i = 1; i < argc; i++) {
		const char *t = argv[i];
		if (!strcmp(t, "--"))
			return;
		if (!strncmp(t, "--", 2)) {
			const char *eq = strchr(t + 2, '=');
			size_t len = eq ? (size_t)(eq - t - 2) : strlen(t + 2);
			const struct argp_option *o = by_long(l, t + 2, len);
			const char *v = eq ? eq + 1 : NULL;
			if (o && o->arg && !(o->flags & OPTION_ARG_OPTIONAL) && !eq && i + 1 < argc)
				v = argv[++i];
			if (o)
				fn(o, v, ctx);
			continue;
		}
		if (t[0] != '-' || !t[1])
			continue;
		for (const char *c = t + 1; *c; c++) {
			const struct argp_option *o = by_short(l, (unsigned char)*c);
			if (!o)
				break;
			if (!o->arg) {
				fn(o, NULL, ctx);
				continue;
			}
			const char *v = c[1] ? c + 1 : (i + 1 < argc ? argv[++i] : NULL);
			fn(o, v, ctx);
			break;
		}
	}
}

struct gives_ctx {
	const struct argp_option *want;
	bool found;
};

static void gives_cb(const struct argp_option *o, const char *value, void *ctx)
{
	struct gives_ctx *g = ctx;
	(void)value;
	if (o == g->want || (o->key == g->want->key && o->key))
		g->found = true;
}

bool argv_gives(const struct option_list *l, int argc, char **argv, const struct argp_option *o)
{
	struct gives_ctx g = { o, false };
	scan(l, argc, argv, gives_cb, &g);
	return g.found;
}

char **config_merge_argv(const struct config *c, const struct option_list *l, int argc,
			 char **argv, int *out_argc)
{
	char **out = calloc((size_t)argc + c->n + 1, sizeof(char *));
	int n = 0;

	if (!out)
		abort();
	out[n++] = argv[0];
	for (size_t i = 0; i < c->n; i++) {
		const struct config_entry *e = &c->e[i];
		if (argv_gives(l, argc, argv, e->opt))
			continue; /* the command line replaces the file's value(s) */
		size_t len = strlen(e->opt->name) + (e->value ? strlen(e->value) : 0) + 4;
		char *a = malloc(len);
		if (!a)
			abort();
		snprintf(a, len, e->value ? "--%s=%s" : "--%s", e->opt->name, e->value);
		out[n++] = a; /* lives as long as the run: argp keeps pointers into it */
	}
	for (int i = 1; i < argc; i++)
		out[n++] = argv[i];
	out[n] = NULL;
	*out_argc = n;
	return out;
}

/* config show */

struct show_ctx {
	const struct argp_option *want;
	const char **values;
	size_t n;
};

static void show_cb(const struct argp_option *o, const char *value, void *ctx)
{
	struct show_ctx *s = ctx;
	if (o != s->want && !(o->key && o->key == s->want->key))
		return;
	const char **p = realloc(s->values, (s->n + 1) * sizeof(*p));
	if (!p)
		abort();
	s->values = p;
	s->values[s->n++] = value;
}

static bool needs_quotes(const char *v)
{
	if (!*v || isspace((unsigned char)v[0]) || isspace((unsigned char)v[strlen(v) - 1]))
		return true;
	if (strchr("!&*-?|>'\"%@`{}[],#:~", v[0]) && !(v[0] == '-' && v[1] && v[1] != ' '))
		return true;
	if (strstr(v, ": ") || strstr(v, " #"))
		return true;
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "null",
					     "True", "False", "Yes", "No", "On", "Off", "Null",
					     "TRUE", "FALSE", "NULL" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(v, words[i]))
			return true;
	return false;
}

static void put_value(FILE *f, const char *v)
{
	if (!needs_quotes(v)) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

void config_show(FILE *f, const struct config *c, const struct option_list *l, int argc,
		 char **argv)
{
	fprintf(f, "# The effective configuration of `vigil run`: %s%s, then the command line.\n",
		c->path ? "the file " : "no file", c->path ? c->path : "");
	for (size_t i = 0; i < l->n; i++) {
		const struct argp_option *o = l->opt[i];
		struct show_ctx s = { .want = o };
		const char *from = "command line";
		char where[64];

		if (!strcmp(o->name, "config") || (o->flags & OPTION_ALIAS))
			continue;
		scan(l, argc, argv, show_cb, &s);
		if (!s.n) {
			for (size_t j = 0; j < c->n; j++)
				if (c->e[j].opt == o)
					show_cb(o, c->e[j].value, &s);
			if (s.n) {
				for (size_t j = 0; j < c->n; j++)
					if (c->e[j].opt == o) {
						snprintf(where, sizeof(where), "line %u", c->e[j].line);
						break;
					}
				from = where;
			}
		}
		if (!s.n)
			continue;
		if (!o->arg || (s.n == 1 && !s.values[0])) {
			fprintf(f, "%s: true  # %s\n", o->name, from);
		} else if (s.n == 1) {
			fprintf(f, "%s: ", o->name);
			put_value(f, s.values[0]);
			fprintf(f, "  # %s\n", from);
		} else {
			fprintf(f, "%s:  # %s\n", o->name, from);
			for (size_t k = 0; k < s.n; k++) {
				fputs("  - ", f);
				put_value(f, s.values[k] ? s.values[k] : "");
				fputc('\n', f);
			}
		}
		free(s.values);
	}
}

struct last_ctx {
	const struct argp_option *want;
	const char *value;
	bool found;
};

static void last_cb(const struct argp_option *o, const char *value, void *ctx)
{
	struct last_ctx *s = ctx;
	if (o == s->want || (o->key && o->key == s->want->key)) {
		s->value = value;
		s->found = true;
	}
}

const char *argv_last_value(const struct option_list *l, int argc, char **argv,
			    const struct argp_option *o)
{
	struct last_ctx s = { .want = o };
	if (o)
		scan(l, argc, argv, last_cb, &s);
	return s.value;
}
