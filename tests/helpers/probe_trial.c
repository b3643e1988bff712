// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper: an independent trial of the kernel features `vigil probe` reports, so that the
 * tests take the expected enforcement mechanism from the kernel itself and never from vigil.
 *   probe_trial          prints one JSON object: bpf_lsm, fentry, kprobe, send_signal, each
 *                        {"available": true|false, "detail": "..."}
 * Each feature counts as available only when its program loads, attaches and visibly runs:
 *   bpf_lsm      an LSM program on bprm_check_security (BTF id of bpf_lsm_bprm_check_security,
 *                found by reading /sys/kernel/btf/vmlinux here) denies one child's exec: EPERM
 *   fentry       a tracing program on vfs_read counts this process's reads in an array map
 *   kprobe       a kprobe program on vfs_read, through a perf event of the kprobe PMU, the same
 *   send_signal  a raw tracepoint program on sys_enter sends SIGUSR1 to this process
 * Hand-written instructions and raw bpf(2), like bpf_holder.c: nothing of vigil or libbpf, so a
 * bug in vigil's probe cannot hide in the trial.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/perf_event.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						.off = (o), .imm = (i) })
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define CALL(fn) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MAX_INSNS 32

struct result {
	int available;
	char detail[200];
};

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int fail(struct result *r, const char *what)
{
	snprintf(r->detail, sizeof(r->detail), "%s: %s", what, strerror(errno));
	return -1;
}

/* ------------------------------------------------------------ BTF: a FUNC's id by name */

static void *read_all(const char *path, size_t *len)
{
	size_t cap = 1 << 22, n = 0;
	char *buf = malloc(cap);
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((got = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)got;
		if (n == cap) {
			char *more = realloc(buf, cap *= 2);

			if (!more)
				break;
			buf = more;
		}
	}
	close(fd);
	*len = n;
	return buf;
}

/* Bytes that follow struct btf_type for each kind (linux/btf.h). -1: a kind unknown here. */
static long btf_extra(const struct btf_type *t)
{
	unsigned vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return 12L * vlen;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	}
	return -1;
}

/* The type id of the BTF_KIND_FUNC named name in vmlinux's BTF; 0 with detail set if none. */
static unsigned btf_func_id(const char *name, struct result *r)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	const struct btf_header *h;
	const char *types, *strs, *p;
	unsigned id = 0, found = 0;
	size_t len;
	char *buf = read_all(path, &len);

	if (!buf) {
		fail(r, path);
		return 0;
	}
	h = (const struct btf_header *)buf;
	if (len < sizeof(*h) || h->magic != BTF_MAGIC ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > len ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > len) {
		snprintf(r->detail, sizeof(r->detail), "%s: not a BTF blob this helper reads", path);
		free(buf);
		return 0;
	}
	types = buf + h->hdr_len + h->type_off;
	strs = buf + h->hdr_len + h->str_off;
	for (p = types; p + sizeof(struct btf_type) <= types + h->type_len;) {
		const struct btf_type *t = (const struct btf_type *)p;
		long extra = btf_extra(t);

		id++;
		if (extra < 0) {
			snprintf(r->detail, sizeof(r->detail), "%s: BTF kind %u unknown to this helper",
				 path, BTF_INFO_KIND(t->info));
			free(buf);
			return 0;
		}
		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC && t->name_off < h->str_len &&
		    !strcmp(strs + t->name_off, name)) {
			found = id;
			break;
		}
		p += sizeof(*t) + (size_t)extra;
	}
	free(buf);
	if (!found)
		snprintf(r->detail, sizeof(r->detail), "no BTF FUNC %s in %s", name, path);
	return found;
}

/* ------------------------------------------------------------ programs */

static int prog_load(enum bpf_prog_type type, enum bpf_attach_type attach, unsigned btf_id,
		     const struct bpf_insn *insns, unsigned n, struct result *r)
{
	union bpf_attr a = {};
	int fd;

	a.prog_type = type;
	a.expected_attach_type = attach;
	a.attach_btf_id = btf_id;
	a.insns = (unsigned long)insns;
	a.insn_cnt = n;
	a.license = (unsigned long)"GPL";
	strncpy(a.prog_name, "probe_trial", sizeof(a.prog_name) - 1);
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		fail(r, "program load");
	return fd;
}

/* BPF_RAW_TRACEPOINT_OPEN: a raw tracepoint by name, or (name NULL) a tracing/LSM program on the
 * BTF id it was loaded for. */
