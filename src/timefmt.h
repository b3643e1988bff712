/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel boot-clock stamps as wall-clock RFC 3339 UTC with nanoseconds. */
#ifndef VIGIL_TIMEFMT_H
#define VIGIL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIME_RFC3339_LEN 40

/* Captures CLOCK_REALTIME - CLOCK_BOOTTIME now; call once at start (and after clock steps). */
void timefmt_init(void);
uint64_t boot_to_wall_ns(uint64_t boot_ns);
uint64_t now_boot_ns(void);
/* "2026-11-21T21:05:00.123456789Z" */
size_t format_rfc3339(char out[TIME_RFC3339_LEN], uint64_t wall_ns);

#endif
