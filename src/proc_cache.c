// SPDX-License-Identifier: GPL-2.0-only
#include "proc_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "sbuf.h"
#include "timefmt.h"

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p) {
		fprintf(stderr, "vigil: out of memory\n");
		abort();
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xcalloc(1, n + 1);
	memcpy(p, s, n);
	return p;
}

void proc_image_put(struct proc_image *img)
{
	if (!img || --img->refs > 0)
		return;
	free(img->exe);
	free(img->args);
	free(img->cwd);
	free(img->cgroup);
	free(img);
}

static char *seg_path(const void *rec, size_t size, size_t data_off, const struct vigil_seg *seg,
		      bool *truncated)
{
	struct sbuf b = {};
	const char *p;
	size_t n;

	if (!record_seg(rec, size, data_off, seg, &p, &n))
		return NULL;
	if (!n && !(seg->flags & VIGIL_SEG_PATH_ROOTED)) {
		if (truncated)
			*truncated = seg->flags & VIGIL_SEG_TRUNCATED;
		return xstrndup("", 0);
	}
	path_from_components(&b, p, n, seg->count);
	if (truncated)
		*truncated = seg->flags & VIGIL_SEG_TRUNCATED;
	char *s = xstrndup(b.p, b.len);
	sbuf_free(&b);
	return s;
}

struct proc_image *proc_image_from_record(const void *rec, size_t size)
{
	const struct vigil_proc_event *e = rec;
	const struct vigil_seg *seg = e->body.seg;
	const size_t data_off = offsetof(struct vigil_proc_event, data);
	struct proc_image *img;
	const char *p;
	size_t n;

	if (size < data_off)
		return NULL;
	img = xcalloc(1, sizeof(*img));
	img->refs = 1;
	img->exe = seg_path(rec, size, data_off, &seg[VIGIL_PSEG_EXE], &img->exe_truncated);
	img->cwd = seg_path(rec, size, data_off, &seg[VIGIL_PSEG_CWD], &img->cwd_truncated);
	img->cgroup = seg_path(rec, size, data_off, &seg[VIGIL_PSEG_CGROUP], NULL);
	if (!img->exe || !img->cwd || !img->cgroup)
		goto bad;
	if (!record_seg(rec, size, data_off, &seg[VIGIL_PSEG_ARGS], &p, &n))
		goto bad;
	/* the arg area ends with a NUL; keep exactly the strings, with no trailing terminator */
	img->args_truncated = seg[VIGIL_PSEG_ARGS].flags & VIGIL_SEG_TRUNCATED;
	if (n && p[n - 1] == '\0' && !img->args_truncated)
		n--;
	img->args = xstrndup(p, n);
	img->args_len = n;
	img->argc = n || !img->args_truncated ? argv_count(p, n) : 0;
	if (!n)
		img->argc = 0;
	if (!record_seg(rec, size, data_off, &seg[VIGIL_PSEG_TTY], &p, &n))
		goto bad;
	if (n) {
		size_t l = strnlen(p, n);
		/* the kernel names pty slaves "ptsN"; users know them as pts/N */
		if (l > 3 && !memcmp(p, "pts", 3))
			snprintf(img->tty, sizeof(img->tty), "pts/%.*s", (int)(l - 3), p + 3);
		else
			snprintf(img->tty, sizeof(img->tty), "%.*s", (int)l, p);
	}
	img->tty_dev = e->body.tty_dev;
	container_from_cgroup(img->cgroup, &img->container);
	return img;
bad:
	img->refs = 1;
	proc_image_put(img);
	return NULL;
}

static char *read_link(const char *procfs, uint32_t tgid, const char *what)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/%s", procfs, tgid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return xstrndup("", 0);
	return xstrndup(buf, (size_t)n);
}

static size_t read_file(const char *procfs, uint32_t tgid, const char *what, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/%s", procfs, tgid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return (size_t)n;
}

struct proc_image *proc_image_from_procfs(const char *procfs, uint32_t tgid)
{
	struct proc_image *img = xcalloc(1, sizeof(*img));
	char buf[VIGIL_SEG_MAX + 1];
	size_t n;

