// SPDX-License-Identifier: GPL-2.0-only
/*
 * file_race A B N: one thread opens the path in a shared buffer N times while another rewrites
 * that buffer between A and B (same length) as fast as it can. Prints "tid T", then per open the
 * inode of the file really opened (fstat of the new fd), or "-ERRNO" when it failed.
 *
 * file_race fifo FIFO OTHER: the same race, made certain. One thread opens FIFO (it blocks in
 * the kernel until a writer comes, long after the path was read); the main thread waits until
 * it is inside openat, rewrites the buffer to OTHER (same length), then opens FIFO for writing.
 * The syscall returns a descriptor of FIFO while the buffer names OTHER. Prints "tid T" and
 * "ino I" (fstat of the reader's fd).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char buf[4096];
static const char *paths[2];
static size_t len;
static atomic_int stop;

static void *flipper(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		for (int i = 0; i < 2; i++)
			for (size_t k = 0; k < len; k++)
				((volatile char *)buf)[k] = paths[i][k];
	return NULL;
}

static long reader_tid;
static long reader_fd = -1;

static void *fifo_reader(void *arg)
{
	(void)arg;
	reader_tid = syscall(SYS_gettid);
	reader_fd = syscall(SYS_openat, AT_FDCWD, buf, O_RDONLY, 0);
	return NULL;
}

/* True once the thread is blocked in openat (its /proc syscall line starts with the number). */
static int in_openat(long tid)
{
	char path[64], line[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return atol(line) == SYS_openat;
}

static int fifo_race(const char *fifo, const char *other)
{
	pthread_t t;
	struct stat st;
	int w;

	if (strlen(fifo) != strlen(other) || strlen(fifo) >= sizeof(buf))
		return 2;
	memcpy(buf, fifo, strlen(fifo) + 1);
	if (pthread_create(&t, NULL, fifo_reader, NULL))
		return 2;
	while (!reader_tid || !in_openat(reader_tid))
		usleep(1000);
	memcpy(buf, other, strlen(other) + 1);
	w = open(fifo, O_WRONLY | O_CLOEXEC);
	pthread_join(t, NULL);
	if (w < 0 || reader_fd < 0 || fstat((int)reader_fd, &st))
		return 2;
	printf("tid %ld\nino %llu\n", reader_tid, (unsigned long long)st.st_ino);
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t;
	long n;

	if (argc == 4 && !strcmp(argv[1], "fifo"))
		return fifo_race(argv[2], argv[3]);

	if (argc != 4 || strlen(argv[1]) != strlen(argv[2]) || strlen(argv[1]) >= sizeof(buf)) {
		fprintf(stderr, "usage: file_race A B N (A and B of the same length)\n");
		return 2;
	}
	paths[0] = argv[1];
	paths[1] = argv[2];
	len = strlen(argv[1]);
	n = strtol(argv[3], NULL, 0);
	memcpy(buf, argv[1], len + 1);
	printf("tid %ld\n", (long)syscall(SYS_gettid));
	if (pthread_create(&t, NULL, flipper, NULL))
		return 2;
	for (long i = 0; i < n; i++) {
		long fd = syscall(SYS_openat, AT_FDCWD, buf, O_RDONLY, 0);
		struct stat st;

		if (fd < 0) {
			printf("-%d\n", errno);
			continue;
		}
		if (fstat((int)fd, &st))
			return 2;
		printf("%llu\n", (unsigned long long)st.st_ino);
		close((int)fd);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	return 0;
}
