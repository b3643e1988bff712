// SPDX-License-Identifier: GPL-2.0-only
#include "sandbox/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/netlink.h>
#include <seccomp.h>

int audit_reader_open(struct audit_reader *r, char *err, size_t errlen)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };

	memset(r, 0, sizeof(*r));
	r->ses = UINT32_MAX;
	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	if (r->fd < 0) {
		snprintf(err, errlen, "no audit netlink socket (%s): seccomp.violation events are off",
			 strerror(errno));
		return -1;
	}
	int big = 4 << 20;
	setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	if (bind(r->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "cannot join the audit log multicast group (%s; needs "
				      "CAP_AUDIT_READ): seccomp.violation events are off",
			 strerror(errno));
		close(r->fd);
		r->fd = -1;
		return -1;
	}
	return 0;
}

void audit_actions_missing_from(const char *logged, char *missing, size_t len)
{
	static const char *const wanted[] = { "kill_process", "kill_thread", "trap", "errno",
					      "trace", "log" };
	size_t o = 0;

	missing[0] = '\0';
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		bool found = false;
		char copy[256], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", logged);
		for (char *t = strtok_r(copy, " \n", &save); t && !found; t = strtok_r(NULL, " \n", &save))
			found = !strcmp(t, wanted[i]);
		if (!found && o + strlen(wanted[i]) + 2 < len)
			o += (size_t)snprintf(missing + o, len - o, "%s%s", o ? " " : "", wanted[i]);
	}
}

void audit_actions_not_logged(char *missing, size_t len)
{
	char buf[256] = "";
	FILE *f = fopen("/proc/sys/kernel/seccomp/actions_logged", "re");

	missing[0] = '\0';
	if (!f)
		return; /* no such file: a kernel without seccomp logging control; nothing to say */
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	audit_actions_missing_from(buf, missing, len);
}

void audit_reader_close(struct audit_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* An untrusted string field: "quoted", or hex-encoded when it holds spaces or quotes. */
static void field_string(const char *v, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		snprintf(out, outlen, "%.*s", (int)(n - 2), v + 1);
		return;
	}
	for (size_t i = 0; i + 1 < n && o + 1 < outlen; i += 2) {
		int hi = hexval(v[i]), lo = hexval(v[i + 1]);
		if (hi < 0 || lo < 0)
			break;
		out[o++] = (char)(hi << 4 | lo);
	}
	out[o] = '\0';
}

int audit_parse_seccomp(const char *text, size_t len, struct violation *v)
{
	char buf[8192];
	unsigned long long sec, msec, serial;
	int have = 0;

	memset(v, 0, sizeof(*v));
	v->errno_ret = -1;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (sscanf(buf, "audit(%llu.%llu:%llu):", &sec, &msec, &serial) != 3)
		return -1;
	v->wall_ns = sec * 1000000000ULL + msec * 1000000ULL;
	v->serial = serial;
	char *p = strstr(buf, "):");
	if (!p)
		return -1;
	p += 2;
	while (*p) {
		while (*p == ' ')
			p++;
		char *eq = strchr(p, '=');
		if (!eq)
			break;
		char *val = eq + 1, *end = val;
		if (*val == '"') {
			end = strchr(val + 1, '"');
			end = end ? end + 1 : val + strlen(val);
		} else {
			end = val + strcspn(val, " ");
		}
		size_t kn = (size_t)(eq - p), vn = (size_t)(end - val);
		char num[32];
		snprintf(num, sizeof(num), "%.*s", (int)(vn < sizeof(num) ? vn : sizeof(num) - 1), val);
#define KEY(k) (kn == sizeof(k) - 1 && !strncmp(p, k, kn))
		if (KEY("pid"))
			v->tgid = (uint32_t)strtoul(num, NULL, 10), have |= 1;
		else if (KEY("uid"))
			v->uid = (uint32_t)strtoul(num, NULL, 10);
		else if (KEY("gid"))
			v->gid = (uint32_t)strtoul(num, NULL, 10);
		else if (KEY("auid"))
			v->auid = (uint32_t)strtoul(num, NULL, 10);
		else if (KEY("ses"))
			v->ses = (uint32_t)strtoul(num, NULL, 10);
		else if (KEY("comm"))
			field_string(val, vn, v->comm, sizeof(v->comm));
		else if (KEY("exe"))
			field_string(val, vn, v->exe, sizeof(v->exe));
		else if (KEY("sig"))
			v->sig = (int)strtol(num, NULL, 10);
		else if (KEY("arch"))
			v->arch = (uint32_t)strtoul(num, NULL, 16), have |= 2;
		else if (KEY("syscall"))
			v->nr = (int)strtol(num, NULL, 10), have |= 4;
		else if (KEY("compat"))
			v->compat = strtol(num, NULL, 10) != 0;
		else if (KEY("ip"))
			v->ip = strtoull(num, NULL, 16);
		else if (KEY("code"))
			v->code = (uint32_t)strtoul(num, NULL, 16), have |= 8;
#undef KEY
		p = end;
	}
	return have == 15 ? 0 : -1;
}

