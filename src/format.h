/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel records, joined to the process table, rendered as events (docs/events.md). */
#ifndef VIGIL_FORMAT_H
#define VIGIL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "proc_cache.h"

struct format_opts {
	enum out_format fmt;
	bool ancestors;
};

/* Starts an event: the record's opening, "time", "kind" and (JSON) "host". */
void format_open(struct out *o, uint64_t boot_ns, const char *kind);
/* JSON: "host": {"name": hostname, "id": /etc/machine-id}, read once. */
void format_host(struct out *o);
const char *host_name(void);

/* A whole kernel event: header, proc, parent (and ancestors), then the kind's own fields. */
/* While format_event runs (for its body writers): how many live processes of the table execute
 * the file at this path. 0 outside it. */
unsigned format_exe_users(const char *exe);
void format_event(struct out *o, const struct format_opts *opts, struct proc_cache *c,
		  const void *rec, size_t size, const struct proc *proc);

/* Exit status decoding shared with the tools. */
struct exit_status {
	int code;
	int signal;
	bool core_dumped;
};
struct exit_status exit_status_decode(int32_t raw);
const char *signal_name(int sig); /* "SIGKILL"; NULL if unknown */

#endif
