/* SPDX-License-Identifier: GPL-2.0-only */
/* What every bench workload prints on its last line: iterations done and the loop's wall time. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline long iterations_arg(int argc, char **argv, const char *usage)
{
	char *end;
	long n = argc > 1 ? strtol(argv[1], &end, 10) : 0;

	if (argc < 2 || *end || n <= 0) {
		fprintf(stderr, "usage: %s %s\n", argv[0], usage);
		exit(2);
	}
	return n;
}

static inline void report(long iterations, long long ns)
{
	printf("iterations=%ld ns=%lld\n", iterations, ns);
}

#endif
