// SPDX-License-Identifier: GPL-2.0-only
/* The seccomp sandbox without the kernel: the profile parser (and its malformed-profile corpus),
 * includes/excludes, the libseccomp build, the errno a violation reports, the supervisor's path
 * folding and CLI policy, the audit record parser, and the recorder's profile merge. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "sandbox/audit.h"
#include "sandbox/notify.h"
#include "sandbox/policy_cli.h"
#include "sandbox/profile.h"
#include "sandbox/recorder.h"
#include "sandbox/sandbox_events.h"
#include "sandbox/seccomp_filter.h"

static char fixtures[PATH_MAX];

/* tests/fixtures/seccomp, found from the working directory or from the binary upwards. */
static int find_fixtures(void **state)
{
	char dir[PATH_MAX];
	struct stat st;

	(void)state;
	if (!stat("tests/fixtures/seccomp", &st) && realpath("tests/fixtures/seccomp", fixtures))
		return 0;
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return -1;
	dir[n] = '\0';
	for (char *slash; (slash = strrchr(dir, '/')) && slash != dir;) {
		*slash = '\0';
		snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/seccomp", dir);
		if (!stat(fixtures, &st))
			return 0;
	}
	return -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int parse(const char *json, struct profile *p, char *err)
{
	return profile_parse_string(json, p, err, 512);
}

/* ---- the parser ---- */

static void parses_every_field(void **state)
{
	(void)state;
	const char *json =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
		" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X86_64\"],"
		" \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],"
		" \"syscalls\": ["
		"  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"io\"},"
		"  {\"name\": \"mkdir\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
		"  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"     {\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}],"
		"   \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
		"  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_KILL\","
		"   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"], \"arches\": [\"SCMP_ARCH_X86_64\"], \"minKernel\": \"4.8\"}},"
		"  {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\", \"args\": null}"
		" ]}";
	struct profile p;
	char err[512];

	assert_int_equal(parse(json, &p, err), 0);
	assert_int_equal(p.default_action, SB_ACT_ERRNO);
	assert_int_equal(p.default_errno, 38);
	assert_int_equal(p.narches, 2); /* the repeated one is listed once */
	assert_true(p.flag_log);
	assert_int_equal(p.nrules, 5);
	assert_int_equal(p.rules[0].nnames, 2);
	assert_string_equal(p.rules[0].names[1], "write");
	assert_int_equal(p.rules[0].errno_ret, -1);
	assert_string_equal(p.rules[1].names[0], "mkdir");
	assert_int_equal(p.rules[1].errno_ret, 13);
	assert_int_equal(p.rules[2].nargs, 1);
	assert_int_equal(p.rules[2].args[0].op, SCMP_CMP_MASKED_EQ);
	assert_int_equal(p.rules[2].args[0].value, 2114060288);
	assert_int_equal(p.rules[2].excludes.caps, 1ULL << 21);
	assert_int_equal(p.rules[3].action, SB_ACT_KILL_THREAD); /* SCMP_ACT_KILL's meaning */
	assert_int_equal(p.rules[3].includes.min_kernel, 4 << 16 | 8);
	assert_int_equal(p.rules[3].includes.narches, 1);
	assert_int_equal(p.rules[4].action, SB_ACT_NOTIFY);
	assert_string_equal(p.rules[4].where, "syscalls[4]");
	profile_free(&p);
}

static void every_action_and_op_has_its_name(void **state)
{
	(void)state;
	for (int a = 0; a < SB_ACT_COUNT; a++)
		assert_int_equal(sb_action_from_name(sb_action_name(a)), a);
	assert_int_equal(sb_action_from_name("SCMP_ACT_KILL"), SB_ACT_KILL_THREAD);
	assert_int_equal(sb_action_from_name("SCMP_ACT_kill"), -1);
	const char *ops[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
			      "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char json[256], err[512];
		struct profile p;
		snprintf(json, sizeof(json), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
			 "[{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
			 "[{\"index\": 1, \"value\": 9, \"op\": \"%s\"}]}]}", ops[i]);
		assert_int_equal(parse(json, &p, err), 0);
		assert_int_equal(p.rules[0].args[0].op, (int)(SCMP_CMP_NE + i));
		profile_free(&p);
	}
	assert_int_equal(capability_from_name("CAP_CHOWN"), 0);
	assert_int_equal(capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(capability_from_name("CAP_NOPE"), -1);
	assert_int_equal(arch_from_name("SCMP_ARCH_AARCH64"), SCMP_ARCH_AARCH64);
	assert_string_equal(arch_name(SCMP_ARCH_X86_64), "SCMP_ARCH_X86_64");
}

/* Every file of the corpus fails with exactly the message in its .expected sibling. */
static void malformed_corpus_gives_exact_errors(void **state)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 300], err[512];
	struct dirent *e;
	int seen = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/malformed", fixtures);
	DIR *d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		char *json = slurp(path);
		snprintf(path + strlen(path) - 5, 10, ".expected");
		char *expected = slurp(path);
		expected[strcspn(expected, "\n")] = '\0';
		struct profile p;
		int rc = parse(json, &p, err);
		if (rc == 0 || strcmp(err, expected))
			fail_msg("%s: expected \"%s\", got %s\"%s\"", e->d_name, expected,
				 rc ? "" : "success ", rc ? err : "");
		free(json);
		free(expected);
		seen++;
	}
	closedir(d);
	assert_true(seen >= 20);
}

