// SPDX-License-Identifier: GPL-2.0-only
#include "sensors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cap_audit.h"
#include "kinds.h"
#include "loss.h"
#include "teardown.h"
#include "vigil.skel.h"

static const struct sensor_def defs[] = {
	{
		.name = "process",
		.kinds = KIND_BIT(VIGIL_KIND_PROCESS_EXEC) | KIND_BIT(VIGIL_KIND_PROCESS_FORK) |
			 KIND_BIT(VIGIL_KIND_PROCESS_EXIT),
		.hooks = { "exec", "fork", "exit" },
		.events = { "sched_process_exec", "sched_process_fork", "sched_process_exit" },
	},
	{
		.name = "shell",
		.kinds = KIND_BIT(VIGIL_KIND_SHELL_COMMAND),
		.hooks = { "readline" },
		.events = { "uretprobe:bash:readline" },
		.attach = shell_attach_readline,
	},
	{
		.name = "tty",
		.kinds = KIND_BIT(VIGIL_KIND_TTY_WRITE),
		.hooks = { "tty_write", "tty_writev" },
		.events = { "syscalls:sys_enter_write", "syscalls:sys_enter_writev" },
		.configure = tty_configure,
		.attach = tty_attach,
	},
	{
		.name = "output",
		.kinds = KIND_BIT(VIGIL_KIND_PROCESS_OUTPUT),
		.hooks = { "output_write", "output_writev", "output_fork", "output_exit" },
		.events = { "syscalls:sys_enter_write", "syscalls:sys_enter_writev",
			    "sched:sched_process_fork", "sched:sched_process_exit" },
		.configure = output_configure,
		.attach = output_attach,
	},
	/* file sensors: syscall exit tracepoints only (see src/bpf/file.bpf.c); split so that the
	 * hot one, open, is attached only when file.open is asked for */
	{
		.name = "file",
		.kinds = KIND_BIT(VIGIL_KIND_FILE_OPEN),
		.hooks = { "open_exit", "openat_exit", "openat2_exit", "creat_exit" },
		.events = { "syscalls:sys_exit_open", "syscalls:sys_exit_openat",
			    "syscalls:sys_exit_openat2", "syscalls:sys_exit_creat" },
	},
	{
		.name = "file_names",
		.kinds = KIND_BIT(VIGIL_KIND_FILE_UNLINK) | KIND_BIT(VIGIL_KIND_FILE_RENAME) |
			 KIND_BIT(VIGIL_KIND_FILE_LINK) | KIND_BIT(VIGIL_KIND_FILE_SYMLINK),
		.hooks = { "unlink_exit", "unlinkat_exit", "rmdir_exit", "rename_exit",
			   "renameat_exit", "renameat2_exit", "link_exit", "linkat_exit",
			   "symlink_exit", "symlinkat_exit" },
		.events = { "syscalls:sys_exit_unlink", "syscalls:sys_exit_unlinkat",
			    "syscalls:sys_exit_rmdir", "syscalls:sys_exit_rename",
			    "syscalls:sys_exit_renameat", "syscalls:sys_exit_renameat2",
			    "syscalls:sys_exit_link", "syscalls:sys_exit_linkat",
			    "syscalls:sys_exit_symlink", "syscalls:sys_exit_symlinkat" },
	},
	{
		.name = "file_attrs",
		.kinds = KIND_BIT(VIGIL_KIND_FILE_CHMOD) | KIND_BIT(VIGIL_KIND_FILE_CHOWN) |
			 KIND_BIT(VIGIL_KIND_FILE_TRUNCATE),
		.hooks = { "chmod_exit", "fchmod_exit", "fchmodat_exit", "fchmodat2_exit",
			   "chown_exit", "fchown_exit", "lchown_exit", "fchownat_exit",
			   "truncate_exit", "ftruncate_exit" },
		.events = { "syscalls:sys_exit_chmod", "syscalls:sys_exit_fchmod",
			    "syscalls:sys_exit_fchmodat", "syscalls:sys_exit_fchmodat2",
			    "syscalls:sys_exit_chown", "syscalls:sys_exit_fchown",
			    "syscalls:sys_exit_lchown", "syscalls:sys_exit_fchownat",
			    "syscalls:sys_exit_truncate", "syscalls:sys_exit_ftruncate" },
		.optional = 1u << 3, /* fchmodat2: Linux 6.6 and later */
	},
	{
		.name = "net",
		.kinds = KIND_BIT(VIGIL_KIND_NET_CONNECT) | KIND_BIT(VIGIL_KIND_NET_ACCEPT) |
			 KIND_BIT(VIGIL_KIND_NET_CLOSE) | KIND_BIT(VIGIL_KIND_NET_RESET),
		.hooks = { "sock_state", "rst_tx", "rst_rx", "accept4_exit", "accept_exit",
			   "connect_enter", "connect_exit" },
		.events = { "sock:inet_sock_set_state", "tcp:tcp_send_reset", "tcp:tcp_receive_reset",
			    "syscalls:sys_exit_accept4", "syscalls:sys_exit_accept",
			    "syscalls:sys_enter_connect", "syscalls:sys_exit_connect" },
	},
	{
		.name = "net-listen",
		.kinds = KIND_BIT(VIGIL_KIND_NET_LISTEN),
		.hooks = { "listen_enter", "listen_exit" },
		.events = { "syscalls:sys_enter_listen", "syscalls:sys_exit_listen" },
	},
	{
		.name = "net-rtt",
		.kinds = KIND_BIT(VIGIL_KIND_NET_RTT),
		.hooks = { "rtt" },
		.events = { "tcp:tcp_probe" },
	},
	{
		.name = "dns-send",
		.kinds = KIND_BIT(VIGIL_KIND_NET_DNS),
		.hooks = { "dns_sendto_enter", "dns_sendto_exit", "dns_sendmsg_enter", "dns_sendmsg_exit",
			   "dns_sendmmsg_enter", "dns_sendmmsg_exit", "dns_writev_enter", "dns_writev_exit" },
		.events = { "syscalls:sys_enter_sendto", "syscalls:sys_exit_sendto",
			    "syscalls:sys_enter_sendmsg", "syscalls:sys_exit_sendmsg",
			    "syscalls:sys_enter_sendmmsg", "syscalls:sys_exit_sendmmsg",
			    "syscalls:sys_enter_writev", "syscalls:sys_exit_writev" },
	},
	{
		.name = "dns-recv",
		.kinds = KIND_BIT(VIGIL_KIND_NET_DNS),
		.hooks = { "dns_recvfrom_enter", "dns_recvfrom_exit", "dns_recvmsg_enter", "dns_recvmsg_exit" },
		.events = { "syscalls:sys_enter_recvfrom", "syscalls:sys_exit_recvfrom",
			    "syscalls:sys_enter_recvmsg", "syscalls:sys_exit_recvmsg" },
	},
	/* privileges and kernel activity: sys_enter/sys_exit pairs (src/bpf/syspair.bpf.h) */
#define PAIR(sc) #sc "_enter", #sc "_exit"
#define PAIR_EV(sc) "syscalls:sys_enter_" #sc, "syscalls:sys_exit_" #sc
	{
		.name = "setuid",
		.kinds = KIND_BIT(VIGIL_KIND_PRIV_SETUID),
		.hooks = { PAIR(setuid), PAIR(setreuid), PAIR(setresuid), PAIR(setfsuid) },
		.events = { PAIR_EV(setuid), PAIR_EV(setreuid), PAIR_EV(setresuid), PAIR_EV(setfsuid) },
	},
	{
		.name = "setgid",
		.kinds = KIND_BIT(VIGIL_KIND_PRIV_SETUID),
		.hooks = { PAIR(setgid), PAIR(setregid), PAIR(setresgid), PAIR(setfsgid) },
		.events = { PAIR_EV(setgid), PAIR_EV(setregid), PAIR_EV(setresgid), PAIR_EV(setfsgid) },
	},
	{
		.name = "capset",
		.kinds = KIND_BIT(VIGIL_KIND_PRIV_CAPSET),
		.hooks = { PAIR(capset) },
		.events = { PAIR_EV(capset) },
	},
	{
		.name = "capable",
		.kinds = KIND_BIT(VIGIL_KIND_PRIV_CAPABLE),
		.hooks = { "capable" },
		.events = { "capability:cap_capable" },
		.configure = capable_configure,
	},
	{
		.name = "module",
		.kinds = KIND_BIT(VIGIL_KIND_KERNEL_MODULE_LOAD),
		.hooks = { PAIR(init_module), PAIR(finit_module) },
		.events = { PAIR_EV(init_module), PAIR_EV(finit_module) },
		.needs = FEATURE_BIT(FEAT_MODULES),
	},
	{
		.name = "bpf",
		.kinds = KIND_BIT(VIGIL_KIND_KERNEL_BPF),
		.hooks = { PAIR(bpf) },
		.events = { PAIR_EV(bpf) },
	},
	{
		.name = "mount",
		.kinds = KIND_BIT(VIGIL_KIND_KERNEL_MOUNT) | KIND_BIT(VIGIL_KIND_KERNEL_UMOUNT),
		.hooks = { PAIR(mount), PAIR(fsmount), PAIR(move_mount), PAIR(umount) },
		.events = { PAIR_EV(mount), PAIR_EV(fsmount), PAIR_EV(move_mount), PAIR_EV(umount) },
	},
	{
		.name = "ptrace",
		.kinds = KIND_BIT(VIGIL_KIND_KERNEL_PTRACE),
		.hooks = { PAIR(ptrace) },
		.events = { PAIR_EV(ptrace) },
	},
	{
		.name = "namespace",
		.kinds = KIND_BIT(VIGIL_KIND_KERNEL_NAMESPACE),
		.hooks = { PAIR(unshare), PAIR(setns) },
		.events = { PAIR_EV(unshare), PAIR_EV(setns) },
	},
	{
		.name = "memfd",
		.kinds = KIND_BIT(VIGIL_KIND_KERNEL_MEMFD),
		.hooks = { PAIR(memfd_create) },
		.events = { PAIR_EV(memfd_create) },
	},
	{
		.name = "exec_failed",
		.kinds = KIND_BIT(VIGIL_KIND_PROCESS_EXEC_FAILED),
		.hooks = { PAIR(execve), PAIR(execveat) },
		.events = { PAIR_EV(execve), PAIR_EV(execveat) },
	},
	{
		.name = "denied",
		.kinds = KIND_BIT(VIGIL_KIND_SYSCALL_DENIED),
		.hooks = { "denied" },
		.events = { "raw_syscalls:sys_exit" },
	},
#undef PAIR
#undef PAIR_EV
};

