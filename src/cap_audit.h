/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The audit option of a capability check. capability:cap_capable does not carry it, so the
 * capable sensor tells it from the kernel stack: a check made through one of the kernel's
 * "noaudit" paths (ns_capable_noaudit, has_ns_capability_noaudit, has_capability_noaudit, and
 * the CAP_SYS_ADMIN probe of cap_vm_enough_memory at every mmap) has one of them among its
 * callers. Their address ranges come from /proc/kallsyms and go in the sensor's rodata.
 */
#ifndef VIGIL_CAP_AUDIT_H
#define VIGIL_CAP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "sensors.h"

#define CAP_NOAUDIT_RANGES 12 /* keep in step with src/bpf/priv.bpf.c */

struct cap_noaudit_ranges {
	uint64_t lo[CAP_NOAUDIT_RANGES];
	uint64_t hi[CAP_NOAUDIT_RANGES];
	unsigned count;
};

/* Finds the ranges in a kallsyms text (a path, for tests). Returns the number found (0: the
 * audit option cannot be told: symbols hidden or missing). */
unsigned cap_noaudit_find(const char *kallsyms_path, struct cap_noaudit_ranges *r);

/* The capable sensor's configure step: fills its rodata. Never fails (audit becomes unknown). */
int capable_configure(struct sensors *s, const struct sensors_config *cfg, char *err, size_t errlen);

#endif
