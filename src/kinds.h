/* SPDX-License-Identifier: GPL-2.0-only */
/* Names and sensors of the kernel event kinds: the one table the CLI, the loader and the
 * formatters consult. */
#ifndef VIGIL_KINDS_H
#define VIGIL_KINDS_H

#include <stdint.h>

#define KIND_BIT(k) (1ULL << (k))

struct kind_info {
	unsigned kind;      /* enum vigil_kind */
	const char *name;   /* "process.exec" */
	const char *sensor; /* the sensor that produces it */
};

const struct kind_info *kind_by_id(unsigned kind);
const struct kind_info *kind_by_name(const char *name);
const char *kind_name(unsigned kind); /* "unknown" if none */
/* Iterates the table: for (i = 0; (k = kind_at(i)); i++). */
const struct kind_info *kind_at(unsigned i);

#endif