static const struct {
	const char *name;
	const char *suffix;
	enum feature feature;
} methods[ATTACH_METHOD_COUNT] = {
	[ATTACH_TP_BTF] = { "tp_btf", "_btf", FEAT_TP_BTF },
	[ATTACH_RAW_TP] = { "raw_tp", "_raw", FEAT_RAW_TP },
	[ATTACH_TRACEPOINT] = { "tracepoint", "_tp", FEAT_TRACEPOINT },
	[ATTACH_UPROBE] = { "uprobe", "_uprobe", FEAT_UPROBE },
	[ATTACH_FEXIT] = { "fexit", "_fexit", FEAT_FENTRY },
};

const char *attach_method_name(enum attach_method m)
{
	return m < ATTACH_METHOD_COUNT ? methods[m].name : "unavailable";
}

static struct bpf_program *hook_prog(struct vigil_bpf *skel, const char *hook, enum attach_method m)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", hook, methods[m].suffix);
	return bpf_object__find_program_by_name(skel->obj, name);
}

/*
 * Whether this kernel has the event a program attaches to: a tracepoint's tracefs directory (a
 * syscall the kernel was built without, e.g. init_module with CONFIG_MODULES=n, has none), or a
 * raw tracepoint's btf_trace_<name> type. Other program kinds are not checked here.
 */
