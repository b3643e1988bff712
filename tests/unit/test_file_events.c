// SPDX-License-Identifier: GPL-2.0-only
/* The file kinds' decoders: flag names, st_dev, path joining, whole records, hostile segments;
 * and process.exec's file facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "events/file_events.h"
#include "events/process_events.h"
#include "out.h"

static void open_flag_names(void **state)
{
	struct sbuf b = {};

	(void)state;
	file_open_flags(&b, 0, "|");
	assert_string_equal(sbuf_str(&b), "O_RDONLY");
	sbuf_reset(&b);
	file_open_flags(&b, 01 | 0100 | 01000 | 02000000, "|");
	assert_string_equal(sbuf_str(&b), "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
	sbuf_reset(&b);
	/* O_SYNC and O_TMPFILE are named whole, not as their parts (O_DSYNC, O_DIRECTORY) */
	file_open_flags(&b, 02 | 04010000 | 020200000, ",");
	assert_string_equal(sbuf_str(&b), "O_RDWR,O_SYNC,O_TMPFILE");
	sbuf_reset(&b);
	file_open_flags(&b, 0200000 | 0100000, ",");
	assert_string_equal(sbuf_str(&b), "O_RDONLY,O_LARGEFILE,O_DIRECTORY");
	sbuf_reset(&b);
	/* bits without a name stay visible */
	file_open_flags(&b, 0x40000000, ",");
	assert_string_equal(sbuf_str(&b), "O_RDONLY,0x40000000");
	sbuf_free(&b);
}

static void generic_flag_names(void **state)
{
	static const struct flag_name t[] = { { 1, "A" }, { 6, "BC" }, { 2, "B" } };
	struct sbuf b = {};

	(void)state;
	flag_names(&b, 0, t, 3, ",");
	assert_string_equal(sbuf_str(&b), "");
	flag_names(&b, 7, t, 3, ",");
	assert_string_equal(sbuf_str(&b), "A,BC");
	sbuf_reset(&b);
	flag_names(&b, 2 | 8, t, 3, ",");
	assert_string_equal(sbuf_str(&b), "B,0x8");
	sbuf_free(&b);
}

static void st_dev_encoding(void **state)
{
	(void)state;
	/* major 8 minor 1 (sda1) is 0x801 for stat; 254:0 is 0xfe00 */
	assert_int_equal(file_st_dev((8u << 20) | 1), 0x801);
	assert_int_equal(file_st_dev(254u << 20), 0xfe00);
	/* a large minor (anonymous devices) spreads over the high bits */
	assert_int_equal(file_st_dev((0u << 20) | 0x12345), 0x12300045);
	assert_string_equal(file_call_name(VIGIL_FC_OPENAT2), "openat2");
	assert_string_equal(file_call_name(999), "unknown");
}

struct built {
	struct vigil_file_event ev;
	size_t cursor;
};

static struct built *record(unsigned kind, unsigned call)
{
	struct built *b = calloc(1, sizeof(*b));

	b->ev.hdr.kind = kind;
	b->ev.body.call = call;
	b->ev.body.dirfd = b->ev.body.dirfd2 = b->ev.body.fd = VIGIL_FILE_NO_FD;
	return b;
}

static void seg(struct built *b, int which, const char *bytes, size_t n, unsigned count,
		unsigned flags)
{
	memcpy(b->ev.data + b->cursor, bytes, n);
	b->ev.body.seg[which] = (struct vigil_seg){ .off = (uint16_t)b->cursor, .len = (uint16_t)n,
						     .count = (uint16_t)count, .flags = (uint16_t)flags };
	b->cursor += n;
}

static size_t size_of(struct built *b)
{
	return offsetof(struct vigil_file_event, data) + b->cursor;
}

/* The "file" object rendered as JSON, for comparison. */
static char *render(struct built *b, size_t size)
{
	struct sbuf s = {};
	struct out o;

	out_init(&o, &s, OUT_JSON);
	out_begin(&o);
	body_file(&o, &b->ev, size);
	out_end(&o);
	char *json = strdup(sbuf_str(&s));
	sbuf_free(&s);
	return json;
}

static void open_record_renders(void **state)
{
	struct built *b = record(VIGIL_KIND_FILE_OPEN, VIGIL_FC_OPENAT);
	char *json;

	(void)state;
	b->ev.body.ret = 5;
	b->ev.body.flags = 01 | 0100;
	b->ev.body.mode = 0640;
	b->ev.body.dirfd = 3;
	b->ev.body.ino = 77;
	b->ev.body.dev = (254u << 20) | 1;
	b->ev.body.info = VIGIL_FI_INODE;
	seg(b, VIGIL_FSEG_PATH, "f\0d\0tmp\0", 8, 3, VIGIL_SEG_PATH_ROOTED);
	seg(b, VIGIL_FSEG_REQUESTED, "../d/f\0", 7, 1, 0);
	seg(b, VIGIL_FSEG_DIR, "e\0tmp\0", 6, 2, VIGIL_SEG_PATH_ROOTED);
	json = render(b, size_of(b));
	assert_string_equal(json,
		"{\"file\":{\"syscall\":\"openat\",\"path\":\"/tmp/d/f\",\"path_source\":\"file\","
		"\"path_truncated\":false,\"inode\":77,\"dev\":65025,\"requested\":\"../d/f\","
		"\"dirfd\":3,\"dirfd_path\":\"/tmp/e\",\"flags\":[\"O_WRONLY\",\"O_CREAT\"],"
		"\"mode\":\"0640\",\"fd\":5,\"errno\":0}}\n");
	free(json);
	free(b);
}

