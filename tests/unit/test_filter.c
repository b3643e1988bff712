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
	/* the task's fields only: the event's own facts are not known (not tested) */
	const void *keys[VIGIL_FF_GID] = { &kind, &tgid, &uid, c, &cgroup };
	const size_t ks[VIGIL_FF_GID] = { 4, 4, 4, VIGIL_COMM_LEN, 8 };
	uint64_t acc[VIGIL_FILTER_WORDS], live = 0;

	strncpy(c, comm, sizeof(c) - 1);
	for (int w = 0; w < VIGIL_FILTER_WORDS; w++) {
		acc[w] = t->meta.active.w[w];
		live |= acc[w];
	}
	if (!live)
		return 1;
	for (int f = 0; f < VIGIL_FF_GID; f++) {
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

/* An LPM trie's lookup: the entry with the longest prefix of the key. */
static const struct filter_entry *lpm(const struct filter_tables *t, int field,
				      const struct vigil_path_key *k)
{
	const struct filter_entry *best = NULL;
	uint32_t best_len = 0;

	for (size_t i = 0; i < t->count[field]; i++) {
		const struct vigil_path_key *e = (const void *)t->entries[field][i].key;
		if (e->prefixlen > k->prefixlen || memcmp(e->data, k->data, e->prefixlen / 8))
			continue;
		if (!best || e->prefixlen > best_len) {
			best = &t->entries[field][i];
			best_len = e->prefixlen;
		}
	}
	return best;
}

/* The keys the kernel builds for a path (path.bpf.h): as written with its NUL, and its
 * components leaf first each with its NUL. */
static void keys_of(const char *path, struct vigil_path_key *fwd, struct vigil_path_key *sfx)
{
	size_t n = strlen(path), at = 0, end = n;

	memset(fwd, 0, sizeof(*fwd));
	memset(sfx, 0, sizeof(*sfx));
	memcpy(fwd->data, path, n + 1);
	fwd->prefixlen = 8 * (n + 1);
	while (end > 0) {
		size_t start = end;
		while (start > 0 && path[start - 1] != '/')
			start--;
		memcpy(sfx->data + at, path + start, end - start);
		at += end - start + 1;
		end = start ? start - 1 : 0;
	}
	sfx->prefixlen = 8 * at;
}

/* filter_pass with an open's facts: the filters that pass, as a bit mask of the first 64. */
static uint64_t pass_open(const struct filter_tables *t, const char *path, uint32_t flags)
{
	struct vigil_path_key fwd, sfx;
	uint64_t acc = t->meta.active.w[0], tmp;

	keys_of(path, &fwd, &sfx);
	const struct filter_entry *e = lpm(t, VIGIL_FF_PATH, &fwd);
	acc &= (e ? e->bits.w[0] : 0) | t->meta.any[VIGIL_FF_PATH].w[0];
	e = lpm(t, VIGIL_FF_SUFFIX, &sfx);
	acc &= (e ? e->bits.w[0] : 0) | t->meta.any[VIGIL_FF_SUFFIX].w[0];
	uint64_t names = (1ULL << (flags & 3)) | ((uint64_t)(flags & ~3u) << VIGIL_FLAG_BIT0);
	tmp = t->meta.any[VIGIL_FF_FLAGS].w[0];
	for (uint32_t b = 0; b < VIGIL_FLAG_BITS; b++)
		if (names & (1ULL << b) && (e = find(t, VIGIL_FF_FLAGS, &b, 4)))
			tmp |= e->bits.w[0];
	return acc & tmp;
}

#define FP(str, ex) { .s = (str), .len = sizeof(str) - 1, .exact = (ex) }

static void paths_prefixes_suffixes_and_flags(void **state)
{
	static struct filter f[5];
	struct filter_tables t;
	char err[128];

	(void)state;
	memset(f, 0, sizeof(f));
	f[0].npath = 1, f[0].path[0] = (struct filter_path)FP("/etc/", false);
	f[1].npath = 1, f[1].path[0] = (struct filter_path)FP("/etc/shadow", true);
	f[2].nsuffix = 1, f[2].suffix[0] = (struct filter_path)FP("/.ssh/authorized_keys", false);
	f[3].npath = 1, f[3].path[0] = (struct filter_path)FP("/etc/", false);
	f[3].flag_bits = (1ULL << 1) | (1ULL << 2); /* O_WRONLY, O_RDWR */
	f[4].npath = 2, f[4].path[0] = (struct filter_path)FP("/e", false);
	f[4].path[1] = (struct filter_path)FP("/etc/shadow-", true);
	assert_int_equal(filter_compile(f, 5, &t, err, sizeof(err)), 0);
	/* the longest entry carries the filters of its prefixes: one lookup finds them all */
	assert_int_equal(pass_open(&t, "/etc/shadow", 0), 1 | 2 | 16);
	assert_int_equal(pass_open(&t, "/etc/shadow", 02), 1 | 2 | 8 | 16);
	assert_int_equal(pass_open(&t, "/etc/shadow-", 01101), 1 | 8 | 16);
	assert_int_equal(pass_open(&t, "/etc/shadowx", 0), 1 | 16);
	assert_int_equal(pass_open(&t, "/etc", 0), 16);
	assert_int_equal(pass_open(&t, "/tmp/x", 0), 0);
	/* suffixes are whole components */
	assert_int_equal(pass_open(&t, "/root/.ssh/authorized_keys", 0), 4);
	assert_int_equal(pass_open(&t, "/home/a/.ssh/authorized_keys", 0), 4);
	assert_int_equal(pass_open(&t, "/home/a/x.ssh/authorized_keys", 0), 0);
	assert_int_equal(pass_open(&t, "/home/a/.ssh/authorized_keys2", 0), 0);
	assert_int_equal(pass_open(&t, "/.ssh/authorized_keys", 0), 4);
	filter_tables_free(&t);
}

static void suffix_forms(void **state)
{
	(void)state;
	assert_true(filter_suffix_ok("/.bashrc", 8));
	assert_true(filter_suffix_ok("/a/b", 4));
	assert_false(filter_suffix_ok(".pub", 4));     /* not whole components */
	assert_false(filter_suffix_ok("/a//b", 5));    /* an empty component */
	assert_false(filter_suffix_ok("/a/", 3));
	assert_false(filter_suffix_ok("/", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_filter_is_a_conjunction),
		cmocka_unit_test(filters_are_alternatives),
		cmocka_unit_test(no_filter_passes_all),
		cmocka_unit_test(many_filters_use_every_word),
		cmocka_unit_test(long_comm_compares_what_the_kernel_keeps),
		cmocka_unit_test(paths_prefixes_suffixes_and_flags),
		cmocka_unit_test(suffix_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
