// SPDX-License-Identifier: GPL-2.0-only
/*
 * A process tree that writes known lines to stdout and stderr, in a fixed order, for shellsnoop.
 *   shell_tree MARK
 * Forks an "early" child E at once, prints "ready E_PID" on stdout, then waits for a line on
 * stdin. Then: the parent writes P-out (write), P-err (stderr) and P-vec (writev); a child C
 * writes C-out and forks G, which writes G-out; then E writes E-out; last the parent writes
 * P-end. Each line is "NAME MARK TGID PPID\n", written with one system call.
 */
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *mark;

static void say(int fd, const char *name)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s %s %d %d\n", name, mark, getpid(), getppid());

	if (write(fd, line, (size_t)n) != n)
		_exit(3);
}

static void wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		_exit(4);
}

int main(int argc, char **argv)
{
	int turn[2];
	char go[16];
	pid_t early, c;

	if (argc != 2) {
		fprintf(stderr, "usage: shell_tree MARK\n");
		return 2;
	}
	mark = argv[1];
	if (pipe(turn))
		return 1;
	early = fork();
	if (early == 0) {
		close(turn[1]);
		if (read(turn[0], go, 1) != 1) /* the parent's word: E's turn */
			_exit(5);
		say(1, "E-out");
		_exit(0);
	}
	close(turn[0]);
	printf("ready %d\n", early);
	fflush(stdout);
	if (!fgets(go, sizeof(go), stdin))
		return 1;

	say(1, "P-out");
	say(2, "P-err");
	{
		char a[128], b[128];
		int n = snprintf(a, sizeof(a), "P-vec %s", mark);
		int m = snprintf(b, sizeof(b), " %d %d\n", getpid(), getppid());
		struct iovec iov[2] = { { a, (size_t)n }, { b, (size_t)m } };
		if (writev(1, iov, 2) != n + m)
			return 3;
	}
	c = fork();
	if (c == 0) {
		pid_t g;

		say(1, "C-out");
		g = fork();
		if (g == 0) {
			say(1, "G-out");
			_exit(0);
		}
		wait_child(g);
		_exit(0);
	}
	wait_child(c);
	if (write(turn[1], "e", 1) != 1)
		return 1;
	wait_child(early);
	say(1, "P-end");
	return 0;
}
