// SPDX-License-Identifier: GPL-2.0-only
#include "timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t boot_offset_ns;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void timefmt_init(void)
{
	/* the smallest of a few tries: least disturbed by preemption between the two reads */
	int64_t best = 0;
	for (int i = 0; i < 3; i++) {
		uint64_t b0 = clock_ns(CLOCK_BOOTTIME);
		uint64_t r = clock_ns(CLOCK_REALTIME);
		uint64_t b1 = clock_ns(CLOCK_BOOTTIME);
		int64_t off = (int64_t)r - (int64_t)(b0 + (b1 - b0) / 2);
		if (i == 0 || off < best)
			best = off;
	}
	boot_offset_ns = best;
}

uint64_t boot_to_wall_ns(uint64_t boot_ns)
{
	return boot_ns + boot_offset_ns;
}

uint64_t now_boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

size_t format_rfc3339(char out[TIME_RFC3339_LEN], uint64_t wall_ns)
{
	/* events come in bursts within one second: format the date part once per second */
	static __thread time_t cached_sec = -1;
	static __thread char cached[24];
	time_t sec = (time_t)(wall_ns / 1000000000ULL);
	unsigned nsec = (unsigned)(wall_ns % 1000000000ULL);

	if (sec != cached_sec) {
		struct tm tm;
		gmtime_r(&sec, &tm);
		strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = sec;
	}
	/* the date part is 19 bytes; nine digits of nanoseconds by hand (hot: every event) */
	memcpy(out, cached, 19);
	out[19] = '.';
	for (int i = 28; i >= 20; i--) {
		out[i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	out[29] = 'Z';
	out[30] = '\0';
	return 30;
}
