// SPDX-License-Identifier: GPL-2.0-only
/* vigil kinds, vigil fields [KIND]: what can be filtered (-k) and what rules can match. */
#include "listing.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kinds.h"
#include "policy/fields.h"

struct list_args {
	const char *kind;
	bool names; /* -n: names only (completion, scripts) */
	bool takes_kind;
};

static const struct argp_option list_options[] = {
	{ "names", 'n', NULL, 0, "Names only, one per line", 0 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct list_args *a = state->input;

	switch (key) {
	case 'n':
		a->names = true;
		return 0;
	case ARGP_KEY_ARG:
		if (a->kind || !a->takes_kind)
			argp_error(state, "unexpected argument '%s'", arg);
		if (!kind_by_name(arg))
			argp_error(state, "unknown event kind '%s' (vigil kinds lists them)", arg);
		a->kind = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp kinds_argp = {
	list_options, parse_opt, NULL,
	"The event kinds: what `vigil run -k KIND` shows and what a rule's `on:` names, with the "
	"sensor that produces each. Kinds marked 'on request' are not part of every run: name them "
	"with -k.\v"
	"Examples:\n"
	"  vigil kinds\n"
	"  vigil kinds -n",
	NULL, NULL, NULL,
};

static const struct argp fields_argp = {
	list_options, parse_opt, "[KIND]",
	"The fields a rule may test (docs/policy.md): name, type, whether the kernel decides it "
	"(kernel: the event is filtered before it reaches user space) and what it holds. With KIND, "
	"only the fields that kind carries.\v"
	"Examples:\n"
	"  vigil fields\n"
	"  vigil fields file.open",
	NULL, NULL, NULL,
};

int cmd_kinds(int argc, char **argv)
{
	struct list_args a = {};
	const struct kind_info *k;

	if (cli_parse(&kinds_argp, argc, argv, &a))
		return 2;
	if (!a.names)
		printf("%-18s %-10s %s\n", "KIND", "SENSOR", "");
	for (unsigned i = 0; (k = kind_at(i)); i++) {
		if (a.names)
			printf("%s\n", k->name);
		else
			printf("%-18s %-10s %s\n", k->name, k->sensor, k->on_request ? "on request" : "");
	}
	return 0;
}

int cmd_fields(int argc, char **argv)
{
	struct list_args a = { .takes_kind = true };
	const struct field_def *f;
	uint64_t bit = 0;

	if (cli_parse(&fields_argp, argc, argv, &a))
		return 2;
	if (a.kind)
		bit = KIND_BIT(kind_by_name(a.kind)->kind);
	if (!a.names)
		printf("%-26s %-8s %-6s %s\n", "FIELD", "TYPE", "KERNEL", "DESCRIPTION");
	for (unsigned i = 0; (f = field_at(i)); i++) {
		if (bit && f->kinds && !(f->kinds & bit))
			continue;
		if (a.names)
			printf("%s\n", f->name);
		else
			printf("%-26s %-8s %-6s %s\n", f->name, field_type_name(f->type),
			       f->kernel_field >= 0 ? "yes" : "", f->doc ? f->doc : "");
	}
	return 0;
}
