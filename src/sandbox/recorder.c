// SPDX-License-Identifier: GPL-2.0-only
#include "sandbox/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <seccomp.h>

#include "cli.h"
#include "probe.h"
#include "sandbox/launch.h"
#include "sandbox/profile.h"
#include "vigil.skel.h"

const char *const recorder_runtime_syscalls[] = {
	"execve", /* vigil sandbox's last step, made under the filter */
	NULL,
};

/* ---- the profile ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The compat slots hold the numbers of the machine's 32-bit ABI. */
static uint32_t compat_arch_of(uint32_t native)
{
	switch (native) {
	case SCMP_ARCH_X86_64: return SCMP_ARCH_X86;
	case SCMP_ARCH_AARCH64: return SCMP_ARCH_ARM;
	default: return 0;
	}
}

/* Adds name to the array unless it is there. */
static int add_unique(json_t *names, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v)
		if (!strcmp(json_string_value(v), name))
			return 0;
	return json_array_append_new(names, json_string(name));
}

static void sort_names(json_t *names)
{
	size_t n = json_array_size(names), i;
	const char **v = calloc(n + 1, sizeof(*v));
	json_t *copy = json_array(), *x;

	if (!v || !copy)
		goto out;
	json_array_foreach(names, i, x)
		v[i] = json_string_value(x);
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(copy, json_string(v[i]));
	json_array_clear(names);
	json_array_extend(names, copy);
out:
	json_decref(copy);
	free(v);
}

/* The first ALLOW rule of base without args, includes or excludes: where merged names go. */
static json_t *plain_allow_rule(json_t *syscalls)
{
	size_t i;
	json_t *r;

	json_array_foreach(syscalls, i, r) {
		json_t *args = json_object_get(r, "args");
		if (json_is_array(json_object_get(r, "names")) &&
		    !strcmp(json_string_value(json_object_get(r, "action")) ?: "", "SCMP_ACT_ALLOW") &&
		    (!args || json_is_null(args) || !json_array_size(args)) &&
		    !json_object_get(r, "includes") && !json_object_get(r, "excludes"))
			return r;
	}
	return NULL;
}

static void add_arch(json_t *profile, uint32_t arch)
{
	json_t *arches = json_object_get(profile, "architectures");

	if (!json_is_array(arches)) {
		arches = json_array();
		json_object_set_new(profile, "architectures", arches);
	}
	add_unique(arches, arch_name(arch));
}

json_t *recorder_profile(const struct syscall_counts *c, uint32_t native_arch, json_t *base,
			 const char *comment, size_t *unnamed, char *err, size_t errlen)
{
	json_t *p = base ? json_deep_copy(base) : json_object();
	json_t *syscalls, *rule;
	uint32_t compat = compat_arch_of(native_arch);

	*unnamed = 0;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!base) {
		json_object_set_new(p, "comment", json_string(comment));
		json_object_set_new(p, "defaultAction", json_string("SCMP_ACT_ERRNO"));
		json_object_set_new(p, "defaultErrnoRet", json_integer(EPERM));
	}
	add_arch(p, native_arch);
	syscalls = json_object_get(p, "syscalls");
	if (!json_is_array(syscalls)) {
		syscalls = json_array();
		json_object_set_new(p, "syscalls", syscalls);
	}
	rule = plain_allow_rule(syscalls);
	if (!rule) {
		rule = json_pack("{s:[], s:s}", "names", "action", "SCMP_ACT_ALLOW");
		json_array_append_new(syscalls, rule);
	}
	json_t *names = json_object_get(rule, "names");
	for (const char *const *r = recorder_runtime_syscalls; *r; r++)
		add_unique(names, *r);
	for (uint32_t slot = 0; slot < VIGIL_SYSCALL_SLOTS; slot++) {
		if (!c->n[slot])
			continue;
		bool is_compat = slot >= VIGIL_SYSCALL_NR_MAX;
		uint32_t arch = is_compat ? compat : native_arch;
		char *name = arch ? seccomp_syscall_resolve_num_arch(arch, (int)(slot % VIGIL_SYSCALL_NR_MAX)) : NULL;
		if (!name) {
			(*unnamed)++;
			continue;
		}
		add_unique(names, name);
		if (is_compat)
			add_arch(p, arch);
		free(name);
	}
	sort_names(names);
	return p;
}

