// SPDX-License-Identifier: GPL-2.0-only
/*
 * Makes one precise syscall for the sandbox tests and prints what came of it:
 *   sandbox_call call NAME           a syscall from a small table, no arguments that matter
 *   sandbox_call trap NAME           the same, with a SIGSYS handler that reports what it got
 *   sandbox_call open PATH           openat(AT_FDCWD, PATH, O_RDONLY)
 *   sandbox_call write PATH          create PATH and write to it
 *   sandbox_call connect IPV4 PORT   a TCP connect
 *   sandbox_call int80 getpid        x86-64 only: getpid through the i386 entry (int 0x80)
 * Output: "before" first (so a kill is seen to happen in the call), then "ret=R errno=E".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	long nr;
} calls[] = {
	{ "getpriority", SYS_getpriority },
	{ "getppid", SYS_getppid },
	{ "sched_yield", SYS_sched_yield },
	{ "getpgid", SYS_getpgid },
	{ "keyctl", SYS_keyctl },
};

static volatile sig_atomic_t sigsys_syscall = -1, sigsys_code = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigsys_syscall = si->si_syscall;
	sigsys_code = si->si_code;
}

static long nr_of(const char *name)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(calls[i].name, name))
			return calls[i].nr;
	fprintf(stderr, "sandbox_call: unknown syscall %s\n", name);
	exit(2);
}

static void report(long ret)
{
	int e = ret < 0 ? errno : 0;

	printf("ret=%ld errno=%d\n", ret < 0 ? -1 : ret, e);
}

int main(int argc, char **argv)
{
	long ret;

	if (argc < 3) {
		fprintf(stderr, "usage: sandbox_call call|trap|open|write|connect ARG...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("before\n");
	if (!strcmp(argv[1], "call")) {
		long nr = nr_of(argv[2]);
		errno = 0;
		ret = syscall(nr, 0, 0, 0);
		report(ret);
	} else if (!strcmp(argv[1], "trap")) {
		struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
		long nr = nr_of(argv[2]);
		sigaction(SIGSYS, &sa, NULL);
		ret = syscall(nr, 0, 0, 0);
		printf("sigsys syscall=%d code=%d expected=%ld\n", (int)sigsys_syscall, (int)sigsys_code, nr);
	} else if (!strcmp(argv[1], "open")) {
		errno = 0;
		ret = openat(AT_FDCWD, argv[2], O_RDONLY);
		report(ret);
	} else if (!strcmp(argv[1], "write")) {
		errno = 0;
		ret = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (ret >= 0 && write((int)ret, "x\n", 2) != 2)
			ret = -1;
		report(ret);
	} else if (!strcmp(argv[1], "connect") && argc >= 4) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3])) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		inet_pton(AF_INET, argv[2], &sin.sin_addr);
		errno = 0;
		ret = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		report(ret);
#if defined(__x86_64__)
	} else if (!strcmp(argv[1], "int80")) {
		/* a 64-bit process can still make 32-bit syscalls: i386's getpid is 20 */
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		printf("ret=%ld errno=0 pid=%d\n", ret, (int)getpid());
#endif
	} else {
		fprintf(stderr, "sandbox_call: unknown mode %s\n", argv[1]);
		return 2;
	}
	return 0;
}
