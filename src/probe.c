// SPDX-License-Identifier: GPL-2.0-only
#include "probe.h"

#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "cli.h"
#include "probe.skel.h"

static const char *const names[FEAT_COUNT] = {
	[FEAT_BTF] = "btf",
	[FEAT_RINGBUF] = "ringbuf",
	[FEAT_TP_BTF] = "tp_btf",
	[FEAT_RAW_TP] = "raw_tracepoint",
	[FEAT_TRACEPOINT] = "tracepoint",
	[FEAT_KPROBE] = "kprobe",
	[FEAT_FENTRY] = "fentry",
	[FEAT_LSM] = "bpf_lsm",
	[FEAT_UPROBE] = "uprobe",
	[FEAT_TASK_ITER] = "task_iter",
	[FEAT_CGROUP_V2] = "cgroup_v2",
	[FEAT_SEND_SIGNAL] = "send_signal",
	[FEAT_XDP] = "xdp",
	[FEAT_MODULES] = "modules",
	[FEAT_LOCKDOWN] = "lockdown",
};

const char *feature_name(enum feature f)
{
	return f < FEAT_COUNT ? names[f] : "?";
}

static bool is_fs(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == magic;
}

/* Mounts fstype at path unless it is there already; says so in one line when it did. */
static int ensure_mounted(const char *path, const char *fstype, long magic, const char *opts,
			  char *err, size_t errlen)
{
	if (is_fs(path, magic))
		return 0;
	if (mount(fstype, path, fstype, 0, opts) != 0) {
		int e = errno;
		snprintf(err, errlen, "%s is not mounted at %s and mounting it failed: %s (try: mount -t %s %s %s)",
			 fstype, path, strerror(e), fstype, fstype, path);
		return -e;
	}
	fprintf(stderr, "vigil: mounted %s at %s (it was not mounted)\n", fstype, path);
	return 0;
}

int kernel_fs_ensure(char *err, size_t errlen)
{
	char ignored[256];
	int rc = ensure_mounted("/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC, NULL, err, errlen);

	if (rc)
		return rc;
	/* securityfs only tells us about LSMs and lockdown: its absence is not an error */
	(void)ensure_mounted("/sys/kernel/security", "securityfs", SECURITYFS_MAGIC, NULL, ignored,
			     sizeof(ignored));
	return 0;
}

int kernel_bpffs_ensure(char *err, size_t errlen)
{
	/* mode=0700: only root may look at or add pins, as on a distribution that mounts it */
	return ensure_mounted(BPFFS_PATH, "bpf", BPF_FS_MAGIC, "mode=0700", err, errlen);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* A function of our own for the uprobe to attach to. */
__attribute__((noinline, used)) int vigil_probe_uprobe_target(int x)
{
	__asm__ volatile("" : : "r"(x) : "memory");
	return x + 1;
}

enum attach_kind { ATTACH_AUTO, ATTACH_KPROBE, ATTACH_UPROBE, ATTACH_NONE };

/* Loads only the named program and attaches it as asked; 0 or -errno. */
static int try_program(const char *prog_name, enum attach_kind how)
{
	struct probe_bpf *skel = probe_bpf__open();
	struct bpf_program *prog, *p;
	struct bpf_link *link = NULL;
	int err;

	if (!skel)
		return -errno;
	prog = bpf_object__find_program_by_name(skel->obj, prog_name);
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == prog);
	err = probe_bpf__load(skel);
	if (err)
		goto out;
	switch (how) {
	case ATTACH_AUTO:
		link = bpf_program__attach(prog);
		break;
	case ATTACH_KPROBE:
		link = bpf_program__attach_kprobe(prog, false, "vfs_read");
		break;
	case ATTACH_UPROBE: {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "vigil_probe_uprobe_target");
		link = bpf_program__attach_uprobe_opts(prog, 0, "/proc/self/exe", 0, &opts);
		if (link)
			vigil_probe_uprobe_target(1);
		break;
	}
	case ATTACH_NONE:
		break;
	}
	if (how != ATTACH_NONE && !link)
		err = -errno;
	if (how == ATTACH_UPROBE && link && skel->bss->hits == 0)
		err = -ENOENT; /* attached but never fired */
out:
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
	return err;
}

