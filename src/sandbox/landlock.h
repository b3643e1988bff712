/* SPDX-License-Identifier: GPL-2.0-only */
/* Landlock: the file-system half of the sandbox. The ABI version is found by asking the kernel;
 * the ruleset handles every file-system right that version knows, so what is not granted under
 * a --landlock-ro or --landlock-rw path is denied. */
#ifndef VIGIL_SANDBOX_LANDLOCK_H
#define VIGIL_SANDBOX_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>

/* The kernel's Landlock ABI version (1, 2, ...), or -errno (ENOSYS: not built, EOPNOTSUPP: off). */
int landlock_abi_version(void);

struct landlock_plan {
	int ruleset_fd;     /* -1: no Landlock for this run */
	int abi;
	uint64_t handled;   /* the file-system rights the ruleset handles */
};

/* Builds the ruleset in the parent, so a bad path is reported before anything runs. 0, or -1 with
 * a message. With no paths, plan->ruleset_fd is -1. */
int landlock_prepare(const char *const *ro, size_t nro, const char *const *rw, size_t nrw,
		     struct landlock_plan *plan, char *err, size_t errlen);

/* In the child, before exec: no_new_privs, then restrict itself. 0 or -errno. */
int landlock_enforce(const struct landlock_plan *plan);

void landlock_plan_close(struct landlock_plan *plan);

#endif
