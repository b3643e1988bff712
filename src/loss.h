/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Losses by site and cause (abi.h, enum vigil_loss_site and vigil_loss_cause): reading the
 * kernel's per-CPU counters, their names, and their JSON in agent.loss and agent.stats
 * (docs/events.md). A full ring buffer is counted per kind (vigil_kind_stats.dropped), and a
 * record the decoder refused per run (pipeline.malformed): those are reported beside these.
 */
#ifndef VIGIL_LOSS_H
#define VIGIL_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "out.h"
#include "vigil/abi.h"

#define LOSS_SLOTS (VIGIL_LS_COUNT * VIGIL_LC_COUNT)

struct vigil_bpf;

const char *loss_site_name(unsigned site);
const char *loss_cause_name(unsigned cause);
/* Can this cause happen at this site? (agent.stats lists exactly these) */
bool loss_possible(unsigned site, unsigned cause);
/* Sums the per-CPU counters of the map loss_counts. 0 or -errno. */
int loss_read(int map_fd, uint64_t out[LOSS_SLOTS]);
/* "key": {"site": {"cause": n, ...}, ...}: every possible pair (all), or the non-zero ones. */
void loss_write(struct out *o, const char *key, const uint64_t v[LOSS_SLOTS], bool all);
/* Test-only knobs, read from the environment between open and load (docs/reliability.md):
 * VIGIL_TEST_INFLIGHT_MAX=N sizes the in-flight maps to N entries; VIGIL_TEST_FAIL_INFLIGHT=1
 * makes every store of in-flight state fail. Without them nothing changes. */
void loss_test_config(struct vigil_bpf *skel);

#endif
