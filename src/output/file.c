// SPDX-License-Identifier: GPL-2.0-only
/* stdout and files: appended in large writes; files rotate by size and keep N rotated copies,
 * gzipped by a helper thread so compression never holds up the consumer. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "output/output.h"
#include "output/outputs.h"

struct file_out {
	const struct output_spec *spec;
	int fd;
	uint64_t size; /* of the current file */
	struct sink_counters c;
	pthread_t gz;
	bool gz_running;
	int gz_error; /* errno of the last failed compression (reported on stderr) */
};

static int open_path(struct file_out *f)
{
	struct stat st;

	f->fd = open(f->spec->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (f->fd < 0)
		return -errno;
	f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

static void rotated_name(const struct file_out *f, unsigned i, bool gz, char *buf, size_t n)
{
	snprintf(buf, n, "%s.%u%s", f->spec->path, i, gz ? ".gz" : "");
}

/* PATH.1 -> PATH.1.gz (written as .tmp, renamed when whole, then PATH.1 removed). */
static void *gzip_rotated(void *arg)
{
	struct file_out *f = arg;
	char src[4096], dst[4096], tmp[4200];
	char buf[65536];
	int in = -1, rc = 0;
	gzFile out = NULL;

	rotated_name(f, 1, false, src, sizeof(src));
	rotated_name(f, 1, true, dst, sizeof(dst));
	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	in = open(src, O_RDONLY | O_CLOEXEC);
	int ofd = in < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in < 0 || ofd < 0 || !(out = gzdopen(ofd, "wb6"))) {
		rc = errno ? errno : EIO;
		if (ofd >= 0 && !out)
			close(ofd);
		goto done;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = errno;
			break;
		}
		if (n == 0)
			break;
		if (gzwrite(out, buf, (unsigned)n) != (int)n) {
			rc = EIO;
			break;
		}
	}
	if (gzclose(out) != Z_OK && !rc)
		rc = EIO;
	out = NULL;
	if (!rc && rename(tmp, dst))
		rc = errno;
	if (!rc)
		unlink(src);
	else
		unlink(tmp);
done:
	if (in >= 0)
		close(in);
	f->gz_error = rc;
	return NULL;
}

static void gz_wait(struct file_out *f)
{
	if (!f->gz_running)
		return;
	pthread_join(f->gz, NULL);
	f->gz_running = false;
	if (f->gz_error)
		fprintf(stderr, "vigil: warning: gzip of %s.1 failed: %s\n", f->spec->path,
			strerror(f->gz_error));
}

/* PATH.keep is removed, PATH.i becomes PATH.i+1, PATH becomes PATH.1, a new PATH is opened. */
static int rotate(struct file_out *f)
{
	const struct output_spec *s = f->spec;
	char from[4096], to[4096];

	gz_wait(f);
	rotated_name(f, s->keep, s->gzip, to, sizeof(to));
	unlink(to);
	for (unsigned i = s->keep; i > 1; i--) {
		rotated_name(f, i - 1, s->gzip, from, sizeof(from));
		rotated_name(f, i, s->gzip, to, sizeof(to));
		if (rename(from, to) && errno != ENOENT)
			return -errno;
	}
	close(f->fd);
	f->fd = -1;
	rotated_name(f, 1, false, to, sizeof(to));
	if (rename(s->path, to) && errno != ENOENT)
		return -errno;
	int rc = open_path(f);
	if (rc)
		return rc;
	f->c.rotations++;
	if (s->gzip) {
		f->gz_error = 0;
		if (pthread_create(&f->gz, NULL, gzip_rotated, f) == 0)
			f->gz_running = true;
		else
			gzip_rotated(f);
	}
	return 0;
}

static int write_all(struct file_out *f, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR && !outputs_giving_up())
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		f->size += (uint64_t)n;
		f->c.bytes += (uint64_t)n;
	}
	return 0;
}

static int file_write(void *impl, const char *buf, size_t len, size_t nevents)
{
	struct file_out *f = impl;
	uint64_t lim = f->spec->rotate;
	int rc;

	if (f->fd < 0)
		return -EBADF;
	if (!lim) {
		rc = write_all(f, buf, len);
		if (!rc)
			f->c.sent += nevents;
		return rc;
	}
	/* rotate at line boundaries: a file holds whole events, at most `rotate` bytes unless a
	 * single event is larger */
	while (len) {
		size_t take = 0, lines = 0;
		while (take < len) {
			const char *nl = memchr(buf + take, '\n', len - take);
			size_t next = nl ? (size_t)(nl - buf) + 1 : len;
			if (f->size + next > lim && (take || f->size))
				break;
			take = next;
			lines++;
		}
		if (take) {
			if ((rc = write_all(f, buf, take)))
				return rc;
			f->c.sent += lines;
			buf += take;
			len -= take;
		}
		if (len && (rc = rotate(f)))
			return rc;
	}
	return 0;
}

/* The path again (logrotate renamed the file): a new file is opened first, so that when it
 * cannot be, the one in use stays. */
static int file_reopen(void *impl)
{
	struct file_out *f = impl;
	int old = f->fd, rc;
	uint64_t size = f->size;

	if (f->spec->type == OT_STDOUT)
		return 0;
	if ((rc = open_path(f))) {
		f->fd = old;
		f->size = size;
		return rc;
	}
	if (old >= 0)
		close(old);
	return 0;
}

static void file_counters(void *impl, struct sink_counters *c)
{
	struct file_out *f = impl;

	*c = f->c;
	c->queued = c->sent;
	c->state = f->fd >= 0 ? SINK_UP : SINK_DOWN;
}

static void file_close(void *impl)
{
	struct file_out *f = impl;

	gz_wait(f);
	if (f->fd > STDERR_FILENO)
		close(f->fd);
	free(f);
}

static const struct output_ops file_ops = {
	.write = file_write,
	.reopen = file_reopen,
	.counters = file_counters,
	.close = file_close,
};

int file_output_open(struct output *o, char *err, size_t errlen)
{
	struct file_out *f = calloc(1, sizeof(*f));
	int rc;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->spec = &o->spec;
	if (o->spec.type == OT_STDOUT) {
		f->fd = STDOUT_FILENO;
	} else if ((rc = open_path(f))) {
		snprintf(err, errlen, "cannot open output file %s: %s", o->spec.path, strerror(-rc));
		free(f);
		return -1;
	}
	o->ops = &file_ops;
	o->impl = f;
	return 0;
}
