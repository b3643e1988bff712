/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reads a few fields out of one rendered JSON event without parsing it whole: the sinks need
 * the kind, the severity, the rule, the time and a handful of columns of every event, and the
 * event was rendered by vigil itself (valid JSON, one object per line).
 */
#ifndef VIGIL_OUTPUT_EVSCAN_H
#define VIGIL_OUTPUT_EVSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evfield {
	const char *p; /* NULL: absent. Strings: the bytes between the quotes, still escaped */
	size_t n;
	bool str;
};

/* Fills out[i] for each dotted path ("kind", "rule.severity", "proc.tgid"). Values that are
 * objects or arrays are returned whole (their JSON text). */
void evscan(const char *line, size_t len, const char *const *paths, size_t npaths,
	    struct evfield *out);
/* The kind of a rendered line, JSON or text ("TIME KIND ..."): a view into line. */
bool evscan_kind(const char *line, size_t len, const char **kind, size_t *n);
/* The JSON string escapes of f undone into dst (at most cap-1 bytes, NUL-terminated). */
size_t evfield_unescape(const struct evfield *f, char *dst, size_t cap);
uint64_t evfield_u64(const struct evfield *f);

#endif
