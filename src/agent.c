// SPDX-License-Identifier: GPL-2.0-only
/* vigil run: the agent. Streams every event of the requested kinds (docs/events.md). */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config/config.h"
#include "agent_rules.h"
#include "kinds.h"
#include "output/outputs.h"

enum {
	OPT_RINGBUF = 0x100,
	OPT_ANCESTORS,
	OPT_THREADS,
	OPT_BASH,
	OPT_FOLLOW,
	OPT_POLICY,
	OPT_ALL_EVENTS,
	OPT_NO_RULES,
	OPT_MONITOR,
	OPT_ENFORCE,
	OPT_ALLOW_DEGRADED,
	OPT_FORCE_BROAD,
	OPT_PIN_TAKEOVER,
	OPT_EXEMPT_COMM,
	OPT_EXEMPT_CGROUP,
	OPT_XDP_IFACE,
	OPT_PIN,
	OPT_CONFIG,
	OPT_JSON,
	OPT_SPOOL_DIR,
	OPT_DRAIN,
	OPT_METRICS,
};

/* What `vigil run` was asked for, beyond the session's options. */
struct run_args {
	struct run_opts o; /* the filter options' argp child fills it */
	struct agent_rules rules;
	bool kinds_given;
	bool no_rules;
	bool enf_given; /* an enforcement option: needs rules */
	bool network_output; /* an --output that is not a file or stdout: JSON only */
};

static const struct argp_option run_options[] = {
	{ "config", OPT_CONFIG, "FILE", 0, "Read options from FILE (vigil.yaml(5), e.g. " CONFIG_DEFAULT_PATH "); options given here replace its values", 0 },
	{ "format", 'f', "FORMAT", 0, "json or text (default: text on a terminal, json otherwise)", 0 },
	{ "json", OPT_JSON, NULL, 0, "The same as --format json (--json in every tool and vigil check)", 0 },
	{ "output", 'o', "SPEC", 0, "Send events to SPEC instead of stdout (repeatable; json by default): a file path, - (stdout), or file:PATH?rotate=100M&keep=5&gzip, syslog:///dev/log, syslog+udp|tcp|tls://HOST:PORT, http(s)://HOST/PATH?format=ndjson|es-bulk|splunk-hec, clickhouse://HOST:8123/DB.TABLE; any with ?kinds=K,K&min-severity=S (docs/outputs.md)", 0 },
	{ "spool-dir", OPT_SPOOL_DIR, "DIR", 0, "Network outputs spool here while their receiver is slow or down (default " OUTPUTS_SPOOL_DIR ")", 0 },
	{ "metrics", OPT_METRICS, "ADDR:PORT", 0, "Serve Prometheus metrics at http://ADDR:PORT/metrics and health at /healthz (docs/outputs.md)", 0 },
	{ "drain-timeout", OPT_DRAIN, "SECONDS", 0, "At exit, give network outputs this long to send what they hold (default 5); the rest stays spooled", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "kind", 'k', "KIND[,KIND]", 0, "Only these event kinds (default: all)", 0 },
	{ "ancestors", OPT_ANCESTORS, NULL, 0, "Add the chain of ancestors up to init", 0 },
	{ "threads", OPT_THREADS, NULL, 0, "Report thread creation as process.fork too", 0 },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0, "Ring buffer size, a power of two (default 8M)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's log (verifier output on load failures)", 0 },
	{ "bash", OPT_BASH, "PATH", 0, "shell.command: the bash to watch (default /bin/bash)", 0 },
	{ "follow", OPT_FOLLOW, "PID", 0, "process.output: follow PID and its descendants", 0 },
	{ NULL, 0, NULL, 0, "Rules (docs/policy.md):", 5 },
	{ "policy", OPT_POLICY, "FILE|DIR", 0, "Rules to load (repeatable; 'bundled' is the built-in library); only alerts are printed unless --all-events", 5 },
	{ "all-events", OPT_ALL_EVENTS, NULL, 0, "With rules, stream every event too", 5 },
	{ "no-rules", OPT_NO_RULES, NULL, 0, "Stream events only, without the default rules", 5 },
	{ NULL, 0, NULL, 0, "Enforcement (docs/enforcement.md):", 6 },
	{ "monitor", OPT_MONITOR, NULL, 0, "Deny nothing: every deny rule reports would-deny", 6 },
	{ "enforce", OPT_ENFORCE, NULL, 0, "Every deny rule denies, whatever its own mode", 6 },
	{ "allow-degraded", OPT_ALLOW_DEGRADED, NULL, 0, "Run deny rules this kernel cannot enforce as alerts instead of refusing them", 6 },
	{ "force-broad-deny", OPT_FORCE_BROAD, NULL, 0, "Accept a deny/kill rule that would stop every exec or every open (refused otherwise; PID 1, vigil and its children are never stopped)", 6 },
	{ "exempt-comm", OPT_EXEMPT_COMM, "COMM", 0, "Never deny this command name (repeatable)", 6 },
	{ "exempt-cgroup", OPT_EXEMPT_CGROUP, "PATH", 0, "Never deny processes in this cgroup v2 or below it (repeatable; absolute or under the cgroup2 mount)", 6 },
	{ "pin", OPT_PIN, "NAME", OPTION_ARG_OPTIONAL, "Keep the kernel's network enforcement in force after vigil exits (pinned under /sys/fs/bpf/vigil/NAME, default agent; vigil unpin [NAME] lifts it)", 6 },
	{ "pin-takeover", OPT_PIN_TAKEOVER, NULL, 0, "With --pin: take over the enforcement an earlier run left pinned under the same NAME (after a crash, or instead of vigil unpin): this run's links replace its pins, with no moment unenforced", 6 },
	{ "xdp-iface", OPT_XDP_IFACE, "IF", 0, "Attach the net.packet deny rules (XDP) to this interface (repeatable; required by such rules)", 6 },
	{},
};

