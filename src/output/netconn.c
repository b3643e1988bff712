// SPDX-License-Identifier: GPL-2.0-only
#include "output/netconn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void netconn_init(struct netconn *c)
{
	pthread_mutex_init(&c->mu, NULL);
	c->fd = -1;
	c->aborted = false;
}

static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len, double timeout_s)
{
	int fl = fcntl(fd, F_GETFL);
	int rc;

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	rc = connect(fd, sa, len);
	if (rc && errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);
		rc = poll(&p, 1, (int)(timeout_s * 1000));
		if (rc == 0) {
			errno = ETIMEDOUT;
			rc = -1;
		} else if (rc > 0) {
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
			errno = err;
			rc = err ? -1 : 0;
		}
	}
	fcntl(fd, F_SETFL, fl);
	return rc;
}

static void set_timeouts(int fd, double timeout_s)
{
	struct timeval tv = { .tv_sec = (time_t)timeout_s,
			      .tv_usec = (suseconds_t)((timeout_s - (double)(time_t)timeout_s) * 1e6) };

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int netconn_open(struct netconn *c, const char *host, unsigned port, const char *path, int type,
		 double timeout_s, char *why, size_t n)
{
	int fd = -1;

	if (!host) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
		fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof(un))) {
			snprintf(why, n, "%s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	} else {
		struct addrinfo hints = { .ai_socktype = type }, *res = NULL, *ai;
		char ports[8];
		snprintf(ports, sizeof(ports), "%u", port);
		int gai = getaddrinfo(host, ports, &hints, &res);
		if (gai) {
			snprintf(why, n, "%s: %s", host, gai_strerror(gai));
			return -1;
		}
		int err = 0;
		for (ai = res; ai; ai = ai->ai_next) {
			fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
			if (fd < 0)
				continue;
			if (connect_timeout(fd, ai->ai_addr, ai->ai_addrlen, timeout_s) == 0)
				break;
			err = errno;
			close(fd);
			fd = -1;
		}
		freeaddrinfo(res);
		if (fd < 0) {
			snprintf(why, n, "connect to %s:%u: %s", host, port, strerror(err ? err : ECONNREFUSED));
			return -1;
		}
	}
	set_timeouts(fd, timeout_s);
	pthread_mutex_lock(&c->mu);
	if (c->aborted) {
		pthread_mutex_unlock(&c->mu);
		close(fd);
		snprintf(why, n, "stopping");
		return -1;
	}
	c->fd = fd;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

size_t netconn_write(struct netconn *c, const void *buf, size_t len, char *why, size_t n)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = send(c->fd, (const char *)buf + off, len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				snprintf(why, n, "send timed out (the receiver does not read)");
			else
				snprintf(why, n, "send: %s", w < 0 ? strerror(errno) : "nothing written");
			break;
		}
		off += (size_t)w;
	}
	return off;
}

void netconn_close(struct netconn *c)
{
	pthread_mutex_lock(&c->mu);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	pthread_mutex_unlock(&c->mu);
}

void netconn_abort(struct netconn *c)
{
	pthread_mutex_lock(&c->mu);
	c->aborted = true;
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&c->mu);
}
