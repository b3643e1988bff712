// SPDX-License-Identifier: GPL-2.0-only
/*
 * Makes one precise syscall for the sandbox tests and prints what came of it:
 *   sandbox_call call NAME           a syscall from a small table, no arguments that matter
 *   sandbox_call trap NAME           the same, with a SIGSYS handler that reports what it got
 *   sandbox_call open PATH           openat(AT_FDCWD, PATH, O_RDONLY)
 *   sandbox_call write PATH          create PATH and write to it
 *   sandbox_call connect IPV4 PORT   a TCP connect
 *   sandbox_call int80 getpid        x86-64 only: getpid through the i386 entry (int 0x80)
 *   sandbox_call thread NAME         the call from a second thread while a third one counts:
 *                                    "thread-returned=0|1 worker-ticks=BEFORE,AFTER" (a killed
 *                                    thread never returns; the others go on)
 *   sandbox_call traced NAME [skip]  the call from a child this process ptraces with
 *                                    PTRACE_O_TRACESECCOMP; at the seccomp stop the tracer lets
 *                                    the call run (x86-64, skip: skips it and makes it return
 *                                    4242). Prints the tracer's "tracer stop=seccomp msg=M
 *                                    syscall=N expected=N" and the child's result line
 * Output: "before" first (so a kill is seen to happen in the call), then "ret=R errno=E".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
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

static volatile long thread_nr;
static volatile int thread_returned, worker_stop;
static volatile unsigned long worker_ticks;

static void *offending(void *arg)
{
	(void)arg;
	syscall(thread_nr, 0, 0, 0);
	thread_returned = 1; /* never reached when the kernel kills this thread */
	return NULL;
}

static void *worker(void *arg)
{
	struct timespec ms = { 0, 1000000 };

	(void)arg;
	while (!worker_stop) {
		worker_ticks++;
		nanosleep(&ms, NULL);
	}
	return NULL;
}

/* The call from one thread while another one works: a kill of the calling thread leaves the
 * worker and the main thread going. */
static int thread_mode(long nr)
{
	struct timespec wait = { 0, 200000000 };
	pthread_t w, t;
	unsigned long before;

	thread_nr = nr;
	if (pthread_create(&w, NULL, worker, NULL))
		return 1;
	nanosleep(&wait, NULL);
	if (pthread_create(&t, NULL, offending, NULL))
		return 1;
	pthread_join(t, NULL); /* returns when the thread is gone, killed or not */
	before = worker_ticks;
	nanosleep(&wait, NULL);
	worker_stop = 1;
	pthread_join(w, NULL);
	printf("thread-returned=%d worker-ticks=%lu,%lu\n", thread_returned, before, worker_ticks);
	return 0;
}

/* A real tracer for SCMP_ACT_TRACE: the child stops at the seccomp event; the tracer reads the
 * event message (the profile's errnoRet) and the call's number, and lets the call run, or skips
 * it and makes it return 4242. */
static int traced_mode(long nr, int skip)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		return 1;
	if (child == 0) {
		long ret;

		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(3);
		raise(SIGSTOP);
		errno = 0;
		ret = syscall(nr, 0, 0, 0);
		report(ret);
		_exit(0);
	}
	if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status))
		return 1;
	if (ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)) ||
	    ptrace(PTRACE_CONT, child, NULL, NULL))
		return 1;
	while (waitpid(child, &status, 0) == child && WIFSTOPPED(status)) {
		if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
			unsigned long msg = 0;
			long seen = -1;
#if defined(__x86_64__)
			struct user_regs_struct regs;

			if (ptrace(PTRACE_GETREGS, child, NULL, &regs))
				return 1;
			seen = (long)regs.orig_rax;
			regs.orig_rax = (unsigned long long)-1; /* skip the call */
			regs.rax = 4242;			/* and answer for it */
			if (skip && ptrace(PTRACE_SETREGS, child, NULL, &regs))
				return 1;
#else
			(void)skip;
#endif
			ptrace(PTRACE_GETEVENTMSG, child, NULL, &msg);
			printf("tracer stop=seccomp msg=%lu syscall=%ld expected=%ld\n", msg, seen, nr);
			ptrace(PTRACE_CONT, child, NULL, NULL);
		} else {
			/* another stop: pass its signal on */
			ptrace(PTRACE_CONT, child, NULL, (void *)(long)WSTOPSIG(status));
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
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
	} else if (!strcmp(argv[1], "thread")) {
		return thread_mode(nr_of(argv[2]));
	} else if (!strcmp(argv[1], "traced")) {
		return traced_mode(nr_of(argv[2]), argc > 3 && !strcmp(argv[3], "skip"));
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