int parse_kind_list(const char *list, uint64_t *kinds, char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	int rc = 0;

	if (!copy)
		return -1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct kind_info *k = kind_by_name(tok);
		if (!k) {
			struct sbuf names = {};
			const struct kind_info *x;
			for (unsigned i = 0; (x = kind_at(i)); i++)
				sbuf_printf(&names, "%s%s", i ? ", " : "", x->name);
			snprintf(err, errlen, "unknown event kind '%s' (known: %s)", tok, sbuf_str(&names));
			sbuf_free(&names);
			rc = -1;
			break;
		}
		if (k->kind == VIGIL_KIND_NET_PACKET) { /* no sensor: XDP deny rules report it */
			snprintf(err, errlen, "net.packet has no sensor: it comes from net.packet deny rules at XDP (docs/enforcement.md)");
			rc = -1;
			break;
		}
		*kinds |= KIND_BIT(k->kind);
	}
	if (!rc && !*kinds) {
		snprintf(err, errlen, "expected event kind names, got '%s'", list);
		rc = -1;
	}
	free(copy);
	return rc;
}

static error_t parse_run_opt(int key, char *arg, struct argp_state *state)
{
	struct run_args *a = state->input;
	struct run_opts *o = &a->o;
	char err[512];

	switch (key) {
	case OPT_POLICY:
		a->rules.paths = realloc(a->rules.paths, (a->rules.npaths + 1) * sizeof(char *));
		if (!a->rules.paths)
			abort();
		a->rules.paths[a->rules.npaths++] = arg;
		return 0;
	case OPT_CONFIG: /* read before parsing (cmd_run) */
		return 0;
	case OPT_ALL_EVENTS:
		a->rules.all_events = true;
		return 0;
	case OPT_NO_RULES:
		a->no_rules = true;
		return 0;
	case OPT_MONITOR:
	case OPT_ENFORCE: {
		enum enforce_mode_override m = key == OPT_MONITOR ? ENF_FORCE_MONITOR : ENF_FORCE_ENFORCE;
		if (a->rules.enf.mode != ENF_PER_RULE && a->rules.enf.mode != m)
			argp_error(state, "--monitor and --enforce contradict each other");
		a->rules.enf.mode = m;
		a->enf_given = true;
		return 0;
	}
	case OPT_PIN:
		if (arg && enforce_pin_name_error(arg))
			cli_bad_value(state, "--pin", enforce_pin_name_error(arg));
		a->rules.enf.pin = true;
		a->rules.enf.pin_name = arg;
		a->enf_given = true;
		return 0;
	case OPT_ALLOW_DEGRADED:
		a->rules.enf.allow_degraded = true;
		a->enf_given = true;
		return 0;
	case OPT_PIN_TAKEOVER:
		a->rules.enf.pin_takeover = true;
		a->rules.enf.pin = true;
		a->enf_given = true;
		return 0;
	case OPT_FORCE_BROAD:
		a->rules.enf.force_broad = true;
		a->enf_given = true;
		return 0;
	case OPT_EXEMPT_COMM:
	case OPT_EXEMPT_CGROUP:
	case OPT_XDP_IFACE: {
		const char ***list = key == OPT_EXEMPT_COMM	? &a->rules.enf.exempt_comm
				     : key == OPT_XDP_IFACE ? &a->rules.enf.xdp_iface
							      : &a->rules.enf.exempt_cgroup;
		size_t *n = key == OPT_EXEMPT_COMM    ? &a->rules.enf.nexempt_comm
			    : key == OPT_XDP_IFACE ? &a->rules.enf.nxdp_iface
						     : &a->rules.enf.nexempt_cgroup;
		if (key == OPT_XDP_IFACE && (!arg[0] || strlen(arg) >= 16))
			cli_bad_value(state, "--xdp-iface", "expected an interface name of 1 to 15 bytes");
		if (key == OPT_EXEMPT_COMM && (!arg[0] || strlen(arg) >= VIGIL_COMM_LEN))
			cli_bad_value(state, "--exempt-comm", "expected a command name of 1 to 15 bytes");
		*list = realloc(*list, (*n + 1) * sizeof(char *));
		if (!*list)
			abort();
		(*list)[(*n)++] = arg;
		a->enf_given = true;
		return 0;
	}
	case ARGP_KEY_INIT:
		state->child_inputs[0] = o; /* the filter options */
		return 0;
	case 'f':
		if (out_format_parse(arg, &o->format))
			cli_bad_value(state, "--format", "expected json or text");
		o->format_set = true;
		return 0;
	case 'o': {
		struct output_spec spec;
		char why[400];
		if (o->noutputs == RUN_OUTPUTS_MAX)
			cli_bad_value(state, "--output", "at most 16 outputs");
		int bad = output_spec_parse(arg, &spec, why, sizeof(why));
		if (!bad && output_spec_is_network(&spec))
			a->network_output = true;
		output_spec_free(&spec);
		if (bad) {
			snprintf(err, sizeof(err), "%s: %s", arg, why);
			cli_bad_value(state, "--output", err);
		}
		o->outputs[o->noutputs++] = arg;
		return 0;
	}
	case OPT_SPOOL_DIR:
		if (!arg[0])
			cli_bad_value(state, "--spool-dir", "expected a directory");
		o->spool_dir = arg;
		return 0;
	case OPT_METRICS:
		if (!strchr(arg, ':'))
			cli_bad_value(state, "--metrics", "expected ADDR:PORT, e.g. 127.0.0.1:9464");
		o->metrics = arg;
		return 0;
	case OPT_DRAIN:
		if (parse_seconds(arg, &o->drain_s, err, sizeof(err)))
			cli_bad_value(state, "--drain-timeout", err);
		return 0;
	case OPT_JSON:
		o->format = OUT_JSON;
		o->format_set = true;
		return 0;
	case 'd':
		if (parse_seconds(arg, &o->duration, err, sizeof(err)))
			cli_bad_value(state, "--duration", err);
		return 0;
	case 'k':
		if (parse_kind_list(arg, &o->kinds, err, sizeof(err)))
			cli_bad_value(state, "--kind", err);
		a->kinds_given = true;
		o->strict_sensors = true; /* the kinds were asked for by name */
		return 0;
	case OPT_ANCESTORS:
		o->ancestors = true;
		return 0;
	case OPT_THREADS:
		o->threads = true;
		return 0;
	case OPT_RINGBUF:
		if (parse_pow2_size(arg, 4096, 1ULL << 30, &o->ringbuf_size, err, sizeof(err)))
			cli_bad_value(state, "--ringbuf-size", err);
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case OPT_BASH:
		o->shell.bash_path = arg;
		return 0;
	case OPT_FOLLOW: {
		uint64_t v;
		if (parse_u64(arg, 1, UINT32_MAX, &v, err, sizeof(err)))
			cli_bad_value(state, "--follow", err);
		o->shell.follow_tgid = (uint32_t)v;
		return 0;
	}
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	case ARGP_KEY_END:
		if (a->network_output && o->format_set && o->format == OUT_TEXT)
			argp_error(state, "network outputs carry JSON events: drop --format text");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_child run_children[] = {
	{ &filter_argp, 0, NULL, 0 },
	{},
};

static const struct argp run_argp = {
	run_options, parse_run_opt, NULL,
	"Run the agent until SIGINT/SIGTERM or --duration. With no options it streams every event "
	"and the bundled rules' alerts; --policy loads rules and prints only their alerts (add "
	"--all-events for both); --kind or --no-rules streams events without rules. SIGHUP reloads "
	"the rules, keeping the old ones if the new ones have an error.\v"
	"Examples:\n"
	"  vigil run\n"
	"  vigil run --policy /etc/vigil/rules.d --output /var/log/vigil-alerts.jsonl\n"
	"  vigil run --format json --output /var/log/vigil.jsonl\n"
	"  vigil run --output 'file:/var/log/vigil.jsonl?rotate=100M&keep=5&gzip' --output 'syslog+tcp://siem:514?kinds=alert&min-severity=high'\n"
	"  vigil run -k process.exec --uid 1000 --ancestors\n"
	"  vigil run --comm bash --duration 60",
	run_children, NULL, NULL,
};

static int parse_args(struct run_args *a, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	run_opts_init(&a->o);
	int rc = cli_parse(&run_argp, argc, argv, a);
	if (!rc && a->o.noutputs && !a->o.format_set)
		a->o.format = OUT_JSON;
	return rc;
}

int run_opts_parse(struct run_opts *o, int argc, char **argv)
{
	struct run_args a;
	int rc = parse_args(&a, argc, argv);

	*o = a.o;
	free(a.rules.paths);
	free(a.rules.enf.exempt_comm);
	free(a.rules.enf.exempt_cgroup);
	free(a.rules.enf.xdp_iface);
	return rc;
}

const struct argp *run_argp_get(void)
{
	return &run_argp;
}

static void free_lists(struct run_args *a)
{
	free(a->rules.paths);
	free(a->rules.enf.exempt_comm);
	free(a->rules.enf.exempt_cgroup);
	free(a->rules.enf.xdp_iface);
}

char *run_check_args(int argc, char **argv)
{
	struct run_args a = {};
	char *msg = NULL;
	size_t len = 0;
	FILE *saved = stderr, *mem = open_memstream(&msg, &len);

	if (!mem)
		return NULL;
	run_opts_init(&a.o);
	stderr = mem; /* argp reports to stderr: keep its first line for a file:line:col message */
	argp_parse(&run_argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP, NULL, &a);
	stderr = saved;
	fclose(mem);
	free_lists(&a);
	if (!len) {
		free(msg);
		return NULL;
	}
	char *nl = strchr(msg, '\n'), *colon = strstr(msg, ": ");
	if (nl)
		*nl = '\0';
	if (colon && (!nl || colon < nl)) /* "vigil run: invalid value ..." */
		memmove(msg, colon + 2, strlen(colon + 2) + 1);
	return msg;
}

/* --config: the file's options, then the command line's (which replace the file's per key). */
struct run_config {
	struct config file;
	struct option_list opts;
	int argc;       /* the command line as given */
	char **argv;
	struct agent_rules *rules;
	void (*reload_rules)(struct pipeline *pl, struct sensors *s);
	char **paths;   /* policy paths from the last reload */
};

static struct run_config the_config;

static int config_read(struct run_config *rc, const char *path, struct config *out)
{
	size_t errors = config_load(out, path, &run_argp, "config", stderr);
	if (out->n)
		errors += config_check_values(out, rc->argv[0], run_check_args, stderr);
	if (errors) {
		config_free(out);
		return -1;
	}
	return 0;
}

/* The values a file gives one option, as a comparable string. */
static void values_of(const struct config *c, const struct argp_option *o, struct sbuf *b)
{
	sbuf_reset(b);
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].opt == o)
			sbuf_printf(b, "%s\x1f", c->e[i].value ? c->e[i].value : "\x1e");
}

