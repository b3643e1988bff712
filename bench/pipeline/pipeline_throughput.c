// SPDX-License-Identifier: GPL-2.0-only
/*
 * How many events per second the user-space pipeline carries into JSON on one core: record
 * checks, the process table (fork shares an image, exec decodes one, exit retires it) and the
 * JSON writer, with output to /dev/null. The kernel side is measured by bench/run.
 *   pipeline_throughput [CYCLES]   (each cycle: fork + exec + exit of a new process)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec_id.h"
#include "pipeline.h"
#include "timefmt.h"

static size_t put(struct vigil_proc_event *e, int which, const char *bytes, size_t n,
		  unsigned count, size_t cur)
{
	memcpy(e->data + cur, bytes, n);
	e->body.seg[which] = (struct vigil_seg){ .off = (uint16_t)cur, .len = (uint16_t)n,
						    .count = (uint16_t)count,
						    .flags = VIGIL_SEG_PATH_ROOTED };
	return cur + n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long cycles = argc > 1 ? atol(argv[1]) : 300000;
	static struct vigil_proc_event exec;
	struct vigil_fork_event fork = {};
	struct vigil_exit_event ex = {};
	struct format_opts fmt = { .fmt = OUT_JSON };
	struct pipeline pl;
	struct sink sink;
	size_t cur = 0;

	if (cycles < 1 || sink_open(&sink, "/dev/null"))
		return 2;
	timefmt_init();
	exec_id_init(NULL);
	pipeline_init(&pl, &sink, &fmt, ~0ULL);

	/* the parent every new process hangs off, as the seed would have it */
	exec.hdr.kind = VIGIL_RECORD_SEED;
	exec.hdr.task = (struct vigil_task){ .tgid = 1000, .tid = 1000, .ppid = 1, .start_ns = 5,
					     .exec_seq = 1 };
	strcpy(exec.hdr.task.comm, "bash");
	cur = put(&exec, VIGIL_PSEG_EXE, "bash\0bin\0usr\0", 13, 3, cur);
	cur = put(&exec, VIGIL_PSEG_ARGS, "/usr/bin/make\0-j2\0test\0", 23, 0, cur);
	cur = put(&exec, VIGIL_PSEG_CWD, "main\0work\0", 10, 2, cur);
	cur = put(&exec, VIGIL_PSEG_CGROUP, "session-1.scope\0user.slice\0", 27, 2, cur);
	cur = put(&exec, VIGIL_PSEG_TTY, "pts0\0", 5, 0, cur);
	exec.hdr.size = (uint16_t)(offsetof(struct vigil_proc_event, data) + cur);
	pipeline_seed(&exec, exec.hdr.size, &pl);
	exec.hdr.kind = VIGIL_KIND_PROCESS_EXEC;

	double t0 = now(), c0 = cpu();
	for (long i = 0; i < cycles; i++) {
		uint32_t tgid = 2000 + (uint32_t)(i % 30000);
		struct vigil_task child = { .tgid = tgid, .tid = tgid, .ppid = 1000,
					    .start_ns = 1000 + (uint64_t)i, .exec_seq = 1,
					    .parent_start_ns = 5, .parent_exec_seq = 1 };
		strcpy(child.comm, "bash");

		fork.hdr = (struct vigil_event_hdr){ .ktime_ns = 1000 + (uint64_t)i,
						     .kind = VIGIL_KIND_PROCESS_FORK,
						     .size = sizeof(fork), .task = child };
		pipeline_handle(&pl, &fork, sizeof(fork));

		child.exec_seq = 2;
		strcpy(child.comm, "make");
		exec.hdr.ktime_ns = 1001 + (uint64_t)i;
		exec.hdr.task = child;
		pipeline_handle(&pl, &exec, exec.hdr.size);

		ex.hdr = (struct vigil_event_hdr){ .ktime_ns = 1002 + (uint64_t)i,
						   .kind = VIGIL_KIND_PROCESS_EXIT,
						   .size = sizeof(ex), .task = child };
		pipeline_handle(&pl, &ex, sizeof(ex));
		if (i % 4096 == 0)
			proc_cache_reap(&pl.cache, 1002 + (uint64_t)i, 0);
	}
	sink_flush(&sink, 0);
	double wall = now() - t0, used = cpu() - c0;
	long events = cycles * 3;
	printf("events %ld wall_s %.3f cpu_s %.3f events_per_cpu_s %.0f ns_per_event %.0f malformed %llu\n",
	       events, wall, used, events / used, used * 1e9 / events,
	       (unsigned long long)pl.malformed);
	pipeline_free(&pl);
	sink_close(&sink);
	return pl.malformed ? 1 : 0;
}