bool probe_bpf_lsm(void)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	int err = try_program("probe_lsm", ATTACH_AUTO);

	libbpf_set_print(old);
	return err == 0;
}

static void set(struct probe_result *r, enum feature f, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set(struct probe_result *r, enum feature f, bool ok, const char *fmt, ...)
{
	va_list ap;

	r->f[f].available = ok;
	va_start(ap, fmt);
	vsnprintf(r->f[f].detail, sizeof(r->f[f].detail), fmt, ap);
	va_end(ap);
}

static void probe_prog(struct probe_result *r, enum feature f, const char *prog,
		       enum attach_kind how, const char *what)
{
	int err = try_program(prog, how);

	if (!err)
		set(r, f, true, "%s", what);
	else
		set(r, f, false, "%s: %s", what, strerror(-err));
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void find_cgroup2(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* ... mount-point ... - fstype source options */
		char *sep = strstr(line, " - cgroup2 ");
		char mnt[256];
		if (!sep)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1) {
			snprintf(out, len, "%.*s", (int)len - 1, mnt);
			break;
		}
	}
	fclose(f);
}

void probe_run(struct probe_result *r)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	char err[256];
	struct btf *btf;

	memset(r, 0, sizeof(*r));
	kernel_fs_ensure(err, sizeof(err));

	btf = btf__load_vmlinux_btf();
	set(r, FEAT_BTF, btf != NULL, btf ? "/sys/kernel/btf/vmlinux" : "no kernel BTF");
	btf__free(btf);

	int rc = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	set(r, FEAT_RINGBUF, rc == 1, rc == 1 ? "BPF_MAP_TYPE_RINGBUF" : "ring buffer maps refused");

	probe_prog(r, FEAT_TP_BTF, "probe_tp_btf", ATTACH_AUTO, "tp_btf/sched_process_fork");
	probe_prog(r, FEAT_RAW_TP, "probe_raw_tp", ATTACH_AUTO, "raw_tp/sched_process_fork");
	probe_prog(r, FEAT_TRACEPOINT, "probe_tracepoint", ATTACH_AUTO, "tracepoint sched:sched_process_fork");
	probe_prog(r, FEAT_KPROBE, "probe_kprobe", ATTACH_KPROBE, "kprobe on vfs_read");
	probe_prog(r, FEAT_FENTRY, "probe_fentry", ATTACH_AUTO, "fentry on vfs_read");
	probe_prog(r, FEAT_UPROBE, "probe_uprobe", ATTACH_UPROBE, "uprobe on /proc/self/exe");
	probe_prog(r, FEAT_TASK_ITER, "probe_iter", ATTACH_AUTO, "iter/task");
	probe_prog(r, FEAT_SEND_SIGNAL, "probe_send_signal", ATTACH_NONE, "bpf_send_signal from a tracepoint");
	probe_prog(r, FEAT_XDP, "probe_xdp", ATTACH_NONE, "XDP program load");

	/* BPF LSM: the program must load, and "bpf" must be in the active LSM list */
	read_line("/sys/kernel/security/lsm", r->lsms, sizeof(r->lsms));
	int lsm_err = try_program("probe_lsm", ATTACH_AUTO);
	bool lsm_listed = strstr(r->lsms, "bpf") != NULL;
	if (!lsm_err)
		set(r, FEAT_LSM, true, "lsm/file_open attached; active LSMs: %s", r->lsms);
	else
		set(r, FEAT_LSM, false, "lsm/file_open: %s; bpf %s the active LSMs (%s)", strerror(-lsm_err),
		    lsm_listed ? "is in" : "is not in", r->lsms[0] ? r->lsms : "unknown");

	find_cgroup2(r->cgroup2_path, sizeof(r->cgroup2_path));
	if (r->cgroup2_path[0]) {
		int cerr = try_program("probe_cgroup_connect4", ATTACH_NONE);
		set(r, FEAT_CGROUP_V2, true, "mounted at %s; cgroup/connect4 %s", r->cgroup2_path,
		    cerr ? "refused" : "loads");
	} else {
		set(r, FEAT_CGROUP_V2, false, "no cgroup2 mount");
	}

	bool modules = access("/proc/modules", F_OK) == 0;
	set(r, FEAT_MODULES, modules, modules ? "/proc/modules present" : "kernel built without module support");

	char lock[128];
	read_line("/sys/kernel/security/lockdown", lock, sizeof(lock));
	char *open_b = strchr(lock, '['), *close_b = open_b ? strchr(open_b, ']') : NULL;
	if (open_b && close_b) {
		snprintf(r->lockdown, sizeof(r->lockdown), "%.*s", (int)(close_b - open_b - 1), open_b + 1);
		set(r, FEAT_LOCKDOWN, strcmp(r->lockdown, "none") != 0, "mode %s", r->lockdown);
	} else {
		snprintf(r->lockdown, sizeof(r->lockdown), "unknown");
		set(r, FEAT_LOCKDOWN, false, "no /sys/kernel/security/lockdown");
	}
	libbpf_set_print(old);
}