static bool prog_event_exists(struct bpf_program *p, const struct btf *vmlinux, char *missing,
			      size_t len)
{
	const char *sec = bpf_program__section_name(p), *slash = strchr(sec, '/');
	char path[256];

	if (!slash)
		return true;
	if (!strncmp(sec, "tracepoint/", 11)) {
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s", slash + 1);
		snprintf(missing, len, "no tracepoint %s on this kernel", slash + 1);
		return access(path, F_OK) == 0;
	}
	if (vmlinux && (!strncmp(sec, "tp_btf/", 7) || !strncmp(sec, "raw_tp/", 7))) {
		snprintf(path, sizeof(path), "btf_trace_%s", slash + 1);
		snprintf(missing, len, "no tracepoint %s on this kernel", slash + 1);
		return btf__find_by_name_kind(vmlinux, path, BTF_KIND_TYPEDEF) >= 0;
	}
	return true;
}

/* The optional hooks of a sensor that this kernel lacks, for the chosen method. */
static uint32_t skipped_hooks(struct vigil_bpf *skel, const struct sensor_def *d, enum attach_method m,
			      const struct btf *vmlinux)
{
	uint32_t skipped = 0;
	char unused[160];

	for (int h = 0; h < SENSOR_MAX_HOOKS && d->hooks[h]; h++) {
		if (!(d->optional & (1u << h)))
			continue;
		struct bpf_program *p = hook_prog(skel, d->hooks[h], m);
		if (!p || !prog_event_exists(p, vmlinux, unused, sizeof(unused)))
			skipped |= 1u << h;
	}
	return skipped;
}

