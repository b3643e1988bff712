// SPDX-License-Identifier: GPL-2.0-only
#include "record.h"

#include <string.h>

#include "kinds.h"

size_t record_min_size(unsigned kind)
{
	const struct kind_info *k;

	if (kind == VIGIL_RECORD_SEED)
		return offsetof(struct vigil_proc_event, data);
	k = kind_by_id(kind);
	return k ? k->min_size : 0;
}

bool record_header_ok(const void *rec, size_t size)
{
	const struct vigil_event_hdr *h = rec;
	size_t min;

	if (size < sizeof(*h))
		return false;
	min = record_min_size(h->kind);
	return min && h->size >= min && h->size <= size;
}

bool record_seg(const void *rec, size_t rec_size, size_t data_off, const struct vigil_seg *seg,
		const char **p, size_t *n)
{
	*p = "";
	*n = 0;
	if (data_off > rec_size)
		return false;
	size_t avail = rec_size - data_off;
	if (seg->off > avail || seg->len > avail - seg->off)
		return false;
	*p = (const char *)rec + data_off + seg->off;
	*n = seg->len;
	return true;
}

void path_from_components(struct sbuf *out, const char *p, size_t n, unsigned count)
{
	const char *comp[VIGIL_PATH_DEPTH];
	size_t len[VIGIL_PATH_DEPTH];
	unsigned k = 0;
	size_t i = 0, start = out->len;

	while (i < n && k < count && k < VIGIL_PATH_DEPTH) {
		const char *end = memchr(p + i, '\0', n - i);
		size_t l = end ? (size_t)(end - (p + i)) : n - i;

		comp[k] = p + i;
		len[k] = l;
		k++;
		i += l + 1;
	}
	if (!k) {
		sbuf_putc(out, '/');
		return;
	}
	while (k--) {
		/* a filesystem root's own name ("/") adds no component */
		if (len[k] == 1 && comp[k][0] == '/')
			continue;
		sbuf_putc(out, '/');
		sbuf_putn(out, comp[k], len[k]);
	}
	if (out->len == start)
		sbuf_putc(out, '/');
}

unsigned argv_count(const char *p, size_t n)
{
	unsigned count = 0;

	for (size_t i = 0; i < n;) {
		const char *end = memchr(p + i, '\0', n - i);
		count++;
		if (!end)
			break;
		i = (size_t)(end - p) + 1;
	}
	return count;
}