/* SIGHUP with --config: the file is read again; its rule sources apply now (then the rules are
 * reloaded), any other change is reported as needing a restart. */
static void config_reload(struct pipeline *pl, struct sensors *s)
{
	struct run_config *rc = &the_config;
	struct config next;
	struct sbuf was = {}, now = {};

	if (config_read(rc, rc->file.path, &next)) {
		fprintf(stderr, "vigil: %s has errors (above); the running configuration stays\n",
			rc->file.path);
		return;
	}
	for (size_t i = 0; i < rc->opts.n; i++) {
		const struct argp_option *o = rc->opts.opt[i];
		if (!strcmp(o->name, "policy") || argv_gives(&rc->opts, rc->argc, rc->argv, o))
			continue;
		values_of(&rc->file, o, &was);
		values_of(&next, o, &now);
		if (strcmp(sbuf_str(&was), sbuf_str(&now)))
			fprintf(stderr, "vigil: %s: '%s' changed; that takes effect when vigil restarts\n",
				next.path, o->name);
	}
	sbuf_free(&was);
	sbuf_free(&now);
	const struct argp_option *policy = option_list_find(&rc->opts, "policy");
	if (rc->rules && !argv_gives(&rc->opts, rc->argc, rc->argv, policy)) {
		size_t n = 0;
		char **paths = calloc(next.n + 1, sizeof(char *));
		if (!paths)
			abort();
		for (size_t i = 0; i < next.n; i++)
			if (next.e[i].opt == policy)
				paths[n++] = strdup(next.e[i].value);
		/* the old strings may still be referenced by the running policy's positions */
		rc->rules->paths = (const char **)paths;
		rc->rules->npaths = n;
		rc->paths = paths;
	}
	/* the previous file's strings stay: argv and the running policy point into them */
	rc->file = next;
	if (rc->reload_rules)
		rc->reload_rules(pl, s);
}

