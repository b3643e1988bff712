// SPDX-License-Identifier: GPL-2.0-only
/* Policy files: YAML (libyaml's document API, which keeps every node's position) to rules,
 * lists and macros, with an error for everything unexpected. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "kinds.h"
#include "policy/policy.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		abort();
	return q;
}

void policy_init(struct policy_set *ps)
{
	memset(ps, 0, sizeof(*ps));
}

struct node *policy_node(struct policy_set *ps, enum node_type t)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	n->type = t;
	if (ps->nnodes == ps->cap_nodes) {
		ps->cap_nodes = ps->cap_nodes ? ps->cap_nodes * 2 : 64;
		ps->nodes = xrealloc(ps->nodes, ps->cap_nodes * sizeof(*ps->nodes));
	}
	ps->nodes[ps->nnodes++] = n;
	return n;
}

void policy_error(struct policy_set *ps, struct pos pos, const char *fmt, ...)
{
	va_list ap;

	ps->errors = xrealloc(ps->errors, (ps->nerrors + 1) * sizeof(*ps->errors));
	struct policy_error *e = &ps->errors[ps->nerrors++];
	e->pos = pos;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void policy_print_errors(const struct policy_set *ps, FILE *f)
{
	for (size_t i = 0; i < ps->nerrors; i++)
		fprintf(f, "%s:%d:%d: %s\n", ps->errors[i].pos.file, ps->errors[i].pos.line,
			ps->errors[i].pos.col, ps->errors[i].msg);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void policy_free(struct policy_set *ps)
{
	for (size_t i = 0; i < ps->nrules; i++) {
		struct rule *r = &ps->rules[i];
		free(r->name);
		free(r->description);
		free(r->when);
		free(r->output);
		free_strv(r->tags, r->ntags);
	}
	free(ps->rules);
	for (size_t i = 0; i < ps->nlists; i++) {
		free(ps->lists[i].name);
		free_strv(ps->lists[i].items, ps->lists[i].nitems);
	}
	free(ps->lists);
	for (size_t i = 0; i < ps->nmacros; i++) {
		free(ps->macros[i].name);
		free(ps->macros[i].condition);
	}
	free(ps->macros);
	for (size_t i = 0; i < ps->nnodes; i++) {
		struct node *n = ps->nodes[i];
		for (size_t j = 0; j < n->nvals; j++)
			free(n->vals[j].s);
		free(n->vals);
		free(n);
	}
	free(ps->nodes);
	free_strv(ps->files, ps->nfiles);
	free(ps->errors);
	memset(ps, 0, sizeof(*ps));
}

/* ---- YAML helpers ---- */

struct doc {
	struct policy_set *ps;
	yaml_document_t *d;
	const char *file;
	const char *text;
	size_t len;
};

static struct pos node_pos(const struct doc *d, const yaml_node_t *n)
{
	return (struct pos){ d->file, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1 };
}

/* Where a scalar's text really starts: after a quote, or on the line after | and >. */
static struct pos content_pos(const struct doc *d, const yaml_node_t *n)
{
	struct pos p = node_pos(d, n);
	size_t i = n->start_mark.index;

	switch (n->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		p.col++;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		while (i < d->len && d->text[i] != '\n')
			i++;
		p.line++;
		p.col = 1;
		for (i++; i < d->len && d->text[i] == ' '; i++)
			p.col++;
		break;
	default:
		break;
	}
	return p;
}

/*
 * A condition's text as the parser should see it. Plain and block scalars are taken from the
 * source itself (the grammar treats line breaks as spaces, so folding changes nothing), which
 * keeps every token at its real line and column; quoted ones use their value, after the quote.
 */
static char *condition_text(const struct doc *d, const yaml_node_t *n, struct pos *pos)
{
	size_t start = n->start_mark.index, end = n->end_mark.index;

	*pos = content_pos(d, n);
	switch (n->data.scalar.style) {
	case YAML_PLAIN_SCALAR_STYLE:
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		while (start < end && d->text[start] != '\n')
			start++;
		if (start < end)
			start++;
		/* keep the indentation: columns then count from the line's start */
		pos->col = 1;
		break;
	default:
		return strdup((const char *)n->data.scalar.value);
	}
	if (end > d->len || start > end)
		return strdup((const char *)n->data.scalar.value);
	char *t = malloc(end - start + 1);
	if (!t)
		abort();
	memcpy(t, d->text + start, end - start);
	t[end - start] = '\0';
	return t;
}