	img->refs = 1;
	img->from_procfs = true;
	img->exe = read_link(procfs, tgid, "exe");
	img->cwd = read_link(procfs, tgid, "cwd");
	n = read_file(procfs, tgid, "cmdline", buf, sizeof(buf));
	img->args_truncated = n == sizeof(buf) - 1;
	if (n && buf[n - 1] == '\0')
		n--;
	img->args = xstrndup(buf, n);
	img->args_len = n;
	img->argc = n ? argv_count(buf, n) : 0;
	img->cgroup = NULL;
	n = read_file(procfs, tgid, "cgroup", buf, sizeof(buf));
	for (char *line = buf, *next; n && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "0::", 3)) {
			img->cgroup = xstrndup(line + 3, strlen(line + 3));
			break;
		}
	}
	if (!img->cgroup)
		img->cgroup = xstrndup("/", 1);
	container_from_cgroup(img->cgroup, &img->container);
	return img;
}

void proc_cache_init(struct proc_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->procfs = "/proc";
}

/* Counts p's executable in (delta 1) or out (-1) of the live processes' executables. */
static void exe_count(struct proc_cache *c, const struct proc *p, int delta)
{
	const char *exe = p->img ? p->img->exe : NULL;
	struct exe_use *u = NULL;

	if (!exe || !*exe)
		return;
	HASH_FIND_STR(c->exes, exe, u);
	if (!u) {
		if (delta < 0)
			return;
		size_t n = strlen(exe);
		u = xcalloc(1, sizeof(*u) + n + 1);
		memcpy(u->exe, exe, n);
		HASH_ADD_KEYPTR(hh, c->exes, u->exe, n, u);
	}
	if (delta < 0 && !--u->live) {
		HASH_DEL(c->exes, u);
		free(u);
	} else if (delta > 0) {
		u->live++;
	}
}

unsigned proc_cache_exe_users(struct proc_cache *c, const char *exe)
{
	struct exe_use *u = NULL;

	HASH_FIND_STR(c->exes, exe, u);
	return u ? u->live : 0;
}

static void proc_free(struct proc *p)
{
	proc_image_put(p->img);
	free(p);
}

void proc_cache_free(struct proc_cache *c)
{
	struct proc *p, *tmp;

	HASH_ITER(hh, c->by_tgid, p, tmp) {
		HASH_DEL(c->by_tgid, p);
		p->hashed = false;
		if (!p->exited_ns)
			proc_free(p);
	}
	for (p = c->dead_head; p; p = tmp) {
		tmp = p->next_dead;
		proc_free(p);
	}
	struct exe_use *u, *utmp;
	HASH_ITER(hh, c->exes, u, utmp) {
		HASH_DEL(c->exes, u);
		free(u);
	}
	c->by_tgid = NULL;
	c->dead_head = c->dead_tail = NULL;
	c->live = 0;
}

struct proc *proc_cache_lookup(struct proc_cache *c, uint32_t tgid)
{
	struct proc *p = NULL;

	HASH_FIND(hh, c->by_tgid, &tgid, sizeof(tgid), p);
	return p;
}

/* Puts p in the table in place of whatever had its tgid. */
static void insert(struct proc_cache *c, struct proc *p)
{
	struct proc *old = proc_cache_lookup(c, p->tgid);

	if (old) {
		HASH_DEL(c->by_tgid, old);
		old->hashed = false;
		if (!old->exited_ns) {
			exe_count(c, old, -1);
			proc_free(old);
			c->live--;
		}
	}
	HASH_ADD(hh, c->by_tgid, tgid, sizeof(p->tgid), p);
	p->hashed = true;
	c->live++;
	exe_count(c, p, 1);
}

static struct proc *proc_new(const struct vigil_task *t, struct proc_image *img)
{
	struct proc *p = xcalloc(1, sizeof(*p));

	p->tgid = t->tgid;
	p->ppid = t->ppid;
	p->start_ns = t->start_ns;
	p->exec_seq = t->exec_seq;
	exec_id_format(p->exec_id, t->tgid, t->start_ns, t->exec_seq);
	format_rfc3339(p->start_time, boot_to_wall_ns(t->start_ns));
	memcpy(p->comm, t->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	p->img = img;
	return p;
}

struct proc *proc_cache_exec(struct proc_cache *c, const void *rec, size_t size)
{
	const struct vigil_event_hdr *h = rec;
	struct proc_image *img = proc_image_from_record(rec, size);
	struct proc *p;

	if (!img)
		return NULL;
	p = proc_new(&h->task, img);
	insert(c, p);
	return p;
}

struct proc *proc_cache_fork(struct proc_cache *c, const struct vigil_task *child)
{
	struct proc *parent = proc_cache_lookup(c, child->ppid);
	struct proc_image *img;

