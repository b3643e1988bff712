/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exec_id: one id per process image (every exec, and every fork that has not exec'd yet), unique
 * for the life of the host and stable across pid reuse. It is built only from kernel facts every
 * event carries: the boot, the thread group leader's start time (boot clock, ns), its tgid and its
 * self_exec_id (which the kernel bumps at every exec). So the id of a parent, computed from the
 * child's event, equals the id the parent's own events carry, with no lookup.
 */
#ifndef VIGIL_EXEC_ID_H
#define VIGIL_EXEC_ID_H

#include <stddef.h>
#include <stdint.h>

#define EXEC_ID_LEN 64

/* Reads the boot id once (first 8 hex digits of /proc/sys/kernel/random/boot_id). */
void exec_id_init(const char *boot_id_override);

/* "<boot>:<start_ns>:<tgid>:<exec_seq>"; empty if start_ns is 0 (nothing known). */
void exec_id_format(char out[EXEC_ID_LEN], uint32_t tgid, uint64_t start_ns, uint64_t exec_seq);

#endif
