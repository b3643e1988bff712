/* SPDX-License-Identifier: GPL-2.0-only */
/* A growable byte buffer: the one place output is assembled before it is written. */
#ifndef VIGIL_SBUF_H
#define VIGIL_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
};

void sbuf_reserve(struct sbuf *b, size_t more);
void sbuf_putn(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);
/* A NUL-terminated view of the contents (the buffer keeps ownership). */
const char *sbuf_str(struct sbuf *b);

#endif
