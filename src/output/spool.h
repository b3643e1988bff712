/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A network sink's on-disk spool: a directory of numbered segment files of whole lines, oldest
 * first, capped in bytes. Appended to while the receiver is slow or down, read back (and segments
 * deleted once sent) when it recovers; left on disk at exit and sent by the next run.
 * Not thread-safe by itself: the sink serialises calls with its lock, except spool_read, which
 * touches only a sealed segment and may run without it.
 */
#ifndef VIGIL_OUTPUT_SPOOL_H
#define VIGIL_OUTPUT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spool {
	char dir[4096];
	uint64_t max;      /* bytes; 0: no spool */
	uint64_t seg_max;  /* bytes per segment */
	uint64_t bytes;    /* on disk */
	uint64_t events;   /* lines not yet consumed */
	uint64_t first;    /* oldest segment's number */
	uint64_t next;     /* number the next new segment gets */
	int wfd;           /* the segment being appended to, or -1 */
	uint64_t wseq, wsize;
	uint64_t roff;     /* read offset in the oldest segment */
};

/* Creates the directory if needed and checks it is writable; counts what an earlier run left.
 * 0, or -1 with one line in err. max 0 disables the spool (no directory is touched). */
int spool_open(struct spool *sp, const char *dir, uint64_t max, char *err, size_t errlen);
bool spool_empty(const struct spool *sp);
/* Appends the whole lines of buf that fit under the cap; returns how many lines were appended
 * (*bytes_out: their bytes). Lines that do not fit are the caller's to count as dropped. -1 on an
 * I/O error (errno set). */
long spool_append(struct spool *sp, const char *buf, size_t len, size_t *bytes_out);
/* Prepares the oldest segment for reading (seals it if it is the one being appended to);
 * returns its number, or 0 if the spool is empty. Under the sink's lock. */
uint64_t spool_read_begin(struct spool *sp);
/* Reads whole lines of segment seq from off into buf (at most cap bytes); returns their bytes,
 * 0 at the segment's end, -1 on error. *lines gets their count. Without the lock. */
long spool_read(const struct spool *sp, uint64_t seq, uint64_t off, char *buf, size_t cap,
		size_t *lines);
/* After a successful send of what spool_read returned. Under the lock. */
void spool_consume(struct spool *sp, size_t bytes, size_t lines);
/* The oldest segment is used up: deletes it. Under the lock. */
void spool_segment_done(struct spool *sp);
void spool_close(struct spool *sp);

#endif
