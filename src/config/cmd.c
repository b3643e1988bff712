// SPDX-License-Identifier: GPL-2.0-only
/* vigil config check [FILE] | show [FILE] [-- RUN-OPTION...] */
#include "config/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "cli.h"
#include "config/config.h"

struct config_args {
	const char *action;
	const char *file;
	int rest; /* index in argv of the first run option after "--" */
	bool file_given;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct config_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		if (!a->action) {
			if (strcmp(arg, "check") && strcmp(arg, "show"))
				argp_error(state, "unknown action '%s' (expected check or show)", arg);
			a->action = arg;
		} else if (!a->file_given) {
			a->file = arg;
			a->file_given = true;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		return 0;
	case ARGP_KEY_END:
		if (!a->action)
			argp_error(state, "expected an action: check or show");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp config_argp = {
	NULL, parse_opt, "check [FILE]\nshow [FILE] [-- RUN-OPTION...]",
	"The configuration file of `vigil run --config FILE` (vigil.yaml(5)): its keys are `vigil "
	"run`'s long options, a switch takes true or false, a list repeats the option. FILE is "
	CONFIG_DEFAULT_PATH " unless given.\v"
	"check: reads FILE and reports every problem as FILE:LINE:COLUMN (unknown keys with the "
	"closest option name, bad values with the option's own message); exit 0 if it is valid, 1 "
	"otherwise.\n"
	"show: prints the effective configuration as YAML: FILE's values, replaced per key by any "
	"`vigil run` options given after `--`, each with where it came from.\n\n"
	"Examples:\n"
	"  vigil config check\n"
	"  vigil config check ./vigil.yaml\n"
	"  vigil config show /etc/vigil/vigil.yaml -- --uid 1000",
	NULL, NULL, NULL,
};

int cmd_config(int argc, char **argv)
{
	struct config_args a = { .file = CONFIG_DEFAULT_PATH };
	struct option_list opts = {};
	struct config c = {};
	int dashdash = argc, rc = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	if (cli_parse(&config_argp, dashdash, argv, &a))
		return 2;
	if (!strcmp(a.action, "check") && dashdash < argc) {
		fprintf(stderr, "vigil config: check takes no run options\n");
		return 2;
	}
	option_list_collect(run_argp_get(), &opts);
	bool exists = a.file_given || access(a.file, F_OK) == 0;
	size_t errors = 0;
	if (exists) {
		errors = config_load(&c, a.file, run_argp_get(), "config", stderr);
		if (c.n) {
			char *prog = "vigil run";
			errors += config_check_values(&c, prog, run_check_args, stderr);
		}
	}
	if (!strcmp(a.action, "check")) {
		if (!exists) {
			fprintf(stderr, "%s: no such file\n", a.file);
			rc = 1;
		} else if (errors) {
			fprintf(stderr, "vigil: %s: %zu problem%s\n", a.file, errors, errors == 1 ? "" : "s");
			rc = 1;
		} else {
			printf("%s: valid (%zu value%s)\n", a.file, c.n, c.n == 1 ? "" : "s");
		}
	} else if (errors) {
		fprintf(stderr, "vigil: %s has errors (above)\n", a.file);
		rc = 1;
	} else {
		/* the run options after "--", as `vigil run` would see them */
		char *run_argv[argc - dashdash + 1];
		int n = 0;
		run_argv[n++] = "vigil run";
		for (int i = dashdash + 1; i < argc; i++)
			run_argv[n++] = argv[i];
		char *why = n > 1 ? run_check_args(n, run_argv) : NULL;
		if (why) {
			fprintf(stderr, "vigil config: %s\n", why);
			rc = 2;
		} else {
			if (!exists)
				c.path = NULL;
			config_show(stdout, &c, &opts, n, run_argv);
		}
		free(why);
	}
	config_free(&c);
	option_list_free(&opts);
	return rc;
}
