// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus text of --metrics: families, labels, and what is left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "kinds.h"
#include "output/metrics.h"

static void render_kinds(void **state)
{
	struct vigil_kind_stats st[VIGIL_KIND_MAX] = {};
	uint64_t delivered[VIGIL_KIND_MAX] = {};
	struct sbuf b = {};
	(void)state;

	st[VIGIL_KIND_PROCESS_EXEC] = (struct vigil_kind_stats){ .produced = 10, .dropped = 2, .filtered = 5 };
	delivered[VIGIL_KIND_PROCESS_EXEC] = 8;
	struct metrics_source src = { .st = st, .delivered = delivered,
				      .kinds = KIND_BIT(VIGIL_KIND_PROCESS_EXEC), .ringbuf_size = 4096,
				      .ringbuf_used = 100, .proc_entries = 7, .malformed = 1 };
	metrics_render(&b, &src);
	const char *t = sbuf_str(&b);
	assert_non_null(strstr(t, "# TYPE vigil_events_produced_total counter\n"));
	assert_non_null(strstr(t, "\nvigil_events_produced_total{kind=\"process.exec\"} 10\n"));
	assert_non_null(strstr(t, "\nvigil_events_delivered_total{kind=\"process.exec\"} 8\n"));
	assert_non_null(strstr(t, "\nvigil_events_lost_total{kind=\"process.exec\"} 2\n"));
	assert_non_null(strstr(t, "\nvigil_events_filtered_total{kind=\"process.exec\"} 5\n"));
	assert_non_null(strstr(t, "\nvigil_events_malformed_total 1\n"));
	assert_non_null(strstr(t, "\nvigil_ringbuf_used_bytes 100\n"));
	assert_non_null(strstr(t, "\nvigil_process_table_entries 7\n"));
	assert_non_null(strstr(t, "\nvigil_agent_rss_bytes "));
	/* only the loaded kinds */
	assert_null(strstr(t, "file.open"));
	/* every sample line is NAME[{labels}] VALUE */
	for (const char *l = t; *l; l = strchr(l, '\n') + 1) {
		if (*l == '#')
			continue;
		const char *sp = strchr(l, ' ');
		assert_non_null(sp);
		assert_true(strncmp(l, "vigil_", 6) == 0);
		assert_true(sp[1] >= '0' && sp[1] <= '9');
	}
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(render_kinds) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