static yaml_node_t *get(const struct doc *d, int id)
{
	return yaml_document_get_node(d->d, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *type_word(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static char *want_scalar(struct doc *d, yaml_node_t *n, const char *what)
{
	const char *s = scalar(n);

	if (!s) {
		policy_error(d->ps, node_pos(d, n), "expected %s as a string, found %s", what, type_word(n));
		return NULL;
	}
	return strdup(s);
}

/* A scalar or a sequence of scalars, as a vector. */
static char **want_strings(struct doc *d, yaml_node_t *n, const char *what, size_t *count,
			   bool allow_single)
{
	char **v = NULL;

	*count = 0;
	if (allow_single && n->type == YAML_SCALAR_NODE) {
		v = xrealloc(NULL, sizeof(*v));
		v[0] = strdup(scalar(n));
		*count = 1;
		return v;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		policy_error(d->ps, node_pos(d, n), "expected %s as a list, found %s", what, type_word(n));
		return NULL;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = get(d, *it);
		char *s = want_scalar(d, item, what);
		if (!s) {
			free_strv(v, *count);
			*count = 0;
			return NULL;
		}
		v = xrealloc(v, (*count + 1) * sizeof(*v));
		v[(*count)++] = s;
	}
	return v;
}

/* ---- lists and macros ---- */

static struct pos *find_defined(struct policy_set *ps, const char *kind, const char *name)
{
	if (!strcmp(kind, "list")) {
		for (size_t i = 0; i < ps->nlists; i++)
			if (!strcmp(ps->lists[i].name, name))
				return &ps->lists[i].pos;
	} else if (!strcmp(kind, "macro")) {
		for (size_t i = 0; i < ps->nmacros; i++)
			if (!strcmp(ps->macros[i].name, name))
				return &ps->macros[i].pos;
	} else {
		for (size_t i = 0; i < ps->nrules; i++)
			if (ps->rules[i].name && !strcmp(ps->rules[i].name, name))
				return &ps->rules[i].pos;
	}
	return NULL;
}

static bool check_unique(struct doc *d, const char *kind, const char *name, struct pos at)
{
	struct pos *first = find_defined(d->ps, kind, name);

	if (!first)
		return true;
	policy_error(d->ps, at, "duplicate %s name '%s' (first defined at %s:%d:%d)", kind, name,
		     first->file, first->line, first->col);
	return false;
}

static void load_lists(struct doc *d, yaml_node_t *n)
{
	if (n->type != YAML_MAPPING_NODE) {
		policy_error(d->ps, node_pos(d, n), "expected 'lists' to map names to lists of values, found %s",
			     type_word(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = get(d, p->key), *v = get(d, p->value);
		char *name = want_scalar(d, k, "a list name");
		size_t count;
		if (!name)
			continue;
		if (!check_unique(d, "list", name, node_pos(d, k))) {
			free(name);
			continue;
		}
		char **items = want_strings(d, v, "the list's values", &count, false);
		if (!items && count == 0 && v->type != YAML_SEQUENCE_NODE) {
			free(name);
			continue;
		}
		struct policy_set *ps = d->ps;
		ps->lists = xrealloc(ps->lists, (ps->nlists + 1) * sizeof(*ps->lists));
		ps->lists[ps->nlists++] = (struct named_list){ name, items, count, node_pos(d, k) };
	}
}

static void load_macros(struct doc *d, yaml_node_t *n)
{
	if (n->type != YAML_MAPPING_NODE) {
		policy_error(d->ps, node_pos(d, n), "expected 'macros' to map names to conditions, found %s",
			     type_word(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = get(d, p->key), *v = get(d, p->value);
		char *name = want_scalar(d, k, "a macro name");
		if (!name)
			continue;
		if (field_find(name)) {
			policy_error(d->ps, node_pos(d, k), "macro name '%s' is a field name", name);
			free(name);
			continue;
		}
		if (!check_unique(d, "macro", name, node_pos(d, k))) {
			free(name);
			continue;
		}
		char *checked = want_scalar(d, v, "the macro's condition");
		if (!checked) {
			free(name);
			continue;
		}
		free(checked);
		struct pos cpos;
		char *cond = condition_text(d, v, &cpos);
		struct policy_set *ps = d->ps;
		ps->macros = xrealloc(ps->macros, (ps->nmacros + 1) * sizeof(*ps->macros));
		ps->macros[ps->nmacros++] = (struct macro){ .name = name, .condition = cond,
							     .pos = node_pos(d, k), .cond_pos = cpos };
	}
}

/* ---- rules ---- */

static const char *const severities[] = { "info", "low", "medium", "high", "critical" };
static const char *const actions[] = { "alert", "deny", "kill" };
static const char *const modes[] = { "monitor", "enforce" };

const char *severity_name(enum severity s)
{
	return severities[s];
}

const char *action_name(enum action a)
{
	return actions[a];
}

const char *mode_name(enum mode m)
{
	return modes[m];
}

static int pick(struct doc *d, yaml_node_t *n, const char *what, const char *const *names, int count)
{
	const char *s = scalar(n);
	char list[128] = "";

	for (int i = 0; s && i < count; i++)
		if (!strcmp(s, names[i]))
			return i;
	for (int i = 0; i < count; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", names[i]);
	policy_error(d->ps, node_pos(d, n), "expected %s to be one of %s, found %s%s%s", what, list,
		     s ? "'" : "", s ? s : type_word(n), s ? "'" : "");
	return -1;
}

static void known_kinds(char *buf, size_t len)
{
	const struct kind_info *k;

	buf[0] = '\0';
	for (unsigned i = 0; (k = kind_at(i)); i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", k->name);
}

/* Exceptions become "not ((f1 == v1 and f2 == v2) or ...)", ANDed to the condition later. */
static struct node *load_exceptions(struct doc *d, yaml_node_t *n, size_t *count)
{
	struct policy_set *ps = d->ps;
	struct node *any = NULL;

	*count = 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		policy_error(ps, node_pos(d, n), "expected 'exceptions' as a list, found %s", type_word(n));
		return NULL;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = get(d, *it), *fields_n = NULL, *values_n = NULL, *name_n = NULL;
		if (e->type != YAML_MAPPING_NODE) {
			policy_error(ps, node_pos(d, e), "expected an exception as a mapping with name, fields and values, found %s",
				     type_word(e));
			continue;
		}
		for (yaml_node_pair_t *p = e->data.mapping.pairs.start; p < e->data.mapping.pairs.top; p++) {
			const char *k = scalar(get(d, p->key));
			if (k && !strcmp(k, "name"))
				name_n = get(d, p->value);
			else if (k && !strcmp(k, "fields"))
				fields_n = get(d, p->value);
			else if (k && !strcmp(k, "values"))
				values_n = get(d, p->value);
			else
				policy_error(ps, node_pos(d, get(d, p->key)),
					     "unknown key '%s' in an exception (expected name, fields, values)",
					     k ? k : "?");
		}
		if (!name_n || !fields_n || !values_n) {
			policy_error(ps, node_pos(d, e), "an exception needs %s",
				     !name_n ? "a name" : !fields_n ? "'fields'" : "'values'");
			continue;
		}
		size_t nf;
		char **fnames = want_strings(d, fields_n, "the exception's fields", &nf, false);
		const struct field_def *defs[16];
		bool ok = fnames && nf > 0 && nf <= 16;
		if (fnames && (nf == 0 || nf > 16))
			policy_error(ps, node_pos(d, fields_n), "an exception names 1 to 16 fields, found %zu", nf);
		for (size_t i = 0; ok && i < nf; i++) {
			defs[i] = field_find(fnames[i]);
			if (!defs[i]) {
				policy_error(ps, node_pos(d, fields_n), "unknown field '%s' in the exception's fields",
					     fnames[i]);
				ok = false;
			}
		}
		if (ok && values_n->type != YAML_SEQUENCE_NODE) {
			policy_error(ps, node_pos(d, values_n), "expected the exception's values as a list of tuples, found %s",
				     type_word(values_n));
			ok = false;
		}
		for (yaml_node_item_t *vt = ok ? values_n->data.sequence.items.start : NULL;
		     ok && vt < values_n->data.sequence.items.top; vt++) {
			yaml_node_t *tuple = get(d, *vt);
			size_t nv;
			char **vals = want_strings(d, tuple, "an exception tuple", &nv, nf == 1);
			if (!vals)
				continue;
			if (nv != nf) {
				policy_error(ps, node_pos(d, tuple), "expected %zu values (one per field), found %zu",
					     nf, nv);
				free_strv(vals, nv);
				continue;
			}
			struct node *all = NULL;
			for (size_t i = 0; i < nf; i++) {
				yaml_node_t *vn = tuple->type == YAML_SEQUENCE_NODE ?
					get(d, tuple->data.sequence.items.start[i]) : tuple;
				struct node *pred = policy_make_eq(ps, defs[i], vals[i], content_pos(d, vn));
				if (!pred)
					continue;
				if (all) {
					struct node *a = policy_node(ps, N_AND);
					a->l = all;
					a->r = pred;
					all = a;
				} else {
					all = pred;
				}
			}
			free_strv(vals, nv);
			if (!all)
				continue;
			if (any) {
				struct node *o = policy_node(ps, N_OR);
				o->l = any;
				o->r = all;
				any = o;
			} else {
				any = all;
			}
			(*count)++;
		}
		free_strv(fnames, nf);
	}
	return any;
}

static const char *const rule_keys[] = {
	"name", "description", "on", "when", "severity", "tags", "output", "enabled", "action",
	"mode", "exceptions",
};

static void load_rule(struct doc *d, yaml_node_t *n)
{
	struct policy_set *ps = d->ps;
	struct rule r = { .severity = SEV_MEDIUM, .enabled = true, .action = ACT_ALERT,
			  .mode = MODE_MONITOR, .pos = node_pos(d, n) };
	yaml_node_t *when_n = NULL, *on_n = NULL;
	struct node *exc = NULL;
	size_t errors = ps->nerrors;
	bool mode_given = false;

	if (n->type != YAML_MAPPING_NODE) {
		policy_error(ps, node_pos(d, n), "expected a rule as a mapping (name, on, when, ...), found %s",
			     type_word(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = get(d, p->key), *v = get(d, p->value);
		const char *k = scalar(kn);
		int which = -1;
		for (size_t i = 0; k && i < sizeof(rule_keys) / sizeof(rule_keys[0]); i++)
			if (!strcmp(k, rule_keys[i]))
				which = (int)i;
		switch (which) {
		case 0: free(r.name); r.name = want_scalar(d, v, "the rule's name"); break;
		case 1: free(r.description); r.description = want_scalar(d, v, "the description"); break;
		case 2: on_n = v; break;
		case 3: when_n = v; break;
		case 4: { int s = pick(d, v, "severity", severities, 5); if (s >= 0) r.severity = s; break; }
		case 5: free_strv(r.tags, r.ntags); r.tags = want_strings(d, v, "tags", &r.ntags, false); break;
		case 6:
			free(r.output);
			r.output = want_scalar(d, v, "the output");
			r.output_pos = content_pos(d, v);
			break;
		case 7: {
			int b = pick(d, v, "enabled", (const char *const[]){ "false", "true" }, 2);
			if (b >= 0)
				r.enabled = b;
			break;
		}
		case 8: { int a = pick(d, v, "action", actions, 3); if (a >= 0) r.action = a; break; }
		case 9: {
			int m = pick(d, v, "mode", modes, 2);
			if (m >= 0) {
				r.mode = m;
				mode_given = true;
			}
			break;
		}
		case 10: exc = load_exceptions(d, v, &r.nexceptions); break;
		default:
			policy_error(ps, node_pos(d, kn), "unknown key '%s' in a rule (expected one of: name, description, on, when, severity, tags, output, enabled, action, mode, exceptions)",
				     k ? k : "?");
		}
	}
	if (!r.name && ps->nerrors == errors)
		policy_error(ps, r.pos, "a rule needs a 'name'");
	if (r.name && !*r.name)
		policy_error(ps, r.pos, "a rule's name cannot be empty");
	if (r.name && !check_unique(d, "rule", r.name, r.pos)) {
		free(r.name);
		r.name = NULL;
	}
	if (!on_n)
		policy_error(ps, r.pos, "rule '%s' needs 'on': the event kinds it applies to", r.name ? r.name : "?");
	if (!when_n)
		policy_error(ps, r.pos, "rule '%s' needs 'when': its condition", r.name ? r.name : "?");
	if (on_n) {
		size_t nk;
		char **kinds = want_strings(d, on_n, "'on'", &nk, true);
		for (size_t i = 0; i < nk; i++) {
			const struct kind_info *k = kind_by_name(kinds[i]);
			if (!k) {
				char known[512];
				known_kinds(known, sizeof(known));
				policy_error(ps, node_pos(d, on_n), "unknown event kind '%s' in 'on' (known: %s)",
					     kinds[i], known);
				continue;
			}
			r.kinds |= KIND_BIT(k->kind);
		}
		if (!nk && on_n->type == YAML_SEQUENCE_NODE)
			policy_error(ps, node_pos(d, on_n), "'on' names no event kind");
		free_strv(kinds, nk);
	}
	if (when_n) {
		/* parsed in policy_compile, once every list and macro is known */
		char *checked = want_scalar(d, when_n, "the condition ('when')");
		if (checked) {
			free(checked);
			r.when = condition_text(d, when_n, &r.when_pos);
		}
	}
	r.exc = exc;
	if (!mode_given && r.action != ACT_ALERT)
		r.mode = MODE_ENFORCE;
	if (!r.output && r.name)
		r.output = strdup(r.name);
	if (!r.description)
		r.description = strdup("");
	/* folded and literal blocks end with a newline that is not part of the text */
	for (size_t l = strlen(r.description); l && (r.description[l - 1] == '\n' || r.description[l - 1] == ' ');)
		r.description[--l] = '\0';
	ps->rules = xrealloc(ps->rules, (ps->nrules + 1) * sizeof(*ps->rules));
	ps->rules[ps->nrules++] = r;
	if (!r.name || !r.when || !r.kinds) /* unusable: compile skips it */
		ps->rules[ps->nrules - 1].enabled = false, ps->rules[ps->nrules - 1].kinds = 0;
}

static void load_document(struct doc *d, yaml_node_t *root)
{
	if (root->type != YAML_MAPPING_NODE) {
		policy_error(d->ps, node_pos(d, root), "expected a policy: a mapping with 'rules', 'lists' and 'macros', found %s",
			     type_word(root));
		return;
	}
	/* lists and macros first, whatever their order in the file */
	for (int pass = 0; pass < 2; pass++) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = get(d, p->key), *v = get(d, p->value);
			const char *k = scalar(kn);
			if (pass == 0 && k && !strcmp(k, "lists"))
				load_lists(d, v);
			else if (pass == 0 && k && !strcmp(k, "macros"))
				load_macros(d, v);
			else if (pass == 1 && k && !strcmp(k, "rules")) {
				if (v->type != YAML_SEQUENCE_NODE) {
					policy_error(d->ps, node_pos(d, v), "expected 'rules' as a list of rules, found %s",
						     type_word(v));
					continue;
				}
				for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
					load_rule(d, get(d, *it));
			} else if (pass == 0 && (!k || (strcmp(k, "lists") && strcmp(k, "macros") && strcmp(k, "rules"))))
				policy_error(d->ps, node_pos(d, kn), "unknown key '%s' at the top of a policy (expected rules, lists, macros)",
					     k ? k : "?");
		}
	}
}

const char *policy_file_name(struct policy_set *ps, const char *name)
{
	for (size_t i = 0; i < ps->nfiles; i++)
		if (!strcmp(ps->files[i], name))
			return ps->files[i];
	ps->files = xrealloc(ps->files, (ps->nfiles + 1) * sizeof(*ps->files));
	ps->files[ps->nfiles++] = strdup(name);
	return ps->files[ps->nfiles - 1];
}

void policy_add_text(struct policy_set *ps, const char *name, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct doc d = { .ps = ps, .text = text, .len = len };

	d.file = policy_file_name(ps, name);
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			struct pos p = { d.file, (int)parser.problem_mark.line + 1,
					 (int)parser.problem_mark.column + 1 };
			policy_error(ps, p, "invalid YAML: %s%s%s", parser.problem ? parser.problem : "error",
				     parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		d.d = &doc;
		load_document(&d, root);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
}

static int read_all(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (16u << 20)) {
				free(buf);
				fclose(f);
				return -EFBIG;
			}
			buf = xrealloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	int err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*text = buf;
	*len = n;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void policy_add_path(struct policy_set *ps, const char *path)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (stat(path, &st)) {
		int e = errno;
		policy_error(ps, (struct pos){ policy_file_name(ps, path), 0, 0 }, "cannot read: %s", strerror(e));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *dir = opendir(path);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0;
		while (dir && (e = readdir(dir))) {
			size_t l = strlen(e->d_name);
			if ((l > 5 && !strcmp(e->d_name + l - 5, ".yaml")) ||
			    (l > 4 && !strcmp(e->d_name + l - 4, ".yml"))) {
				names = xrealloc(names, (n + 1) * sizeof(*names));
				if (asprintf(&names[n++], "%s/%s", path, e->d_name) < 0)
					abort();
			}
		}
		if (dir)
			closedir(dir);
		qsort(names, n, sizeof(*names), by_name);
		for (size_t i = 0; i < n; i++)
			policy_add_path(ps, names[i]);
		free_strv(names, n);
		return;
	}
	rc = read_all(path, &text, &len);
	if (rc) {
		policy_error(ps, (struct pos){ policy_file_name(ps, path), 0, 0 }, "cannot read: %s", strerror(-rc));
		return;
	}
	policy_add_text(ps, path, text, len);
	free(text);
}
