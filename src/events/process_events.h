/* SPDX-License-Identifier: GPL-2.0-only */
/* The fields of process.exec, process.fork and process.exit (docs/events.md). */
#ifndef VIGIL_PROCESS_EVENTS_H
#define VIGIL_PROCESS_EVENTS_H

#include <stddef.h>

#include "out.h"

void body_process_exec(struct out *o, const void *rec, size_t size);
void body_process_fork(struct out *o, const void *rec, size_t size);
void body_process_exit(struct out *o, const void *rec, size_t size);

#endif
