// SPDX-License-Identifier: GPL-2.0-only
/* vigil: one binary, one subcommand per job. */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "check/check.h"
#include "cli.h"
#include "listing.h"
#include "config/cmd.h"
#include "enforce/enforce.h"
#include "output/ch_schema.h"
#include "policy/cmd_policy.h"
#include "probe.h"
#include "sandbox/sandbox_cmd.h"
#include "teardown.h"
#include "tools/tool.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run the agent: stream security events" },
	{ "config", cmd_config, "check and show the configuration file (vigil run --config)" },
	{ "kinds", cmd_kinds, "list the event kinds (what -k and a rule's on: name)" },
	{ "fields", cmd_fields, "list the fields rules can test, per kind: vigil fields [KIND]" },
	{ "probe", cmd_probe, "show what this kernel offers (found by trying)" },
	{ "policy", cmd_policy, "check, explain and test rule files (lint, explain, test)" },
	{ "check", cmd_check, "audit BPF and kernel hardening; list every BPF program" },
	{ "sandbox", cmd_sandbox, "run a command under a seccomp profile (and Landlock)" },
	{ "block", cmd_block, "drop packets from source networks at XDP (add, del, list; pinned)" },
	{ "unpin", cmd_unpin, "lift the enforcement a `vigil run --pin` left in force" },
	{ "clickhouse-schema", cmd_clickhouse_schema, "print the ClickHouse table a clickhouse:// output writes to" },
	{ "seccomp", cmd_seccomp, "seccomp profiles: `vigil seccomp record` writes one from behaviour" },
};

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigil COMMAND [OPTION...]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nTools (views over the same sensors):\n");
	const struct tool *t;
	for (unsigned i = 0; (t = tool_at(i)); i++)
		fprintf(f, "  %-12s %s\n", t->name, t->summary);
	fprintf(f, "\n`vigil help NAME` (or `vigil NAME -h`) describes each; man vigil-NAME. vigil %s\n",
		VIGIL_VERSION);
}

/* The perf events the sensors leave are destroyed by a child after vigil exits (teardown.h). */
static int done(int rc)
{
	fflush(NULL);
	teardown_hand_off();
	return rc;
}

const char *argp_program_version = "vigil " VIGIL_VERSION; /* --version (-V) everywhere */

int main(int argc, char **argv)
{
	char prog[64];

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") && argc > 2) {
		/* vigil help NAME: NAME --help */
		char *help_argv[] = { argv[0], argv[2], "--help", NULL };
		if (strcmp(argv[2], "help"))
			return main(3, help_argv);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	if (argc > 2 && (!strcmp(argv[2], "--version") || !strcmp(argv[2], "-V")) &&
	    (tool_find(argv[1]) || command_find(argv[1]))) {
		printf("vigil %s\n", VIGIL_VERSION); /* NAME --version, whatever NAME parses */
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "-h"))
		argv[2] = "--help"; /* commands that read their first word themselves */
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* argp names the program from argv[0]: make usage lines read "vigil run" */
		snprintf(prog, sizeof(prog), "vigil %s", commands[i].name);
		argv[1] = prog;
		return done(commands[i].fn(argc - 1, argv + 1));
	}
	const struct tool *tool = tool_find(argv[1]);
	if (tool) {
		snprintf(prog, sizeof(prog), "vigil %s", tool->name);
		argv[1] = prog;
		return done(tool_main(tool, argc - 1, argv + 1));
	}
	fprintf(stderr, "vigil: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
