// SPDX-License-Identifier: GPL-2.0-only
/* vigil.yaml against a small argp table: keys, switches, lists, positions, "did you mean",
 * and the command line replacing the file's values per key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"

static const struct argp_option child_opts[] = {
	{ NULL, 0, NULL, 0, "Filters:", 10 },
	{ "uid", 'u', "UID", 0, "uid", 10 },
	{},
};
static const struct argp child = { child_opts, NULL, NULL, NULL, NULL, NULL, NULL };
static const struct argp_child children[] = { { &child, 0, NULL, 0 }, {} };
static const struct argp_option opts[] = {
	{ "config", 0x100, "FILE", 0, "config", 0 },
	{ "kind", 'k', "KIND", 0, "kinds", 0 },
	{ "ancestors", 0x101, NULL, 0, "switch", 0 },
	{ "policy", 0x102, "PATH", 0, "rules", 0 },
	{ "pin", 0x103, "NAME", OPTION_ARG_OPTIONAL, "optional", 0 },
	{},
};
static const struct argp table = { opts, NULL, NULL, NULL, children, NULL, NULL };

/* Loads text; returns the problems printed. */
static size_t load(const char *text, struct config *c, char *errs, size_t len)
{
	char path[] = "/tmp/vigil-unit-cfg-XXXXXX";
	int fd = mkstemp(path);
	FILE *ef = fmemopen(errs, len, "w");
	size_t n;

	assert_true(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	n = config_load(c, path, &table, "config", ef);
	fclose(ef);
	unlink(path);
	/* the path is random: keep what follows it */
	char *p = strstr(errs, path);
	while (p) {
		memmove(p, "F", 1);
		memmove(p + 1, p + strlen(path), strlen(p + strlen(path)) + 1);
		p = strstr(p, path);
	}
	return n;
}

static void values_switches_lists(void **state)
{
	struct config c;
	char errs[1024] = "";

	(void)state;
	assert_int_equal(load("kind: process.exec\nancestors: true\npolicy: [bundled, /etc/r]\n"
			      "uid:\n  - 0\n  - 1000\npin: true\n", &c, errs, sizeof(errs)), 0);
	assert_int_equal(c.n, 7);
	assert_string_equal(c.e[0].opt->name, "kind");
	assert_string_equal(c.e[0].value, "process.exec");
	assert_int_equal(c.e[0].line, 1);
	assert_int_equal(c.e[0].col, 7);
	assert_null(c.e[1].value); /* a switch */
	assert_string_equal(c.e[3].value, "/etc/r");
	assert_string_equal(c.e[4].opt->name, "uid"); /* a child's option */
	assert_int_equal(c.e[5].line, 6);
	assert_null(c.e[6].value); /* pin without a name */
	config_free(&c);
	/* false switches add nothing; an empty file is valid */
	assert_int_equal(load("ancestors: false\n", &c, errs, sizeof(errs)), 0);
	assert_int_equal(c.n, 0);
	config_free(&c);
	assert_int_equal(load("# nothing\n", &c, errs, sizeof(errs)), 0);
	config_free(&c);
}

static void problems_with_positions(void **state)
{
	struct config c;
	char errs[2048] = "";

	(void)state;
	assert_int_equal(load("knd: x\nancestors: 1\nconfig: y\nkind: a\nkind: b\npolicy: {a: b}\n",
			      &c, errs, sizeof(errs)), 5);
	assert_string_equal(errs,
			    "F:1:1: unknown key 'knd' (did you mean 'kind'?)\n"
			    "F:2:12: ancestors is a switch: expected true or false, got '1'\n"
			    "F:3:1: 'config' cannot be set in a configuration file\n"
			    "F:5:1: 'kind' is given twice (first at line 4); a list gives several values\n"
			    "F:6:9: policy: expected a value or a list of values, not a mapping\n");
	config_free(&c);
	memset(errs, 0, sizeof(errs));
	assert_int_equal(load("kind: [a\n", &c, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "F:2:1: did not find expected ',' or ']'"));
	config_free(&c);
}

static void suggestions(void **state)
{
	struct option_list l = {};

	(void)state;
	option_list_collect(&table, &l);
	assert_string_equal(option_list_suggest(&l, "polcy"), "policy");
	assert_string_equal(option_list_suggest(&l, "policies"), "policy");
	assert_string_equal(option_list_suggest(&l, "ancestor"), "ancestors");
	assert_null(option_list_suggest(&l, "frobnicate"));
	option_list_free(&l);
}

static void command_line_replaces_per_key(void **state)
{
	struct config c;
	struct option_list l = {};
	char errs[512] = "";
	char *argv[] = { "vigil run", "-u", "5", "--kin=file.open", NULL };
	int argc;

	(void)state;
	option_list_collect(&table, &l);
	assert_int_equal(load("uid: [1, 2]\nkind: process.exec\nancestors: true\n", &c, errs, sizeof(errs)), 0);
	assert_true(argv_gives(&l, 4, argv, option_list_find(&l, "uid")));
	assert_true(argv_gives(&l, 4, argv, option_list_find(&l, "kind"))); /* an abbreviation */
	assert_false(argv_gives(&l, 4, argv, option_list_find(&l, "ancestors")));
	char **m = config_merge_argv(&c, &l, 4, argv, &argc);
	assert_int_equal(argc, 5);
	assert_string_equal(m[1], "--ancestors"); /* only the file's key the line does not give */
	assert_string_equal(m[2], "-u");
	assert_string_equal(m[4], "--kin=file.open");
	assert_string_equal(argv_last_value(&l, 4, argv, option_list_find(&l, "kind")), "file.open");
	free(m[1]);
	free(m);
	config_free(&c);
	option_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_switches_lists),
		cmocka_unit_test(problems_with_positions),
		cmocka_unit_test(suggestions),
		cmocka_unit_test(command_line_replaces_per_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