/* The best method that every hook of the sensor has a program for and the kernel supports. */
static enum attach_method choose_method(struct vigil_bpf *skel, const struct sensor_def *d,
					const struct probe_result *probe, const struct btf *vmlinux,
					char *why, size_t whylen)
{
	char missing[160] = "";

	for (int m = 0; m < ATTACH_METHOD_COUNT; m++) {
		bool ok = probe->f[methods[m].feature].available;
		for (int h = 0; ok && h < SENSOR_MAX_HOOKS && d->hooks[h]; h++) {
			struct bpf_program *p = hook_prog(skel, d->hooks[h], m);
			if (d->optional & (1u << h))
				continue; /* a kernel without it skips it (skipped_hooks) */
			ok = p && prog_event_exists(p, vmlinux, missing, sizeof(missing));
		}
		if (ok)
			return m;
	}
	for (int f = 0; f < FEAT_COUNT; f++)
		if ((d->needs & FEATURE_BIT(f)) && !probe->f[f].available) {
			snprintf(why, whylen, "%s (%s)", probe->f[f].detail,
				 *missing ? missing : feature_name(f));
			return ATTACH_UNAVAILABLE;
		}
	if (*missing)
		snprintf(why, whylen, "%s", missing);
	else
		snprintf(why, whylen, "none of its attach methods works here (tp_btf: %s; raw_tp: %s)",
			 probe->f[FEAT_TP_BTF].detail, probe->f[FEAT_RAW_TP].detail);
	return ATTACH_UNAVAILABLE;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Opens and loads the object with every wanted sensor but the excluded ones (a bit per index
 * in defs[]). 0, or the libbpf error with a message in err. */
static int open_and_load(struct sensors *s, const struct sensors_config *cfg,
			 const struct probe_result *probe, uint64_t excluded, char *err, size_t errlen)
{
	struct bpf_program *p;
	struct btf *vmlinux;
	uint64_t kinds = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->skel = vigil_bpf__open();
	if (!s->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -EINVAL;
	}
	bpf_object__for_each_program(p, s->skel->obj)
		bpf_program__set_autoload(p, false);

	vmlinux = btf__load_vmlinux_btf(); /* NULL: raw tracepoints are not checked */
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		struct sensor_state *st = &s->st[s->count++];

		st->def = &defs[i];
		st->wanted = defs[i].kinds & cfg->kinds;
		st->method = choose_method(s->skel, st->def, probe, vmlinux, st->why, sizeof(st->why));
		if (st->wanted && st->method != ATTACH_UNAVAILABLE && (excluded & (1ULL << i))) {
			st->method = ATTACH_UNAVAILABLE;
			snprintf(st->why, sizeof(st->why), "its programs do not load on this kernel (the verifier or a CO-RE relocation refused them; -v shows libbpf's log)");
		}
		if (!st->wanted || st->method == ATTACH_UNAVAILABLE)
			continue;
		st->skipped = skipped_hooks(s->skel, st->def, st->method, vmlinux);
		for (int h = 0; h < SENSOR_MAX_HOOKS && defs[i].hooks[h]; h++)
			if (!(st->skipped & (1u << h)))
				bpf_program__set_autoload(hook_prog(s->skel, defs[i].hooks[h], st->method), true);
		if (defs[i].configure && defs[i].configure(s, cfg, err, errlen)) {
			btf__free(vmlinux);
			return -EINVAL;
		}
		kinds |= defs[i].kinds & cfg->kinds;
	}
	btf__free(vmlinux);
	if (!kinds) {
		snprintf(err, errlen, "no sensor can run on this kernel for the requested events");
		return -ENOENT;
	}
	/* the iterator is loaded with the sensors; it runs once, at start */
	bpf_program__set_autoload(s->skel->progs.seed_tasks, true);
	bpf_program__set_autoattach(s->skel->progs.seed_tasks, false);

	s->skel->rodata->cfg.kinds_enabled = kinds;
	s->skel->rodata->cfg.agent_tgid = (uint32_t)getpid();
	s->skel->rodata->cfg.fork_threads = cfg->fork_threads;
	if (cfg->ringbuf_size)
		bpf_map__set_max_entries(s->skel->maps.events, (uint32_t)cfg->ringbuf_size);
	loss_test_config(s->skel);
	rc = vigil_bpf__load(s->skel);
	if (rc) {
		snprintf(err, errlen, "loading the BPF programs failed: %s%s", strerror(-rc),
			 cfg->verbose ? "" : " (run with -v for the verifier's log)");
		return rc;
	}
	s->kinds_loaded = kinds;
	return 0;
}