static bool ours(const struct audit_reader *r, const struct violation *v)
{
	if (r->ses != UINT32_MAX)
		return v->ses == r->ses;
	return v->tgid == r->tgid;
}

static void handle(struct audit_reader *r, const char *text, size_t len, violation_fn fn, void *ctx)
{
	struct violation v;

	if (audit_parse_seccomp(text, len, &v))
		return;
	r->records++;
	if (r->sentinel && v.tgid == r->sentinel) {
		r->sentinel_seen = true;
		return;
	}
	if (!ours(r, &v))
		return;
	uint32_t action = v.code & SECCOMP_RET_ACTION_FULL;
	if (action == SECCOMP_RET_USER_NOTIF) {
		r->notify_records++;
		return;
	}
	if (action == SECCOMP_RET_ALLOW)
		return;
	r->kept++;
	fn(&v, ctx);
}

void audit_reader_drain(struct audit_reader *r, violation_fn fn, void *ctx)
{
	static char buf[1 << 16];

	if (r->fd < 0)
		return;
	for (;;) {
		ssize_t n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* EAGAIN; ENOBUFS (overrun) is counted by the kernel, not recoverable here */
		int left = (int)n;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == AUDIT_SECCOMP)
				handle(r, NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN, fn, ctx);
		}
	}
}

/* The sentinel: one logged getppid under a filter of its own. */
static pid_t start_sentinel(void)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	if (!f || seccomp_rule_add(f, SCMP_ACT_LOG, SCMP_SYS(getppid), 0) || seccomp_load(f))
		_exit(1);
	syscall(SYS_getppid);
	_exit(0);
}

bool audit_reader_flush(struct audit_reader *r, violation_fn fn, void *ctx, int timeout_ms)
{
	struct timespec t0, now;
	int status;

	if (r->fd < 0)
		return false;
	r->sentinel_seen = false;
	pid_t pid = start_sentinel();
	if (pid < 0)
		return false;
	r->sentinel = (uint32_t)pid;
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		audit_reader_drain(r, fn, ctx);
		if (r->sentinel_seen)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = timeout_ms - ((now.tv_sec - t0.tv_sec) * 1000 +
					  (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		poll(&pfd, 1, (int)left);
	}
	r->sentinel = 0;
	return r->sentinel_seen;
}

uint32_t audit_new_session(void)
{
	char buf[32];
	unsigned long auid = UINT32_MAX, ses = UINT32_MAX;
	int fd = open("/proc/self/loginuid", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return UINT32_MAX;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		auid = strtoul(buf, NULL, 10);
	}
	if (auid == UINT32_MAX)
		auid = getuid();
	n = snprintf(buf, sizeof(buf), "%lu", auid);
	bool ok = pwrite(fd, buf, (size_t)n, 0) == n;
	close(fd);
	if (!ok)
		return UINT32_MAX;
	fd = open("/proc/self/sessionid", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return UINT32_MAX;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		ses = strtoul(buf, NULL, 10);
	}
	return (uint32_t)ses;
}
