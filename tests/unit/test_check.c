// SPDX-License-Identifier: GPL-2.0-only
/* vigil check: the rule language, the table's invariants, parsers of /proc text, the score and
 * the --fix script. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/bpf.h>
#include <zlib.h>

#include "check/check.h"
#include "check/inventory.h"
#include "check/report.h"

static void rules_numbers_lists_and_ranges(void **state)
{
	(void)state;
	assert_true(check_rule_match("1,2", "1"));
	assert_true(check_rule_match("1,2", "2"));
	assert_false(check_rule_match("1,2", "0"));
	assert_false(check_rule_match("1,2", "12"));
	assert_true(check_rule_match(">=2", "3"));
	assert_true(check_rule_match(">=2", "2"));
	assert_false(check_rule_match(">=2", "1"));
	assert_false(check_rule_match(">=2", "-1"));
	assert_true(check_rule_match("<=10", "-5"));
	assert_false(check_rule_match("<=10", "11"));
	assert_true(check_rule_match("1-536870912", "528482304"));
	assert_false(check_rule_match("1-536870912", "0"));
	assert_false(check_rule_match("1-536870912", "536870913"));
	assert_true(check_rule_match("-1", "-1"));          /* a negative number, not a range */
	assert_true(check_rule_match("0,-1", "-1"));
	assert_true(check_rule_match("2", "02"));           /* numbers compare as numbers */
}

static void rules_strings_and_edges(void **state)
{
	(void)state;
	assert_true(check_rule_match("integrity,confidentiality", "confidentiality"));
	assert_false(check_rule_match("integrity,confidentiality", "integ"));
	assert_false(check_rule_match("integrity", "integrity2"));
	assert_false(check_rule_match(">=2", "two"));       /* a number rule never matches a word */
	assert_false(check_rule_match("1-5", "x"));
	assert_false(check_rule_match("", "1"));
	assert_false(check_rule_match(NULL, "1"));
	assert_false(check_rule_match("1", NULL));
	assert_false(check_rule_match("1,,2", ""));
	assert_true(check_rule_match("1,,2", "2"));
	assert_false(check_rule_match("1", ""));
}

static void severities_and_statuses(void **state)
{
	enum check_severity s;

	(void)state;
	assert_int_equal(check_severity_parse("low", &s), 0);
	assert_int_equal(s, CHECK_SEV_LOW);
	assert_int_equal(check_severity_parse("medium", &s), 0);
	assert_int_equal(s, CHECK_SEV_MEDIUM);
	assert_int_equal(check_severity_parse("high", &s), 0);
	assert_int_equal(s, CHECK_SEV_HIGH);
	assert_int_equal(check_severity_parse("High", &s), -1);
	assert_int_equal(check_severity_parse("", &s), -1);
	assert_int_equal(check_severity_parse(NULL, &s), -1);
	assert_string_equal(check_severity_name(CHECK_SEV_MEDIUM), "medium");
	assert_string_equal(check_status_name(CHECK_PASS), "pass");
	assert_string_equal(check_status_name(CHECK_WARN), "warn");
	assert_string_equal(check_status_name(CHECK_FAIL), "fail");
	assert_string_equal(check_status_name(CHECK_UNKNOWN), "unknown");
}

/* Every row is complete, ids are unique, and every check says how to fix it. */
static void table_rows_are_complete(void **state)
{
	(void)state;
	assert_true(check_count >= 23);
	for (size_t i = 0; i < check_count; i++) {
		const struct check_def *d = &check_table[i];
		assert_non_null(d->id);
		assert_non_null(d->read);
		assert_non_null(d->source);
		assert_non_null(d->why);
		assert_non_null(d->recommended);
		assert_true(d->severity >= CHECK_SEV_LOW && d->severity <= CHECK_SEV_HIGH);
		assert_true(d->fix_value || d->fix);
		assert_true(d->judge || d->pass); /* judged by rules or by a judge of its own */
		assert_ptr_equal(check_find(d->id), d);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(check_table[j].id, d->id);
	}
	assert_null(check_find("kernel.nope"));
}

static void paths(void **state)
{
	struct check_ctx host = { .root = "/" }, img = { .root = "/mnt/img//" };
	char buf[256];

	(void)state;
	check_sysctl_path("kernel.yama.ptrace_scope", buf, sizeof(buf));
	assert_string_equal(buf, "/proc/sys/kernel/yama/ptrace_scope");
	check_sysctl_path("net.core.bpf_jit_enable", buf, sizeof(buf));
	assert_string_equal(buf, "/proc/sys/net/core/bpf_jit_enable");
	check_root_path(&host, "/proc/modules", buf, sizeof(buf));
	assert_string_equal(buf, "/proc/modules");
	check_root_path(&img, "/proc/modules", buf, sizeof(buf));
	assert_string_equal(buf, "/mnt/img/proc/modules");
}

