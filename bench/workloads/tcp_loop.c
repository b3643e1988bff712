// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP connect/accept loop on loopback, single-threaded: the kernel completes the handshake against
 * the listen backlog, so connect returns before accept. The client resets (linger 0) instead of
 * entering TIME_WAIT, so repeated runs never run out of ephemeral ports.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "report.h"

static int listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)addr, sizeof(*addr)) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		perror("listener");
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	long n = iterations_arg(argc, argv, "ITERATIONS");
	struct sockaddr_in addr;
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	int lfd = listener(&addr);
	long long t0 = now_ns();

	if (lfd < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0), s;

		if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr))) {
			perror("connect");
			return 1;
		}
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0) {
			perror("accept4");
			return 1;
		}
		setsockopt(c, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
		close(c);
		close(s);
	}
	report(n, now_ns() - t0);
	close(lfd);
	return 0;
}
