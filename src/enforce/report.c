// SPDX-License-Identifier: GPL-2.0-only
#include "enforce/report.h"

#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "format.h"
#include "pipeline.h"
#include "policy/alert.h"
#include "timefmt.h"
#include "vigil/abi.h"

bool enforce_alert_end(struct out *o, struct sbuf *json, const struct rule *rule, const char *action,
		       const char *mechanism, const char *outcome, struct pipeline *pl)
{
	out_obj(o, "enforcement");
	out_str(o, "action", action);
	out_str(o, "mechanism", mechanism);
	out_str(o, "outcome", outcome);
	out_obj_end(o);
	out_end(o);
	size_t n = json->len;
	while (n && json->p[n - 1] == '\n')
		n--;
	json_t *ev = json_loadb(json->p, n, 0, NULL);
	if (!ev) {
		pl->malformed++;
		return false;
	}
	policy_write_alert(rule, ev, json->p, n, &pl->out);
	json_decref(ev);
	return true;
}

void enforce_report_loss(int stats_fd, const char *name, uint64_t *reported, struct pipeline *pl)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t zero = 0;
	uint64_t lost = 0;

	if (ncpu <= 0)
		return;
	struct vigil_enf_stats *st = calloc((size_t)ncpu, sizeof(*st));
	if (!st)
		abort();
	if (!bpf_map_lookup_elem(stats_fd, &zero, st))
		for (int i = 0; i < ncpu; i++)
			lost += st[i].lost;
	free(st);
	if (lost <= *reported)
		return;
	format_open(&pl->out, now_boot_ns(), "agent.loss");
	out_obj(&pl->out, "lost");
	out_u64(&pl->out, name, lost - *reported);
	out_obj_end(&pl->out);
	out_u64(&pl->out, "total", lost - *reported);
	out_end(&pl->out);
	*reported = lost;
}
