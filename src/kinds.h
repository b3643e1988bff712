/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel event kinds: name, sensor, smallest valid record, and the writer of the kind's own
 * fields. The one table the CLI, the loader, the record checks and the formatters consult; a
 * new kind is one row here plus its body writer in src/events/.
 */
#ifndef VIGIL_KINDS_H
#define VIGIL_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"

#define KIND_BIT(k) (1ULL << (k))

/* Writes the kind-specific fields of a checked record (size >= min_size). */
typedef void (*kind_body_fn)(struct out *o, const void *rec, size_t size);

struct kind_info {
	unsigned kind;      /* enum vigil_kind */
	const char *name;   /* "process.exec" */
	const char *sensor; /* the sensor that produces it */
	size_t min_size;    /* the smallest valid record */
	kind_body_fn body;  /* NULL: no fields of its own */
	bool on_request;    /* not part of "every kind": loaded only when named (e.g. net.rtt) */
};

const struct kind_info *kind_by_id(unsigned kind);
const struct kind_info *kind_by_name(const char *name);
const char *kind_name(unsigned kind); /* "unknown" if none */
/* Iterates the table: for (i = 0; (k = kind_at(i)); i++). */
const struct kind_info *kind_at(unsigned i);
/* "Every kind": the bits of the kinds that are not loaded only on request. */
uint64_t kinds_default(void);

#endif
