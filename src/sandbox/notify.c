// SPDX-License-Identifier: GPL-2.0-only
#include "sandbox/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox/sandbox_events.h"

#define PAGE_BYTES 4096

/* ---- paths ---- */

void path_fold(char *out, size_t outlen, const char *base, const char *rel)
{
	char buf[2 * PATH_MAX + 2];
	size_t len = 0;

	snprintf(buf, sizeof(buf), "%s/%s", rel[0] == '/' ? "" : base, rel);
	out[0] = '\0';
	/* walk the components, keeping a stack of what was kept in out */
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			char *slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		int n = snprintf(out + len, outlen - len, "/%s", c);
		if (n < 0 || (size_t)n >= outlen - len)
			break; /* too long: keep what fits */
		len += (size_t)n;
	}
	if (!len)
		snprintf(out, outlen, "/");
}

/* ---- reading the caller's memory, the notification checked after each step ---- */

static int still_valid(int listener, uint64_t id)
{
	return seccomp_notify_id_valid(listener, id) == 0 ? 0 : -ESRCH;
}

/* Reads up to len bytes at addr, page by page so that a string ending before an unmapped page
 * is still read whole. Returns bytes read, or -errno if not even the first byte could be. */
static ssize_t read_mem(int mem, uint64_t addr, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		size_t chunk = PAGE_BYTES - ((addr + got) % PAGE_BYTES);
		if (chunk > len - got)
			chunk = len - got;
		ssize_t n = pread(mem, buf + got, chunk, (off_t)(addr + got));
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(buf + got - (size_t)n, '\0', (size_t)n))
			break;
	}
	return got ? (ssize_t)got : -EFAULT;
}

static int read_link_checked(int listener, uint64_t id, const char *link, char *out, size_t outlen)
{
	ssize_t n = readlink(link, out, outlen - 1);

	if (n < 0)
		return -errno;
	out[n] = '\0';
	return still_valid(listener, id);
}

/* The directory a relative path of the call is resolved against. */
static int base_dir(int listener, struct notify_call *c, bool has_dirfd, char *out, size_t outlen)
{
	char link[64];
	int dirfd = has_dirfd ? (int)c->args[0] : AT_FDCWD;

	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%u/cwd", c->tid);
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%d", c->tid, dirfd);
	return read_link_checked(listener, c->id, link, out, outlen);
}

static void resolve_now(struct notify_call *c)
{
	char dir[PATH_MAX], tmp[PATH_MAX];

	if (realpath(c->path, c->real_path))
		return;
	/* a file about to be created: resolve its directory */
	snprintf(tmp, sizeof(tmp), "%s", c->path);
	char *base = strrchr(tmp, '/');
	if (!base || base == tmp || !realpath(dirname(tmp), dir)) {
		c->real_path[0] = '\0';
		return;
	}
	snprintf(c->real_path, sizeof(c->real_path), "%s/%s", strcmp(dir, "/") ? dir : "",
		 strrchr(c->path, '/') + 1);
}

static const struct {
	const char *name;
	enum notify_subject subject;
	int ptr_arg;    /* the argument holding the pointer */
	bool has_dirfd; /* argument 0 is a directory fd */
} subjects[] = {
	{ "open", NOTIFY_SUBJECT_PATH, 0, false },
	{ "creat", NOTIFY_SUBJECT_PATH, 0, false },
	{ "openat", NOTIFY_SUBJECT_PATH, 1, true },
	{ "openat2", NOTIFY_SUBJECT_PATH, 1, true },
	{ "connect", NOTIFY_SUBJECT_ADDRESS, 1, false },
};

int notify_read_subject(int listener, struct notify_call *c)
{
	char mem_path[64], raw[PATH_MAX], base[PATH_MAX];
	int k = -1, mem, rc;

	c->subject = NOTIFY_SUBJECT_NONE;
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
		if (!strcmp(c->name, subjects[i].name))
			k = (int)i;
	if (k < 0)
		return 0;
	c->subject = subjects[k].subject;

	snprintf(mem_path, sizeof(mem_path), "/proc/%u/mem", c->tid);
	mem = open(mem_path, O_RDONLY | O_CLOEXEC);
	if (mem < 0)
		return -errno;
	/* the open above is of the right process only if the notification is still live */
	if ((rc = still_valid(listener, c->id)))
		goto out;
	uint64_t ptr = c->args[subjects[k].ptr_arg];
	if (c->subject == NOTIFY_SUBJECT_ADDRESS) {
		size_t len = c->args[2] < sizeof(c->addr) ? c->args[2] : sizeof(c->addr);
		ssize_t n = read_mem(mem, ptr, (char *)&c->addr, len);
		if (n < 0 || (size_t)n < len) {
			rc = n < 0 ? (int)n : -EFAULT;
			goto out;
		}
		c->addrlen = (unsigned)len;
	} else {
		ssize_t n = read_mem(mem, ptr, raw, sizeof(raw));
		if (n < 0 || !memchr(raw, '\0', (size_t)n)) {
			rc = n < 0 ? (int)n : -ENAMETOOLONG;
			goto out;
		}
		if ((rc = still_valid(listener, c->id)))
			goto out;
		base[0] = '/';
		base[1] = '\0';
		if (raw[0] != '/' && (rc = base_dir(listener, c, subjects[k].has_dirfd, base, sizeof(base))))
			goto out;
		path_fold(c->path, sizeof(c->path), base, raw);
		resolve_now(c);
	}
	rc = still_valid(listener, c->id);
out:
	close(mem);
	if (!rc)
		c->subject_ok = true;
	else
		c->subject_error = -rc;
	return rc;
}

