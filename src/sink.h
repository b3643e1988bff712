/* SPDX-License-Identifier: GPL-2.0-only */
/* Where rendered events go: a buffer of whole lines, flushed in large writes to a file
 * descriptor, or handed to the outputs' fan-out (src/output/), which writes files and queues
 * network sinks. */
#ifndef VIGIL_SINK_H
#define VIGIL_SINK_H

#include <signal.h>
#include <stdbool.h>

#include "sbuf.h"

struct outputs;

struct sink {
	int fd;
	struct outputs *outputs; /* set: flushes go to the fan-out instead of fd */
	struct sbuf buf;
	bool broken; /* the reader went away (EPIPE) or the disk failed */
	int error;   /* errno of the failure */
	/* set from a signal handler: a write that signal interrupts is abandoned (EINTR) */
	volatile sig_atomic_t give_up;
};

/* Opens path for appending (created 0600), or stdout for NULL/"-". 0, or -errno. */
int sink_open(struct sink *s, const char *path);
/* Flushes go to the outputs (which the sink then owns: sink_close closes them). */
void sink_open_outputs(struct sink *s, struct outputs *outputs);
/* Writes the buffer out if it holds at least threshold bytes (0: always). */
void sink_flush(struct sink *s, size_t threshold);
/* Opens path again (SIGUSR1 after logrotate renamed it): what is buffered goes to the old file,
 * later writes to the new one. Nothing for stdout. 0, or -errno (the old file stays in use). */
int sink_reopen(struct sink *s, const char *path);
void sink_close(struct sink *s);

#endif
