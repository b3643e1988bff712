// SPDX-License-Identifier: GPL-2.0-only
/* vigil policy lint|explain|test: for rule authors, no root needed. */
#include "policy/cmd_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "enforce/enforce.h"
#include "kinds.h"
#include "policy/alert.h"
#include "policy/kfilter.h"
#include "policy/policy.h"

struct policy_args {
	char **paths;
	size_t npaths;
	const char *events;
	bool json;
	bool bundled;
};

static error_t parse_policy_opt(int key, char *arg, struct argp_state *state)
{
	struct policy_args *a = state->input;

	switch (key) {
	case 'e':
		a->events = arg;
		return 0;
	case 'j':
		a->json = true;
		return 0;
	case 'b':
		a->bundled = true;
		return 0;
	case ARGP_KEY_ARG:
		a->paths = realloc(a->paths, (a->npaths + 1) * sizeof(*a->paths));
		if (!a->paths)
			abort();
		a->paths[a->npaths++] = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->npaths && !a->bundled)
			argp_error(state, "expected policy files or directories (or --bundled)");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* Loads and compiles; prints every error. Returns the number of errors. */
static size_t load(struct policy_set *ps, const struct policy_args *a)
{
	policy_init(ps);
	if (a->bundled)
		policy_add_bundled(ps);
	for (size_t i = 0; i < a->npaths; i++)
		policy_add_path(ps, a->paths[i]);
	policy_compile(ps);
	policy_print_errors(ps, stderr);
	return ps->nerrors;
}

static int lint(struct policy_args *a)
{
	struct policy_set ps;
	size_t errors = load(&ps, a), enabled = 0;

	for (size_t i = 0; i < ps.nrules; i++)
		enabled += ps.rules[i].enabled;
	if (errors)
		fprintf(stderr, "vigil: %zu error%s\n", errors, errors == 1 ? "" : "s");
	else
		printf("ok: %zu rules (%zu enabled), %zu lists, %zu macros in %zu files\n", ps.nrules,
		       enabled, ps.nlists, ps.nmacros, ps.nfiles);
	policy_free(&ps);
	return errors ? 1 : 0;
}

static int explain(struct policy_args *a)
{
	struct policy_set ps;
	struct filter *f = NULL;
	size_t nf = 0;
	char err[256];

	if (load(&ps, a)) {
		policy_free(&ps);
		return 1;
	}
	policy_explain(&ps, stdout);
	for (size_t i = 0; i < ps.nrules; i++) { /* as vigil run: the kernel's deny rules need no events */
		char why[256];
		struct pos at;
		ps.rules[i].in_kernel = enforce_class_in_kernel(enforce_classify(&ps.rules[i], why, sizeof(why), &at));
	}
	if (!policy_kernel_filters(&ps, &f, &nf, err, sizeof(err)))
		printf("\nkernel filter: %zu distinct term%s for %zu rules (one table lookup per field per event, whatever the number of rules)\n",
		       nf, nf == 1 ? "" : "s", ps.nrules);
	free(f);
	policy_free(&ps);
	return 0;
}

/* Replays recorded events (JSON lines, as `vigil run` writes them) through the rules. */
static int replay(struct policy_args *a)
{
	struct policy_set ps;
	FILE *in;
	char *line = NULL;
	size_t cap = 0, lineno = 0, matched = 0, events = 0;
	ssize_t n;
	int rc = 0;

	if (!a->events) {
		fprintf(stderr, "vigil: policy test needs --events FILE.jsonl\n");
		return 2;
	}
	if (load(&ps, a)) {
		policy_free(&ps);
		return 1;
	}
	in = strcmp(a->events, "-") ? fopen(a->events, "re") : stdin;
	if (!in) {
		fprintf(stderr, "vigil: cannot read %s: %s\n", a->events, strerror(errno));
		policy_free(&ps);
		return 1;
	}
	struct sbuf b = {};
	struct out o;
	out_init(&o, &b, a->json ? OUT_JSON : OUT_TEXT);
	while ((n = getline(&line, &cap, in)) > 0) {
		json_error_t jerr;
		lineno++;
		if (n == 1 && line[0] == '\n')
			continue;
		json_t *ev = json_loadb(line, (size_t)n, 0, &jerr);
		if (!ev || !json_is_object(ev)) {
			fprintf(stderr, "%s:%zu:%d: not a JSON event: %s\n", a->events, lineno, jerr.column,
				ev ? "expected an object" : jerr.text);
			json_decref(ev);
			rc = 1;
			continue;
		}
		const struct kind_info *k = kind_by_name(json_string_value(json_object_get(ev, "kind")) ?: "");
		events++;
		if (k) {
			while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			matched += policy_alerts(&ps, k->kind, ev, line, (size_t)n, &o);
			fwrite(b.p, 1, b.len, stdout);
			sbuf_reset(&b);
		}
		json_decref(ev);
	}
	fprintf(stderr, "vigil: %zu events, %zu alerts\n", events, matched);
	free(line);
	sbuf_free(&b);
	if (in != stdin)
		fclose(in);
	policy_free(&ps);
	return rc;
}

static const struct argp_option options[] = {
	{ "events", 'e', "FILE", 0, "test: recorded events, JSON lines ('-' for stdin)", 0 },
	{ "json", 'j', NULL, 0, "test: alerts as JSON (default: text)", 0 },
	{ "bundled", 'b', NULL, 0, "Include the bundled default library", 0 },
	{},
};

int cmd_policy(int argc, char **argv)
{
	static const struct {
		const char *verb;
		int (*fn)(struct policy_args *a);
		const char *doc;
	} verbs[] = {
		{ "lint", lint, "Check policy files: every error as file:line:col, exit 1 if any.\v"
				"Examples:\n  vigil policy lint policies/\n  vigil policy lint my-rules.yaml --bundled" },
		{ "explain", explain, "Show, per rule, what the kernel decides and what user space decides.\v"
				      "Example:\n  vigil policy explain --bundled" },
		{ "test", replay, "Replay recorded events through the rules and print the alerts.\v"
				  "Example:\n  vigil run -o events.jsonl -d 60 -k process.exec\n"
				  "  vigil policy test my-rules.yaml --events events.jsonl" },
	};
	char prog[64];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "Usage: vigil policy lint|explain|test [OPTION...] FILE|DIR...\n");
		for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
			fprintf(f, "  %-8s %.*s\n", verbs[i].verb, (int)strcspn(verbs[i].doc, "\v"), verbs[i].doc);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb))
			continue;
		const struct argp argp = { options, parse_policy_opt, "FILE|DIR...", verbs[i].doc,
					   NULL, NULL, NULL };
		struct policy_args a = {};
		snprintf(prog, sizeof(prog), "vigil policy %s", verbs[i].verb);
		argv[1] = prog;
		if (cli_parse(&argp, argc - 1, argv + 1, &a)) {
			free(a.paths);
			return 2;
		}
		int rc = verbs[i].fn(&a);
		free(a.paths);
		return rc;
	}
	fprintf(stderr, "vigil: unknown policy command '%s' (expected lint, explain or test)\n", argv[1]);
	return 2;
}
