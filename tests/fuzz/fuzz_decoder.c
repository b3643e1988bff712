// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: any bytes as a record from the kernel's ring buffer, of any kind, go through
 * the consumer (header checks, the process table, the formatter of the kind, JSON or text) and
 * give an event or a counted refusal: never a crash, a leak or undefined behaviour. The first
 * bytes steer: the kind is data[0] modulo the kinds, data[1] bit 0 makes the header's size the
 * input's (so the body is reached), data[2] picks the output format and --ancestors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec_id.h"
#include "pipeline.h"
#include "sink.h"
#include "timefmt.h"
#include "vigil/abi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sink sink;
	static int ready;

	if (!ready) {
		if (sink_open(&sink, "/dev/null"))
			abort();
		timefmt_init();
		exec_id_init("00000000-0000-0000-0000-000000000000");
		ready = 1;
	}
	if (size > VIGIL_EVENT_MAX + 64)
		return 0;
	uint8_t *rec = malloc(size ? size : 1); /* exactly size: ASan sees any read past it */
	if (!rec)
		return 0;
	memcpy(rec, data, size);
	struct format_opts fmt = { .fmt = OUT_JSON };
	if (size >= sizeof(struct vigil_event_hdr)) {
		struct vigil_event_hdr *h = (struct vigil_event_hdr *)rec;
		h->kind = data[0] % VIGIL_KIND_MAX;
		if (data[1] & 1)
			h->size = (uint16_t)size;
		fmt.fmt = (data[2] & 1) ? OUT_TEXT : OUT_JSON;
		fmt.ancestors = data[2] & 2;
	}
	struct pipeline pl;
	pipeline_init(&pl, &sink, &fmt, ~0ULL);
	pipeline_handle(&pl, rec, size);
	sink_flush(&sink, 0);
	pipeline_free(&pl);
	free(rec);
	return 0;
}
