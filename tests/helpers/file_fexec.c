// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs a program without a name on disk, through execveat(fd, "", AT_EMPTY_PATH):
 *   file_fexec memfd NAME SRC ARGV0 ARGS...   SRC copied into memfd_create(NAME)
 *   file_fexec deleted COPY SRC ARGV0 ARGS... SRC copied to COPY, opened, COPY unlinked
 * Only returns (exit 2, errno printed) if the exec failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static int copy(int out, const char *src)
{
	char buf[65536];
	ssize_t n;
	int in = open(src, O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 5) {
		fprintf(stderr, "usage: file_fexec memfd|deleted NAME SRC ARGV0 ARGS...\n");
		return 2;
	}
	if (!strcmp(argv[1], "memfd")) {
		fd = memfd_create(argv[2], 0);
		if (fd < 0 || copy(fd, argv[3]))
			goto fail;
	} else {
		int w = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (w < 0 || copy(w, argv[3]) || close(w))
			goto fail;
		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || unlink(argv[2]))
			goto fail;
	}
	syscall(SYS_execveat, fd, "", argv + 4, environ, AT_EMPTY_PATH);
fail:
	fprintf(stderr, "file_fexec: %s\n", strerror(errno));
	return 2;
}
