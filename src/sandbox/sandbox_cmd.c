// SPDX-License-Identifier: GPL-2.0-only
/* vigil sandbox: run a command under a Docker/OCI seccomp profile (and Landlock), be the
 * supervisor of its notified syscalls, and report what the filter refused. */
#include "sandbox/sandbox_cmd.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "out.h"
#include "sandbox/audit.h"
#include "sandbox/landlock.h"
#include "sandbox/launch.h"
#include "sandbox/notify.h"
#include "sandbox/policy_cli.h"
#include "sandbox/profile.h"
#include "sandbox/seccomp_filter.h"
#include "sink.h"
#include "timefmt.h"

#define PATHS_MAX 64
#define AUDIT_FLUSH_MS 5000

enum {
	OPT_PROFILE = 'p',
	OPT_LANDLOCK_RO = 0x100,
	OPT_LANDLOCK_RW,
	OPT_DENY_PATH,
	OPT_DENY_CONNECT,
	OPT_SKIP_UNKNOWN,
};

struct sandbox_opts {
	const char *profile;
	unsigned profile_flags;
	const char *ro[PATHS_MAX], *rw[PATHS_MAX];
	size_t nro, nrw;
	struct cli_policy policy;
	const char *output;
	enum out_format format;
	bool format_set;
	bool verbose;
	char **cmd;
};

static const struct argp_option options[] = {
	{ "profile", OPT_PROFILE, "PROFILE.json", 0, "The Docker/OCI seccomp profile (required)", 0 },
	{ "skip-unknown-syscalls", OPT_SKIP_UNKNOWN, NULL, 0,
	  "Leave out syscall names this libseccomp does not know (newer than it), with a warning, "
	  "instead of refusing the profile", 0 },
	{ "landlock-ro", OPT_LANDLOCK_RO, "PATH", 0,
	  "Landlock: allow reading and executing under PATH (repeatable)", 0 },
	{ "landlock-rw", OPT_LANDLOCK_RW, "PATH", 0,
	  "Landlock: allow everything under PATH (repeatable)", 0 },
	{ NULL, 0, NULL, 0, "Supervisor policy for syscalls the profile sends to SCMP_ACT_NOTIFY:", 1 },
	{ "deny-path", OPT_DENY_PATH, "PREFIX", 0,
	  "Refuse open/openat/openat2/creat of paths under PREFIX with EACCES (repeatable)", 1 },
	{ "deny-connect", OPT_DENY_CONNECT, "ADDR[:PORT]", 0,
	  "Refuse connect to ADDR (and PORT) with EPERM (repeatable; [IPV6]:PORT)", 1 },
	{ NULL, 0, NULL, 0, "Events (seccomp.violation, seccomp.notify):", 2 },
	{ "output", 'o', "FILE", 0, "Append events to FILE (default: standard error)", 2 },
	{ "format", 'f', "FORMAT", 0, "json or text (default: text on a terminal, json otherwise)", 2 },
	{ "verbose", 'v', NULL, 0, "Say how the sandbox is set up (rules, Landlock ABI, supervisor)", 2 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct sandbox_opts *o = state->input;
	char err[PATH_MAX + 128];

	switch (key) {
	case OPT_PROFILE:
		o->profile = arg;
		return 0;
	case OPT_SKIP_UNKNOWN:
		o->profile_flags |= PROFILE_SKIP_UNKNOWN;
		return 0;
	case OPT_LANDLOCK_RO:
	case OPT_LANDLOCK_RW: {
		bool ro = key == OPT_LANDLOCK_RO;
		size_t *n = ro ? &o->nro : &o->nrw;
		if (*n >= PATHS_MAX)
			cli_bad_value(state, ro ? "--landlock-ro" : "--landlock-rw", "at most 64 paths");
		else
			(ro ? o->ro : o->rw)[(*n)++] = arg;
		return 0;
	}
	case OPT_DENY_PATH:
		if (cli_policy_add_path(&o->policy, arg, err, sizeof(err)))
			cli_bad_value(state, "--deny-path", err);
		return 0;
	case OPT_DENY_CONNECT:
		if (cli_policy_add_connect(&o->policy, arg, err, sizeof(err)))
			cli_bad_value(state, "--deny-connect", err);
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'f':
		if (out_format_parse(arg, &o->format))
			cli_bad_value(state, "--format", "expected json or text");
		o->format_set = true;
		return 0;
	case ARGP_KEY_ARG:
		/* the command starts here: the rest of the line is its own */
		o->cmd = &state->argv[state->next - 1];
		state->next = state->argc;
		return 0;
	case ARGP_KEY_END:
		if (!o->cmd)
			argp_error(state, "no command given (vigil sandbox --profile P.json -- CMD ARGS)");
		else if (!o->profile)
			argp_error(state, "--profile is required");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp sandbox_argp = {
	options, parse_opt, "-- CMD [ARG...]",
	"Run CMD under a seccomp filter built from a Docker/OCI profile, optionally confined by "
	"Landlock, with vigil as the supervisor of the syscalls the profile sends to "
	"SCMP_ACT_NOTIFY. Exits with CMD's status (128 + signal if it was killed); 2 for a bad "
	"profile or option, and nothing is run.\v"
	"Examples:\n"
	"  vigil sandbox --profile docker-default.json -- ls -l /\n"
	"  vigil sandbox --profile tar.json -o events.jsonl -- tar cf /tmp/a.tar /etc\n"
	"  vigil sandbox -p notify.json --deny-path /etc/shadow -- cat /etc/shadow\n"
	"  vigil sandbox --profile p.json --landlock-ro /usr --landlock-ro /etc \\\n"
	"      --landlock-rw /tmp/work -- sh -c 'echo hi > /tmp/work/out'\n"
	"See docs/sandbox.md.",
	NULL, NULL, NULL,
};

/* ---- the run ---- */

static volatile sig_atomic_t forward_to;

/* A signal sent to vigil goes on to the command; one from the terminal reached it already. */
static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (forward_to > 0 && si->si_code != SI_KERNEL)
		kill((pid_t)forward_to, sig);
}

struct run {
	const struct profile *prof;
	struct filter_env env;
	struct out out;
	struct sink sink;
	struct audit_reader audit;
	bool audit_on;
};

static void on_violation(const struct violation *v, void *ctx)
{
	struct run *r = ctx;
	struct violation copy = *v;
	char *name = seccomp_syscall_resolve_num_arch(v->arch, v->nr);

	copy.errno_ret = name ? filter_errno_for(r->prof, &r->env, name) : -1;
	free(name);
	sandbox_event_violation(&r->out, &copy);
	sink_flush(&r->sink, 0);
}

static void flush_sink(void *ctx)
{
	sink_flush(ctx, 0);
}

static void warn_unused_policy(const struct sandbox_opts *o, const struct filter_info *info)
{
	if ((o->policy.npaths || o->policy.naddrs) && !info->notify)
		fprintf(stderr, "vigil: warning: --deny-path/--deny-connect have no effect: the "
				"profile sends no syscall to SCMP_ACT_NOTIFY\n");
}

/* Supervises until the command exits; returns its wait status. */
static int supervise(struct run *r, struct launch *l, struct notify_supervisor *sup)
{
	int status = 0;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = l->pidfd, .events = POLLIN },
			{ .fd = l->listener, .events = POLLIN },
			{ .fd = r->audit_on ? r->audit.fd : -1, .events = POLLIN },
		};
		int n = poll(p, 3, 500);
		if (n < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			notify_supervisor_handle(sup);
		else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			close(l->listener); /* every filtered task is gone */
			l->listener = -1;
		}
		if (r->audit_on && (p[2].revents & POLLIN)) {
			r->audit.ses = launch_session(l);
			audit_reader_drain(&r->audit, on_violation, r);
		}
		if (p[0].revents & POLLIN)
			break;
	}
	while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
		;
	forward_to = 0;
	return status;
}

