// SPDX-License-Identifier: GPL-2.0-only
#include "teardown.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

static void *close_one(void *arg)
{
	close((int)(intptr_t)arg);
	return NULL;
}

void links_detach_all(struct bpf_link **links, size_t n)
{
	pthread_t *threads = calloc(n ? n : 1, sizeof(*threads));
	bool *started = calloc(n ? n : 1, sizeof(*started));
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (size_t i = 0; i < n; i++) {
		int fd = bpf_link__fd(links[i]);
		/* libbpf must neither close the fd again nor close the perf event under a tracepoint
		 * link (that destroy is the slow, serialized part: teardown_hand_off's job) */
		bpf_link__disconnect(links[i]);
		if (fd < 0)
			continue;
		if (threads && started &&
		    !pthread_create(&threads[i], &attr, close_one, (void *)(intptr_t)fd))
			started[i] = true;
		else
			close(fd);
	}
	for (size_t i = 0; i < n; i++)
		if (started && started[i])
			pthread_join(threads[i], NULL);
	pthread_attr_destroy(&attr);
	free(threads);
	free(started);
	for (size_t i = 0; i < n; i++)
		bpf_link__destroy(links[i]); /* disconnected: frees the memory only */
	bpf_programs_quiesce();
}

void bpf_programs_quiesce(void)
{
	/* MEMBARRIER_CMD_GLOBAL is synchronize_rcu(): every BPF program runs inside an RCU read
	 * side section, so one that started before the call has finished when it returns */
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return;
	/* refused on nohz_full kernels: a program runs for microseconds; wait far longer */
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* Is fd a perf event (what the hand-off keeps)? */
static bool is_perf_event(const char *fdname)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%s", fdname);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return !strcmp(target, "anon_inode:[perf_event]");
}

void teardown_hand_off(void)
{
	DIR *d = opendir("/proc/self/fd");
	int *others = NULL, nothers = 0, cap = 0, perf = 0, gone[2];
	struct dirent *e;

	if (!d || pipe2(gone, O_CLOEXEC)) {
		if (d)
			closedir(d);
		return;
	}
	/* listed before fork: the child may only make async-signal-safe calls */
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd == dirfd(d) || fd == gone[0])
			continue;
		if (is_perf_event(e->d_name)) {
			perf++;
			continue;
		}
		if (nothers == cap) {
			int *p = realloc(others, (size_t)(cap = cap ? 2 * cap : 64) * sizeof(*p));
			if (!p)
				goto out;
			others = p;
		}
		others[nothers++] = fd;
	}
	if (!perf)
		goto out;
	pid_t pid = fork();
	if (pid == 0) {
		/* the child: holds only the perf events, waits for vigil to be gone, then exits,
		 * and its exit destroys them; signals meant for vigil do not concern it */
		for (int s = 1; s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				signal(s, SIG_IGN);
		setsid();
		prctl(PR_SET_NAME, "vigil-teardown", 0, 0, 0);
		close(dirfd(d)); /* not closedir: no free() in a forked child */
		for (int i = 0; i < nothers; i++)
			close(others[i]);
		char c;
		while (read(gone[0], &c, 1) < 0)
			;
		_exit(0);
	}
out:
	close(gone[0]); /* the write end stays open until this process has exited */
	closedir(d);
	free(others);
}