static void failed_open_joins_the_name_to_its_directory(void **state)
{
	struct built *b = record(VIGIL_KIND_FILE_OPEN, VIGIL_FC_OPEN);
	struct sbuf p = {};
	bool from_file, trunc;
	char *json;

	(void)state;
	b->ev.body.ret = -13;
	b->ev.body.info = VIGIL_FI_DIR_CWD;
	seg(b, VIGIL_FSEG_REQUESTED, "x/y\0", 4, 1, 0);
	seg(b, VIGIL_FSEG_DIR, "home\0", 5, 1, VIGIL_SEG_PATH_ROOTED);
	assert_true(file_event_path(&b->ev, size_of(b), &p, &from_file, &trunc));
	assert_string_equal(sbuf_str(&p), "/home/x/y");
	assert_false(from_file);
	json = render(b, size_of(b));
	assert_non_null(strstr(json, "\"requested\":\"x/y\",\"cwd\":\"/home\""));
	assert_non_null(strstr(json, "\"fd\":-1,\"errno\":13,\"error\":\"EACCES\""));
	free(json);
	/* an absolute name is taken as is; the cwd root adds no double slash */
	sbuf_reset(&p);
	b->cursor = 0;
	seg(b, VIGIL_FSEG_REQUESTED, "/etc/x\0", 7, 1, 0);
	seg(b, VIGIL_FSEG_DIR, "", 0, 0, VIGIL_SEG_PATH_ROOTED);
	assert_true(file_event_path(&b->ev, size_of(b), &p, &from_file, &trunc));
	assert_string_equal(sbuf_str(&p), "/etc/x");
	sbuf_reset(&p);
	b->cursor = 0;
	seg(b, VIGIL_FSEG_REQUESTED, "rel\0", 4, 1, 0);
	seg(b, VIGIL_FSEG_DIR, "", 0, 0, VIGIL_SEG_PATH_ROOTED);
	assert_true(file_event_path(&b->ev, size_of(b), &p, &from_file, &trunc));
	assert_string_equal(sbuf_str(&p), "/rel");
	sbuf_free(&p);
	free(b);
}

/* A result no kernel gives (found by the decoder fuzzer: INT64_MIN was negated) is no errno. */
static void impossible_results_are_no_errno(void **state)
{
	const int64_t bad[] = { INT64_MIN, -4096, -70000 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct built *b = record(VIGIL_KIND_FILE_OPEN, VIGIL_FC_OPENAT);
		char *json;

		b->ev.body.ret = bad[i];
		json = render(b, size_of(b));
		assert_non_null(strstr(json, "\"errno\":0"));
		assert_null(strstr(json, "\"error\""));
		free(json);
		free(b);
	}
}

static void rename_and_symlink_render_both_names(void **state)
{
	struct built *b = record(VIGIL_KIND_FILE_RENAME, VIGIL_FC_RENAMEAT2);
	char *json;

	(void)state;
	b->ev.body.flags = 1;
	b->ev.body.dirfd = 4;
	b->ev.body.dirfd2 = 5;
	seg(b, VIGIL_FSEG_REQUESTED, "a\0", 2, 1, 0);
	seg(b, VIGIL_FSEG_DIR, "src\0", 4, 1, VIGIL_SEG_PATH_ROOTED);
	seg(b, VIGIL_FSEG_REQUESTED2, "b\0", 2, 1, 0);
	seg(b, VIGIL_FSEG_DIR2, "dst\0", 4, 1, VIGIL_SEG_PATH_ROOTED);
	json = render(b, size_of(b));
	assert_non_null(strstr(json, "\"path\":\"/src/a\",\"path_source\":\"name\""));
	assert_non_null(strstr(json, "\"new\":{\"path\":\"/dst/b\",\"path_truncated\":false,"
				     "\"requested\":\"b\",\"dirfd\":5,\"dirfd_path\":\"/dst\"}"));
	assert_non_null(strstr(json, "\"flags\":[\"RENAME_NOREPLACE\"]"));
	free(json);
	free(b);

	b = record(VIGIL_KIND_FILE_SYMLINK, VIGIL_FC_SYMLINK);
	b->ev.body.info = VIGIL_FI_DIR2_CWD;
	seg(b, VIGIL_FSEG_REQUESTED, "../target\0", 10, 1, 0);
	seg(b, VIGIL_FSEG_REQUESTED2, "ln\0", 3, 1, 0);
	seg(b, VIGIL_FSEG_DIR2, "w\0", 2, 1, VIGIL_SEG_PATH_ROOTED);
	json = render(b, size_of(b));
	assert_string_equal(json,
		"{\"file\":{\"syscall\":\"symlink\",\"path\":\"/w/ln\",\"path_source\":\"name\","
		"\"path_truncated\":false,\"target\":\"../target\",\"requested\":\"ln\","
		"\"cwd\":\"/w\",\"errno\":0}}\n");
	free(json);
	free(b);
}

