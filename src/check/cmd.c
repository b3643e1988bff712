// SPDX-License-Identifier: GPL-2.0-only
/* vigil check: the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "check/inventory.h"
#include "check/report.h"
#include "cli.h"

/* What --fail-on finds is neither a usage error (2) nor a run-time error (1). */
#define EXIT_FINDINGS 3
#define DEFAULT_SYSCTL_FILE "/etc/sysctl.d/90-vigil-hardening.conf"

/* --only and --fail-on have no letters: -o is an output file and -f a format elsewhere */
enum { OPT_NO_INVENTORY = 0x100, OPT_SYSCTL_FILE, OPT_APPLY, OPT_LIST, OPT_FAIL_ON, OPT_ONLY };

struct check_args {
	bool json, fix, apply, no_inventory, list;
	bool fail_on_set;
	enum check_severity fail_on;
	const char *root;
	const char *only;
	const char *sysctl_file;
};

/* Every id in a comma-separated list must name a check. */
static int validate_only(const char *list, char *err, size_t errlen)
{
	char id[128];

	for (;;) { /* an empty list or an empty item names no check */
		size_t n = strcspn(list, ",");
		snprintf(id, sizeof(id), "%.*s", (int)n, list);
		if (!check_find(id)) {
			snprintf(err, errlen, "no check named '%s' (vigil check --list names them)", id);
			return -1;
		}
		list += n;
		if (*list != ',')
			return 0;
		list++;
	}
}

