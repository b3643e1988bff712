// SPDX-License-Identifier: GPL-2.0-only
/* vigil seccomp VERB: the verbs of the profile tools. */
#include <stdio.h>
#include <string.h>

#include "sandbox/recorder.h"
#include "sandbox/sandbox_cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "record", cmd_seccomp_record, "run a command and write the seccomp profile it needs" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigil seccomp VERB [OPTION...]\n\nVerbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\n`vigil seccomp VERB --help` describes each; `vigil sandbox` runs a profile.\n");
}

int cmd_seccomp(int argc, char **argv)
{
	static char prog[64];

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name))
			continue;
		snprintf(prog, sizeof(prog), "vigil seccomp %s", verbs[i].name);
		argv[1] = prog;
		return verbs[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "vigil: unknown seccomp verb '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