static void proc_fd_text(void **state)
{
	enum inv_kind k;
	uint32_t id;

	(void)state;
	assert_int_equal(inv_kind_of_link("anon_inode:bpf-prog", &k), 0);
	assert_int_equal(k, INV_PROG);
	assert_int_equal(inv_kind_of_link("anon_inode:bpf-map", &k), 0);
	assert_int_equal(k, INV_MAP);
	assert_int_equal(inv_kind_of_link("anon_inode:bpf_link", &k), 0);
	assert_int_equal(k, INV_LINK);
	assert_int_equal(inv_kind_of_link("anon_inode:[eventpoll]", &k), -1);
	assert_int_equal(inv_kind_of_link("/dev/null", &k), -1);

	/* a link's fdinfo names its program too: the kind decides which id is read */
	const char *link = "pos:\t0\nflags:\t02000000\nlink_type:\tcgroup\nlink_id:\t121\n"
			   "prog_tag:\te085eff1b7d08181\nprog_id:\t318\ncgroup_id:\t25\n";
	assert_int_equal(inv_fdinfo_id(link, INV_LINK, &id), 0);
	assert_int_equal(id, 121);
	assert_int_equal(inv_fdinfo_id(link, INV_PROG, &id), 0);
	assert_int_equal(id, 318);
	assert_int_equal(inv_fdinfo_id(link, INV_MAP, &id), -1);
	assert_int_equal(inv_fdinfo_id("map_type:\t2\nmap_id:\t188\n", INV_MAP, &id), 0);
	assert_int_equal(id, 188);
	assert_int_equal(inv_fdinfo_id("prog_id:\tx\n", INV_PROG, &id), -1);
	assert_int_equal(inv_fdinfo_id("", INV_PROG, &id), -1);
	/* a key must start its line */
	assert_int_equal(inv_fdinfo_id("xprog_id:\t5\n", INV_PROG, &id), -1);
}

static void perf_attachments(void **state)
{
	char buf[200];

	(void)state;
	inv_perf_attach_text(BPF_FD_TYPE_TRACEPOINT, "sys_enter_getppid", 0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "tracepoint:sys_enter_getppid");
	inv_perf_attach_text(BPF_FD_TYPE_RAW_TRACEPOINT, "sched_switch", 0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "raw_tp:sched_switch");
	inv_perf_attach_text(BPF_FD_TYPE_KPROBE, "vfs_read", 0x10, 0, buf, sizeof(buf));
	assert_string_equal(buf, "kprobe:vfs_read+0x10");
	inv_perf_attach_text(BPF_FD_TYPE_KRETPROBE, "", 0, 0xffffffff81000000ULL, buf, sizeof(buf));
	assert_string_equal(buf, "kretprobe:0xffffffff81000000");
	inv_perf_attach_text(BPF_FD_TYPE_URETPROBE, "/usr/bin/bash", 0x8a0f0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "uretprobe:/usr/bin/bash+0x8a0f0");
	inv_perf_attach_text(42, "x", 0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "perf_event type 42");
}

static void printable_text(void **state)
{
	char s[] = "bpf\033[2J\a\x7f\tok \xc3\xa9";

	(void)state;
	check_text_printable(s);
	assert_string_equal(s, "bpf?[2J???ok \xc3\xa9"); /* UTF-8 stays */
}

static void vigil_binaries(void **state)
{
	(void)state;
	assert_true(inv_exe_is_vigil("/usr/sbin/vigil"));
	assert_true(inv_exe_is_vigil("/work/main/build/vigil (deleted)"));
	assert_true(inv_exe_is_vigil("vigil"));
	assert_false(inv_exe_is_vigil("/usr/bin/vigilant"));
	assert_false(inv_exe_is_vigil("/opt/vigil/bin/bpftool"));
	assert_false(inv_exe_is_vigil("/tmp/vigil x"));
	assert_false(inv_exe_is_vigil(""));
}

static struct check_result result(const char *id, enum check_status st, const char *value,
				  const char *key, const char *fix_value)
{
	struct check_result r = { .def = check_find(id), .status = st, .present = true };

	snprintf(r.value, sizeof(r.value), "%s", value);
	snprintf(r.fix_key, sizeof(r.fix_key), "%s", key);
	snprintf(r.fix_value, sizeof(r.fix_value), "%s", fix_value);
	return r;
}

static void score_weighs_severity(void **state)
{
	struct check_result r[3] = {
		result("kernel.randomize_va_space", CHECK_PASS, "2", "", ""), /* high: 6 */
		result("kernel.kptr_restrict", CHECK_WARN, "0", "", ""),      /* medium: 4, earns 2 */
		result("fs.protected_fifos", CHECK_FAIL, "0", "", ""),        /* low: 2 */
	};

	(void)state;
	assert_int_equal(check_score(r, 3), 67); /* 8 of 12 */
	assert_int_equal(check_score(r, 1), 100);
	r[0].status = CHECK_UNKNOWN; /* not scored */
	assert_int_equal(check_score(r, 3), 33);
	assert_int_equal(check_score(r, 0), 100);
	assert_true(check_fails_at(r, 3, CHECK_SEV_LOW));
	assert_true(check_fails_at(r, 3, CHECK_SEV_MEDIUM));
	assert_false(check_fails_at(r, 3, CHECK_SEV_HIGH));

	size_t counts[4];
	check_tally(r, 3, counts);
	assert_int_equal(counts[CHECK_PASS], 0);
	assert_int_equal(counts[CHECK_WARN], 1);
	assert_int_equal(counts[CHECK_FAIL], 1);
	assert_int_equal(counts[CHECK_UNKNOWN], 1);
}

