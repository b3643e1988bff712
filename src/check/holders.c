// SPDX-License-Identifier: GPL-2.0-only
/* Who holds which BPF object: every process's fds that are BPF objects, from /proc/PID/fd(info). */
#include "check/inventory.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

static const struct {
	const char *link; /* the anon inode name the kernel gives the fd */
	const char *id_key;
	const char *name;
} kinds[INV_KINDS] = {
	[INV_PROG] = { "anon_inode:bpf-prog", "prog_id:", "prog" },
	[INV_MAP] = { "anon_inode:bpf-map", "map_id:", "map" },
	[INV_LINK] = { "anon_inode:bpf_link", "link_id:", "link" },
};

const char *inv_kind_name(enum inv_kind k)
{
	return k < INV_KINDS ? kinds[k].name : "?";
}

int inv_kind_of_link(const char *target, enum inv_kind *kind)
{
	for (int k = 0; k < INV_KINDS; k++) {
		if (!strcmp(target, kinds[k].link)) {
			*kind = (enum inv_kind)k;
			return 0;
		}
	}
	return -1;
}

int inv_fdinfo_id(const char *text, enum inv_kind kind, uint32_t *id)
{
	const char *key = kinds[kind].id_key;
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, kl))
			continue;
		char *end;
		errno = 0;
		unsigned long v = strtoul(p + kl, &end, 10);
		if (errno || end == p + kl || v > UINT32_MAX)
			return -1;
		*id = (uint32_t)v;
		return 0;
	}
	return -1;
}

bool inv_exe_is_vigil(const char *exe)
{
	const char *base = strrchr(exe, '/');
	size_t n;

	base = base ? base + 1 : exe;
	n = strcspn(base, " ");
	return n == 5 && !strncmp(base, "vigil", 5) && (!base[n] || !strcmp(base + n, " (deleted)"));
}

static void read_small(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

void inv_perf_attach_text(uint32_t fd_type, const char *name, uint64_t offset, uint64_t addr,
		      char *buf, size_t len)
{
	static const char *const kinds_by_type[] = {
		[BPF_FD_TYPE_RAW_TRACEPOINT] = "raw_tp", [BPF_FD_TYPE_TRACEPOINT] = "tracepoint",
		[BPF_FD_TYPE_KPROBE] = "kprobe", [BPF_FD_TYPE_KRETPROBE] = "kretprobe",
		[BPF_FD_TYPE_UPROBE] = "uprobe", [BPF_FD_TYPE_URETPROBE] = "uretprobe",
	};
	const char *kind = fd_type < sizeof(kinds_by_type) / sizeof(kinds_by_type[0])
				   ? kinds_by_type[fd_type] : NULL;

	if (!kind)
		snprintf(buf, len, "perf_event type %u", fd_type);
	else if (fd_type <= BPF_FD_TYPE_TRACEPOINT)
		snprintf(buf, len, "%s:%s", kind, name);
	else if (name[0]) /* a symbol or a file, and the offset into it */
		snprintf(buf, len, "%s:%s+0x%llx", kind, name, (unsigned long long)offset);
	else
		snprintf(buf, len, "%s:0x%llx", kind, (unsigned long long)addr);
}

static void *grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 32;
	p = realloc(p, *cap * size);
	if (!p)
		abort();
	return p;
}

/* A perf event fd with a BPF program on it: which program, attached where. */
static int scan_perf_fd(int pid, int fd, struct inv_scan *s, size_t *cap)
{
	char name[4096]; /* a uprobe's file path */
	uint32_t len = sizeof(name), prog_id, fd_type;
	__u64 offset, addr;

	if (bpf_task_fd_query(pid, fd, 0, name, &len, &prog_id, &fd_type, &offset, &addr))
		return 0; /* no program on it */
	s->perf = grow(s->perf, s->n_perf, cap, sizeof(*s->perf));
	struct inv_perf_ref *p = &s->perf[s->n_perf++];
	p->prog_id = prog_id;
	p->pid = pid;
	inv_perf_attach_text(fd_type, name, offset, addr, p->attach, sizeof(p->attach));
	return 1;
}

/* One process: appends its BPF fds to the scan; 1 if it holds any. */
static int scan_pid(int pid, struct inv_scan *s, size_t *cap, size_t *perf_cap)
{
	char path[64], target[64], info[2048];
	int found = 0, fdinfo_dir;
	struct dirent *de;
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	fds = opendir(path);
	if (!fds)
		return 0; /* gone, or a kernel thread */
	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	fdinfo_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (fdinfo_dir >= 0 && (de = readdir(fds))) {
		enum inv_kind kind;
		uint32_t id;
		ssize_t l = readlinkat(dirfd(fds), de->d_name, target, sizeof(target) - 1);
		if (l <= 0)
			continue;
		target[l] = '\0';
		if (!strcmp(target, "anon_inode:[perf_event]")) {
			found |= scan_perf_fd(pid, atoi(de->d_name), s, perf_cap);
			continue;
		}
		if (inv_kind_of_link(target, &kind))
			continue;
		read_small(fdinfo_dir, de->d_name, info, sizeof(info));
		if (inv_fdinfo_id(info, kind, &id))
			continue;
		s->refs = grow(s->refs, s->n_refs, cap, sizeof(*s->refs));
		s->refs[s->n_refs++] = (struct inv_fd_ref){ .kind = kind, .id = id, .pid = pid };
		found = 1;
	}
	if (fdinfo_dir >= 0)
		close(fdinfo_dir);
	closedir(fds);
	return found;
}

int inv_holders_scan(struct inv_scan *s)
{
	size_t cap = 0, pcap = 0, perf_cap = 0;
	struct dirent *de;
	DIR *proc = opendir("/proc");
	int self = getpid();

	memset(s, 0, sizeof(*s));
	if (!proc)
		return -errno;
	while ((de = readdir(proc))) {
		char *end, path[64], exe[512];
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue; /* we hold fds of our own while we look: not a holder */
		if (!scan_pid((int)pid, s, &cap, &perf_cap))
			continue;
		s->procs = grow(s->procs, s->n_procs, &pcap, sizeof(*s->procs));
		struct inv_holder *h = &s->procs[s->n_procs++];
		memset(h, 0, sizeof(*h));
		h->pid = (int)pid;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		read_small(AT_FDCWD, path, h->comm, sizeof(h->comm));
		h->comm[strcspn(h->comm, "\n")] = '\0';
		snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
		ssize_t l = readlink(path, exe, sizeof(exe) - 1);
		exe[l > 0 ? l : 0] = '\0';
		h->vigil = inv_exe_is_vigil(exe);
	}
	closedir(proc);
	return 0;
}

void inv_holders_free(struct inv_scan *s)
{
	free(s->refs);
	free(s->procs);
	free(s->perf);
	memset(s, 0, sizeof(*s));
}
