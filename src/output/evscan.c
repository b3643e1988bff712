// SPDX-License-Identifier: GPL-2.0-only
#include "output/evscan.h"

#include <string.h>

struct scan {
	const char *p, *end;
	const char *const *paths;
	size_t npaths;
	struct evfield *out;
	size_t plen[32]; /* strlen of each path */
	size_t found;
	char key[128]; /* the dotted path of the current object */
	size_t klen;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
		s->p++;
}

/* At the opening quote: returns the body and moves past the closing quote. */
static bool scan_string(struct scan *s, const char **body, size_t *n)
{
	const char *start = ++s->p;

	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\')
			s->p++;
		s->p++;
	}
	if (s->p >= s->end)
		return false;
	*body = start;
	*n = (size_t)(s->p - start);
	s->p++;
	return true;
}

/* Skips any value; false on malformed input. */
static bool skip_value(struct scan *s)
{
	int depth = 0;

	skip_ws(s);
	do {
		if (s->p >= s->end)
			return false;
		char c = *s->p;
		if (c == '"') {
			const char *b;
			size_t n;
			if (!scan_string(s, &b, &n))
				return false;
		} else if (c == '{' || c == '[') {
			depth++;
			s->p++;
		} else if (c == '}' || c == ']') {
			depth--;
			s->p++;
		} else if (depth == 0) {
			while (s->p < s->end && *s->p != ',' && *s->p != '}' && *s->p != ']')
				s->p++;
		} else {
			s->p++;
		}
	} while (depth > 0);
	return true;
}

/* Is key (the current path) wanted exactly (returns index) or as a prefix of some path (-2)? */
static int wanted(const struct scan *s)
{
	int prefix = -1;

	for (size_t i = 0; i < s->npaths; i++) {
		const char *w = s->paths[i];
		if (s->plen[i] < s->klen || memcmp(w, s->key, s->klen))
			continue;
		if (s->plen[i] == s->klen)
			return (int)i;
		if (w[s->klen] == '.')
			prefix = -2;
	}
	return prefix;
}

static bool scan_object(struct scan *s)
{
	size_t base = s->klen;

	s->p++; /* '{' */
	for (;;) {
		const char *k;
		size_t kn;
		skip_ws(s);
		if (s->p >= s->end)
			return false;
		if (*s->p == '}') {
			s->p++;
			return true;
		}
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p != '"' || !scan_string(s, &k, &kn))
			return false;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return false;
		s->p++;
		skip_ws(s);
		s->klen = base;
		if (base + 1 + kn < sizeof(s->key)) {
			if (base)
				s->key[s->klen++] = '.';
			memcpy(s->key + s->klen, k, kn);
			s->klen += kn;
		}
		int w = wanted(s);
		if (w >= 0 && !s->out[w].p) {
			s->found++;
			const char *start = s->p;
			struct evfield *f = &s->out[w];
			if (*s->p == '"') {
				if (!scan_string(s, &f->p, &f->n))
					return false;
				f->str = true;
			} else {
				if (!skip_value(s))
					return false;
				f->p = start;
				f->n = (size_t)(s->p - start);
				while (f->n && (f->p[f->n - 1] == ' '))
					f->n--;
			}
		} else if (w == -2 && *s->p == '{') {
			if (!scan_object(s))
				return false;
		} else if (!skip_value(s)) {
			return false;
		}
		s->klen = base;
		if (s->found == s->npaths) /* all there: the rest need not be read */
			return true;
	}
}

void evscan(const char *line, size_t len, const char *const *paths, size_t npaths,
	    struct evfield *out)
{
	struct scan s = { .p = line, .end = line + len, .paths = paths, .npaths = npaths, .out = out };

	memset(out, 0, npaths * sizeof(*out));
	if (npaths > sizeof(s.plen) / sizeof(s.plen[0]))
		npaths = s.npaths = sizeof(s.plen) / sizeof(s.plen[0]);
	for (size_t i = 0; i < npaths; i++)
		s.plen[i] = strlen(paths[i]);
	skip_ws(&s);
	if (s.p < s.end && *s.p == '{')
		scan_object(&s);
}

bool evscan_kind(const char *line, size_t len, const char **kind, size_t *n)
{
	if (len && line[0] == '{') {
		/* vigil writes "time" then "kind": look near the start first */
		static const char pat[] = "\"kind\":\"";
		size_t lim = len < 96 ? len : 96;
		const char *at = memmem(line, lim, pat, sizeof(pat) - 1);
		if (at) {
			const char *b = at + sizeof(pat) - 1, *e = memchr(b, '"', (size_t)(line + len - b));
			if (e) {
				*kind = b;
				*n = (size_t)(e - b);
				return true;
			}
		}
		static const char *const path[] = { "kind" };
		struct evfield f;
		evscan(line, len, path, 1, &f);
		*kind = f.p;
		*n = f.n;
		return f.p && f.str;
	}
	/* text: "TIME KIND ..." */
	const char *sp = memchr(line, ' ', len);
	if (!sp)
		return false;
	const char *b = sp + 1, *e = memchr(b, ' ', (size_t)(line + len - b));
	*kind = b;
	*n = e ? (size_t)(e - b) : (size_t)(line + len - b);
	while (*n && (b[*n - 1] == '\n'))
		(*n)--;
	return *n > 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t evfield_unescape(const struct evfield *f, char *dst, size_t cap)
{
	size_t j = 0;

	if (!cap)
		return 0;
	for (size_t i = 0; f->p && i < f->n && j + 1 < cap; i++) {
		char c = f->p[i];
		if (c != '\\' || i + 1 >= f->n) {
			dst[j++] = c;
			continue;
		}
		c = f->p[++i];
		switch (c) {
		case 'n': dst[j++] = '\n'; break;
		case 't': dst[j++] = '\t'; break;
		case 'r': dst[j++] = '\r'; break;
		case 'b': dst[j++] = '\b'; break;
		case 'f': dst[j++] = '\f'; break;
		case 'u': {
			unsigned cp = 0;
			int ok = i + 4 < f->n;
			for (int k = 1; ok && k <= 4; k++) {
				int h = hexval(f->p[i + (size_t)k]);
				ok = h >= 0;
				cp = cp * 16 + (unsigned)(h < 0 ? 0 : h);
			}
			if (!ok)
				break;
			i += 4;
			/* vigil escapes only control characters and U+FFFD this way */
			if (cp < 0x80) {
				dst[j++] = (char)cp;
			} else if (cp < 0x800 && j + 2 < cap) {
				dst[j++] = (char)(0xc0 | (cp >> 6));
				dst[j++] = (char)(0x80 | (cp & 0x3f));
			} else if (j + 3 < cap) {
				dst[j++] = (char)(0xe0 | (cp >> 12));
				dst[j++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				dst[j++] = (char)(0x80 | (cp & 0x3f));
			}
			break;
		}
		default: dst[j++] = c; break;
		}
	}
	dst[j] = '\0';
	return j;
}

uint64_t evfield_u64(const struct evfield *f)
{
	uint64_t v = 0;

	for (size_t i = 0; f->p && i < f->n && f->p[i] >= '0' && f->p[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(f->p[i] - '0');
	return v;
}
