/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vigil seccomp record: runs a command in a cgroup of its own, counts in the kernel the syscalls
 * of every task in it (syscall.bpf.c), and writes the smallest profile that lets the same command
 * run again: defaultAction SCMP_ACT_ERRNO, and one ALLOW rule with every syscall seen.
 */
#ifndef VIGIL_SANDBOX_RECORDER_H
#define VIGIL_SANDBOX_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vigil/abi.h"

/* What the recorder saw: a count per slot (see VIGIL_SYSCALL_SLOTS in abi.h). */
struct syscall_counts {
	uint64_t n[VIGIL_SYSCALL_SLOTS];
};

/* Syscalls the sandbox itself makes after its filter is loaded and before the command runs:
 * always allowed in a recorded profile, whether or not the run made them. */
extern const char *const recorder_runtime_syscalls[];

/*
 * The profile for the counts. With base (a profile read from --append's file), the syscalls are
 * merged into base's first unconditional ALLOW rule (added if there is none) and everything
 * else in base is kept. Returns a new reference, or NULL with a message. unnamed counts the
 * syscall numbers libseccomp has no name for (left out).
 */
json_t *recorder_profile(const struct syscall_counts *c, uint32_t native_arch, json_t *base,
			 const char *comment, size_t *unnamed, char *err, size_t errlen);

int cmd_seccomp_record(int argc, char **argv);

#endif