/* ---- the run ---- */

struct rec_opts {
	const char *output;
	bool append;
	bool verbose;
	char **cmd;
};

static const struct argp_option options[] = {
	{ "output", 'o', "PROFILE.json", 0, "Write the profile here (required)", 0 },
	{ "append", 'a', NULL, 0, "Merge this run into the existing PROFILE.json", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's log", 0 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct rec_opts *o = state->input;

	switch (key) {
	case 'o':
		o->output = arg;
		return 0;
	case 'a':
		o->append = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case ARGP_KEY_ARG:
		o->cmd = &state->argv[state->next - 1];
		state->next = state->argc;
		return 0;
	case ARGP_KEY_END:
		if (!o->cmd)
			argp_error(state, "no command given (vigil seccomp record -o P.json -- CMD ARGS)");
		else if (!o->output)
			argp_error(state, "-o PROFILE.json is required");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp record_argp = {
	options, parse_opt, "-- CMD [ARG...]",
	"Run CMD and every process it starts in a cgroup of their own, count their syscalls in the "
	"kernel, and write the smallest seccomp profile (defaultAction SCMP_ACT_ERRNO) with which "
	"`vigil sandbox --profile PROFILE.json -- CMD` runs the same way. Exits with CMD's status.\v"
	"Examples:\n"
	"  vigil seccomp record -o tar.json -- tar cf /tmp/etc.tar /etc\n"
	"  vigil seccomp record -o py.json -- python3 -c 'print(1)'\n"
	"  vigil seccomp record -o py.json --append -- python3 -c 'import json'\n"
	"See docs/sandbox.md.",
	NULL, NULL, NULL,
};

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l, (void)f, (void)ap;
	return 0;
}

static int loud(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	return vfprintf(stderr, f, ap);
}

/*
 * Loads only the recorder's program from the one BPF object, by the best attach method that
 * works here (tp_btf, raw_tp, tracepoint: tried in that order). Its own small loader rather than
 * the agent's sensor table: the recorder never runs with the agent's sensors, and must never
 * run a per-syscall program in the agent by default.
 */
static struct vigil_bpf *load_recorder(struct bpf_link **link, const char **method, char *err,
				       size_t errlen)
{
	static const char *const methods[] = { "tp_btf", "raw_tp", "tracepoint" };
	int last = 0;

	for (int m = 0; m < 3; m++) {
		struct vigil_bpf *skel = vigil_bpf__open();
		struct bpf_program *p, *want;
		if (!skel) {
			last = -errno;
			continue;
		}
		want = m == 0 ? skel->progs.seccomp_rec_btf :
		       m == 1 ? skel->progs.seccomp_rec_raw : skel->progs.seccomp_rec_tp;
		bpf_object__for_each_program(p, skel->obj)
			bpf_program__set_autoload(p, p == want);
		bpf_map__set_max_entries(skel->maps.events, 4096); /* unused: no records */
		if (m == 2)
			kernel_fs_ensure(err, errlen);
		last = vigil_bpf__load(skel);
		if (!last) {
			*link = bpf_program__attach(want);
			if (*link) {
				*method = methods[m];
				return skel;
			}
			last = -errno;
		}
		vigil_bpf__destroy(skel);
	}
	snprintf(err, errlen, "cannot load the syscall sensor by tp_btf, raw_tp or tracepoint: %s%s",
		 strerror(-last), " (run with -v for libbpf's log)");
	return NULL;
}

static int find_cgroup2(char *out, size_t len, unsigned *depth)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024], root[512], mnt[512];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, " - cgroup2 "))
			continue;
		if (sscanf(line, "%*s %*s %*s %511s %511s", root, mnt) != 2)
			continue;
		snprintf(out, len, "%s", mnt);
		/* the mount's root within the hierarchy: "/" is the root cgroup (level 0) */
		*depth = 0;
		for (char *c = root; *c; c++)
			*depth += *c == '/' && c[1];
		fclose(f);
		return 0;
	}
	fclose(f);
	return -1;
}

struct rec_cgroup {
	char path[600];
	uint64_t id;
	unsigned level;
};

