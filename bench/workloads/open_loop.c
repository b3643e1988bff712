// SPDX-License-Identifier: GPL-2.0-only
/* Open/close loop on one file: the cheapest syscall pair a file sensor must see. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "report.h"

int main(int argc, char **argv)
{
	long n = iterations_arg(argc, argv, "ITERATIONS [FILE]");
	const char *path = argc > 2 ? argv[2] : "/etc/hostname";
	long long t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	report(n, now_ns() - t0);
	return 0;
}
