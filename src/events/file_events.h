/* SPDX-License-Identifier: GPL-2.0-only */
/* The fields of file.open .. file.truncate (docs/events.md), and their decoding for the tools. */
#ifndef VIGIL_FILE_EVENTS_H
#define VIGIL_FILE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "sbuf.h"
#include "vigil/abi.h"

/* One writer for every file kind: the "file" object. */
void body_file(struct out *o, const void *rec, size_t size);

/* A file record's path: the kernel's file when it named one (*from_file), else the caller's
 * string joined to the canonical directory it is relative to. False if a segment is malformed. */
bool file_event_path(const void *rec, size_t size, struct sbuf *out, bool *from_file,
		     bool *truncated);
/* The caller's string as given (second: rename/link new name, symlink link path). */
bool file_event_requested(const void *rec, size_t size, bool second, struct sbuf *out);

/* Names of flag bits, separated by sep; bits without a name are added as one hex number. */
struct flag_name {
	uint64_t bits;
	const char *name;
};
void flag_names(struct sbuf *b, uint64_t v, const struct flag_name *t, size_t n, const char *sep);
/* open(2) flags: the access mode first ("O_RDONLY"), then the others. */
void file_open_flags(struct sbuf *b, uint32_t flags, const char *sep);
/* The kernel filter's name bit for one of file_open_flags' names (abi.h, VIGIL_FLAG_BIT0), or
 * -1 for a name that is not one bit (O_SYNC, O_TMPFILE) or not an open flag. */
int file_open_flag_bit(const char *name);
const char *file_open_flag_name(int bit);

/* The kernel's dev_t (major << 20 | minor) as stat(2)'s st_dev. */
uint64_t file_st_dev(uint32_t kdev);
/* "openat" */
const char *file_call_name(unsigned call);

#endif
