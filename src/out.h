/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One writer, two renderings: JSON (one object per line) or text (key=value, nested keys joined
 * with dots). Event formatters call it once and get either. Nesting is bounded by OUT_DEPTH.
 */
#ifndef VIGIL_OUT_H
#define VIGIL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

enum out_format {
	OUT_JSON,
	OUT_TEXT,
};

#define OUT_DEPTH 8

struct out {
	struct sbuf *b;
	enum out_format fmt;
	int depth;
	bool first[OUT_DEPTH];
	bool in_array[OUT_DEPTH];
	const char *keys[OUT_DEPTH]; /* text: the key path of each open object */
	int base[OUT_DEPTH];         /* text: depth where the key path starts (objects in arrays) */
	bool bare[OUT_DEPTH];        /* text: the next value is written without its key */
};

void out_init(struct out *o, struct sbuf *b, enum out_format fmt);
/* "json" or "text"; 0, or -1 for anything else. */
int out_format_parse(const char *name, enum out_format *fmt);
void out_begin(struct out *o);
void out_end(struct out *o); /* closes the record and appends a newline */
void out_obj(struct out *o, const char *key);
void out_obj_end(struct out *o);
void out_arr(struct out *o, const char *key);
void out_arr_end(struct out *o);
void out_str(struct out *o, const char *key, const char *s);
void out_strn(struct out *o, const char *key, const char *s, size_t n);
void out_u64(struct out *o, const char *key, uint64_t v);
void out_i64(struct out *o, const char *key, int64_t v);
void out_bool(struct out *o, const char *key, bool v);
void out_null(struct out *o, const char *key);
/* JSON only: a value already rendered as JSON (an embedded event), written as is. */
void out_raw_json(struct out *o, const char *key, const char *json, size_t n);
/* Text only: the next value is written without "key=" (time and kind lead a text line). */
void out_bare_next(struct out *o);

/* JSON string body of s[0..n): escapes quotes, backslashes and control characters; invalid UTF-8
 * bytes become U+FFFD so the output is always valid JSON. */
void json_escape(struct sbuf *b, const char *s, size_t n);

#endif