static void fix_script(void **state)
{
	struct check_result r[4] = {
		result("kernel.kptr_restrict", CHECK_FAIL, "0", "kernel.kptr_restrict", "1"),
		result("kernel.dmesg_restrict", CHECK_PASS, "1", "kernel.dmesg_restrict", "1"),
		result("kernel.lsm", CHECK_WARN, "capability", "", ""),
		result("fs.protected_fifos", CHECK_WARN, "1", "fs.protected_fifos", "2"),
	};
	struct sbuf b = {};
	char text[256];

	(void)state;
	check_fix_script(r, 4, "/etc/sysctl.d/x.conf", &b);
	assert_string_equal(sbuf_str(&b),
			    "#!/bin/sh\n# vigil check --fix\nset -e\n\n# Now:\n"
			    "sysctl -w kernel.kptr_restrict=1  # kernel.kptr_restrict, was 0\n"
			    "sysctl -w fs.protected_fifos=2  # fs.protected_fifos, was 1\n"
			    "\n# And at every boot:\ncat >> /etc/sysctl.d/x.conf <<'EOF'\n"
			    "kernel.kptr_restrict = 1\nfs.protected_fifos = 2\nEOF\n"
			    "\n# By hand (not a sysctl):\n"
			    "# kernel.lsm: boot with lsm=...,landlock,yama,apparmor,bpf (the kernel must "
			    "be built with them)\n");
	sbuf_reset(&b);
	check_fix_script(&r[1], 1, "/x", &b);
	assert_string_equal(sbuf_str(&b), "#!/bin/sh\n# vigil check --fix\n"
					  "# nothing to fix: every check passes\n");
	sbuf_free(&b);

	check_fix_text(&r[0], text, sizeof(text));
	assert_string_equal(text, "sysctl -w kernel.kptr_restrict=1");
	struct check_result missing = result("fs.protected_fifos", CHECK_FAIL, "", "", "");
	missing.present = false;
	check_fix_text(&missing, text, sizeof(text));
	assert_string_equal(text, "none by sysctl: this kernel has no fs.protected_fifos");
}

static void write_file(const char *path, const char *text, bool gz)
{
	if (gz) {
		gzFile f = gzopen(path, "wb");
		assert_non_null(f);
		gzputs(f, text);
		gzclose(f);
		return;
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void kernel_config_lookup(void **state)
{
	char dir[] = "/tmp/vigil-unit-check-XXXXXX", path[512], v[64];
	struct check_ctx ctx = { .root = dir };

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(check_kernel_config(&ctx, "BPF_JIT_ALWAYS_ON", v, sizeof(v)), -1);

	/* /boot/config-RELEASE, RELEASE from the tree's osrelease */
	snprintf(path, sizeof(path), "%s/proc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease", dir);
	write_file(path, "6.1.0-9\n", false);
	snprintf(path, sizeof(path), "%s/boot", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/boot/config-6.1.0-9", dir);
	write_file(path, "CONFIG_LSM=\"landlock,bpf\"\nCONFIG_BPF_JIT_ALWAYS_ON=y\n", false);
	assert_int_equal(check_kernel_config(&ctx, "BPF_JIT_ALWAYS_ON", v, sizeof(v)), 1);
	assert_string_equal(v, "y");
	assert_int_equal(check_kernel_config(&ctx, "LSM", v, sizeof(v)), 1);
	assert_string_equal(v, "landlock,bpf"); /* quotes dropped */
	assert_int_equal(check_kernel_config(&ctx, "BPF_JIT", v, sizeof(v)), 0); /* a prefix is not a hit */

	/* /proc/config.gz wins */
	snprintf(path, sizeof(path), "%s/proc/config.gz", dir);
	write_file(path, "# CONFIG_BPF_JIT_ALWAYS_ON is not set\nCONFIG_USER_NS=y\n", true);
	assert_int_equal(check_kernel_config(&ctx, "BPF_JIT_ALWAYS_ON", v, sizeof(v)), 0);
	assert_int_equal(check_kernel_config(&ctx, "USER_NS", v, sizeof(v)), 1);
	assert_string_equal(v, "y");

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_numbers_lists_and_ranges),
		cmocka_unit_test(rules_strings_and_edges),
		cmocka_unit_test(severities_and_statuses),
		cmocka_unit_test(table_rows_are_complete),
		cmocka_unit_test(paths),
		cmocka_unit_test(proc_fd_text),
		cmocka_unit_test(perf_attachments),
		cmocka_unit_test(printable_text),
		cmocka_unit_test(vigil_binaries),
		cmocka_unit_test(score_weighs_severity),
		cmocka_unit_test(fix_script),
		cmocka_unit_test(kernel_config_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