	if (parent && proc_is(parent, child->parent_start_ns)) {
		img = parent->img;
		img->refs++;
	} else {
		img = proc_image_from_procfs(c->procfs, child->tgid);
	}
	struct proc *p = proc_new(child, img);
	insert(c, p);
	return p;
}

struct proc *proc_cache_resolve(struct proc_cache *c, const struct vigil_task *t)
{
	struct proc *p = proc_cache_lookup(c, t->tgid);

	if (p && p->approx && proc_is(p, t->start_ns)) {
		p->start_ns = t->start_ns;
		p->exec_seq = t->exec_seq;
		exec_id_format(p->exec_id, p->tgid, p->start_ns, p->exec_seq);
		format_rfc3339(p->start_time, boot_to_wall_ns(p->start_ns));
		p->approx = false;
	}
	if (p && p->start_ns == t->start_ns && p->exec_seq == t->exec_seq) {
		p->ppid = t->ppid;
		memcpy(p->comm, t->comm, sizeof(p->comm));
		p->comm[sizeof(p->comm) - 1] = '\0';
		return p;
	}
	/* vigil missed this process's fork or exec (lost events): read what /proc says now */
	p = proc_new(t, proc_image_from_procfs(c->procfs, t->tgid));
	insert(c, p);
	return p;
}

void proc_cache_exit(struct proc_cache *c, uint32_t tgid, uint64_t now_ns)
{
	struct proc *p = proc_cache_lookup(c, tgid);

	if (!p || p->exited_ns)
		return;
	p->exited_ns = now_ns ? now_ns : 1;
	c->live--;
	exe_count(c, p, -1);
	if (c->dead_tail)
		c->dead_tail->next_dead = p;
	else
		c->dead_head = p;
	c->dead_tail = p;
}

void proc_cache_reap(struct proc_cache *c, uint64_t now_ns, uint64_t keep_ns)
{
	while (c->dead_head && c->dead_head->exited_ns + keep_ns <= now_ns) {
		struct proc *p = c->dead_head;

		c->dead_head = p->next_dead;
		if (!c->dead_head)
			c->dead_tail = NULL;
		if (p->hashed)
			HASH_DEL(c->by_tgid, p);
		proc_free(p);
	}
}

static uint64_t tick_ns(void)
{
	static uint64_t tick;

	if (!tick) {
		long hz = sysconf(_SC_CLK_TCK);
		tick = 1000000000ULL / (uint64_t)(hz > 0 ? hz : 100);
	}
	return tick;
}

bool proc_is(const struct proc *p, uint64_t start_ns)
{
	if (p->start_ns == start_ns)
		return true;
	return p->approx && p->start_ns / tick_ns() == start_ns / tick_ns();
}

void proc_cache_learn(struct proc_cache *c, const struct vigil_task *t)
{
	struct proc *parent = proc_cache_lookup(c, t->ppid);

	if (!parent || !parent->approx || !proc_is(parent, t->parent_start_ns))
		return;
	parent->start_ns = t->parent_start_ns;
	parent->exec_seq = t->parent_exec_seq;
	exec_id_format(parent->exec_id, parent->tgid, parent->start_ns, parent->exec_seq);
	format_rfc3339(parent->start_time, boot_to_wall_ns(parent->start_ns));
	parent->approx = false;
}

/* /proc/PID/stat: "pid (comm) state ppid ... starttime(22) ...": comm may hold anything. */
static int read_stat(const char *procfs, uint32_t tgid, struct vigil_task *t)
{
	char buf[1024];
	unsigned long long start_ticks;
	int ppid;

	if (!read_file(procfs, tgid, "stat", buf, sizeof(buf)))
		return -1;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof(t->comm))
		n = sizeof(t->comm) - 1;
	memcpy(t->comm, open + 1, n);
	t->comm[n] = '\0';
	/* after ") ": state(3) ppid(4) ... starttime(22) */
	if (sscanf(close + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &ppid, &start_ticks) != 2)
		return -1;
	t->tgid = tgid;
	t->ppid = (uint32_t)ppid;
	t->start_ns = start_ticks * tick_ns();
	return 0;
}

int proc_cache_seed_procfs(struct proc_cache *c)
{
	DIR *d = opendir(c->procfs);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char *end;
		unsigned long tgid = strtoul(e->d_name, &end, 10);
		struct vigil_task t = {};

		if (*end || !tgid || tgid > UINT32_MAX || proc_cache_lookup(c, (uint32_t)tgid))
			continue;
		if (read_stat(c->procfs, (uint32_t)tgid, &t))
			continue;
		struct proc *p = proc_new(&t, proc_image_from_procfs(c->procfs, (uint32_t)tgid));
		p->approx = true;
		insert(c, p);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}
