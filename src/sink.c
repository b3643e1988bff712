// SPDX-License-Identifier: GPL-2.0-only
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "output/outputs.h"

int sink_open(struct sink *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	if (!path || !strcmp(path, "-")) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	s->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	return s->fd < 0 ? -errno : 0;
}

void sink_open_outputs(struct sink *s, struct outputs *outputs)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->outputs = outputs;
}

void sink_flush(struct sink *s, size_t threshold)
{
	size_t off = 0;

	if (s->buf.len < threshold || !s->buf.len)
		return;
	if (s->outputs) {
		int rc = s->broken ? 0 : outputs_write(s->outputs, s->buf.p, s->buf.len);
		if (rc) {
			s->broken = true;
			s->error = -rc;
		}
		sbuf_reset(&s->buf);
		return;
	}
	while (!s->broken && off < s->buf.len) {
		ssize_t n = write(s->fd, s->buf.p + off, s->buf.len - off);
		if (n < 0 && errno == EINTR && !s->give_up)
			continue;
		if (n <= 0) {
			s->broken = true;
			s->error = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	sbuf_reset(&s->buf);
}

int sink_reopen(struct sink *s, const char *path)
{
	int fd;

	if (!path || !strcmp(path, "-"))
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	sink_flush(s, 0);
	close(s->fd);
	s->fd = fd;
	s->broken = false; /* a full disk may have been made room on */
	s->error = 0;
	return 0;
}

void sink_close(struct sink *s)
{
	sink_flush(s, 0);
	outputs_close(s->outputs);
	s->outputs = NULL;
	if (s->fd > STDERR_FILENO)
		close(s->fd);
	sbuf_free(&s->buf);
	s->fd = -1;
}
