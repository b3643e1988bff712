// SPDX-License-Identifier: GPL-2.0-only
/*
 * Paced event generator for the throughput search: WORKERS threads together start RATE short
 * lives per second for SECONDS (RATE 0: as fast as they can). A life is a thread that returns at
 * once (one process.fork when vigil runs with --threads) or a forked child that exits at once
 * (process.fork + process.exit). A worker that falls behind its schedule does not sleep, so the
 * achieved rate, printed at the end, shows where the generator itself tops out.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

struct plan {
	double rate;
	long long deadline_ns;
	int forks;
	long done;
};

static void *nothing(void *arg)
{
	return arg;
}

static int one_life(int forks)
{
	if (forks) {
		pid_t child = fork();

		if (child == 0)
			_exit(0);
		return child < 0 || waitpid(child, NULL, 0) < 0;
	}
	pthread_t t;

	return pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL);
}

static void *worker(void *arg)
{
	struct plan *p = arg;
	long long start = now_ns(), now;
	double gap_ns = p->rate > 0 ? 1e9 / p->rate : 0;

	while ((now = now_ns()) < p->deadline_ns) {
		long long due = start + (long long)(gap_ns * (double)p->done);

		if (due > now) {
			struct timespec ts = { due / 1000000000LL, due % 1000000000LL };
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		if (one_life(p->forks)) {
			perror("vbench_paced");
			break;
		}
		p->done++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5 || (strcmp(argv[4], "thread") && strcmp(argv[4], "fork"))) {
		fprintf(stderr, "usage: %s RATE SECONDS WORKERS thread|fork\n", argv[0]);
		return 2;
	}
	double rate = strtod(argv[1], NULL), secs = strtod(argv[2], NULL);
	int nworkers = atoi(argv[3]);
	struct plan plans[64];
	pthread_t tids[64];
	long total = 0;

	if (nworkers < 1 || nworkers > 64 || secs <= 0 || rate < 0) {
		fprintf(stderr, "vbench_paced: bad arguments\n");
		return 2;
	}
	long long t0 = now_ns();
	for (int i = 0; i < nworkers; i++) {
		plans[i] = (struct plan){ rate / nworkers, t0 + (long long)(secs * 1e9),
					  !strcmp(argv[4], "fork"), 0 };
		if (pthread_create(&tids[i], NULL, worker, &plans[i])) {
			fprintf(stderr, "vbench_paced: cannot start worker\n");
			return 1;
		}
	}
	for (int i = 0; i < nworkers; i++) {
		pthread_join(tids[i], NULL);
		total += plans[i].done;
	}
	report(total, now_ns() - t0);
	return 0;
}