static bool is_required(const struct sensor_def *d)
{
	return !strcmp(d->name, "process");
}

/*
 * Loads what cfg asks for. libbpf refuses a whole object when one program fails (a field this
 * kernel lacks, a verifier limit): then each optional sensor is tried alone with the process
 * sensor, the ones that fail are reported unavailable, and the rest load.
 */
int sensors_load(struct sensors *s, const struct sensors_config *cfg, const struct probe_result *probe,
		 char *err, size_t errlen)
{
	const size_t n = sizeof(defs) / sizeof(defs[0]);
	uint64_t all = n >= 64 ? ~0ULL : (1ULL << n) - 1, broken = 0;
	char trial_err[512];

	libbpf_set_print(cfg->verbose ? libbpf_print : libbpf_quiet);
	if (!open_and_load(s, cfg, probe, 0, err, errlen))
		return 0;
	if (!s->skel || !s->count || cfg->strict) /* nothing to narrow down, or asked not to */
		return -1;
	struct sensor_state wanted[SENSORS_MAX];
	size_t count = s->count;
	memcpy(wanted, s->st, sizeof(wanted));
	vigil_bpf__destroy(s->skel);
	s->skel = NULL;
	for (size_t i = 0; i < count; i++) {
		if (!wanted[i].wanted || wanted[i].method == ATTACH_UNAVAILABLE ||
		    is_required(wanted[i].def))
			continue;
		uint64_t keep = 1ULL << i;
		for (size_t j = 0; j < count; j++)
			if (is_required(wanted[j].def))
				keep |= 1ULL << j;
		if (open_and_load(s, cfg, probe, all & ~keep, trial_err, sizeof(trial_err)))
			broken |= 1ULL << i;
		vigil_bpf__destroy(s->skel);
		s->skel = NULL;
	}
	if (open_and_load(s, cfg, probe, broken, err, errlen))
		return -1;
	for (size_t i = 0; i < count; i++)
		if (broken & (1ULL << i))
			fprintf(stderr, "vigil: warning: sensor %s is unavailable: %s; the others run\n",
				wanted[i].def->name, s->st[i].why);
	return 0;
}

int sensors_attach_hooks(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen)
{
	for (int h = 0; h < SENSOR_MAX_HOOKS && st->def->hooks[h]; h++) {
		if (st->skipped & (1u << h))
			continue;
		struct bpf_program *p = hook_prog(s->skel, st->def->hooks[h], st->method);
		struct bpf_link *link = bpf_program__attach(p);
		if (!link) {
			snprintf(err, errlen, "attaching %s (%s) to %s failed: %s", st->def->name,
				 attach_method_name(st->method), st->def->events[h], strerror(errno));
			return -1;
		}
		s->links[s->nlinks++] = link;
	}
	return 0;
}

/*
 * A sensor that will not attach is reported unavailable (agent.ready says why) and the others
 * run; only the process sensor, which every event is joined to, is required.
 */
int sensors_attach(struct sensors *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->count; i++) {
		struct sensor_state *st = &s->st[i];
		size_t before = s->nlinks;
		char why[sizeof(st->why)];

		if (!st->wanted || st->method == ATTACH_UNAVAILABLE)
			continue;
		if (!(st->def->attach ? st->def->attach(s, st, why, sizeof(why))
				      : sensors_attach_hooks(s, st, why, sizeof(why))))
			continue;
		if (!strcmp(st->def->name, "process") || s->cfg.strict) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		while (s->nlinks > before)
			bpf_link__destroy(s->links[--s->nlinks]);
		st->method = ATTACH_UNAVAILABLE;
		snprintf(st->why, sizeof(st->why), "%s", why);
		s->kinds_loaded &= ~st->def->kinds;
		fprintf(stderr, "vigil: warning: sensor %s is unavailable: %s; the others run\n",
			st->def->name, why);
	}
	return 0;
}

