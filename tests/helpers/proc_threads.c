// SPDX-License-Identifier: GPL-2.0-only
/* proc_threads N [MARK]: starts N threads, joins them, exits 0. For the --threads tests. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *worker(void *arg)
{
	(void)arg;
	usleep(20000);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	pthread_t t[64];

	if (n < 1 || n > 64) {
		fprintf(stderr, "usage: proc_threads N(1..64) [MARK]\n");
		return 2;
	}
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			return 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
