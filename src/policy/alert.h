/* SPDX-License-Identifier: GPL-2.0-only */
/* Matching a policy against one event and writing the alerts (docs/policy.md, "Alerts"). */
#ifndef VIGIL_POLICY_ALERT_H
#define VIGIL_POLICY_ALERT_H

#include <jansson.h>

#include "out.h"
#include "policy/policy.h"

/*
 * Evaluates every enabled rule that applies to kind on the event (json, its JSON text of n
 * bytes) and writes one alert per match to o. Returns the number of alerts.
 */
size_t policy_alerts(const struct policy_set *ps, unsigned kind, json_t *event, const char *json,
		     size_t n, struct out *o);
/* One alert of rule r for the event (json, its JSON text of n bytes). */
void policy_write_alert(const struct rule *r, json_t *event, const char *json, size_t n,
			struct out *o);

#endif