void probe_print_table(const struct probe_result *r)
{
	printf("%-16s %-4s %s\n", "FEATURE", "OK", "DETAIL");
	for (int f = 0; f < FEAT_COUNT; f++)
		printf("%-16s %-4s %s\n", names[f], r->f[f].available ? "yes" : "no", r->f[f].detail);
}

void probe_write_json(const struct probe_result *r, struct out *o)
{
	for (int f = 0; f < FEAT_COUNT; f++) {
		out_obj(o, names[f]);
		out_bool(o, "available", r->f[f].available);
		out_str(o, "detail", r->f[f].detail);
		if (f == FEAT_CGROUP_V2)
			out_str(o, "path", r->cgroup2_path);
		if (f == FEAT_LOCKDOWN)
			out_str(o, "mode", r->lockdown);
		if (f == FEAT_LSM)
			out_str(o, "active_lsms", r->lsms);
		out_obj_end(o);
	}
}

struct probe_args {
	bool json;
};

static error_t parse_probe(int key, char *arg, struct argp_state *state)
{
	struct probe_args *a = state->input;

	(void)arg;
	switch (key) {
	case 'j':
		a->json = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int cmd_probe(int argc, char **argv)
{
	static const struct argp_option options[] = {
		{ "json", 'j', NULL, 0, "Print JSON instead of a table", 0 },
		{},
	};
	static const struct argp argp = {
		options, parse_probe, NULL,
		"Show what this kernel offers to vigil, found by trying each feature.\v"
		"Examples:\n  vigil probe\n  vigil probe --json | jq .tp_btf",
		NULL, NULL, NULL,
	};
	struct probe_args a = {};
	struct probe_result r;
	char err[256];

	if (cli_parse(&argp, argc, argv, &a))
		return 2;
	if (require_bpf_privileges())
		return 1;
	if (kernel_fs_ensure(err, sizeof(err)) < 0)
		fprintf(stderr, "vigil: %s\n", err);
	probe_run(&r);
	if (a.json) {
		struct sbuf b = {};
		struct out o;
		out_init(&o, &b, OUT_JSON);
		out_begin(&o);
		probe_write_json(&r, &o);
		out_end(&o);
		fwrite(b.p, 1, b.len, stdout);
		sbuf_free(&b);
	} else {
		probe_print_table(&r);
	}
	return 0;
}
