// SPDX-License-Identifier: GPL-2.0-only
/*
 * file_cold F: opens the path stored (NUL-terminated) at the start of file F, passing openat a
 * pointer into a fresh private mapping of F that nothing has touched: no page table entry
 * exists when the syscall starts, so a read of the string at entry fails. F is dropped from the
 * page cache first. Prints {"ret":R,"errno":E,"resident_before":0|1}.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned char vec = 0;
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	if (argc != 2)
		return 2;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	char *p = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 2;
	mincore(p, (size_t)page, &vec);
	long ret = syscall(SYS_openat, AT_FDCWD, p, O_RDONLY, 0);
	printf("{\"ret\":%ld,\"errno\":%d,\"resident_before\":%d}\n", ret, ret < 0 ? errno : 0,
	       vec & 1);
	return 0;
}
