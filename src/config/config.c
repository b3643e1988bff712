// SPDX-License-Identifier: GPL-2.0-only
/* Reading vigil.yaml with libyaml: every problem with its file:line:col. */
#include "config/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

struct reader {
	yaml_parser_t p;
	const char *path;
	FILE *errf;
	size_t errors;
	const struct option_list *opts;
	const char *skip;
	struct config *c;
};

static void complain(struct reader *r, yaml_mark_t m, const char *fmt, const char *a, const char *b)
{
	fprintf(r->errf, "%s:%zu:%zu: ", r->path, m.line + 1, m.column + 1);
	fprintf(r->errf, fmt, a, b);
	fputc('\n', r->errf);
	r->errors++;
}

/* 0: an event; -1: the YAML itself is broken (reported). */
static int next(struct reader *r, yaml_event_t *ev)
{
	if (yaml_parser_parse(&r->p, ev))
		return 0;
	fprintf(r->errf, "%s:%zu:%zu: %s%s%s\n", r->path, r->p.problem_mark.line + 1,
		r->p.problem_mark.column + 1, r->p.problem ? r->p.problem : "malformed YAML",
		r->p.context ? " " : "", r->p.context ? r->p.context : "");
	r->errors++;
	return -1;
}

static const char *text(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

static bool plain(const yaml_event_t *ev)
{
	return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool is_null(const yaml_event_t *ev)
{
	const char *t = text(ev);
	return plain(ev) && (!*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") ||
			     !strcmp(t, "NULL"));
}

/* 1 true, 0 false, -1 neither */
static int boolean(const yaml_event_t *ev)
{
	static const char *const t[] = { "true", "True", "TRUE" }, *const f[] = { "false", "False", "FALSE" };
	if (!plain(ev))
		return -1;
	for (int i = 0; i < 3; i++) {
		if (!strcmp(text(ev), t[i]))
			return 1;
		if (!strcmp(text(ev), f[i]))
			return 0;
	}
	return -1;
}

static void add(struct reader *r, const struct argp_option *o, const char *value, yaml_mark_t m)
{
	struct config_entry *e = realloc(r->c->e, (r->c->n + 1) * sizeof(*e));
	if (!e)
		abort();
	r->c->e = e;
	e = &r->c->e[r->c->n++];
	e->opt = o;
	e->value = value ? strdup(value) : NULL;
	e->line = (unsigned)m.line + 1;
	e->col = (unsigned)m.column + 1;
}

/* Skips the rest of a collection whose start event was just read. */
static int skip_nested(struct reader *r)
{
	yaml_event_t ev;
	int depth = 1;

	while (depth) {
		if (next(r, &ev))
			return -1;
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		yaml_event_delete(&ev);
	}
	return 0;
}

/* One scalar value for option o; NULL o: an unknown key's value (only skipped). */
static void scalar_value(struct reader *r, const struct argp_option *o, const yaml_event_t *ev)
{
	if (!o)
		return;
	if (!o->arg || (o->flags & OPTION_ARG_OPTIONAL)) {
		int b = boolean(ev);
		if (b == 1)
			add(r, o, NULL, ev->start_mark);
		if (b >= 0)
			return;
		if (!o->arg) {
			complain(r, ev->start_mark, "%s is a switch: expected true or false, got '%s'",
				 o->name, text(ev));
			return;
		}
	}
	if (is_null(ev)) {
		complain(r, ev->start_mark, "%s needs a value (%s)", o->name, o->arg);
		return;
	}
	add(r, o, text(ev), ev->start_mark);
}

static int value(struct reader *r, const struct argp_option *o)
{
	yaml_event_t ev;

	if (next(r, &ev))
		return -1;
	switch (ev.type) {
	case YAML_SCALAR_EVENT:
		scalar_value(r, o, &ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		if (o && !o->arg) {
			complain(r, ev.start_mark, "%s is a switch: expected true or false, not a list%s",
				 o->name, "");
			yaml_event_delete(&ev);
			return skip_nested(r);
		}
		yaml_event_delete(&ev);
		for (;;) {
			if (next(r, &ev))
				return -1;
			if (ev.type == YAML_SEQUENCE_END_EVENT)
				break;
			if (ev.type == YAML_SCALAR_EVENT) {
				if (o && is_null(&ev))
					complain(r, ev.start_mark, "%s: an empty item in the list%s",
						 o->name, "");
				else if (o)
					add(r, o, text(&ev), ev.start_mark);
			} else if (ev.type == YAML_SEQUENCE_START_EVENT ||
				   ev.type == YAML_MAPPING_START_EVENT) {
				if (o)
					complain(r, ev.start_mark, "%s: expected a list of values, found a nested %s",
						 o->name, ev.type == YAML_MAPPING_START_EVENT ? "mapping" : "list");
				yaml_event_delete(&ev);
				if (skip_nested(r))
					return -1;
				continue;
			} else if (ev.type == YAML_ALIAS_EVENT) {
				complain(r, ev.start_mark, "%s: aliases (*name) are not supported%s",
					 o ? o->name : "value", "");
			}
			yaml_event_delete(&ev);
		}
		break;
	case YAML_MAPPING_START_EVENT:
		if (o)
			complain(r, ev.start_mark, "%s: expected a value or a list of values, not a mapping%s",
				 o->name, "");
		yaml_event_delete(&ev);
		return skip_nested(r);
	case YAML_ALIAS_EVENT:
		complain(r, ev.start_mark, "%s: aliases (*name) are not supported%s",
			 o ? o->name : "value", "");
		break;
	default:
		break;
	}
	yaml_event_delete(&ev);
	return 0;
}

static int mapping(struct reader *r)
{
	yaml_event_t ev;

	for (;;) {
		if (next(r, &ev))
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			complain(r, ev.start_mark, "expected an option name as the key%s%s", "", "");
			yaml_event_delete(&ev);
			if (skip_nested(r) || value(r, NULL))
				return -1;
			continue;
		}
		const char *key = text(&ev);
		const struct argp_option *o = option_list_find(r->opts, key);
		if (o && r->skip && !strcmp(key, r->skip)) {
			complain(r, ev.start_mark, "'%s' cannot be set in a configuration file%s", key, "");
			o = NULL;
		} else if (!o) {
			const char *s = option_list_suggest(r->opts, key);
			if (s)
				complain(r, ev.start_mark, "unknown key '%s' (did you mean '%s'?)", key, s);
			else
				complain(r, ev.start_mark, "unknown key '%s' (the keys are `vigil run`'s long options: vigil run --help)%s",
					 key, "");
		} else {
			for (size_t i = 0; i < r->c->n; i++)
				if (r->c->e[i].opt == o) {
					char first[32];
					snprintf(first, sizeof(first), "%u", r->c->e[i].line);
					complain(r, ev.start_mark, "'%s' is given twice (first at line %s); a list gives several values",
						 key, first);
					o = NULL;
					break;
				}
		}
		yaml_event_delete(&ev);
		if (value(r, o))
			return -1;
	}
}

size_t config_load(struct config *c, const char *path, const struct argp *argp, const char *skip,
		   FILE *errf)
{
	struct option_list opts = {};
	struct reader r = { .path = path, .errf = errf, .opts = &opts, .skip = skip, .c = c };
	yaml_event_t ev;
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	f = fopen(path, "r");
	if (!f) {
		fprintf(errf, "%s: cannot read: %s\n", path, strerror(errno));
		return 1;
	}
	option_list_collect(argp, &opts);
	yaml_parser_initialize(&r.p);
	yaml_parser_set_input_file(&r.p, f);
	for (bool done = false; !done;) {
		if (next(&r, &ev))
			break;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
			if (mapping(&r))
				done = true;
			break;
		case YAML_SCALAR_EVENT:
			if (is_null(&ev))
				break; /* an empty document */
			/* fall through */
		case YAML_SEQUENCE_START_EVENT:
			complain(&r, ev.start_mark, "expected a mapping of option names to values%s%s", "", "");
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&r.p);
	fclose(f);
	option_list_free(&opts);
	return r.errors;
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].value);
	free(c->e);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

size_t config_check_values(const struct config *c, const char *prog,
			   char *(*check)(int argc, char **argv), FILE *errf)
{
	size_t errors = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct config_entry *e = &c->e[i];
		size_t len = strlen(e->opt->name) + (e->value ? strlen(e->value) : 0) + 4;
		char *arg = malloc(len), *argv[3] = { (char *)prog, arg, NULL };
		if (!arg)
			abort();
		snprintf(arg, len, e->value ? "--%s=%s" : "--%s", e->opt->name, e->value);
		char *why = check(2, argv);
		if (why) {
			fprintf(errf, "%s:%u:%u: %s\n", c->path, e->line, e->col, why);
			errors++;
			free(why);
		}
		free(arg);
	}
	return errors;
}
