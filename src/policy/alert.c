// SPDX-License-Identifier: GPL-2.0-only
#include "policy/alert.h"

#include <string.h>

#include "format.h"
#include "kinds.h"
#include "policy/eval.h"

void policy_write_alert(const struct rule *r, json_t *event, const char *json, size_t n,
			struct out *o)
{
	struct sbuf msg = {};
	const char *time = json_string_value(json_object_get(event, "time"));

	policy_render_output(&msg, r->output, event);
	out_begin(o);
	out_bare_next(o);
	out_str(o, "time", time ? time : "");
	out_bare_next(o);
	out_str(o, "kind", "alert");
	format_host(o);
	out_obj(o, "rule");
	out_str(o, "name", r->name);
	out_str(o, "severity", severity_name(r->severity));
	if (o->fmt == OUT_JSON) {
		out_str(o, "description", r->description);
		out_arr(o, "tags");
		for (size_t i = 0; i < r->ntags; i++)
			out_str(o, NULL, r->tags[i]);
		out_arr_end(o);
		out_str(o, "action", action_name(r->action));
		out_str(o, "mode", mode_name(r->mode));
	}
	out_strn(o, "output", msg.p ? msg.p : "", msg.len);
	out_obj_end(o);
	out_raw_json(o, "event", json, n);
	out_end(o);
	sbuf_free(&msg);
}

size_t policy_alerts(const struct policy_set *ps, unsigned kind, json_t *event, const char *json,
		     size_t n, struct out *o)
{
	size_t hits = 0;

	for (size_t i = 0; i < ps->nrules; i++) {
		const struct rule *r = &ps->rules[i];
		if (!r->enabled || !r->cond || r->in_kernel || !(r->kinds & KIND_BIT(kind)))
			continue;
		if (!policy_eval(r->cond, event))
			continue;
		policy_write_alert(r, event, json, n, o);
		hits++;
	}
	return hits;
}