static int raw_tp_open(int prog_fd, const char *name, struct result *r)
{
	union bpf_attr a = {};
	int fd;

	a.raw_tracepoint.name = (unsigned long)name;
	a.raw_tracepoint.prog_fd = (unsigned)prog_fd;
	fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
	if (fd < 0)
		fail(r, "attach");
	return fd;
}

/* A one-slot u64 array: programs count their runs in it. */
static int counter_create(struct result *r)
{
	union bpf_attr a = {};
	int fd;

	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0)
		fail(r, "map create");
	return fd;
}

static uint64_t counter_read(int map_fd)
{
	union bpf_attr a = {};
	uint32_t key = 0;
	uint64_t v = 0;

	a.map_fd = (unsigned)map_fd;
	a.key = (unsigned long)&key;
	a.value = (unsigned long)&v;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a))
		return 0;
	return v;
}

/* if (current tgid == tgid) counter[0] += 1; return 0; */
static unsigned counting_prog(struct bpf_insn *in, int map_fd, pid_t tgid)
{
	unsigned n = 0;

	in[n++] = CALL(BPF_FUNC_get_current_pid_tgid);
	in[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, 0, 0, 0, 32);
	in[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 9, tgid);
	in[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0);
	in[n++] = MOV_REG(2, BPF_REG_10);
	in[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4);
	in[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd);
	in[n++] = INSN(0, 0, 0, 0, 0);
	in[n++] = CALL(BPF_FUNC_map_lookup_elem);
	in[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0);
	in[n++] = MOV_IMM(1, 1);
	in[n++] = INSN(BPF_STX | BPF_DW | BPF_ATOMIC, 0, 1, 0, BPF_ADD);
	in[n++] = MOV_IMM(0, 0);
	in[n++] = EXIT();
	return n;
}

/* Reads a few bytes a few times: each read is one vfs_read of this process. */
static void do_reads(void)
{
	char b[16];

	for (int i = 0; i < 8; i++) {
		int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			if (read(fd, b, sizeof(b)) < 0)
				b[0] = 0;
			close(fd);
		}
	}
}

static void counted(struct result *r, int map_fd, const char *what)
{
	uint64_t n;

	do_reads();
	n = counter_read(map_fd);
	r->available = n > 0;
	snprintf(r->detail, sizeof(r->detail), "%s: %s (%llu runs on this process's reads)", what,
		 n ? "runs" : "attached but never ran", (unsigned long long)n);
}

/* ------------------------------------------------------------ the trials */

static void trial_fentry(struct result *r)
{
	struct bpf_insn in[MAX_INSNS];
	unsigned btf_id = btf_func_id("vfs_read", r), n;
	int map_fd, prog_fd, link_fd;

	if (!btf_id || (map_fd = counter_create(r)) < 0)
		return;
	n = counting_prog(in, map_fd, getpid());
	prog_fd = prog_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, btf_id, in, n, r);
	if (prog_fd >= 0 && (link_fd = raw_tp_open(prog_fd, NULL, r)) >= 0) {
		counted(r, map_fd, "fentry/vfs_read");
		close(link_fd);
	}
	if (prog_fd >= 0)
		close(prog_fd);
	close(map_fd);
}

static int read_int_file(const char *path, long *out)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return -1;
	*out = strtol(buf, NULL, 10);
	return 0;
}

static void trial_kprobe(struct result *r)
{
	const char *pmu = "/sys/bus/event_source/devices/kprobe/type";
	struct perf_event_attr pa = { .size = sizeof(pa), .sample_period = 1, .wakeup_events = 1 };
	struct bpf_insn in[MAX_INSNS];
	int map_fd, prog_fd, pfd;
	long type;
	unsigned n;

	if (read_int_file(pmu, &type)) {
		fail(r, pmu);
		return;
	}
	if ((map_fd = counter_create(r)) < 0)
		return;
	pa.type = (unsigned)type;
	pa.config1 = (uint64_t)(uintptr_t)"vfs_read"; /* kprobe_func */
	pa.config2 = 0;				     /* probe_offset */
	n = counting_prog(in, map_fd, getpid());
	prog_fd = prog_load(BPF_PROG_TYPE_KPROBE, 0, 0, in, n, r);
	if (prog_fd < 0)
		goto out;
	pfd = (int)syscall(__NR_perf_event_open, &pa, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		fail(r, "perf_event_open kprobe vfs_read");
	} else if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog_fd) ||
		   ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		fail(r, "attach");
	} else {
		counted(r, map_fd, "kprobe/vfs_read");
	}
	if (pfd >= 0)
		close(pfd);
	close(prog_fd);
