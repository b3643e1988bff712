/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fields a rule may name: each maps to a path in the JSON event (docs/events.md), has a type,
 * belongs to some event kinds, and may be testable in the kernel.
 */
#ifndef VIGIL_POLICY_FIELDS_H
#define VIGIL_POLICY_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

enum field_type {
	F_STR,
	F_INT,
	F_BOOL,
	F_NET,     /* an IP address */
	F_STRLIST, /* an array of strings: a predicate holds if it holds for any element */
};

enum field_source {
	FS_PATH,     /* a JSON path in the event */
	FS_KIND,     /* the event's kind */
	FS_CMDLINE,  /* an args array joined with spaces */
	FS_ANCESTOR, /* the same key in every ancestor, parent first: any may match */
};

struct field_def {
	const char *name;        /* as rules write it: "proc.exe" */
	enum field_type type;
	enum field_source source;
	const char *path[4];     /* JSON keys from the event's root */
	uint64_t kinds;          /* kinds that carry it; 0: every kernel event (proc, parent) */
	int kernel_field;        /* VIGIL_FF_* that the kernel filter tests, or -1 */
	const char *doc;
	bool nocase;             /* strings compare case-insensitively (DNS names) */
};

const struct field_def *field_find(const char *name);
const struct field_def *field_at(unsigned i);
const char *field_type_name(enum field_type t);

#endif