static void unknown_names_can_be_left_out(void **state)
{
	char path[] = "/tmp/vigil-unit-skip-XXXXXX", err[PATH_MAX + 600];
	const char *json = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
			   "{\"names\": [\"read\", \"not_a_syscall_yet\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	struct profile p;

	(void)state;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	assert_int_equal(profile_parse_file(path, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "syscalls[0].names[1]: unknown syscall 'not_a_syscall_yet'"));
	assert_int_equal(profile_parse_file_flags(path, PROFILE_SKIP_UNKNOWN, &p, err, sizeof(err)), 0);
	assert_int_equal(p.rules[0].nnames, 1);
	assert_string_equal(p.rules[0].names[0], "read");
	assert_int_equal(p.nskipped, 1);
	assert_string_equal(p.skipped[0], "syscalls[0].names[1] 'not_a_syscall_yet'");
	profile_free(&p);
	unlink(path);
}

static void file_errors_name_the_file(void **state)
{
	char path[PATH_MAX + 64], err[PATH_MAX + 600];
	struct profile p;

	(void)state;
	assert_int_equal(profile_parse_file("/nonexistent/p.json", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/p.json: No such file or directory");
	snprintf(path, sizeof(path), "%s/malformed/10-unknown-op.json", fixtures);
	assert_int_equal(profile_parse_file(path, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "10-unknown-op.json: syscalls[3].args[0].op: unknown operator"));
}

/* ---- includes / excludes and the build ---- */

static void includes_and_excludes_follow_docker(void **state)
{
	struct profile_rule r = {};
	struct filter_env root = { .caps = ~0ULL, .arch = SCMP_ARCH_X86_64, .kernel = 6 << 16 | 18 };
	struct filter_env user = { .caps = 0, .arch = SCMP_ARCH_X86_64, .kernel = 4 << 16 | 4 };

	(void)state;
	assert_true(filter_rule_applies(&r, &user));
	r.includes.caps = 1ULL << 21 | 1ULL << 19; /* all of them are needed */
	assert_true(filter_rule_applies(&r, &root));
	assert_false(filter_rule_applies(&r, &user));
	user.caps = 1ULL << 21;
	assert_false(filter_rule_applies(&r, &user));
	memset(&r, 0, sizeof(r));
	r.excludes.caps = 1ULL << 21; /* any of them drops the rule */
	assert_false(filter_rule_applies(&r, &root));
	assert_false(filter_rule_applies(&r, &user));
	user.caps = 0;
	assert_true(filter_rule_applies(&r, &user));
	memset(&r, 0, sizeof(r));
	r.includes.arches[r.includes.narches++] = SCMP_ARCH_AARCH64;
	assert_false(filter_rule_applies(&r, &root));
	r.includes.arches[r.includes.narches++] = SCMP_ARCH_X86_64;
	assert_true(filter_rule_applies(&r, &root));
	r.excludes.arches[r.excludes.narches++] = SCMP_ARCH_X86_64;
	assert_false(filter_rule_applies(&r, &root));
	memset(&r, 0, sizeof(r));
	r.includes.min_kernel = 5 << 16 | 10;
	assert_true(filter_rule_applies(&r, &root));
	assert_false(filter_rule_applies(&r, &user));
}

static void docker_default_builds(void **state)
{
	char path[PATH_MAX + 64], err[PATH_MAX + 600];
	struct profile p;
	struct filter_env env;
	struct filter_info info;
	scmp_filter_ctx ctx;

	(void)state;
	snprintf(path, sizeof(path), "%s/docker-default.json", fixtures);
	if (profile_parse_file(path, &p, err, sizeof(err)))
		fail_msg("%s", err);
	filter_env_current(&env);
	env.caps = 0; /* as an unprivileged container: the CAP_SYS_ADMIN rules are out */
	if (filter_build(&p, &env, &ctx, &info, err, sizeof(err)))
		fail_msg("%s", err);
	assert_false(info.notify);
	assert_true(info.rules_added > 300);
	assert_true(info.rules_skipped > 10);
	/* archMap: on x86_64 the filter covers the i386 and x32 ABIs too */
	if (env.arch == SCMP_ARCH_X86_64) {
		assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X86), 0);
		assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X32), 0);
	}
	seccomp_release(ctx);
	profile_free(&p);
}

