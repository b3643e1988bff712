// SPDX-License-Identifier: GPL-2.0-only
#include "out.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char hex[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not valid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not valid UTF-8 */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_escape(struct sbuf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	sbuf_reserve(b, n + 2);
	while (i < n) {
		unsigned char c = s[i];
		size_t run = i;

		/* copy the plain ASCII run in one go: the common case */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i) {
			sbuf_putn(b, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		switch (c) {
		case '"': sbuf_putn(b, "\\\"", 2); i++; continue;
		case '\\': sbuf_putn(b, "\\\\", 2); i++; continue;
		case '\n': sbuf_putn(b, "\\n", 2); i++; continue;
		case '\t': sbuf_putn(b, "\\t", 2); i++; continue;
		case '\r': sbuf_putn(b, "\\r", 2); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sbuf_putn(b, esc, 6);
			i++;
			continue;
		}
		size_t len = utf8_len(s + i, n - i);
		if (len) {
			sbuf_putn(b, (const char *)s + i, len);
			i += len;
		} else {
			sbuf_putn(b, "\\ufffd", 6);
			i++;
		}
	}
}

int out_format_parse(const char *name, enum out_format *fmt)
{
	if (!strcmp(name, "json"))
		*fmt = OUT_JSON;
	else if (!strcmp(name, "text"))
		*fmt = OUT_TEXT;
	else
		return -1;
	return 0;
}

void out_init(struct out *o, struct sbuf *b, enum out_format fmt)
{
	memset(o, 0, sizeof(*o));
	o->b = b;
	o->fmt = fmt;
}

static bool text_needs_quotes(const char *s, size_t n)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f)
			return true;
	}
	return false;
}

/* Separator and key for the next value at the current depth. */
static void put_key(struct out *o, const char *key)
{
	int d = o->depth;

	if (o->fmt == OUT_JSON) {
		if (!o->first[d])
			sbuf_putc(o->b, ',');
		o->first[d] = false;
		if (key && !o->in_array[d]) {
			size_t n = strlen(key);
			sbuf_reserve(o->b, n + 3);
			o->b->p[o->b->len++] = '"';
			memcpy(o->b->p + o->b->len, key, n);
			o->b->len += n;
			o->b->p[o->b->len++] = '"';
			o->b->p[o->b->len++] = ':';
		}
		return;
	}
	if (o->in_array[d]) {
		if (!o->first[d])
			sbuf_putc(o->b, ' ');
		o->first[d] = false;
		return;
	}
	if (!o->first[d] || (d > 0 && o->first[d] && !o->in_array[d - 1] && o->base[d] != d))
		sbuf_putc(o->b, ' ');
	else if (d == 0 && o->b->len && o->b->p[o->b->len - 1] != '\n')
		sbuf_putc(o->b, ' ');
	o->first[d] = false;
	if (o->bare[d]) {
		o->bare[d] = false;
		return;
	}
	for (int i = o->base[d] + 1; i <= d; i++) {
		sbuf_puts(o->b, o->keys[i]);
		sbuf_putc(o->b, '.');
	}
	if (key)
		sbuf_puts(o->b, key);
	sbuf_putc(o->b, '=');
}

void out_bare_next(struct out *o)
{
	if (o->fmt == OUT_TEXT)
		o->bare[o->depth] = true;
}

void out_begin(struct out *o)
{
	o->depth = 0;
	o->first[0] = true;
	o->in_array[0] = false;
	o->base[0] = 0;
	o->bare[0] = false;
	if (o->fmt == OUT_JSON)
		sbuf_putc(o->b, '{');
}

void out_end(struct out *o)
{
	if (o->fmt == OUT_JSON)
		sbuf_putc(o->b, '}');
	sbuf_putc(o->b, '\n');
}

static void open_nested(struct out *o, const char *key, bool array)
{
	bool in_array = o->in_array[o->depth];

	if (o->fmt == OUT_JSON || array || in_array) {
		put_key(o, key);
		if (o->fmt == OUT_JSON || array || in_array)
			sbuf_putc(o->b, array ? '[' : '{');
	}
	if (o->depth + 1 >= OUT_DEPTH)
		return; /* formatters never nest this deep; refuse rather than overrun */
	int parent_base = o->base[o->depth];
	o->depth++;
	o->first[o->depth] = true;
	o->in_array[o->depth] = array;
	o->bare[o->depth] = false;
	o->keys[o->depth] = key ? key : "";
	/* text: an object inside an array starts a fresh key path, in braces */
	o->base[o->depth] = (o->fmt == OUT_TEXT && (array || in_array)) ? o->depth : parent_base;
}

static void close_nested(struct out *o, bool array)
{
	if (o->depth == 0)
		return;
	o->depth--;
	if (o->fmt == OUT_JSON || array || o->in_array[o->depth])
		sbuf_putc(o->b, array ? ']' : '}');
	/* text: what follows a closed object at this depth needs its separator */
	if (o->fmt == OUT_TEXT && !array && !o->in_array[o->depth])
		o->first[o->depth] = o->first[o->depth] && o->b->len == 0;
}

void out_obj(struct out *o, const char *key)
{
	open_nested(o, key, false);
}

void out_obj_end(struct out *o)
{
	close_nested(o, false);
}

void out_arr(struct out *o, const char *key)
{
	open_nested(o, key, true);
}

void out_arr_end(struct out *o)
{
	close_nested(o, true);
}

void out_strn(struct out *o, const char *key, const char *s, size_t n)
{
	put_key(o, key);
	if (o->fmt == OUT_TEXT && !text_needs_quotes(s, n)) {
		sbuf_putn(o->b, s, n);
		return;
	}
	sbuf_putc(o->b, '"');
	json_escape(o->b, s, n);
	sbuf_putc(o->b, '"');
}

void out_str(struct out *o, const char *key, const char *s)
{
	out_strn(o, key, s ? s : "", s ? strlen(s) : 0);
}

void out_u64(struct out *o, const char *key, uint64_t v)
{
	put_key(o, key);
	sbuf_put_u64(o->b, v);
}

void out_i64(struct out *o, const char *key, int64_t v)
{
	put_key(o, key);
	if (v < 0) {
		sbuf_putc(o->b, '-');
		sbuf_put_u64(o->b, (unsigned long long)-(v + 1) + 1);
	} else {
		sbuf_put_u64(o->b, (unsigned long long)v);
	}
}

void out_bool(struct out *o, const char *key, bool v)
{
	put_key(o, key);
	sbuf_puts(o->b, v ? "true" : "false");
}

void out_null(struct out *o, const char *key)
{
	put_key(o, key);
	sbuf_puts(o->b, o->fmt == OUT_JSON ? "null" : "-");
}

void out_raw_json(struct out *o, const char *key, const char *json, size_t n)
{
	if (o->fmt != OUT_JSON)
		return;
	put_key(o, key);
	sbuf_putn(o->b, json, n);
}
