// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for `vigil check`'s inventory: a process that is not vigil and holds BPF objects.
 *   bpf_holder NAME [--cgroup DIR] [--pin PATH] [--tracepoint TRACEFS_EVENT_DIR]
 * Loads a socket filter named NAME that uses an array map named NAME. --cgroup: also a cgroup_skb
 * program (allows everything) linked to that cgroup's egress. --pin: pins the socket filter there.
 * --tracepoint: also a tracepoint program (does nothing) on that event through a perf event.
 * Prints one JSON line of the ids, then holds them until stdin closes.
 * Raw bpf(2): the helpers link nothing but libc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void die(const char *what)
{
	fprintf(stderr, "bpf_holder: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned prog_load(enum bpf_prog_type type, const char *name, int map_fd, int ret,
			  int *fd_out)
{
	struct bpf_insn insns[] = {
		/* r1 = map (ld_imm64, two slots): ties the map to the program */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_FD,
		  .imm = map_fd },
		{},
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a = {};
	struct bpf_prog_info info = {};
	int fd;

	a.prog_type = type;
	a.insns = (unsigned long)insns;
	a.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	a.license = (unsigned long)"GPL";
	strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		die("BPF_PROG_LOAD");
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a))
		die("BPF_OBJ_GET_INFO_BY_FD");
	*fd_out = fd;
	return info.id;
}

static unsigned info_id(int fd)
{
	/* map and link info both start with type, id */
	struct { __u32 type, id; char rest[120]; } info = {};
	union bpf_attr a = {};

	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a))
		die("BPF_OBJ_GET_INFO_BY_FD");
	return info.id;
}

/* A tracepoint program on event_dir's event, through perf_event_open on CPU 0. */
static unsigned attach_tracepoint(const char *name, const char *event_dir, int map_fd)
{
	struct perf_event_attr pa = { .size = sizeof(pa), .type = PERF_TYPE_TRACEPOINT,
				      .sample_period = 1, .wakeup_events = 1 };
	char path[512], buf[32] = "";
	unsigned id;
	int fd, pfd;
	FILE *f;

	snprintf(path, sizeof(path), "%s/id", event_dir);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		die(path);
	fclose(f);
	pa.config = strtoull(buf, NULL, 10);
	id = prog_load(BPF_PROG_TYPE_TRACEPOINT, name, map_fd, 0, &fd);
	pfd = (int)syscall(__NR_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		die("perf_event_open");
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, fd) || ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0))
		die("PERF_EVENT_IOC_SET_BPF");
	return id;
}

int main(int argc, char **argv)
{
	union bpf_attr a = {};
	unsigned prog_id, map_id, cg_prog_id = 0, link_id = 0, tp_prog_id = 0;
	int map_fd, prog_fd, cg_fd, cg_prog_fd, link_fd;
	const char *cgroup = NULL, *pin = NULL, *tracepoint = NULL;
	char c;

	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--cgroup"))
			cgroup = argv[i + 1];
		else if (!strcmp(argv[i], "--pin"))
			pin = argv[i + 1];
		else if (!strcmp(argv[i], "--tracepoint"))
			tracepoint = argv[i + 1];
		else
			argc = 0;
	}
	if (argc < 2 || argc % 2) {
		fprintf(stderr, "usage: bpf_holder NAME [--cgroup DIR] [--pin PATH] [--tracepoint EVENT_DIR]\n");
		return 2;
	}
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	strncpy(a.map_name, argv[1], sizeof(a.map_name) - 1);
	map_fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (map_fd < 0)
		die("BPF_MAP_CREATE");
	map_id = info_id(map_fd);
	prog_id = prog_load(BPF_PROG_TYPE_SOCKET_FILTER, argv[1], map_fd, 0, &prog_fd);
	if (cgroup) {
		cg_fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg_fd < 0)
			die(cgroup);
		cg_prog_id = prog_load(BPF_PROG_TYPE_CGROUP_SKB, argv[1], map_fd, 1, &cg_prog_fd);
		memset(&a, 0, sizeof(a));
		a.link_create.prog_fd = cg_prog_fd;
		a.link_create.target_fd = cg_fd;
		a.link_create.attach_type = BPF_CGROUP_INET_EGRESS;
		link_fd = sys_bpf(BPF_LINK_CREATE, &a);
		if (link_fd < 0)
			die("BPF_LINK_CREATE");
		link_id = info_id(link_fd);
	}
	if (tracepoint)
		tp_prog_id = attach_tracepoint(argv[1], tracepoint, map_fd);
	if (pin) {
		memset(&a, 0, sizeof(a));
		a.pathname = (unsigned long)pin;
		a.bpf_fd = prog_fd;
		if (sys_bpf(BPF_OBJ_PIN, &a))
			die("BPF_OBJ_PIN");
	}
	printf("{\"pid\": %d, \"prog_id\": %u, \"map_id\": %u, \"cg_prog_id\": %u, \"link_id\": %u, "
	       "\"tp_prog_id\": %u}\n", getpid(), prog_id, map_id, cg_prog_id, link_id, tp_prog_id);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
