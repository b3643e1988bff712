// SPDX-License-Identifier: GPL-2.0-only
/*
 * A DNS stub server and client for the DNS sensor's tests. Each ends by itself (alarm).
 *   net_dns serve ADDR MODE         UDP port 53: answer one query; MODE good (A 10.1.2.3),
 *                                   loop (an answer name that points at itself), cut (a reply
 *                                   that stops inside its question)
 *   net_dns serve-tcp ADDR          TCP port 53: answer one query (good), length-framed
 *   net_dns query ADDR NAME [tcp|mmsg]
 *                                   one A query (id 0xbeef) with send/recv, or writev over TCP;
 *                                   mmsg: A and AAAA in one sendmmsg (as glibc does), the
 *                                   replies read with recvmsg
 *   net_dns serve ADDR MODE COUNT   (serve) answers COUNT queries
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#define DNS_PORT 53
#define QUERY_ID 0xbeef

static void die(const char *what)
{
	printf("error %s %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t make_addr(struct sockaddr_storage *ss, const char *addr)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(DNS_PORT);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			die("address");
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(DNS_PORT);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
		die("address");
	return sizeof(*s4);
}

static size_t put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = v >> 8;
	p[off + 1] = v & 0xff;
	return off + 2;
}

/* A standard query for NAME, of TYPE, class IN. */
static size_t build_query(uint8_t *q, const char *name, uint16_t type)
{
	size_t off = 0;

	off = put16(q, off, QUERY_ID);
	off = put16(q, off, 0x0100); /* RD */
	off = put16(q, off, 1);
	off = put16(q, off, 0);
	off = put16(q, off, 0);
	off = put16(q, off, 0);
	for (const char *s = name; *s;) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		q[off++] = (uint8_t)n;
		memcpy(q + off, s, n);
		off += n;
		s += n + (dot ? 1 : 0);
	}
	q[off++] = 0;
	off = put16(q, off, type);
	return put16(q, off, 1);
}

/* The reply to query q[0..n) for MODE; its length. */
static size_t build_reply(uint8_t *r, const uint8_t *q, size_t n, const char *mode)
{
	size_t off;

	if (n < 12 || n > 400)
		return 0;
	memcpy(r, q, n);
	put16(r, 2, 0x8180); /* response, RD, RA, NOERROR */
	put16(r, 6, 1);      /* one answer */
	off = n;
	if (!strcmp(mode, "cut"))
		return 12 + 5; /* the question's name is cut short */
	if (!strcmp(mode, "loop"))
		off = put16(r, off, 0xc000 | (uint16_t)off); /* points at itself */
	else
		off = put16(r, off, 0xc00c); /* the question's name */
	off = put16(r, off, 1);
	off = put16(r, off, 1);
	off = put16(r, off, 0);
	off = put16(r, off, 300); /* ttl */
	off = put16(r, off, 4);
	r[off++] = 10, r[off++] = 1, r[off++] = 2, r[off++] = 3;
	return off;
}

static int bound_socket(const char *addr, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr);
	int fd = socket(ss.ss_family, type, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	return fd;
}

static void read_full(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t got = read(fd, p, n);
		if (got <= 0)
			die("read");
		p += got;
		n -= (size_t)got;
	}
}

int main(int argc, char **argv)
{
	uint8_t q[512], r[1024];

	alarm(15);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "serve")) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int fd = bound_socket(argv[2], SOCK_DGRAM);
		int count = argc > 4 ? atoi(argv[4]) : 1;
		printf("ready %d\n", getpid());
		for (int i = 0; i < count; i++) {
			plen = sizeof(peer);
			ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&peer, &plen);
			if (n < 0)
				die("recvfrom");
			size_t rn = build_reply(r, q, (size_t)n, argv[3]);
			if (sendto(fd, r, rn, 0, (struct sockaddr *)&peer, plen) != (ssize_t)rn)
				die("sendto");
			printf("served %zu\n", rn);
		}
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "serve-tcp")) {
		int lfd = bound_socket(argv[2], SOCK_STREAM);
		uint8_t len[2];
		if (listen(lfd, 4))
			die("listen");
		printf("ready %d\n", getpid());
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		read_full(fd, len, 2);
		size_t n = (size_t)(len[0] << 8 | len[1]);
		if (n > sizeof(q))
			die("length");
		read_full(fd, q, n);
		size_t rn = build_reply(r + 2, q, n, "good");
		put16(r, 0, (uint16_t)rn);
		if (send(fd, r, rn + 2, 0) != (ssize_t)(rn + 2))
			die("send");
		printf("served %zu\n", rn);
		close(fd);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "query")) {
		struct sockaddr_storage ss;
		socklen_t len = make_addr(&ss, argv[2]);
		int tcp = argc > 4 && !strcmp(argv[4], "tcp");
		int mmsg = argc > 4 && !strcmp(argv[4], "mmsg");
		int fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		struct timeval tv = { .tv_sec = 3 };
		size_t qn = build_query(q, argv[3], 1);
		ssize_t n;

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&ss, len))
			die("connect");
		printf("pid %d\n", getpid());
		if (mmsg) {
			uint8_t q6[512];
			size_t q6n = build_query(q6, argv[3], 28);
			struct iovec iov[2] = { { q, qn }, { q6, q6n } };
			struct mmsghdr mm[2] = {};
			mm[0].msg_hdr.msg_iov = &iov[0];
			mm[0].msg_hdr.msg_iovlen = 1;
			mm[1].msg_hdr.msg_iov = &iov[1];
			mm[1].msg_hdr.msg_iovlen = 1;
			if (sendmmsg(fd, mm, 2, 0) != 2)
				die("sendmmsg");
			for (int i = 0; i < 2; i++) {
				struct iovec riov = { r, sizeof(r) };
				struct msghdr mh = { .msg_iov = &riov, .msg_iovlen = 1 };
				n = recvmsg(fd, &mh, 0);
				if (n < 0)
					die("recvmsg");
			}
		} else if (tcp) {
			uint8_t prefix[2] = { (uint8_t)(qn >> 8), (uint8_t)qn };
			struct iovec iov[2] = { { prefix, 2 }, { q, qn } };
			if (writev(fd, iov, 2) != (ssize_t)(qn + 2))
				die("writev");
			n = recv(fd, r, sizeof(r), 0);
		} else {
			if (send(fd, q, qn, 0) != (ssize_t)qn)
				die("send");
			n = recv(fd, r, sizeof(r), 0);
		}
		struct sockaddr_storage me;
		socklen_t mlen = sizeof(me);
		getsockname(fd, (struct sockaddr *)&me, &mlen);
		printf("sport %d\n", ntohs(((struct sockaddr_in *)&me)->sin_port));
		printf("reply %zd\n", n);
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of net_dns.c\n");
	return 2;
}
