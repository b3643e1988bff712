// SPDX-License-Identifier: GPL-2.0-only
/* Decoding kernel records: segments are checked, paths rebuilt, argv kept or truncated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proc_cache.h"
#include "record.h"

static void path(const char *comps, size_t n, unsigned count, const char *want)
{
	struct sbuf b = {};

	path_from_components(&b, comps, n, count);
	assert_string_equal(sbuf_str(&b), want);
	sbuf_free(&b);
}

static void paths_from_leaf_first_components(void **state)
{
	(void)state;
	path("c\0b\0a\0", 6, 3, "/a/b/c");
	path("", 0, 0, "/");
	path("/\0", 2, 1, "/");                 /* a filesystem root's own name */
	path("memfd:x\0", 8, 1, "/memfd:x");
	path("c\0b\0a\0", 6, 2, "/b/c");         /* count bounds the walk */
	path("c\0b", 3, 2, "/b/c");              /* an unterminated last component */
}

static void argv_counting(void **state)
{
	(void)state;
	assert_int_equal(argv_count("a\0bb\0c", 6), 3);
	assert_int_equal(argv_count("a\0", 2), 1);
	assert_int_equal(argv_count("", 0), 0);
	assert_int_equal(argv_count("abc", 3), 1);
}

/* A process record with the given segments laid out in its data area. */
struct built {
	struct vigil_proc_event ev;
	size_t size;
};

static void add_seg(struct built *b, int which, const char *bytes, size_t n, unsigned count,
		    unsigned flags, size_t *cursor)
{
	memcpy(b->ev.data + *cursor, bytes, n);
	b->ev.body.seg[which] = (struct vigil_seg){ .off = (uint16_t)*cursor, .len = (uint16_t)n,
						     .count = (uint16_t)count, .flags = (uint16_t)flags };
	*cursor += n;
}

static struct built *build(unsigned args_flags)
{
	struct built *b = calloc(1, sizeof(*b));
	size_t cur = 0;

	b->ev.hdr.kind = VIGIL_KIND_PROCESS_EXEC;
	b->ev.hdr.task.tgid = 42;
	add_seg(b, VIGIL_PSEG_EXE, "dash\0bin\0usr\0", 13, 3, VIGIL_SEG_PATH_ROOTED, &cur);
	add_seg(b, VIGIL_PSEG_ARGS, "sh\0-c\0exit 7\0", 13, 0, args_flags, &cur);
	add_seg(b, VIGIL_PSEG_CWD, "tmp\0", 4, 1, VIGIL_SEG_PATH_ROOTED, &cur);
	add_seg(b, VIGIL_PSEG_CGROUP, "docker-4f1c5d0e9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d.scope\0system.slice\0",
		91, 2, VIGIL_SEG_PATH_ROOTED, &cur);
	add_seg(b, VIGIL_PSEG_TTY, "pts3\0", 5, 0, 0, &cur);
	b->size = offsetof(struct vigil_proc_event, data) + cur;
	b->ev.hdr.size = (uint16_t)b->size;
	return b;
}

static void image_decodes(void **state)
{
	struct built *b = build(0);
	struct proc_image *img;

	(void)state;
	assert_true(record_header_ok(&b->ev, b->size));
	img = proc_image_from_record(&b->ev, b->size);
	assert_non_null(img);
	assert_string_equal(img->exe, "/usr/bin/dash");
	assert_string_equal(img->cwd, "/tmp");
	assert_string_equal(img->cgroup,
			    "/system.slice/docker-4f1c5d0e9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d.scope");
	assert_string_equal(img->container.runtime, "docker");
	assert_string_equal(img->tty, "pts/3");
	assert_int_equal(img->argc, 3);
	assert_int_equal(img->args_len, 12); /* the final NUL is not part of the strings */
	assert_memory_equal(img->args, "sh\0-c\0exit 7", 12);
	assert_false(img->args_truncated);
	proc_image_put(img);
	free(b);
}

static void truncated_args_keep_their_last_bytes(void **state)
{
	struct built *b = build(VIGIL_SEG_TRUNCATED);
	struct proc_image *img;

	(void)state;
	img = proc_image_from_record(&b->ev, b->size);
	assert_non_null(img);
	assert_true(img->args_truncated);
	assert_int_equal(img->args_len, 13);
	proc_image_put(img);
	free(b);
}

static void hostile_segments_are_refused(void **state)
{
	struct built *b = build(0);
	const char *p;
	size_t n;

	(void)state;
	/* a segment that points past the record */
	b->ev.body.seg[VIGIL_PSEG_CWD].off = 60000;
	assert_null(proc_image_from_record(&b->ev, b->size));
	b->ev.body.seg[VIGIL_PSEG_CWD].off = 0;
	b->ev.body.seg[VIGIL_PSEG_CWD].len = 65535; /* longer than the record */
	assert_null(proc_image_from_record(&b->ev, b->size));
	/* record_seg itself: exact fit passes, one byte more fails */
	size_t data = offsetof(struct vigil_proc_event, data);
	struct vigil_seg s = { .off = 0, .len = (uint16_t)(b->size - data) };
	assert_true(record_seg(&b->ev, b->size, data, &s, &p, &n));
	s.len++;
	assert_false(record_seg(&b->ev, b->size, data, &s, &p, &n));
	assert_int_equal(n, 0);
	free(b);
}

static void headers_are_checked(void **state)
{
	struct built *b = build(0);

	(void)state;
	assert_false(record_header_ok(&b->ev, 8));                 /* shorter than a header */
	b->ev.hdr.size = (uint16_t)(b->size + 1);                     /* claims more than received */
	assert_false(record_header_ok(&b->ev, b->size));
	b->ev.hdr.size = 100;                                         /* less than its kind needs */
	assert_false(record_header_ok(&b->ev, b->size));
	b->ev.hdr.size = (uint16_t)b->size;
	b->ev.hdr.kind = 61;                                          /* no such kind yet */
	assert_int_equal(record_header_ok(&b->ev, b->size), record_min_size(61) != 0);
	b->ev.hdr.kind = VIGIL_RECORD_SEED;
	assert_true(record_header_ok(&b->ev, b->size));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paths_from_leaf_first_components),
		cmocka_unit_test(argv_counting),
		cmocka_unit_test(image_decodes),
		cmocka_unit_test(truncated_args_keep_their_last_bytes),
		cmocka_unit_test(hostile_segments_are_refused),
		cmocka_unit_test(headers_are_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