int cmd_run(int argc, char **argv)
{
	struct session_hooks hooks = {};
	struct run_args a;
	char err[512];
	int rc;
	const char *cfg;

	option_list_collect(&run_argp, &the_config.opts);
	cfg = argv_last_value(&the_config.opts, argc, argv,
			      option_list_find(&the_config.opts, "config"));
	the_config.argc = argc;
	the_config.argv = argv;
	if (cfg) {
		if (config_read(&the_config, cfg, &the_config.file)) {
			fprintf(stderr, "vigil: %s has errors (above); nothing started\n", cfg);
			return 2;
		}
		argv = config_merge_argv(&the_config.file, &the_config.opts, argc, argv, &argc);
	}
	if (parse_args(&a, argc, argv))
		return 2;
	/* no rules when asked, or when only kinds were asked for; the default: bundled rules and
	 * every event; --policy: those rules, alerts only unless --all-events */
	bool rules = !a.no_rules && (a.rules.npaths || !a.kinds_given);
	if (a.no_rules && a.rules.npaths) {
		fprintf(stderr, "vigil: --no-rules and --policy contradict each other\n");
		free(a.rules.paths);
		return 2;
	}
	if (!rules && a.enf_given) {
		fprintf(stderr, "vigil: --monitor, --enforce, --allow-degraded and --exempt-* apply to rules; this run has none\n");
		free(a.rules.paths);
		return 2;
	}
	if (rules) {
		if (!a.rules.npaths)
			a.rules.all_events = true;
		if (agent_rules_prepare(&a.rules, &a.o, &hooks, err, sizeof(err))) {
			fprintf(stderr, "vigil: %s\n", err);
			agent_rules_free(&a.rules);
			free(a.rules.paths);
			return 1;
		}
	}
	if (cfg) {
		the_config.rules = rules ? &a.rules : NULL;
		the_config.reload_rules = hooks.on_reload;
		hooks.on_reload = config_reload; /* SIGHUP reads the file again, then the rules */
	}
	rc = session_run(&a.o, &hooks);
	if (rules)
		agent_rules_free(&a.rules);
	free(a.rules.paths);
	free(a.rules.enf.exempt_comm);
	free(a.rules.enf.exempt_cgroup);
	free(a.rules.enf.xdp_iface);
	return rc;
}
