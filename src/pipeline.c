// SPDX-License-Identifier: GPL-2.0-only
#include "pipeline.h"

#include <errno.h>
#include <string.h>

#include "kinds.h"
#include "record.h"

#define FLUSH_AT (256 * 1024)

void pipeline_init(struct pipeline *pl, struct sink *sink, const struct format_opts *fmt,
		   uint64_t kinds_shown)
{
	memset(pl, 0, sizeof(*pl));
	proc_cache_init(&pl->cache);
	pl->fmt = *fmt;
	pl->sink = sink;
	pl->kinds_shown = kinds_shown;
	out_init(&pl->out, &sink->buf, fmt->fmt);
}

void pipeline_free(struct pipeline *pl)
{
	proc_cache_free(&pl->cache);
}

void pipeline_seed(const void *rec, size_t size, void *ctx)
{
	struct pipeline *pl = ctx;

	if (!record_header_ok(rec, size)) {
		pl->malformed++;
		return;
	}
	if (proc_cache_exec(&pl->cache, rec, size))
		pl->seeded++;
	else
		pl->malformed++;
}

int pipeline_handle(void *ctx, void *data, size_t size)
{
	struct pipeline *pl = ctx;
	const struct vigil_event_hdr *h = data;
	struct proc *proc;

	if (!record_header_ok(data, size) || h->kind >= VIGIL_KIND_MAX) {
		pl->malformed++;
		return 0;
	}
	bool table_only = h->flags & VIGIL_EF_TABLE_ONLY;
	if (table_only)
		pl->table_delivered[h->kind]++;
	else
		pl->delivered[h->kind]++;
	proc_cache_learn(&pl->cache, &h->task);
	switch (h->kind) {
	case VIGIL_KIND_PROCESS_EXEC:
		proc = proc_cache_exec(&pl->cache, data, h->size);
		break;
	case VIGIL_KIND_PROCESS_FORK:
		proc = proc_cache_fork(&pl->cache, &h->task);
		break;
	default:
		proc = proc_cache_resolve(&pl->cache, &h->task);
		break;
	}
	if (!proc) {
		pl->malformed++;
		return 0;
	}
	if (!table_only && (pl->kinds_shown & KIND_BIT(h->kind))) {
		if (pl->render)
			pl->render(pl, data, h->size, proc);
		else
			format_event(&pl->out, &pl->fmt, &pl->cache, data, h->size, proc);
	}
	if (h->kind == VIGIL_KIND_PROCESS_EXIT)
		proc_cache_exit(&pl->cache, h->task.tgid, h->ktime_ns);
	sink_flush(pl->sink, FLUSH_AT);
	/* a reader that went away ends the run: a negative return stops ring_buffer__poll */
	if (pl->sink->broken)
		return -1;
	/* libbpf keeps consuming while producers keep up: hand control back now and then */
	if (++pl->since_yield >= PIPELINE_YIELD_EVERY) {
		pl->since_yield = 0;
		return -EAGAIN;
	}
	return 0;
}