static void rules_equal_to_the_default_are_left_out(void **state)
{
	const char *json = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
			   "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"},"
			   "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
			   "{\"names\": [\"open\"], \"action\": \"SCMP_ACT_NOTIFY\"},"
			   "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			   "  {\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
			   "  {\"index\": 1, \"value\": 15, \"op\": \"SCMP_CMP_EQ\"}]}]}";
	struct profile p;
	struct filter_env env;
	struct filter_info info;
	scmp_filter_ctx ctx;
	char err[512];

	(void)state;
	assert_int_equal(parse(json, &p, err), 0);
	filter_env_current(&env);
	if (filter_build(&p, &env, &ctx, &info, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(info.notify);
	assert_int_equal(info.rules_skipped, 1); /* read: EPERM, as the default */
	assert_int_equal(info.rules_added, 3);   /* write, open, kill (two comparisons ORed) */
	seccomp_release(ctx);
	profile_free(&p);
}

static void violation_errno_comes_from_the_profile(void **state)
{
	const char *json = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
			   " \"syscalls\": ["
			   "{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
			   "{\"names\": [\"rmdir\"], \"action\": \"SCMP_ACT_ERRNO\"},"
			   "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,"
			   "  \"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},"
			   "{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5,"
			   "  \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}";
	struct filter_env env = { .caps = 0, .arch = SCMP_ARCH_X86_64 };
	struct profile p;
	char err[512];

	(void)state;
	assert_int_equal(parse(json, &p, err), 0);
	assert_int_equal(filter_errno_for(&p, &env, "mkdir"), EACCES);
	assert_int_equal(filter_errno_for(&p, &env, "rmdir"), EPERM);  /* no errnoRet: EPERM */
	assert_int_equal(filter_errno_for(&p, &env, "read"), ENOSYS);  /* the default's */
	assert_int_equal(filter_errno_for(&p, &env, "kill"), -1);      /* 1 or the default's 38 */
	assert_int_equal(filter_errno_for(&p, &env, "mount"), ENOSYS); /* the rule does not apply */
	profile_free(&p);
}

/* ---- the supervisor's pieces ---- */

static void paths_fold_lexically(void **state)
{
	char out[PATH_MAX];

	(void)state;
	path_fold(out, sizeof(out), "/home/u", "a/./b/../c");
	assert_string_equal(out, "/home/u/a/c");
	path_fold(out, sizeof(out), "/home/u", "/etc//shadow");
	assert_string_equal(out, "/etc/shadow");
	path_fold(out, sizeof(out), "/", "../../etc/../..");
	assert_string_equal(out, "/");
	path_fold(out, sizeof(out), "/tmp", "../etc/passwd");
	assert_string_equal(out, "/etc/passwd");
	path_fold(out, sizeof(out), "/tmp", ".");
	assert_string_equal(out, "/tmp");
}

static void cli_policy_denies_paths_under_a_prefix(void **state)
{
	struct cli_policy *p = calloc(1, sizeof(*p));
	struct notify_call *c = calloc(1, sizeof(*c));
	struct notify_verdict v = {};
	char err[256];

	(void)state;
	assert_int_equal(cli_policy_add_path(p, "/srv/secret/", err, sizeof(err)), 0);
	assert_int_equal(cli_policy_add_path(p, "relative", err, sizeof(err)), -1);
	assert_string_equal(err, "expected an absolute path, got 'relative'");
	c->subject = NOTIFY_SUBJECT_PATH;
	c->subject_ok = true;
	strcpy(c->path, "/srv/secret/key");
	assert_int_equal(cli_policy_decide(p, c, &v), 1);
	assert_true(v.deny);
	assert_int_equal(v.error, EACCES);
	assert_string_equal(v.rule, "--deny-path /srv/secret");
	strcpy(c->path, "/srv/secret");
	assert_int_equal(cli_policy_decide(p, c, &v), 1);
	strcpy(c->path, "/srv/secretive"); /* a component boundary, not a string prefix */
	assert_int_equal(cli_policy_decide(p, c, &v), 0);
	strcpy(c->real_path, "/srv/secret/key"); /* where a symlink leads counts too */
	assert_int_equal(cli_policy_decide(p, c, &v), 1);
	free(c);
	free(p);
}

static void cli_policy_denies_connects(void **state)
{
	struct cli_policy *p = calloc(1, sizeof(*p));
	struct notify_call *c = calloc(1, sizeof(*c));
	struct notify_verdict v = {};
	struct sockaddr_in *in = (void *)&c->addr;
	struct sockaddr_in6 *in6 = (void *)&c->addr;
	char err[256];

	(void)state;
	assert_int_equal(cli_policy_add_connect(p, "127.0.0.1:9", err, sizeof(err)), 0);
	assert_int_equal(cli_policy_add_connect(p, "[::1]:80", err, sizeof(err)), 0);
	assert_int_equal(cli_policy_add_connect(p, "10.0.0.1", err, sizeof(err)), 0);
	assert_int_equal(cli_policy_add_connect(p, "1.2.3.4:99999", err, sizeof(err)), -1);
	assert_int_equal(cli_policy_add_connect(p, "host.example:80", err, sizeof(err)), -1);
	assert_string_equal(err, "expected ADDR, ADDR:PORT or [IPV6]:PORT, got 'host.example:80'");
	c->subject = NOTIFY_SUBJECT_ADDRESS;
	c->subject_ok = true;
	in->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
	in->sin_port = htons(9);
	c->addrlen = sizeof(*in);
	assert_int_equal(cli_policy_decide(p, c, &v), 1);
	assert_int_equal(v.error, EPERM);
	assert_string_equal(v.rule, "--deny-connect 127.0.0.1:9");
	in->sin_port = htons(10);
	assert_int_equal(cli_policy_decide(p, c, &v), 0);
	inet_pton(AF_INET, "10.0.0.1", &in->sin_addr); /* any port */
	assert_int_equal(cli_policy_decide(p, c, &v), 1);
	memset(&c->addr, 0, sizeof(c->addr));
	in6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::1", &in6->sin6_addr);
	in6->sin6_port = htons(80);
	c->addrlen = sizeof(*in6);
	assert_int_equal(cli_policy_decide(p, c, &v), 1);
	free(c);
	free(p);
}

/* ---- audit records ---- */

static void audit_records_parse(void **state)
{
	const char *rec = "audit(1795295666.003:4): auid=4294967295 uid=0 gid=0 ses=7 pid=7348 "
			  "comm=\"k\" exe=\"/tmp/k\" sig=31 arch=c000003e syscall=110 compat=0 "
			  "ip=0x7faf4a0844f7 code=0x80000000";
	const char *hex = "audit(1.5:9): auid=0 uid=0 gid=0 ses=1 subj=unconfined pid=3 "
			  "comm=6D7920636D64 exe=\"/bin/x\" sig=0 arch=40000003 syscall=5 compat=1 "
			  "ip=0x1 code=0x50000";
	struct violation v;

	(void)state;
	assert_int_equal(audit_parse_seccomp(rec, strlen(rec), &v), 0);
	assert_int_equal(v.wall_ns, 1795295666003000000ULL);
	assert_int_equal(v.serial, 4);
	assert_int_equal(v.tgid, 7348);
	assert_int_equal(v.ses, 7);
	assert_int_equal(v.auid, UINT32_MAX);
	assert_string_equal(v.comm, "k");
	assert_string_equal(v.exe, "/tmp/k");
	assert_int_equal(v.sig, 31);
	assert_int_equal(v.arch, SCMP_ARCH_X86_64);
	assert_int_equal(v.nr, 110);
	assert_int_equal(v.ip, 0x7faf4a0844f7ULL);
	assert_string_equal(violation_action_name(v.code), "SCMP_ACT_KILL_PROCESS");
	assert_int_equal(v.errno_ret, -1);
	assert_int_equal(audit_parse_seccomp(hex, strlen(hex), &v), 0);
	assert_string_equal(v.comm, "my cmd"); /* hex-encoded because of the space */
	assert_true(v.compat);
	assert_int_equal(v.arch, SCMP_ARCH_X86);
	assert_string_equal(violation_action_name(v.code), "SCMP_ACT_ERRNO");
	assert_int_equal(audit_parse_seccomp("audit(1.0:1): pid=1", 19, &v), -1);
	assert_string_equal(violation_action_name(0x7ffc0000), "SCMP_ACT_LOG");
	assert_string_equal(violation_action_name(0x00030000), "SCMP_ACT_TRAP");
	assert_string_equal(violation_action_name(0x00000000), "SCMP_ACT_KILL_THREAD");
	assert_null(violation_action_name(0x7fff0000));
}

static void actions_not_logged_are_named(void **state)
{
	char missing[128];

	(void)state;
	audit_actions_missing_from("kill_process kill_thread trap errno user_notif trace log\n",
				   missing, sizeof(missing));
	assert_string_equal(missing, "");
	audit_actions_missing_from("kill_process kill_thread user_notif log\n", missing, sizeof(missing));
	assert_string_equal(missing, "trap errno trace");
	audit_actions_missing_from("", missing, sizeof(missing));
	assert_string_equal(missing, "kill_process kill_thread trap errno trace log");
}

/* ---- the recorder's profile ---- */

static json_t *names_of(json_t *profile, size_t rule)
{
	return json_object_get(json_array_get(json_object_get(profile, "syscalls"), rule), "names");
}

static bool has_name(json_t *names, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v)
		if (!strcmp(json_string_value(v), name))
			return true;
	return false;
}

static void recorder_writes_a_minimal_profile(void **state)
{
	struct syscall_counts *c = calloc(1, sizeof(*c));
	char err[256];
	size_t unnamed;

	(void)state;
	c->n[0] = 5;                          /* read */
	c->n[231] = 1;                        /* exit_group */
	c->n[VIGIL_SYSCALL_NR_MAX + 252] = 1; /* i386 exit_group */
	c->n[1000] = 1;                       /* no such syscall */
	json_t *p = recorder_profile(c, SCMP_ARCH_X86_64, NULL, "test", &unnamed, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(unnamed, 1);
	assert_string_equal(json_string_value(json_object_get(p, "defaultAction")), "SCMP_ACT_ERRNO");
	assert_int_equal(json_integer_value(json_object_get(p, "defaultErrnoRet")), EPERM);
	json_t *names = names_of(p, 0);
	assert_int_equal(json_array_size(names), 3); /* execve (the runtime's), exit_group, read */
	assert_string_equal(json_string_value(json_array_get(names, 0)), "execve");
	assert_string_equal(json_string_value(json_array_get(names, 1)), "exit_group");
	assert_string_equal(json_string_value(json_array_get(names, 2)), "read");
	json_t *arches = json_object_get(p, "architectures");
	assert_int_equal(json_array_size(arches), 2);
	assert_string_equal(json_string_value(json_array_get(arches, 1)), "SCMP_ARCH_X86");

	/* the profile it writes parses back */
	char *text = json_dumps(p, 0);
	struct profile back;
	assert_int_equal(parse(text, &back, err), 0);
	assert_int_equal(back.nrules, 1);
	profile_free(&back);
	free(text);

	/* --append: another run's syscalls join the same rule; the rest is kept */
	json_t *base = json_loads("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 13,"
				  " \"syscalls\": [{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\","
				  "  \"args\": [{\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
				  " {\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}", 0, NULL);
	memset(c, 0, sizeof(*c));
	c->n[0] = 1;
	json_t *merged = recorder_profile(c, SCMP_ARCH_X86_64, base, "x", &unnamed, err, sizeof(err));
	assert_non_null(merged);
	assert_int_equal(json_integer_value(json_object_get(merged, "defaultErrnoRet")), 13);
	assert_int_equal(json_array_size(names_of(merged, 0)), 1); /* the conditional rule: untouched */
	assert_true(has_name(names_of(merged, 1), "write"));
	assert_true(has_name(names_of(merged, 1), "read"));
	assert_true(has_name(names_of(merged, 1), "execve"));
	assert_int_equal(json_array_size(names_of(merged, 1)), 3);
	json_decref(merged);
	json_decref(base);
	json_decref(p);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_field),
		cmocka_unit_test(every_action_and_op_has_its_name),
		cmocka_unit_test(malformed_corpus_gives_exact_errors),
		cmocka_unit_test(unknown_names_can_be_left_out),
		cmocka_unit_test(file_errors_name_the_file),
		cmocka_unit_test(includes_and_excludes_follow_docker),
		cmocka_unit_test(docker_default_builds),
		cmocka_unit_test(rules_equal_to_the_default_are_left_out),
		cmocka_unit_test(violation_errno_comes_from_the_profile),
		cmocka_unit_test(paths_fold_lexically),
		cmocka_unit_test(cli_policy_denies_paths_under_a_prefix),
		cmocka_unit_test(cli_policy_denies_connects),
		cmocka_unit_test(audit_records_parse),
		cmocka_unit_test(actions_not_logged_are_named),
		cmocka_unit_test(recorder_writes_a_minimal_profile),
	};
	return cmocka_run_group_tests(tests, find_fixtures, NULL);
}
