// SPDX-License-Identifier: GPL-2.0-only
/* Option value parsers: ranges, suffixes and the messages users read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"
#include "cli.h"
#include "kinds.h"

static void u64_ranges(void **state)
{
	char err[256];
	uint64_t v;

	(void)state;
	assert_int_equal(parse_u64("42", 1, 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_u64("0", 1, 100, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "expected a number from 1 to 100, got '0'");
	assert_int_equal(parse_u64("101", 1, 100, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("-1", 0, 100, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("12abc", 0, 100, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("", 0, 100, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64(" 5", 0, 100, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("99999999999999999999999", 0, UINT64_MAX, &v, err, sizeof(err)), -1);
}

static void pow2_sizes(void **state)
{
	char err[256];
	uint64_t v;

	(void)state;
	assert_int_equal(parse_pow2_size("4096", 4096, 1 << 30, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_pow2_size("8M", 4096, 1 << 30, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 8 << 20);
	assert_int_equal(parse_pow2_size("64k", 4096, 1 << 30, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 64 << 10);
	assert_int_equal(parse_pow2_size("1G", 4096, 1 << 30, &v, err, sizeof(err)), 0);
	assert_int_equal(parse_pow2_size("2G", 4096, 1 << 30, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_pow2_size("3000", 1, 1 << 30, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "power of two"));
	assert_int_equal(parse_pow2_size("2048", 4096, 1 << 30, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_pow2_size("M", 4096, 1 << 30, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_pow2_size("", 4096, 1 << 30, &v, err, sizeof(err)), -1);
	assert_int_equal(parse_pow2_size("99999999999999999G", 4096, 1 << 30, &v, err, sizeof(err)), -1);
}

static void seconds(void **state)
{
	char err[256];
	double v;

	(void)state;
	assert_int_equal(parse_seconds("1.5", &v, err, sizeof(err)), 0);
	assert_true(v == 1.5);
	assert_int_equal(parse_seconds("0", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_seconds("-3", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_seconds("nan", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_seconds("inf", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_seconds("5s", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "expected a positive number of seconds, got '5s'");
}

static void kind_lists(void **state)
{
	char err[512];
	uint64_t kinds = 0;

	(void)state;
	assert_int_equal(parse_kind_list("process.exec,process.exit", &kinds, err, sizeof(err)), 0);
	assert_int_equal(kinds, KIND_BIT(VIGIL_KIND_PROCESS_EXEC) | KIND_BIT(VIGIL_KIND_PROCESS_EXIT));
	kinds = 0;
	assert_int_equal(parse_kind_list("process.exec,bogus", &kinds, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown event kind 'bogus' (known: "));
	assert_non_null(strstr(err, "process.exec"));
	kinds = 0;
	assert_int_equal(parse_kind_list(",", &kinds, err, sizeof(err)), -1);
}

static void kind_table_is_consistent(void **state)
{
	const struct kind_info *k;

	(void)state;
	for (unsigned i = 0; (k = kind_at(i)); i++) {
		assert_true(k->kind > 0 && k->kind < VIGIL_KIND_MAX);
		assert_ptr_equal(kind_by_id(k->kind), k);
		assert_ptr_equal(kind_by_name(k->name), k);
		assert_true(k->min_size >= sizeof(struct vigil_event_hdr));
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(kind_at(j)->kind, k->kind);
	}
	assert_string_equal(kind_name(VIGIL_KIND_PROCESS_FORK), "process.fork");
	assert_string_equal(kind_name(0), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(u64_ranges), cmocka_unit_test(pow2_sizes),
		cmocka_unit_test(seconds),    cmocka_unit_test(kind_lists),
		cmocka_unit_test(kind_table_is_consistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