/* ---- the supervisor ---- */

int notify_supervisor_init(struct notify_supervisor *s, int fd)
{
	s->fd = fd;
	memset(&s->stats, 0, sizeof(s->stats));
	return seccomp_notify_alloc(&s->req, &s->resp);
}

void notify_supervisor_free(struct notify_supervisor *s)
{
	if (s->req)
		seccomp_notify_free(s->req, s->resp);
	s->req = NULL;
	s->resp = NULL;
}

static void task_facts(struct notify_call *c)
{
	char path[64], line[128];

	c->tgid = c->tid;
	snprintf(path, sizeof(path), "/proc/%u/status", c->tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:\t", 6)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(c->comm, sizeof(c->comm), "%s", line + 6);
		} else if (sscanf(line, "Tgid:\t%u", &c->tgid) == 1) {
			break;
		}
	}
	fclose(f);
}

static void decide(struct notify_supervisor *s, const struct notify_call *c, struct notify_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (c->subject != NOTIFY_SUBJECT_NONE && !c->subject_ok) {
		/* unreadable arguments: refuse, as the kernel would for a bad pointer */
		v->deny = true;
		v->error = c->subject_error == ESRCH ? EPERM : EFAULT;
		snprintf(v->rule, sizeof(v->rule), "arguments unreadable (%s)", strerror(c->subject_error));
		return;
	}
	for (size_t i = 0; i < s->npolicies; i++)
		if (s->policies[i].decide(s->policies[i].ctx, c, v) == 1)
			return;
	memset(v, 0, sizeof(*v));
	snprintf(v->rule, sizeof(v->rule), "default: continue");
}

int notify_supervisor_handle(struct notify_supervisor *s)
{
	struct notify_call *c = calloc(1, sizeof(*c));
	struct notify_verdict v;
	char *name = NULL;
	int rc;

	if (!c)
		return -ENOMEM;
	memset(s->req, 0, sizeof(*s->req));
	/* the ioctls themselves rather than libseccomp's wrappers, which fold every errno into
	 * ECANCELED: ENOENT (the caller died before we read it) is not an error here */
	if (ioctl(s->fd, SECCOMP_IOCTL_NOTIF_RECV, s->req)) {
		rc = errno;
		free(c);
		return rc == ENOENT || rc == EINTR ? 0 : -rc;
	}
	s->stats.received++;
	c->id = s->req->id;
	c->tid = s->req->pid;
	c->nr = s->req->data.nr;
	c->arch = s->req->data.arch;
	memcpy(c->args, s->req->data.args, sizeof(c->args));
	name = seccomp_syscall_resolve_num_arch(c->arch, c->nr);
	c->name = name ? name : "?";
	task_facts(c);
	notify_read_subject(s->fd, c);
	decide(s, c, &v);

	memset(s->resp, 0, sizeof(*s->resp));
	s->resp->id = c->id;
	if (v.deny) {
		s->resp->error = -v.error;
	} else {
		/* the kernel runs the call itself; see docs/sandbox.md on what this can and cannot
		 * guarantee against a caller that changes its memory in between */
		s->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	rc = ioctl(s->fd, SECCOMP_IOCTL_NOTIF_SEND, s->resp) ? -errno : 0;
	if (rc) {
		s->stats.stale++;
		snprintf(v.rule + strlen(v.rule), sizeof(v.rule) - strlen(v.rule),
			 " (the caller went away before the answer)");
	} else if (v.deny) {
		s->stats.denied++;
	} else {
		s->stats.allowed++;
	}
	if (s->out) {
		sandbox_event_notify(s->out, c, &v, rc == 0);
		if (s->flush)
			s->flush(s->flush_ctx);
	}
	free(name);
	free(c);
	return 0;
}
