// SPDX-License-Identifier: GPL-2.0-only
/* Records the decoder refuses are counted, one each (agent.stats and agent.loss "malformed"),
 * and never reach the output; a sound record beside them is delivered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline.h"
#include "sink.h"
#include "timefmt.h"
#include "vigil/abi.h"

static void refused_records_are_counted(void **state)
{
	struct sink sink;
	struct pipeline pl;
	struct format_opts fmt = { .fmt = OUT_JSON };
	struct vigil_fork_event fork_ev;
	uint8_t rec[sizeof(struct vigil_fork_event)];

	(void)state;
	timefmt_init();
	assert_int_equal(sink_open(&sink, "/dev/null"), 0);
	pipeline_init(&pl, &sink, &fmt, ~0ULL);

	memset(&fork_ev, 0, sizeof(fork_ev));
	fork_ev.hdr.kind = VIGIL_KIND_PROCESS_FORK;
	fork_ev.hdr.size = sizeof(fork_ev);
	fork_ev.hdr.task.tgid = fork_ev.hdr.task.tid = 4242;
	fork_ev.hdr.task.ppid = 1;

	memcpy(rec, &fork_ev, sizeof(fork_ev));
	pipeline_handle(&pl, rec, 16); /* shorter than a header */
	((struct vigil_event_hdr *)rec)->kind = VIGIL_KIND_MAX + 3; /* no such kind */
	pipeline_handle(&pl, rec, sizeof(rec));
	memcpy(rec, &fork_ev, sizeof(fork_ev));
	((struct vigil_event_hdr *)rec)->size = sizeof(rec) + 1; /* claims more than it has */
	pipeline_handle(&pl, rec, sizeof(rec));
	assert_int_equal(pl.malformed, 3);
	assert_int_equal(pl.delivered[VIGIL_KIND_PROCESS_FORK], 0);
	assert_int_equal(sink.buf.len, 0);

	memcpy(rec, &fork_ev, sizeof(fork_ev)); /* the negative: a sound record goes through */
	pipeline_handle(&pl, rec, sizeof(rec));
	assert_int_equal(pl.malformed, 3);
	assert_int_equal(pl.delivered[VIGIL_KIND_PROCESS_FORK], 1);
	pipeline_free(&pl);
	sink_close(&sink);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused_records_are_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