void sensors_detach(struct sensors *s)
{
	links_detach_all(s->links, s->nlinks); /* all at once: see teardown.h */
	s->nlinks = 0;
}

void sensors_destroy(struct sensors *s)
{
	sensors_detach(s);
	vigil_bpf__destroy(s->skel);
	s->skel = NULL;
}

/* Reads one iterator run to its end into a growing buffer; returns bytes, or -errno. */
static ssize_t read_iter(struct bpf_link *link, char **bufp)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	int fd = bpf_iter_create(bpf_link__fd(link));
	ssize_t rc = 0;

	if (fd < 0 || !buf) {
		rc = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		if (cap - len < 65536) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = (ssize_t)len;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0) {
		free(buf);
		buf = NULL;
	}
	*bufp = buf;
	return rc;
}

struct seed_walk {
	void (*fn)(const void *rec, size_t size, void *ctx);
	void *ctx;
	int count;
};

/* Hands every well-formed record of an iterator's output to the callback. */
static void walk_records(struct seed_walk *w, const char *buf, size_t len)
{
	size_t off = 0;

	/* records are back to back; each carries its size (checked before use) */
	while (len - off >= sizeof(struct vigil_event_hdr)) {
		const struct vigil_event_hdr *h = (const void *)(buf + off);
		if (h->kind != VIGIL_RECORD_SEED || h->size < sizeof(*h) || h->size > len - off)
			break;
		w->fn(buf + off, h->size, w->ctx);
		off += h->size;
		w->count++;
	}
}

int sensors_seed(struct sensors *s, void (*fn)(const void *rec, size_t size, void *ctx), void *ctx)
{
	struct seed_walk w = { .fn = fn, .ctx = ctx };
	struct bpf_link *link = bpf_program__attach_iter(s->skel->progs.seed_tasks, NULL);
	char *buf = NULL;
	ssize_t n;

	if (!link)
		return -errno;
	n = read_iter(link, &buf);
	if (n > 0)
		walk_records(&w, buf, (size_t)n);
	free(buf);
	bpf_link__destroy(link);
	return n < 0 ? (int)n : w.count;
}

int sensors_ringbuf_fd(const struct sensors *s)
{
	return bpf_map__fd(s->skel->maps.events);
}

int sensors_read_stats(const struct sensors *s, struct vigil_kind_stats out[VIGIL_KIND_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(s->skel->maps.kind_stats);

	if (ncpu <= 0)
		return -EINVAL;
	struct vigil_kind_stats *per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	memset(out, 0, sizeof(*out) * VIGIL_KIND_MAX);
	for (uint32_t k = 0; k < VIGIL_KIND_MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, per))
			continue;
		for (int c = 0; c < ncpu; c++) {
			out[k].produced += per[c].produced;
			out[k].dropped += per[c].dropped;
			out[k].read_errors += per[c].read_errors;
			out[k].filtered += per[c].filtered;
			out[k].table_produced += per[c].table_produced;
			out[k].table_dropped += per[c].table_dropped;
		}
	}
	free(per);
	return 0;
}

void sensors_describe(const struct sensors *s, struct out *o)
{
	out_arr(o, "sensors");
	for (size_t i = 0; i < s->count; i++) {
		const struct sensor_state *st = &s->st[i];
		out_obj(o, NULL);
		out_str(o, "name", st->def->name);
		out_str(o, "status", !st->wanted ? "off" :
				     st->method == ATTACH_UNAVAILABLE ? "unavailable" : "attached");
		out_str(o, "method", attach_method_name(st->method));
		if (st->method == ATTACH_UNAVAILABLE && st->wanted)
			out_str(o, "reason", st->why);
		out_arr(o, "kinds");
		for (unsigned k = 0; k < VIGIL_KIND_MAX; k++)
			if (st->def->kinds & KIND_BIT(k))
				out_str(o, NULL, kind_name(k));
		out_arr_end(o);
		out_arr(o, "hooks");
		for (int h = 0; h < SENSOR_MAX_HOOKS && st->def->hooks[h]; h++)
			out_str(o, NULL, st->def->events[h]);
		out_arr_end(o);
		out_obj_end(o);
	}
	out_arr_end(o);
}
