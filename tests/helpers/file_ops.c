// SPDX-License-Identifier: GPL-2.0-only
/*
 * One file syscall, made raw (syscall(2)) so that the test knows exactly which call the kernel
 * saw, and its result printed as one JSON line: {"ret":R,"errno":E,"tid":T,"dirfd":D,"fd":F}.
 *
 *   file_ops [-C DIR] [-u UID] OP ARGS...
 *     -C DIR   chdir first        -u UID   drop to UID/GID (setresgid, setresuid) first
 *   DIR arguments: "-" is AT_FDCWD, anything else is opened (O_PATH|O_DIRECTORY) as the dirfd.
 *   Numbers take C syntax (0644, 0x100).
 *   open PATH FLAGS MODE | openat DIR PATH FLAGS MODE | openat2 DIR PATH FLAGS MODE RESOLVE |
 *   creat PATH MODE | reopen PATH (open, then open /proc/self/fd/N: fd is the first one) |
 *   unlink PATH | unlinkat DIR PATH FLAGS | rmdir PATH | rename OLD NEW |
 *   renameat DIR OLD DIR NEW | renameat2 DIR OLD DIR NEW FLAGS | chmod PATH MODE |
 *   fchmod PATH MODE | fchmodat DIR PATH MODE | fchmodat2 DIR PATH MODE FLAGS |
 *   chown PATH UID GID | fchown PATH UID GID | lchown PATH UID GID |
 *   fchownat DIR PATH UID GID FLAGS | link OLD NEW | linkat DIR OLD DIR NEW FLAGS |
 *   symlink TARGET LINK | symlinkat TARGET DIR LINK | truncate PATH LEN | ftruncate PATH LEN
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int g_dirfd = -100, g_dirfd2 = -100, g_fd = -1;

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*end) {
		fprintf(stderr, "file_ops: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static int dir(const char *s)
{
	int fd;

	if (!strcmp(s, "-"))
		return AT_FDCWD;
	fd = open(s, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		perror(s);
		exit(2);
	}
	if (g_dirfd == -100)
		g_dirfd = fd;
	else
		g_dirfd2 = fd;
	return fd;
}

static int file(const char *s)
{
	g_fd = open(s, O_RDWR | O_CLOEXEC);
	if (g_fd < 0)
		g_fd = open(s, O_RDONLY | O_CLOEXEC);
	if (g_fd < 0) {
		perror(s);
		exit(2);
	}
	return g_fd;
}

static long run(int argc, char **argv)
{
	const char *op = argv[0];
#define NEED(n)                                                                                    \
	do {                                                                                       \
		if (argc != (n) + 1) {                                                             \
			fprintf(stderr, "file_ops: %s takes %d arguments\n", op, n);              \
			exit(2);                                                                   \
		}                                                                                  \
	} while (0)
#define IS(name) (!strcmp(op, name))

	if (IS("open")) {
		NEED(3);
		return syscall(SYS_open, argv[1], num(argv[2]), num(argv[3]));
	}
	if (IS("openat")) {
		NEED(4);
		return syscall(SYS_openat, dir(argv[1]), argv[2], num(argv[3]), num(argv[4]));
	}
	if (IS("openat2")) {
		struct open_how how = {};

		NEED(5);
		how.flags = num(argv[3]);
		how.mode = num(argv[4]);
		how.resolve = num(argv[5]);
		return syscall(SYS_openat2, dir(argv[1]), argv[2], &how, sizeof(how));
	}
	if (IS("creat")) {
		NEED(2);
		return syscall(SYS_creat, argv[1], num(argv[2]));
	}
	if (IS("reopen")) {
		char self[64];

		NEED(1);
		g_fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY, 0);
		if (g_fd < 0)
			return g_fd;
		snprintf(self, sizeof(self), "/proc/self/fd/%d", g_fd);
		return syscall(SYS_openat, AT_FDCWD, self, O_RDONLY, 0);
	}
	if (IS("unlink")) {
		NEED(1);
		return syscall(SYS_unlink, argv[1]);
	}
	if (IS("unlinkat")) {
		NEED(3);
		return syscall(SYS_unlinkat, dir(argv[1]), argv[2], num(argv[3]));
	}
	if (IS("rmdir")) {
		NEED(1);
		return syscall(SYS_rmdir, argv[1]);
	}
	if (IS("rename")) {
		NEED(2);
		return syscall(SYS_rename, argv[1], argv[2]);
	}
	if (IS("renameat")) {
		int d1, d2;

		NEED(4);
		d1 = dir(argv[1]); /* in this order: g_dirfd, then g_dirfd2 */
		d2 = dir(argv[3]);
		return syscall(SYS_renameat, d1, argv[2], d2, argv[4]);
	}
	if (IS("renameat2")) {
		int d1, d2;

		NEED(5);
		d1 = dir(argv[1]);
		d2 = dir(argv[3]);
		return syscall(SYS_renameat2, d1, argv[2], d2, argv[4], num(argv[5]));
	}
	if (IS("chmod")) {
		NEED(2);
		return syscall(SYS_chmod, argv[1], num(argv[2]));
	}
	if (IS("fchmod")) {
		NEED(2);
		return syscall(SYS_fchmod, file(argv[1]), num(argv[2]));
	}
	if (IS("fchmodat")) {
		NEED(3);
		return syscall(SYS_fchmodat, dir(argv[1]), argv[2], num(argv[3]));
	}
	if (IS("fchmodat2")) {
		NEED(4);
		return syscall(452 /* fchmodat2 */, dir(argv[1]), argv[2], num(argv[3]), num(argv[4]));
	}
	if (IS("chown")) {
		NEED(3);
		return syscall(SYS_chown, argv[1], num(argv[2]), num(argv[3]));
	}
	if (IS("fchown")) {
		NEED(3);
		return syscall(SYS_fchown, file(argv[1]), num(argv[2]), num(argv[3]));
	}
	if (IS("lchown")) {
		NEED(3);
		return syscall(SYS_lchown, argv[1], num(argv[2]), num(argv[3]));
	}
	if (IS("fchownat")) {
		NEED(5);
		return syscall(SYS_fchownat, dir(argv[1]), argv[2], num(argv[3]), num(argv[4]),
			       num(argv[5]));
	}
	if (IS("link")) {
		NEED(2);
		return syscall(SYS_link, argv[1], argv[2]);
	}
	if (IS("linkat")) {
		int d1, d2;

		NEED(5);
		d1 = dir(argv[1]);
		d2 = dir(argv[3]);
		return syscall(SYS_linkat, d1, argv[2], d2, argv[4], num(argv[5]));
	}
	if (IS("symlink")) {
		NEED(2);
		return syscall(SYS_symlink, argv[1], argv[2]);
	}
	if (IS("symlinkat")) {
		NEED(3);
		return syscall(SYS_symlinkat, argv[1], dir(argv[2]), argv[3]);
	}
	if (IS("truncate")) {
		NEED(2);
		return syscall(SYS_truncate, argv[1], num(argv[2]));
	}
	if (IS("ftruncate")) {
		NEED(2);
		return syscall(SYS_ftruncate, file(argv[1]), num(argv[2]));
	}
	fprintf(stderr, "file_ops: unknown op %s\n", op);
	exit(2);
}

int main(int argc, char **argv)
{
	int opt;
	long ret;

	while ((opt = getopt(argc, argv, "+C:u:")) != -1) {
		switch (opt) {
		case 'C':
			if (chdir(optarg)) {
				perror(optarg);
				return 2;
			}
			break;
		case 'u': {
			uid_t id = (uid_t)num(optarg);
			if (setresgid(id, id, id) || setresuid(id, id, id)) {
				perror("setresuid");
				return 2;
			}
			break;
		}
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: file_ops [-C DIR] [-u UID] OP ARGS...\n");
		return 2;
	}
	ret = run(argc - optind, argv + optind);
	printf("{\"ret\":%ld,\"errno\":%d,\"tid\":%ld,\"dirfd\":%d,\"dirfd2\":%d,\"fd\":%d}\n",
	       ret, ret < 0 ? errno : 0, (long)syscall(SYS_gettid), g_dirfd, g_dirfd2, g_fd);
	return 0;
}