static void hostile_segments_are_refused(void **state)
{
	struct built *b = record(VIGIL_KIND_FILE_OPEN, VIGIL_FC_OPENAT);
	struct sbuf p = {};
	bool from_file, trunc;
	char *json;

	(void)state;
	seg(b, VIGIL_FSEG_PATH, "f\0", 2, 1, 0);
	/* past the record's end */
	b->ev.body.seg[VIGIL_FSEG_PATH].len = 5000;
	assert_false(file_event_path(&b->ev, size_of(b), &p, &from_file, &trunc));
	json = render(b, size_of(b));
	assert_non_null(strstr(json, "\"malformed\":true"));
	free(json);
	/* an offset beyond the record, and a record cut short of its fixed part */
	b->ev.body.seg[VIGIL_FSEG_PATH] = (struct vigil_seg){ .off = 60000, .len = 1, .count = 1 };
	assert_false(file_event_path(&b->ev, size_of(b), &p, &from_file, &trunc));
	/* a requested string without its NUL stays within its segment */
	b->cursor = 0;
	memset(&b->ev.body.seg, 0, sizeof(b->ev.body.seg));
	seg(b, VIGIL_FSEG_REQUESTED, "/abc", 4, 1, VIGIL_SEG_TRUNCATED);
	sbuf_reset(&p);
	assert_true(file_event_path(&b->ev, size_of(b), &p, &from_file, &trunc));
	assert_string_equal(sbuf_str(&p), "/abc");
	assert_true(trunc);
	sbuf_free(&p);
	free(b);
}

static void exec_facts_decode_and_name_fileless(void **state)
{
	struct vigil_proc_event *e = calloc(1, sizeof(*e));
	struct exec_facts f;
	struct sbuf b = {};
	size_t cur = 0;

	(void)state;
	e->hdr.kind = VIGIL_KIND_PROCESS_EXEC;
	e->body.exec_flags = VIGIL_XF_FACTS | VIGIL_XF_SCRIPT | VIGIL_XF_MEMFD | VIGIL_XF_TMPFS;
	e->body.file_mode = 0104755;
	e->body.file_dev = 8u << 20 | 1;
	memcpy(e->data, "/bin/sh\0", 8);
	e->body.seg[VIGIL_PSEG_INTERP] = (struct vigil_seg){ .off = 0, .len = 8, .count = 1 };
	cur = 8;
	memcpy(e->data + cur, "run.sh\0", 7);
	e->body.seg[VIGIL_PSEG_SCRIPT] = (struct vigil_seg){ .off = (uint16_t)cur, .len = 7, .count = 1 };
	cur += 7;
	memcpy(e->data + cur, "w\0home\0", 7);
	e->body.seg[VIGIL_PSEG_CWD] = (struct vigil_seg){ .off = (uint16_t)cur, .len = 7, .count = 2,
							   .flags = VIGIL_SEG_PATH_ROOTED };
	cur += 7;
	assert_true(exec_facts_decode(e, offsetof(struct vigil_proc_event, data) + cur, &f));
	assert_true(f.valid);
	assert_string_equal(sbuf_str(&f.interp), "/bin/sh");
	assert_string_equal(sbuf_str(&f.script), "/home/w/run.sh"); /* made absolute with the cwd */
	assert_int_equal(f.dev, 0x801);
	exec_facts_free(&f);
	exec_fileless_names(&b, e->body.exec_flags, ",");
	assert_string_equal(sbuf_str(&b), "memfd,tmpfs");
	sbuf_free(&b);
	/* a segment past the end: refused */
	e->body.seg[VIGIL_PSEG_INTERP].len = 4000;
	assert_false(exec_facts_decode(e, offsetof(struct vigil_proc_event, data) + cur, &f));
	exec_facts_free(&f);
	/* a seed record has no facts: valid, and nothing to say */
	e->body.exec_flags = 0;
	assert_true(exec_facts_decode(e, offsetof(struct vigil_proc_event, data) + cur, &f));
	assert_false(f.valid);
	exec_facts_free(&f);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_flag_names),
		cmocka_unit_test(generic_flag_names),
		cmocka_unit_test(st_dev_encoding),
		cmocka_unit_test(open_record_renders),
		cmocka_unit_test(failed_open_joins_the_name_to_its_directory),
		cmocka_unit_test(rename_and_symlink_render_both_names),
		cmocka_unit_test(impossible_results_are_no_errno),
		cmocka_unit_test(hostile_segments_are_refused),
		cmocka_unit_test(exec_facts_decode_and_name_fileless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