static int make_cgroup(struct rec_cgroup *cg, char *err, size_t errlen)
{
	char root[512];
	unsigned depth;
	struct stat st;

	if (find_cgroup2(root, sizeof(root), &depth)) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup)");
		return -1;
	}
	snprintf(cg->path, sizeof(cg->path), "%s/vigil-record-%d", root, (int)getpid());
	if (mkdir(cg->path, 0755) || stat(cg->path, &st)) {
		snprintf(err, errlen, "cannot create the recording cgroup %s: %s", cg->path, strerror(errno));
		return -1;
	}
	cg->id = st.st_ino;
	cg->level = depth + 1;
	return 0;
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[700];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static bool cgroup_populated(const struct rec_cgroup *cg)
{
	char path[700], buf[256];
	FILE *f;
	bool populated = false;

	snprintf(path, sizeof(path), "%s/cgroup.events", cg->path);
	if (!(f = fopen(path, "re")))
		return false;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "populated 1", 11))
			populated = true;
	fclose(f);
	return populated;
}

static void remove_cgroup(struct rec_cgroup *cg)
{
	/* whatever is left (a daemon the command started) is ended: it ran unrecorded otherwise */
	if (cgroup_populated(cg)) {
		write_file(cg->path, "cgroup.kill", "1");
		for (int i = 0; i < 100 && cgroup_populated(cg); i++)
			usleep(10000);
	}
	rmdir(cg->path);
}

static volatile sig_atomic_t stop_lingering;
static volatile sig_atomic_t child_pid;

/* A signal sent to vigil goes on to the command (one from the terminal reached it already);
 * once the command is gone, it ends the wait for its leftovers. */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (child_pid <= 0)
		stop_lingering = 1;
	else if (si->si_code != SI_KERNEL)
		kill((pid_t)child_pid, sig);
}

/* After the command exits, its descendants may still run: record until they are gone too. */
static void wait_descendants(const struct rec_cgroup *cg)
{
	if (!cgroup_populated(cg))
		return;
	fprintf(stderr, "vigil: the command exited; still recording the processes it left in %s "
			"(Ctrl-C to stop)\n", cg->path);
	while (!stop_lingering && cgroup_populated(cg))
		usleep(20000);
}

static int read_counts(struct vigil_bpf *skel, struct syscall_counts *c, uint64_t *total)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(skel->maps.seccomp_rec_counts);
	uint64_t *per;

	if (ncpu <= 0 || !(per = calloc((size_t)ncpu, sizeof(*per))))
		return -1;
	*total = 0;
	for (uint32_t slot = 0; slot < VIGIL_SYSCALL_SLOTS; slot++) {
		c->n[slot] = 0;
		if (bpf_map_lookup_elem(fd, &slot, per))
			continue;
		for (int i = 0; i < ncpu; i++)
			c->n[slot] += per[i];
		*total += c->n[slot];
	}
	free(per);
	return 0;
}

