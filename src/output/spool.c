// SPDX-License-Identifier: GPL-2.0-only
#include "output/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEG_SUFFIX ".seg"

static void seg_path(const struct spool *sp, uint64_t seq, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%016" PRIu64 SEG_SUFFIX, sp->dir, seq);
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

static uint64_t count_lines_fd(int fd, uint64_t *bytes)
{
	char buf[65536];
	uint64_t n = 0;
	ssize_t r;

	*bytes = 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		*bytes += (uint64_t)r;
		for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + r - p))); p++)
			n++;
	}
	return n;
}

int spool_open(struct spool *sp, const char *dir, uint64_t max, char *err, size_t errlen)
{
	char probe[4200];
	DIR *d;
	struct dirent *e;
	int fd;

	memset(sp, 0, sizeof(*sp));
	sp->wfd = -1;
	sp->max = max;
	sp->first = sp->next = 1;
	if (!max)
		return 0;
	snprintf(sp->dir, sizeof(sp->dir), "%s", dir);
	sp->seg_max = max / 8;
	if (sp->seg_max > (8u << 20))
		sp->seg_max = 8u << 20;
	if (sp->seg_max < 16384)
		sp->seg_max = 16384;
	if (mkdir_p(dir)) {
		snprintf(err, errlen, "spool directory %s cannot be created: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(probe, sizeof(probe), "%s/.probe", dir);
	fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1) {
		snprintf(err, errlen, "spool directory %s is not writable: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(probe);
		return -1;
	}
	close(fd);
	unlink(probe);
	/* what an earlier run left: sent first */
	if (!(d = opendir(dir))) {
		snprintf(err, errlen, "spool directory %s cannot be read: %s", dir, strerror(errno));
		return -1;
	}
	uint64_t lo = UINT64_MAX, hi = 0;
	while ((e = readdir(d))) {
		char *end;
		uint64_t seq = strtoull(e->d_name, &end, 10);
		if (end == e->d_name || strcmp(end, SEG_SUFFIX) || !seq)
			continue;
		if (seq < lo)
			lo = seq;
		if (seq > hi)
			hi = seq;
	}
	closedir(d);
	if (hi) {
		sp->first = lo;
		sp->next = hi + 1;
		for (uint64_t s = lo; s <= hi; s++) {
			char p[4200];
			uint64_t b;
			seg_path(sp, s, p, sizeof(p));
			if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			sp->events += count_lines_fd(fd, &b);
			sp->bytes += b;
			close(fd);
		}
	}
	return 0;
}

bool spool_empty(const struct spool *sp)
{
	return sp->first >= sp->next;
}

long spool_append(struct spool *sp, const char *buf, size_t len, size_t *bytes_out)
{
	size_t take = 0;
	long lines = 0;

	*bytes_out = 0;
	if (!sp->max)
		return 0;
	while (take < len) {
		const char *nl = memchr(buf + take, '\n', len - take);
		size_t next = nl ? (size_t)(nl - buf) + 1 : len;
		if (sp->bytes + next > sp->max)
			break;
		take = next;
		lines++;
	}
	if (!take)
		return 0;
	if (sp->wfd < 0 || sp->wsize >= sp->seg_max) {
		char p[4200];
		if (sp->wfd >= 0)
			close(sp->wfd);
		sp->wseq = sp->next;
		seg_path(sp, sp->wseq, p, sizeof(p));
		sp->wfd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (sp->wfd < 0)
			return -1;
		sp->next++;
		sp->wsize = 0;
	}
	for (size_t off = 0; off < take;) {
		ssize_t n = write(sp->wfd, buf + off, take - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* keep the file whole-lined: cut what was written of this batch */
			if (ftruncate(sp->wfd, (off_t)sp->wsize) == 0)
				errno = n < 0 ? errno : ENOSPC;
			return -1;
		}
		off += (size_t)n;
	}
	sp->wsize += take;
	sp->bytes += take;
	sp->events += (uint64_t)lines;
	*bytes_out = take;
	return lines;
}

uint64_t spool_read_begin(struct spool *sp)
{
	if (spool_empty(sp))
		return 0;
	if (sp->wfd >= 0 && sp->wseq == sp->first) {
		close(sp->wfd);
		sp->wfd = -1;
	}
	return sp->first;
}

long spool_read(const struct spool *sp, uint64_t seq, uint64_t off, char *buf, size_t cap,
		size_t *lines)
{
	char p[4200];
	ssize_t n;
	int fd;

	*lines = 0;
	seg_path(sp, seq, p, sizeof(p));
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	do
		n = pread(fd, buf, cap, (off_t)off);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return n;
	/* whole lines only */
	size_t len = (size_t)n;
	while (len && buf[len - 1] != '\n')
		len--;
	if (!len) {
		errno = n == (ssize_t)cap ? EFBIG : EIO;
		return -1;
	}
	for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + len - q))); q++)
		(*lines)++;
	return (long)len;
}

void spool_consume(struct spool *sp, size_t bytes, size_t lines)
{
	sp->roff += bytes;
	sp->events = sp->events >= lines ? sp->events - lines : 0;
}

void spool_segment_done(struct spool *sp)
{
	char p[4200];
	struct stat st;

	seg_path(sp, sp->first, p, sizeof(p));
	if (stat(p, &st) == 0)
		sp->bytes = sp->bytes >= (uint64_t)st.st_size ? sp->bytes - (uint64_t)st.st_size : 0;
	unlink(p);
	sp->first++;
	sp->roff = 0;
	if (spool_empty(sp)) {
		sp->bytes = 0;
		sp->events = 0;
	}
}

void spool_close(struct spool *sp)
{
	if (sp->wfd >= 0) {
		fsync(sp->wfd);
		close(sp->wfd);
	}
	sp->wfd = -1;
}