static bool in_only(const char *list, const char *id)
{
	size_t l = strlen(id);

	if (!list)
		return true;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (n == l && !strncmp(p, id, n))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

static error_t parse_check_opt(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;
	struct stat st;
	char err[256];

	switch (key) {
	case 'j':
		a->json = true;
		return 0;
	case OPT_FAIL_ON:
		if (check_severity_parse(arg, &a->fail_on))
			cli_bad_value(state, "--fail-on", "expected low, medium or high");
		a->fail_on_set = true;
		return 0;
	case 'x':
		a->fix = true;
		return 0;
	case OPT_APPLY:
		a->apply = true;
		return 0;
	case 'r':
		if (stat(arg, &st) || !S_ISDIR(st.st_mode))
			cli_bad_value(state, "--root", "not a directory");
		a->root = arg;
		return 0;
	case OPT_ONLY:
		if (validate_only(arg, err, sizeof(err)))
			cli_bad_value(state, "--only", err);
		a->only = arg;
		return 0;
	case OPT_NO_INVENTORY:
		a->no_inventory = true;
		return 0;
	case OPT_LIST:
		a->list = true;
		return 0;
	case OPT_SYSCTL_FILE:
		if (arg[0] != '/')
			cli_bad_value(state, "--sysctl-file", "expected an absolute path");
		a->sysctl_file = arg;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	case ARGP_KEY_END:
		if (a->apply && !a->fix)
			argp_error(state, "--apply changes the host only together with --fix");
		if (a->fix && a->json)
			argp_error(state, "--fix prints a shell script: not with --json");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* securityfs holds the lockdown mode and the LSM list; mount it if this host has not. */
static void ensure_securityfs(const char *root)
{
	if (strcmp(root, "/") || geteuid() != 0 || access("/sys/kernel/security/lsm", F_OK) == 0)
		return;
	(void)mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
}

static size_t run_checks(const struct check_ctx *ctx, const char *only, struct check_result *r)
{
	size_t n = 0;

	for (size_t i = 0; i < check_count; i++)
		if (in_only(only, check_table[i].id))
			check_run(ctx, &check_table[i], &r[n++]);
	return n;
}

static int report(const struct check_args *a, const struct check_result *r, size_t n)
{
	const char *no_color = getenv("NO_COLOR"); /* no-color.org: set and not empty */
	bool color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
	bool want_inv = !a->no_inventory && !strcmp(a->root, "/");
	struct inventory inv = {};
	char err[256] = "";
	int rc = 0;

	if (want_inv && inventory_collect(&inv, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		rc = 1;
		want_inv = false;
	}
	if (a->json) {
		struct sbuf b = {};
		struct out o;
		out_init(&o, &b, OUT_JSON);
		out_begin(&o);
		out_str(&o, "root", a->root);
		check_write_json(r, n, &o);
		if (want_inv) {
			out_obj(&o, "inventory");
			inventory_write_json(&inv, &o);
			out_obj_end(&o);
		} else {
			out_null(&o, "inventory");
		}
		out_end(&o);
		fwrite(b.p, 1, b.len, stdout);
		sbuf_free(&b);
	} else {
		check_print_table(r, n, a->root, color);
		if (want_inv)
			inventory_print_table(&inv, color);
		else if (!a->no_inventory && !rc)
			printf("\nBPF inventory: not taken (--root reads files; BPF objects live in the "
			       "running kernel)\n");
	}
	inventory_free(&inv);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	static const struct argp_option options[] = {
		{ "json", 'j', NULL, 0, "Print one JSON object instead of tables", 0 },
		{ "fail-on", OPT_FAIL_ON, "SEVERITY", 0,
		  "Exit 3 if a check of at least SEVERITY (low, medium, high) warns or fails", 0 },
		{ "fix", 'x', NULL, 0,
		  "Print the commands that fix what warns or fails (sysctl lines and a sysctl.d file); "
		  "changes nothing", 0 },
		{ "apply", OPT_APPLY, NULL, 0, "With --fix: carry the sysctl fixes out, now and at boot", 0 },
		{ "sysctl-file", OPT_SYSCTL_FILE, "PATH", 0,
		  "The sysctl.d file --fix writes (default " DEFAULT_SYSCTL_FILE ")", 0 },
		{ "root", 'r', "DIR", 0,
		  "Read /proc and /sys under DIR (an image, a container's root); no BPF inventory", 0 },
		{ "only", OPT_ONLY, "ID[,ID...]", 0, "Run only these checks", 0 },
		{ "no-inventory", OPT_NO_INVENTORY, NULL, 0, "Skip the BPF programs, maps and links", 0 },
		{ "list", OPT_LIST, NULL, 0, "List the checks (id, severity, recommended) and exit", 0 },
		{},
	};
	static const struct argp argp = {
		options, parse_check_opt, NULL,
		"Audit the kernel's BPF and hardening settings, and list every BPF program, map and "
		"link loaded, flagging those that are not vigil's.\v"
		"Exit status: 0, 1 on a run-time error, 2 on a usage error, 3 when --fail-on finds a "
		"check at or above its severity that warns or fails.\n\n"
		"Examples:\n"
		"  vigil check\n"
		"  vigil check --json | jq '.checks[] | select(.status != \"pass\")'\n"
		"  vigil check --no-inventory --fail-on high      # in CI\n"
		"  vigil check --fix > harden.sh                  # review, then run\n"
		"  vigil check --fix --apply --only kernel.kptr_restrict\n"
		"  vigil check --root /mnt/image --no-inventory",
		NULL, NULL, NULL,
	};
	struct check_args a = { .root = "/", .sysctl_file = DEFAULT_SYSCTL_FILE };
	struct check_result *r;
	struct check_ctx ctx;
	size_t n;
	int rc = 0;

	if (cli_parse(&argp, argc, argv, &a))
		return 2;
	if (a.list) {
		for (size_t i = 0; i < check_count; i++)
			printf("%-34s %-7s %s\n", check_table[i].id,
			       check_severity_name(check_table[i].severity), check_table[i].recommended);
		return 0;
	}
	ctx.root = a.root;
	ensure_securityfs(a.root);
	r = calloc(check_count, sizeof(*r));
	if (!r) {
		fprintf(stderr, "vigil: out of memory\n");
		return 1;
	}
	n = run_checks(&ctx, a.only, r);
	if (a.fix) {
		struct sbuf b = {};
		check_fix_script(r, n, a.sysctl_file, &b);
		if (!a.apply)
			fwrite(b.p, 1, b.len, stdout);
		sbuf_free(&b);
		if (a.apply) {
			if (check_fix_apply(&ctx, r, n, a.sysctl_file))
				rc = 1;
			n = run_checks(&ctx, a.only, r); /* --fail-on judges the host as it is now */
		}
	} else {
		rc = report(&a, r, n);
	}
	if (!rc && a.fail_on_set && check_fails_at(r, n, a.fail_on))
		rc = EXIT_FINDINGS;
	free(r);
	return rc;
}
