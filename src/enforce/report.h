/* SPDX-License-Identifier: GPL-2.0-only */
/* What every enforcement mechanism reports the same way: its alerts and its lost records. */
#ifndef VIGIL_ENFORCE_REPORT_H
#define VIGIL_ENFORCE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "out.h"
#include "policy/policy.h"
#include "sbuf.h"

struct pipeline;

/*
 * Ends the event o is writing into json with its "enforcement" object {action, mechanism,
 * outcome}, and writes rule's alert carrying it. False (counted as malformed) if the event does
 * not parse back.
 */
bool enforce_alert_end(struct out *o, struct sbuf *json, const struct rule *rule, const char *action,
		       const char *mechanism, const char *outcome, struct pipeline *pl);

/*
 * Records an enforcement ring buffer had no room for (the decisions themselves never are lost):
 * summed over the CPUs of the per-CPU struct vigil_enf_stats map stats_fd, and reported in-band
 * as agent.loss {name: new} when they grew past *reported.
 */
void enforce_report_loss(int stats_fd, const char *name, uint64_t *reported, struct pipeline *pl);

#endif
