// SPDX-License-Identifier: GPL-2.0-only
/* JSON escaping and the JSON/text writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "out.h"

static void expect_escape(const char *in, size_t n, const char *want)
{
	struct sbuf b = {};

	json_escape(&b, in, n);
	assert_string_equal(sbuf_str(&b), want);
	sbuf_free(&b);
}

static void quotes_and_backslashes(void **state)
{
	(void)state;
	expect_escape("say \"hi\"\\", 9, "say \\\"hi\\\"\\\\");
}

static void control_characters(void **state)
{
	(void)state;
	expect_escape("a\nb\tc\rd", 7, "a\\nb\\tc\\rd");
	expect_escape("\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f");
	expect_escape("nul\0in", 6, "nul\\u0000in");
}

static void valid_utf8_passes(void **state)
{
	(void)state;
	expect_escape("caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80", 14, "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80");
}

static void invalid_utf8_is_replaced(void **state)
{
	(void)state;
	expect_escape("\xff\xfe", 2, "\\ufffd\\ufffd");
	expect_escape("a\xc3", 2, "a\\ufffd");                 /* truncated sequence */
	expect_escape("\xc0\xaf", 2, "\\ufffd\\ufffd");         /* overlong "/" */
	expect_escape("\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"); /* surrogate */
	expect_escape("\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd"); /* > U+10FFFF */
	expect_escape("\xe2\x28\xa1", 3, "\\ufffd(\\ufffd");    /* bad continuation */
}

static void writer_json_nesting(void **state)
{
	struct sbuf b = {};
	struct out o;

	(void)state;
	out_init(&o, &b, OUT_JSON);
	out_begin(&o);
	out_str(&o, "kind", "x");
	out_obj(&o, "proc");
	out_u64(&o, "tgid", 42);
	out_i64(&o, "auid", -1);
	out_arr(&o, "args");
	out_str(&o, NULL, "a b");
	out_strn(&o, NULL, "c\"", 2);
	out_arr_end(&o);
	out_obj_end(&o);
	out_arr(&o, "list");
	out_obj(&o, NULL);
	out_bool(&o, "ok", true);
	out_obj_end(&o);
	out_arr_end(&o);
	out_null(&o, "none");
	out_end(&o);
	assert_string_equal(sbuf_str(&b),
			    "{\"kind\":\"x\",\"proc\":{\"tgid\":42,\"auid\":-1,\"args\":[\"a b\",\"c\\\"\"]},"
			    "\"list\":[{\"ok\":true}],\"none\":null}\n");
	sbuf_free(&b);
}

static void writer_text(void **state)
{
	struct sbuf b = {};
	struct out o;

	(void)state;
	out_init(&o, &b, OUT_TEXT);
	out_begin(&o);
	out_bare_next(&o);
	out_str(&o, "time", "T");
	out_bare_next(&o);
	out_str(&o, "kind", "process.exec");
	out_obj(&o, "proc");
	out_u64(&o, "tgid", 7);
	out_str(&o, "exe", "/bin/with space");
	out_obj_end(&o);
	out_arr(&o, "args");
	out_str(&o, NULL, "a");
	out_str(&o, NULL, "");
	out_arr_end(&o);
	out_arr(&o, "s");
	out_obj(&o, NULL);
	out_str(&o, "name", "p");
	out_obj_end(&o);
	out_arr_end(&o);
	out_end(&o);
	assert_string_equal(sbuf_str(&b), "T process.exec proc.tgid=7 proc.exe=\"/bin/with space\" "
					  "args=[a \"\"] s=[{name=p}]\n");
	sbuf_free(&b);
}

static void sbuf_grows(void **state)
{
	struct sbuf b = {};

	(void)state;
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&b, "%04d", i);
	assert_int_equal(b.len, 4000);
	assert_memory_equal(b.p + 3996, "0999", 4);
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quotes_and_backslashes), cmocka_unit_test(control_characters),
		cmocka_unit_test(valid_utf8_passes),	  cmocka_unit_test(invalid_utf8_is_replaced),
		cmocka_unit_test(writer_json_nesting),	  cmocka_unit_test(writer_text),
		cmocka_unit_test(sbuf_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
