/* SPDX-License-Identifier: GPL-2.0-only */
/* How a network sink talks to its receiver: syslog (unix, UDP, TCP, TLS), HTTP, ClickHouse.
 * Called from the sink's own thread only, except abort. */
#ifndef VIGIL_OUTPUT_TRANSPORT_H
#define VIGIL_OUTPUT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "output/spec.h"

enum send_status {
	SEND_OK,     /* every event was accepted */
	SEND_RETRY,  /* the receiver is down or failed: *done events were accepted, retry the rest */
	SEND_REJECT, /* the receiver refused the batch for good: *done accepted, the rest dropped */
};

struct transport {
	const struct transport_ops *ops;
	size_t batch_max;   /* bytes per send */
	double linger_s;    /* wait this long for a fuller batch (0: send at once) */
	bool lazy;          /* connect does not reach the receiver: up after the first send */
	size_t rejected;    /* set by a SEND_OK send: events of the batch refused for good */
};

struct transport_ops {
	/* 0, or -1 with the reason. */
	int (*connect)(struct transport *t, char *why, size_t n);
	/* buf: nevents whole lines. */
	enum send_status (*send)(struct transport *t, const char *buf, size_t len, size_t nevents,
				 size_t *done, char *why, size_t n);
	void (*disconnect)(struct transport *t);
	/* From another thread: make a blocked send return (exit path). */
	void (*abort)(struct transport *t);
	void (*destroy)(struct transport *t);
};

/* Constructors: check what can be checked before the first event (files readable, names);
 * a receiver that is down is not an error. NULL with one line in err. */
struct transport *syslog_transport_new(const struct output_spec *s, char *err, size_t errlen);
struct transport *http_transport_new(const struct output_spec *s, char *err, size_t errlen);

#endif
