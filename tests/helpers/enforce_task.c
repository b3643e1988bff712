// SPDX-License-Identifier: GPL-2.0-only
/*
 * Does one operation that a deny/kill rule may stop, and says what it saw (tests/e2e/
 * test_enforce_task.py). Its first action, in every mode, is to write "ran" to $VIGIL_L_MARK
 * when that is set: a process killed at exec never writes it.
 *
 *   enforce_task [-c COMM] run              nothing more (exec tests)
 *   enforce_task [-c COMM] open PATH        open + read: "read: CONTENT" or "errno N NAME"
 *   enforce_task [-c COMM] setuid           as root: setresuid(65534, 65534, 0), then
 *                                           setresuid(0, 0, 0): "uid 0" or "errno N NAME"
 *   enforce_task [-c COMM] bpf              BPF_PROG_LOAD of "r0 = 0; exit": "loaded" or "errno"
 *   enforce_task [-c COMM] ptrace attach|seize
 *                                           forks a sleeping child, prints "child PID", attaches
 *                                           to it: "attached" (then detaches) or "errno N NAME"
 *   enforce_task bench N PATH               N x open+close of PATH: "NNN ns per open+close"
 *
 * -c sets the comm (prctl) before the operation, so a test's rule can name it.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void mark(void)
{
	const char *path = getenv("VIGIL_L_MARK");

	if (!path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)!write(fd, "ran\n", 4);
		close(fd);
	}
}

static int fail(const char *what)
{
	int e = errno;

	printf("errno %d %s\n", e, e == EPERM ? "EPERM" : strerrorname_np(e) ? strerrorname_np(e) : "?");
	fflush(stdout);
	(void)what;
	return 0;
}

static int do_open(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail("open");
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return fail("read");
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("read: %s\n", buf);
	return 0;
}

static int do_setuid(void)
{
	if (setresuid(65534, 65534, 0))
		return fail("drop");
	if (setresuid(0, 0, 0))
		return fail("setresuid");
	printf("uid %d\n", (int)getuid());
	return 0;
}

static int do_bpf(void)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insn_cnt = 2;
	attr.insns = (unsigned long)prog;
	attr.license = (unsigned long)"GPL";
	long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		return fail("bpf");
	printf("loaded\n");
	close((int)fd);
	return 0;
}

static int do_ptrace(const char *how)
{
	bool seize = !strcmp(how, "seize");
	int ready[2];
	char c;

	if (pipe(ready))
		return fail("pipe");
	pid_t child = fork();
	if (child < 0)
		return fail("fork");
	if (child == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1); /* the test reads our output to its end: the child must not hold it */
		dup2(null, 2);
		prctl(PR_SET_NAME, "vl_tracee", 0, 0, 0);
		close(ready[0]);
		close(ready[1]); /* the parent's read returns: set up, before any attach stops us */
		for (;;)
			pause();
	}
	close(ready[1]);
	(void)!read(ready[0], &c, 1);
	close(ready[0]);
	printf("child %d\n", (int)child);
	long rc = seize ? ptrace(PTRACE_SEIZE, child, 0, 0) : ptrace(PTRACE_ATTACH, child, 0, 0);
	if (rc) {
		fail("ptrace");
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return 0;
	}
	if (!seize)
		waitpid(child, NULL, __WALL); /* the attach's SIGSTOP */
	printf("attached\n");
	ptrace(PTRACE_DETACH, child, 0, 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}

/* The cost an open rule adds to every open of the host (docs/enforcement.md, "Cost"). */
static int do_bench(long n, const char *path)
{
	struct timespec a, b;

	if (n <= 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%.0f ns per open+close\n", ns / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	mark();
	if (argc > 2 && !strcmp(argv[1], "-c")) {
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		i = 3;
	}
	if (i >= argc)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[i], "run"))
		return 0;
	if (!strcmp(argv[i], "open") && i + 1 < argc)
		return do_open(argv[i + 1]);
	if (!strcmp(argv[i], "setuid"))
		return do_setuid();
	if (!strcmp(argv[i], "bpf"))
		return do_bpf();
	if (!strcmp(argv[i], "ptrace") && i + 1 < argc)
		return do_ptrace(argv[i + 1]);
	if (!strcmp(argv[i], "bench") && i + 2 < argc)
		return do_bench(atol(argv[i + 1]), argv[i + 2]);
usage:
	fprintf(stderr, "usage: enforce_task [-c COMM] run | open PATH | setuid | bpf | ptrace attach|seize | bench N PATH\n");
	return 2;
}
