// SPDX-License-Identifier: GPL-2.0-only
/*
 * One outbound attempt for the enforcement tests (tests/e2e/test_enforce.py):
 *   enforce_connect [-c COMM] [-u UID] [-p tcp|udp|sendto] [-n COUNT] ADDR PORT
 * -c renames the process first (prctl PR_SET_NAME: the comm the kernel and the rules see);
 * -u switches the real and effective uid; -p tcp (default) connects a stream socket, udp connects
 * a datagram socket, sendto sends one datagram without connecting (the sendmsg hooks); bind binds
 * a stream socket to ADDR PORT and listens (the bind hooks), bindudp binds a datagram socket.
 * Prints "ok" or "errno N NAME" and exits 0 either way; 2 on a usage or setup error.
 * -n repeats the attempt COUNT times (a new socket each) and prints the last result and
 * "eperm N" (attempts that failed with EPERM) and "ns_per_call N" (socket + attempt + close).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *proto = "tcp";
	long count = 1;
	int opt;

	while ((opt = getopt(argc, argv, "c:u:p:n:")) != -1) {
		switch (opt) {
		case 'c':
			prctl(PR_SET_NAME, optarg, 0, 0, 0);
			break;
		case 'u':
			if (setresuid((uid_t)atoi(optarg), (uid_t)atoi(optarg), 0)) {
				perror("setresuid");
				return 2;
			}
			break;
		case 'p':
			proto = optarg;
			break;
		case 'n':
			count = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: enforce_connect [-c COMM] [-u UID] [-p tcp|udp|sendto|bind|bindudp] ADDR PORT\n");
		return 2;
	}
	struct sockaddr_storage ss = {};
	socklen_t len;
	int family;
	int port = atoi(argv[optind + 1]);
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, argv[optind], &a4->sin_addr) == 1) {
		family = AF_INET;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, argv[optind], &a6->sin6_addr) == 1) {
		family = AF_INET6;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		len = sizeof(*a6);
	} else {
		fprintf(stderr, "bad address %s\n", argv[optind]);
		return 2;
	}
	bool bind_ = !strcmp(proto, "bind") || !strcmp(proto, "bindudp");
	bool stream = !strcmp(proto, "tcp") || !strcmp(proto, "bind");
	int rc = 0, err = 0;
	long eperm = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < count; i++) {
		int fd = socket(family, stream ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (fd < 0) {
			perror("socket");
			return 2;
		}
		if (bind_) {
			int one = 1;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			rc = bind(fd, (struct sockaddr *)&ss, len);
			if (!rc && stream)
				rc = listen(fd, 1);
		} else if (!strcmp(proto, "sendto"))
			rc = sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) == 1 ? 0 : -1;
		else
			rc = connect(fd, (struct sockaddr *)&ss, len);
		err = errno;
		eperm += rc && err == EPERM;
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc)
		printf("errno %d %s\n", err, strerrorname_np(err));
	else
		printf("ok\n");
	if (count > 1)
		printf("eperm %ld\n", eperm);
	if (count > 1)
		printf("ns_per_call %lld\n", ((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)) / count);
	fflush(stdout);
	return 0;
}
