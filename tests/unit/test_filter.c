// SPDX-License-Identifier: GPL-2.0-only
/* Filter compilation: per-field tables of bitmaps, "any" masks, and what the kernel computes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"

static const struct filter_entry *find(const struct filter_tables *t, int field, const void *key,
				       size_t ks)
{
	for (size_t i = 0; i < t->count[field]; i++)
		if (!memcmp(t->entries[field][i].key, key, ks))
			return &t->entries[field][i];
	return NULL;
}

/* The kernel's decision (common.bpf.h filter_pass), computed here from the tables. */
static int passes(const struct filter_tables *t, uint32_t kind, uint32_t tgid, uint32_t uid,
		  const char *comm, uint64_t cgroup)
{
	char c[VIGIL_COMM_LEN] = {};
	const void *keys[VIGIL_FF_COUNT] = { &kind, &tgid, &uid, c, &cgroup };
	const size_t ks[VIGIL_FF_COUNT] = { 4, 4, 4, VIGIL_COMM_LEN, 8 };
	uint64_t acc[VIGIL_FILTER_WORDS], live = 0;

	strncpy(c, comm, sizeof(c) - 1);
	for (int w = 0; w < VIGIL_FILTER_WORDS; w++) {
		acc[w] = t->meta.active.w[w];
		live |= acc[w];
	}
	if (!live)
		return 1;
	for (int f = 0; f < VIGIL_FF_COUNT; f++) {
		const struct filter_entry *e = find(t, f, keys[f], ks[f]);
		for (int w = 0; w < VIGIL_FILTER_WORDS; w++)
			acc[w] &= (e ? e->bits.w[w] : 0) | t->meta.any[f].w[w];
	}
	live = 0;
	for (int w = 0; w < VIGIL_FILTER_WORDS; w++)
		live |= acc[w];
	return live != 0;
}

static void single_filter_is_a_conjunction(void **state)
{
	struct filter f = { .nuid = 1, .uid = { 1000 }, .ncomm = 2, .comm = { "bash", "sh" } };
	struct filter_tables t;
	char err[128];

	(void)state;
	assert_int_equal(filter_compile(&f, 1, &t, err, sizeof(err)), 0);
	assert_int_equal(t.meta.active.w[0], 1);
	assert_int_equal(t.meta.any[VIGIL_FF_KIND].w[0], 1); /* no kind given: any kind */
	assert_int_equal(t.meta.any[VIGIL_FF_UID].w[0], 0);
	assert_int_equal(t.count[VIGIL_FF_COMM], 2);
	assert_true(passes(&t, 1, 5, 1000, "bash", 9));
	assert_true(passes(&t, 2, 5, 1000, "sh", 9));
	assert_false(passes(&t, 1, 5, 0, "bash", 9));
	assert_false(passes(&t, 1, 5, 1000, "zsh", 9));
	filter_tables_free(&t);
}

static void filters_are_alternatives(void **state)
{
	struct filter f[2] = {
		{ .kinds = 1u << 1, .ntgid = 1, .tgid = { 77 } },
		{ .kinds = (1u << 2) | (1u << 3) },
	};
	struct filter_tables t;
	char err[128];

	(void)state;
	assert_int_equal(filter_compile(f, 2, &t, err, sizeof(err)), 0);
	assert_int_equal(t.meta.active.w[0], 3);
	assert_true(passes(&t, 1, 77, 0, "x", 0));
	assert_false(passes(&t, 1, 78, 0, "x", 0));
	assert_true(passes(&t, 2, 78, 0, "x", 0));  /* the second filter takes kinds 2 and 3 */
	assert_true(passes(&t, 3, 1, 5, "y", 7));
	assert_false(passes(&t, 4, 77, 0, "x", 0));
	const uint32_t k2 = 2;
	assert_int_equal(find(&t, VIGIL_FF_KIND, &k2, 4)->bits.w[0], 2);
	filter_tables_free(&t);
}

static void no_filter_passes_all(void **state)
{
	struct filter_tables t;
	char err[128];

	(void)state;
	assert_int_equal(filter_compile(NULL, 0, &t, err, sizeof(err)), 0);
	assert_true(passes(&t, 9, 9, 9, "any", 9));
}

static void many_filters_use_every_word(void **state)
{
	static struct filter f[VIGIL_FILTER_MAX];
	struct filter_tables t;
	char err[128];

	(void)state;
	for (size_t i = 0; i < VIGIL_FILTER_MAX; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].nuid = 1;
		f[i].uid[0] = (uint32_t)i;
	}
	assert_int_equal(filter_compile(f, VIGIL_FILTER_MAX, &t, err, sizeof(err)), 0);
	assert_int_equal(t.count[VIGIL_FF_UID], VIGIL_FILTER_MAX);
	assert_true(passes(&t, 1, 1, VIGIL_FILTER_MAX - 1, "x", 0));
	assert_false(passes(&t, 1, 1, VIGIL_FILTER_MAX, "x", 0));
	filter_tables_free(&t);
	assert_int_equal(filter_compile(f, VIGIL_FILTER_MAX + 1, &t, err, sizeof(err)), -1);
	char want[64];
	snprintf(want, sizeof(want), "too many filters: %d (at most %d)", VIGIL_FILTER_MAX + 1,
		 VIGIL_FILTER_MAX);
	assert_string_equal(err, want);
}

static void long_comm_compares_what_the_kernel_keeps(void **state)
{
	struct filter f = { .ncomm = 1 };
	struct filter_tables t;
	char err[128];

	(void)state;
	strcpy(f.comm[0], "abcdefghijklmno");
	assert_int_equal(filter_compile(&f, 1, &t, err, sizeof(err)), 0);
	assert_true(passes(&t, 1, 1, 1, "abcdefghijklmno", 0));
	filter_tables_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_filter_is_a_conjunction),
		cmocka_unit_test(filters_are_alternatives),
		cmocka_unit_test(no_filter_passes_all),
		cmocka_unit_test(many_filters_use_every_word),
		cmocka_unit_test(long_comm_compares_what_the_kernel_keeps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
