/* SPDX-License-Identifier: GPL-2.0-only */
/* A client socket that another thread can interrupt: TCP or UDP to HOST:PORT, or a unix
 * datagram socket, connected with a timeout; sends time out too. */
#ifndef VIGIL_OUTPUT_NETCONN_H
#define VIGIL_OUTPUT_NETCONN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct netconn {
	pthread_mutex_t mu; /* fd changes vs. netconn_abort from another thread */
	int fd;
	bool aborted;
};

void netconn_init(struct netconn *c);
/* type SOCK_STREAM or SOCK_DGRAM; host NULL: path is a unix socket. 0, or -1 with the reason. */
int netconn_open(struct netconn *c, const char *host, unsigned port, const char *path, int type,
		 double timeout_s, char *why, size_t n);
/* Writes all of buf; returns bytes written before an error (== len on success). */
size_t netconn_write(struct netconn *c, const void *buf, size_t len, char *why, size_t n);
void netconn_close(struct netconn *c);
void netconn_abort(struct netconn *c);

#endif
