// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP end points for the network tests; every mode ends by itself (alarm) and prints what it
 * did, with the addresses and ports the kernel gave it, so the test can compare exactly.
 *   net_peer listen ADDR PORT REPLY_BYTES     accept one, read to EOF, send REPLY_BYTES, close
 *   net_peer connect ADDR PORT SEND_BYTES [nonblock]
 *   net_peer scan ADDR FIRST_PORT COUNT       connect to COUNT closed ports, one after another
 *   net_peer echo ADDR PORT                   accept one, echo until EOF
 *   net_peer listen-unbound                   listen() on a socket never bound (IPv4), then exit
 *   net_peer pingpong ADDR PORT ROUNDS        1-byte exchanges, then TCP_INFO, then waits for
 *                                             stdin to close before closing the connection
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* tcp_info with segs_in (glibc's is older) */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	printf("error %s %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t make_addr(struct sockaddr_storage *ss, const char *addr, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			die("address");
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
		die("address");
	return sizeof(*s4);
}

static void print_name(const char *tag, int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char text[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		die("getname");
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
		port = ntohs(s6->sin6_port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
		port = ntohs(s4->sin_port);
	}
	printf("%s %s %d\n", tag, text, port);
}

static long drain(int fd)
{
	char buf[4096];
	long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		die("read");
	return total;
}

static void send_bytes(int fd, long count)
{
	char buf[4096];

	memset(buf, 'v', sizeof(buf));
	while (count > 0) {
		ssize_t n = write(fd, buf, count < (long)sizeof(buf) ? (size_t)count : sizeof(buf));
		if (n <= 0)
			die("write");
		count -= n;
	}
}

static int listen_on(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr, port);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16))
		die("listen");
	printf("ready %d\n", getpid());
	fflush(stdout);
	return fd;
}

/* 0 or errno; nonblocking waits for the outcome with poll + SO_ERROR. */
static int connect_to(int fd, const char *addr, int port, int nonblock)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr, port);
	int err = 0;
	socklen_t elen = sizeof(err);

	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&ss, len) == 0)
		return 0;
	if (!nonblock || errno != EINPROGRESS)
		return errno;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 5000) != 1)
		return ETIMEDOUT;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (!err)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return err;
}

int main(int argc, char **argv)
{
	alarm(20); /* whatever happens, this helper does not outlive its test */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && !strcmp(argv[1], "listen")) {
		int lfd = listen_on(argv[2], atoi(argv[3]));
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		print_name("accepted", fd, 1);
		long got = drain(fd);
		send_bytes(fd, atol(argv[4]));
		printf("received %ld\n", got);
		close(fd);
		close(lfd);
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "connect")) {
		int fd = socket(strchr(argv[2], ':') ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		int err = connect_to(fd, argv[2], atoi(argv[3]), argc > 5 && !strcmp(argv[5], "nonblock"));
		printf("pid %d\n", getpid());
		if (err) {
			printf("result %d\n", -err);
			return 0;
		}
		print_name("local", fd, 0);
		printf("result 0\n");
		send_bytes(fd, atol(argv[4]));
		shutdown(fd, SHUT_WR);
		printf("received %ld\n", drain(fd));
		close(fd);
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "scan")) {
		int first = atoi(argv[3]), count = atoi(argv[4]), refused = 0;
		printf("pid %d\n", getpid());
		for (int i = 0; i < count; i++) {
			int fd = socket(strchr(argv[2], ':') ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
			if (connect_to(fd, argv[2], first + i, 0) == ECONNREFUSED)
				refused++;
			close(fd);
		}
		printf("refused %d\n", refused);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "listen-unbound")) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || listen(fd, 1))
			die("listen");
		printf("pid %d\n", getpid());
		print_name("bound", fd, 0);
		close(fd);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "echo")) {
		int lfd = listen_on(argv[2], atoi(argv[3]));
		int fd = accept(lfd, NULL, NULL);
		char c;
		if (fd < 0)
			die("accept");
		while (read(fd, &c, 1) == 1)
			if (write(fd, &c, 1) != 1)
				die("write");
		close(fd);
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "pingpong")) {
		int fd = socket(strchr(argv[2], ':') ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		int rounds = atoi(argv[4]), one = 1;
		char c = 'p';
		if (connect_to(fd, argv[2], atoi(argv[3]), 0))
			die("connect");
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		for (int i = 0; i < rounds; i++)
			if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
				die("pingpong");
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			die("tcp_info");
		printf("tcpinfo rtt_us %u segs_in %u data_segs_in %u\n", ti.tcpi_rtt, ti.tcpi_segs_in,
		       ti.tcpi_data_segs_in);
		fflush(stdout);
		drain(0); /* the test closes stdin once it has read the tool's totals */
		close(fd);
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of net_peer.c\n");
	return 2;
}
