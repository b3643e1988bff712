/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoding of records that come from the kernel. Nothing in a record is trusted for a size or an
 * offset: every segment is checked against the record's real length before it is read.
 */
#ifndef VIGIL_RECORD_H
#define VIGIL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"
#include "vigil/abi.h"

/* The smallest valid record of a kind (0 for an unknown kind). */
size_t record_min_size(unsigned kind);

/* Checks the header against the bytes received; false means drop the record as malformed. */
bool record_header_ok(const void *rec, size_t size);

/*
 * The bytes of seg, which lives in the data area that starts data_off bytes into a record of
 * rec_size bytes. Returns false (and an empty slice) if the segment does not fit.
 */
bool record_seg(const void *rec, size_t rec_size, size_t data_off, const struct vigil_seg *seg,
		const char **p, size_t *n);

/* A path segment (components leaf first) as an absolute path: "/a/b/c"; "/" if empty. */
void path_from_components(struct sbuf *out, const char *p, size_t n, unsigned count);

/* A cgroup path segment: as above, "/" for the root. */
#define cgroup_from_components path_from_components

/* Number of NUL-terminated strings in argv bytes (a trailing unterminated one counts too). */
unsigned argv_count(const char *p, size_t n);

#endif