out:
	close(map_fd);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void trial_send_signal(struct result *r)
{
	/* Only on getppid (args[1] of sys_enter is the syscall number): every syscall of the
	 * handler, rt_sigreturn too, would signal again. */
	struct bpf_insn in[] = {
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, 8, 0),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 5, SYS_getppid),
		CALL(BPF_FUNC_get_current_pid_tgid),
		INSN(BPF_ALU64 | BPF_RSH | BPF_K, 0, 0, 0, 32),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 2, getpid()),
		MOV_IMM(1, SIGUSR1),
		CALL(BPF_FUNC_send_signal),
		MOV_IMM(0, 0),
		EXIT(),
	};
	struct sigaction sa = { .sa_handler = on_usr1 };
	int prog_fd, link_fd;

	sigaction(SIGUSR1, &sa, NULL);
	prog_fd = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, in, sizeof(in) / sizeof(in[0]), r);
	if (prog_fd < 0)
		return;
	link_fd = raw_tp_open(prog_fd, "sys_enter", r);
	if (link_fd >= 0) {
		for (int i = 0; i < 100 && !got_usr1; i++)
			syscall(SYS_getppid);
		close(link_fd);
		r->available = got_usr1;
		snprintf(r->detail, sizeof(r->detail), "raw_tp/sys_enter bpf_send_signal(SIGUSR1): %s",
			 got_usr1 ? "delivered" : "loaded and attached, never delivered");
	}
	close(prog_fd);
	signal(SIGUSR1, SIG_DFL);
}

/* A child waits for the go, then execs this program (--noop). The LSM program denies exactly
 * that child's exec; anyone else's passes. */
static void trial_lsm(struct result *r)
{
	unsigned btf_id = btf_func_id("bpf_lsm_bprm_check_security", r);
	int go[2], prog_fd = -1, link_fd = -1, status = 0;
	pid_t child;

	if (!btf_id)
		return;
	if (pipe2(go, O_CLOEXEC)) {
		fail(r, "pipe");
		return;
	}
	child = fork();
	if (child < 0) {
		fail(r, "fork");
		return;
	}
	if (child == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(0); /* the parent gave up: no exec */
		execl("/proc/self/exe", "probe_trial", "--noop", (char *)NULL);
		_exit(errno == EPERM ? 42 : 43);
	}
	close(go[0]);
	{
		struct bpf_insn in[] = {
			CALL(BPF_FUNC_get_current_pid_tgid),
			INSN(BPF_ALU64 | BPF_RSH | BPF_K, 0, 0, 0, 32),
			INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 2, child),
			MOV_IMM(0, -EPERM),
			EXIT(),
			MOV_IMM(0, 0),
			EXIT(),
		};

		prog_fd = prog_load(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, btf_id, in,
				    sizeof(in) / sizeof(in[0]), r);
	}
	if (prog_fd >= 0)
		link_fd = raw_tp_open(prog_fd, NULL, r);
	if (link_fd >= 0 && write(go[1], "x", 1) != 1)
		fail(r, "pipe write");
	close(go[1]);
	waitpid(child, &status, 0);
	if (link_fd >= 0) {
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

		r->available = code == 42;
		snprintf(r->detail, sizeof(r->detail), "lsm/bprm_check_security (BTF id %u): %s",
			 btf_id, code == 42 ? "exec denied with EPERM" :
			 code == 0 ? "attached, but the exec went through" :
			 "attached, the exec failed otherwise");
		close(link_fd);
	}
	if (prog_fd >= 0)
		close(prog_fd);
	if (!r->available) { /* which hook it tried, and where it stopped */
		char why[sizeof(r->detail)];

		snprintf(why, sizeof(why), "%s", r->detail);
		snprintf(r->detail, sizeof(r->detail), "lsm/bprm_check_security (BTF id %u) %s",
			 btf_id, why);
	}
}

static void print(const char *name, const struct result *r, int last)
{
	printf("  \"%s\": {\"available\": %s, \"detail\": \"%s\"}%s\n", name,
	       r->available ? "true" : "false", r->detail, last ? "" : ",");
}

int main(int argc, char **argv)
{
	struct result lsm = {}, fentry = {}, kprobe = {}, sig = {};

	if (argc == 2 && !strcmp(argv[1], "--noop"))
		return 0;
	if (argc != 1) {
		fprintf(stderr, "usage: probe_trial\n");
		return 2;
	}
	trial_lsm(&lsm);
	trial_fentry(&fentry);
	trial_kprobe(&kprobe);
	trial_send_signal(&sig);
	printf("{\n");
	print("bpf_lsm", &lsm, 0);
	print("fentry", &fentry, 0);
	print("kprobe", &kprobe, 0);
	print("send_signal", &sig, 1);
	printf("}\n");
	return 0;
}
