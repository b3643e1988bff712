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

#include <string.h>

/* Grows the buffer (the slow path of sbuf_reserve). */
void sbuf_grow(struct sbuf *b, size_t more);

/* The writers are inline: formatting an event calls them dozens of times. */
static inline void sbuf_reserve(struct sbuf *b, size_t more)
{
	if (b->len + more + 1 > b->cap)
		sbuf_grow(b, more);
}

static inline void sbuf_putn(struct sbuf *b, const char *s, size_t n)
{
	sbuf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_putn(b, s, strlen(s));
}

static inline void sbuf_putc(struct sbuf *b, char c)
{
	sbuf_reserve(b, 1);
	b->p[b->len++] = c;
}

/* Decimal digits of v, without printf. */
void sbuf_put_u64(struct sbuf *b, unsigned long long v);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);
/* A NUL-terminated view of the contents (the buffer keeps ownership). */
const char *sbuf_str(struct sbuf *b);

#endif
