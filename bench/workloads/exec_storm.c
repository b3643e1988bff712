// SPDX-License-Identifier: GPL-2.0-only
/* Exec storm: fork + exec of /bin/true, N times, one at a time (each exec is one process.exec). */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

int main(int argc, char **argv)
{
	long n = iterations_arg(argc, argv, "ITERATIONS");
	char *const args[] = { "true", NULL };
	long long t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int status;
		pid_t child = fork();

		if (child < 0) {
			perror("fork");
			return 1;
		}
		if (child == 0) {
			execv("/bin/true", args);
			_exit(127);
		}
		if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "exec_storm: /bin/true failed\n");
			return 1;
		}
	}
	report(n, now_ns() - t0);
	return 0;
}
