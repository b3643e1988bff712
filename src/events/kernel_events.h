/* SPDX-License-Identifier: GPL-2.0-only */
/* The fields of kernel.module_load, kernel.bpf, kernel.mount, kernel.umount, kernel.ptrace,
 * kernel.namespace, kernel.memfd and process.exec_failed (docs/events.md), and the decoding the
 * tools share. Every segment is checked against the record's size before it is read. */
#ifndef VIGIL_KERNEL_EVENTS_H
#define VIGIL_KERNEL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "out.h"
#include "sbuf.h"

void body_kernel_module(struct out *o, const void *rec, size_t size);
void body_kernel_bpf(struct out *o, const void *rec, size_t size);
void body_kernel_mount(struct out *o, const void *rec, size_t size);
void body_kernel_ptrace(struct out *o, const void *rec, size_t size);
void body_kernel_namespace(struct out *o, const void *rec, size_t size);
void body_kernel_memfd(struct out *o, const void *rec, size_t size);
void body_exec_failed(struct out *o, const void *rec, size_t size);

/* Segment i of a kernel-activity record as text into b (a path segment as an absolute path,
 * argv strings joined with spaces); false if it does not fit the record. */
bool kernel_event_seg(const void *rec, size_t size, unsigned i, struct sbuf *b);

#endif
