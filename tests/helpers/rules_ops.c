// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real actions behind the default rules' end-to-end tests (tests/e2e/test_default_rules.py),
 * one operation per run. The tests copy this binary under other names (gdb, modprobe, ...) and
 * into marked directories, so that the acting process is recognised by its exe or comm. (The
 * set-user-id case is rules_suid, which does nothing else.)
 *   rules_ops bpf-prog NAME      load a 2-instruction socket filter named NAME (and nothing else)
 *   rules_ops bpf-map NAME       create a 1-entry array map named NAME (no program)
 *   rules_ops ptrace             fork a child, PTRACE_ATTACH to it, wait, detach, kill it; prints
 *                                the child's pid
 *   rules_ops memfd-exec NAME ARG...
 *                                memfd_create(NAME), copy /usr/bin/true into it, fexecve it with
 *                                argv {NAME, ARG...}
 *   rules_ops nodev NAME         SIOCGIFFLAGS for a network interface NAME that does not exist: the
 *                                kernel's dev_load() then asks for CAP_NET_ADMIN and CAP_SYS_MODULE
 *                                (to load a driver by that name; with CONFIG_MODULES=n nothing
 *                                is loaded)
 * Exits 0 when the step did what it should, 1 otherwise (with the reason on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "rules_ops: %s: %s\n", what, strerror(errno));
	return 1;
}

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int op_bpf_prog(const char *name)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static const char license[] = "GPL";
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (unsigned long)insns;
	a.insn_cnt = 2;
	a.license = (unsigned long)license;
	strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		return fail("BPF_PROG_LOAD");
	close(fd);
	return 0;
}

static int op_bpf_map(const char *name)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	strncpy(a.map_name, name, sizeof(a.map_name) - 1);
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0)
		return fail("BPF_MAP_CREATE");
	close(fd);
	return 0;
}

static int op_ptrace(void)
{
	int status, rc = 0;
	pid_t child = fork();

	if (child < 0)
		return fail("fork");
	if (child == 0) {
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_ATTACH, child, NULL, NULL))
		rc = fail("PTRACE_ATTACH");
	else if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status))
		rc = fail("waitpid after attach");
	else if (ptrace(PTRACE_DETACH, child, NULL, NULL))
		rc = fail("PTRACE_DETACH");
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	printf("%d\n", (int)child);
	return rc;
}

static int op_memfd_exec(int argc, char **argv)
{
	char buf[65536];
	ssize_t n;
	int in, mfd;

	mfd = (int)syscall(SYS_memfd_create, argv[0], 0);
	if (mfd < 0)
		return fail("memfd_create");
	in = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return fail("open /usr/bin/true");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, (size_t)n) != n)
			return fail("write to the memfd");
	if (n < 0)
		return fail("read /usr/bin/true");
	close(in);
	(void)argc;
	fexecve(mfd, argv, (char *const[]){ NULL });
	return fail("fexecve");
}

static int op_nodev(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return fail("socket");
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		fprintf(stderr, "rules_ops: interface %s exists\n", name);
		return 1;
	}
	if (errno != ENODEV)
		return fail("SIOCGIFFLAGS");
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "bpf-prog"))
		return op_bpf_prog(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "bpf-map"))
		return op_bpf_map(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "ptrace"))
		return op_ptrace();
	if (argc >= 3 && !strcmp(argv[1], "memfd-exec"))
		return op_memfd_exec(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "nodev"))
		return op_nodev(argv[2]);
	fprintf(stderr, "usage: rules_ops bpf-prog NAME | bpf-map NAME | ptrace |"
			" memfd-exec NAME ARG... | nodev NAME\n");
	return 2;
}