static int write_profile(const char *path, json_t *p, char *err, size_t errlen)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s.vigil-tmp", path);
	if (json_dump_file(p, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	FILE *f = fopen(tmp, "a"); /* jansson leaves the last line open */
	if (f) {
		fputc('\n', f);
		fclose(f);
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The existing profile for --append: checked as a profile, kept as JSON to merge into. */
static json_t *load_base(const char *path, char *err, size_t errlen)
{
	struct profile prof;
	json_error_t je;

	if (profile_parse_file(path, &prof, err, errlen))
		return NULL;
	profile_free(&prof);
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		snprintf(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
	return j;
}

static void describe_command(char *out, size_t len, char **cmd)
{
	size_t o = 0;

	out[0] = '\0';
	for (char **a = cmd; *a && o + 1 < len; a++) {
		int n = snprintf(out + o, len - o, "%s%s", a == cmd ? "" : " ", *a);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static int record(struct rec_opts *o)
{
	struct rec_cgroup cg = {};
	struct bpf_link *link = NULL;
	struct vigil_bpf *skel = NULL;
	struct syscall_counts *counts = NULL;
	json_t *base = NULL, *prof = NULL;
	const char *method = "";
	char err[PATH_MAX + 256], cmdline[512], comment[600], pidtext[32];
	int gate[2] = { -1, -1 }, report[2] = { -1, -1 }, status = 0, rc = 1, exec_errno = 0;
	uint64_t total = 0;
	size_t unnamed = 0;
	pid_t pid;

	if (o->append && access(o->output, F_OK) == 0 && !(base = load_base(o->output, err, sizeof(err)))) {
		fprintf(stderr, "vigil: --append: %s\n", err);
		return 2;
	}
	if (require_bpf_privileges())
		goto out;
	libbpf_set_print(o->verbose ? loud : quiet);
	if (make_cgroup(&cg, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		goto out;
	}
	if (!(skel = load_recorder(&link, &method, err, sizeof(err)))) {
		fprintf(stderr, "vigil: %s\n", err);
		goto out;
	}
	uint32_t zero = 0;
	struct vigil_syscall_scope scope = { .cgroup_id = cg.id, .level = cg.level };
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.seccomp_rec_scope), &zero, &scope, BPF_ANY)) {
		fprintf(stderr, "vigil: cannot set the recording scope: %s\n", strerror(errno));
		goto out;
	}
	if (pipe2(gate, O_CLOEXEC) || pipe2(report, O_CLOEXEC)) {
		fprintf(stderr, "vigil: pipe: %s\n", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "vigil: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		char go;
		close(gate[1]);
		/* wait to be moved into the cgroup: from then on every syscall is counted */
		if (read(gate[0], &go, 1) != 1)
			_exit(125);
		execvp(o->cmd[0], o->cmd);
		int e = errno; /* the report pipe closes on a successful exec: silence means it ran */
		if (write(report[1], &e, sizeof(e)) != sizeof(e))
			_exit(125);
		_exit(e == ENOENT ? 127 : 126);
	}
	close(gate[0]);
	close(report[1]);
	gate[0] = report[1] = -1;
	child_pid = pid;
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_RESTART | SA_SIGINFO };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	int mv = write_file(cg.path, "cgroup.procs", pidtext);
	if (mv || write(gate[1], "g", 1) != 1) {
		fprintf(stderr, "vigil: cannot move the command into %s: %s\n", cg.path,
			strerror(mv ? -mv : errno));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		goto out;
	}
	close(gate[1]);
	gate[1] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	if (read(report[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
		fprintf(stderr, "vigil: cannot run '%s': %s; no profile written\n", o->cmd[0],
			strerror(exec_errno));
		rc = exit_code_of(status);
		goto out;
	}
	wait_descendants(&cg);

	bpf_link__destroy(link);
	link = NULL;
	counts = calloc(1, sizeof(*counts));
	if (!counts || read_counts(skel, counts, &total)) {
		fprintf(stderr, "vigil: cannot read the syscall counts\n");
		goto out;
	}
	describe_command(cmdline, sizeof(cmdline), o->cmd);
	snprintf(comment, sizeof(comment), "recorded by vigil seccomp record: %s", cmdline);
	prof = recorder_profile(counts, seccomp_arch_native(), base, comment, &unnamed, err, sizeof(err));
	if (!prof || write_profile(o->output, prof, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		goto out;
	}
	size_t distinct = 0;
	for (size_t i = 0; i < VIGIL_SYSCALL_SLOTS; i++)
		distinct += counts->n[i] != 0;
	fprintf(stderr, "vigil: recorded %zu distinct syscalls (%llu calls, by %s) of `%s`; "
			"profile %s %s\n", distinct, (unsigned long long)total, method, cmdline,
		o->output, base ? "updated" : "written");
	if (unnamed)
		fprintf(stderr, "vigil: warning: %zu syscall numbers have no name in this libseccomp "
				"and are not in the profile\n", unnamed);
	rc = exit_code_of(status);
out:
	for (int i = 0; i < 2; i++) {
		if (gate[i] >= 0)
			close(gate[i]);
		if (report[i] >= 0)
			close(report[i]);
	}
	bpf_link__destroy(link);
	vigil_bpf__destroy(skel);
	if (cg.path[0])
		remove_cgroup(&cg);
	json_decref(prof);
	json_decref(base);
	free(counts);
	return rc;
}

int cmd_seccomp_record(int argc, char **argv)
{
	struct rec_opts o = {};

	argp_err_exit_status = 2;
	if (argp_parse(&record_argp, argc, argv, ARGP_IN_ORDER, NULL, &o))
		return 2;
	return record(&o);
}