static int run_sandbox(struct sandbox_opts *o)
{
	struct profile prof = {};
	struct filter_env env;
	struct filter_info info;
	struct landlock_plan plan = { .ruleset_fd = -1 };
	struct bpf_filter bpf = {};
	struct notify_supervisor sup = {};
	struct launch l = { .pid = -1, .pidfd = -1, .listener = -1 };
	struct run r = {};
	scmp_filter_ctx ctx = NULL;
	char err[PATH_MAX + 512];
	int rc = 2, status;

	/* everything that can be wrong with the input is found before anything runs */
	if (profile_parse_file_flags(o->profile, o->profile_flags, &prof, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		return 2;
	}
	for (size_t i = 0; i < prof.nskipped; i++)
		fprintf(stderr, "vigil: warning: %s: %s: unknown to this libseccomp, left out\n",
			o->profile, prof.skipped[i]);
	filter_env_current(&env);
	r.prof = &prof;
	r.env = env;
	if (filter_build(&prof, &env, &ctx, &info, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s: %s\n", o->profile, err);
		goto out;
	}
	if (landlock_prepare(o->ro, o->nro, o->rw, o->nrw, &plan, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		goto out;
	}
	rc = 1;
	if (bpf_filter_export(ctx, info.notify, prof.flag_spec_allow, &bpf, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		goto out;
	}
	warn_unused_policy(o, &info);
	if (o->verbose) {
		fprintf(stderr, "vigil: seccomp: %zu libseccomp rules from %s (%zu profile rules left out by "
				"includes/excludes or equal to the default); default %s\n",
			info.rules_added, o->profile, info.rules_skipped,
			sb_action_name(prof.default_action));
		fprintf(stderr, "vigil: supervisor: %s\n", info.notify ? "on (the profile has SCMP_ACT_NOTIFY)" : "off");
		if (plan.ruleset_fd >= 0)
			fprintf(stderr, "vigil: Landlock: ABI %d, handled rights 0x%llx, %zu read-only and %zu "
					"read-write paths\n", plan.abi, (unsigned long long)plan.handled,
				o->nro, o->nrw);
	}
	if (sink_open(&r.sink, o->output)) {
		fprintf(stderr, "vigil: cannot open output file %s: %s\n", o->output, strerror(errno));
		goto out;
	}
	if (!o->output)
		r.sink.fd = STDERR_FILENO;
	if (!o->format_set)
		o->format = !o->output && isatty(STDERR_FILENO) ? OUT_TEXT : OUT_JSON;
	out_init(&r.out, &r.sink.buf, o->format);
	timefmt_init();
	if (audit_reader_open(&r.audit, err, sizeof(err)) == 0)
		r.audit_on = true;
	else
		fprintf(stderr, "vigil: warning: %s\n", err);
	char unlogged[128];
	audit_actions_not_logged(unlogged, sizeof(unlogged));
	if (r.audit_on && unlogged[0])
		fprintf(stderr, "vigil: warning: the kernel does not log these seccomp actions "
				"(/proc/sys/kernel/seccomp/actions_logged): %s; no seccomp.violation "
				"events for them\n", unlogged);

	if (launch_start(&l, o->cmd, &bpf, &plan, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		goto out;
	}
	r.audit.tgid = (uint32_t)l.pid;
	forward_to = l.pid;
	struct sigaction sa = { .sa_sigaction = forward_signal, .sa_flags = SA_RESTART | SA_SIGINFO };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct notify_policy policies[] = {
		{ "cli", cli_policy_decide, &o->policy },
	};
	if (l.listener >= 0) {
		if (notify_supervisor_init(&sup, l.listener)) {
			/* nobody could answer its notified calls: stop it rather than hang it */
			fprintf(stderr, "vigil: cannot allocate the notification buffers\n");
			kill(l.pid, SIGKILL);
			close(l.listener);
			l.listener = -1;
		}
		sup.policies = policies;
		sup.npolicies = sizeof(policies) / sizeof(policies[0]);
		sup.out = &r.out;
		sup.flush = flush_sink;
		sup.flush_ctx = &r.sink;
	}
	status = supervise(&r, &l, &sup);
	if (r.audit_on) {
		r.audit.ses = launch_session(&l);
		if (!audit_reader_flush(&r.audit, on_violation, &r, AUDIT_FLUSH_MS))
			fprintf(stderr, "vigil: warning: the audit log did not confirm it delivered "
					"every seccomp record within %d ms; seccomp.violation events may "
					"be missing\n", AUDIT_FLUSH_MS);
	}
	sink_flush(&r.sink, 0);
	int exec_errno = launch_exec_errno(&l);
	if (exec_errno) {
		/* say which layer most likely refused: the profile's errno for execve, or Landlock */
		const char *hint = "";
		if (filter_errno_for(&prof, &env, "execve") == exec_errno)
			hint = " (the profile refuses execve with this errno: allow execve)";
		else if (exec_errno == EACCES && plan.ruleset_fd >= 0)
			hint = " (is it under a --landlock-ro or --landlock-rw path?)";
		fprintf(stderr, "vigil: cannot run '%s': %s%s\n", o->cmd[0], strerror(exec_errno), hint);
	}
	rc = exit_code_of(status);
out:
	notify_supervisor_free(&sup);
	launch_free(&l);
	if (r.audit_on)
		audit_reader_close(&r.audit);
	if (r.sink.fd > 0)
		sink_close(&r.sink);
	bpf_filter_free(&bpf);
	landlock_plan_close(&plan);
	if (ctx)
		seccomp_release(ctx);
	profile_free(&prof);
	return rc;
}

int cmd_sandbox(int argc, char **argv)
{
	struct sandbox_opts *o = calloc(1, sizeof(*o));
	int rc;

	if (!o) {
		fprintf(stderr, "vigil: out of memory\n");
		return 1;
	}
	argp_err_exit_status = 2;
	/* in order: the first non-option is the command, and its options are not ours */
	if (argp_parse(&sandbox_argp, argc, argv, ARGP_IN_ORDER, NULL, o)) {
		free(o);
		return 2;
	}
	rc = run_sandbox(o);
	free(o);
	return rc;
}
