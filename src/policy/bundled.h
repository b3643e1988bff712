/* SPDX-License-Identifier: GPL-2.0-only */
/* The default rule library, compiled into the binary from policies/ at build time. */
#ifndef VIGIL_POLICY_BUNDLED_H
#define VIGIL_POLICY_BUNDLED_H

#include <stddef.h>

struct bundled_policy {
	const char *name; /* "bundled:processes.yaml" */
	const char *text;
	size_t len;
};

extern const struct bundled_policy vigil_bundled_policies[];
extern const size_t vigil_bundled_policy_count;

#endif
