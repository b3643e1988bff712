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

static const struct {
	const char *link; /* the anon inode name the kernel gives the fd */
	const char *id_key;
	const char *name;
} kinds[BPF_KINDS] = {
	[BPF_KIND_PROG] = { "anon_inode:bpf-prog", "prog_id:", "prog" },
	[BPF_KIND_MAP] = { "anon_inode:bpf-map", "map_id:", "map" },
	[BPF_KIND_LINK] = { "anon_inode:bpf_link", "link_id:", "link" },
};

const char *bpf_kind_name(enum bpf_kind k)
{
	return k < BPF_KINDS ? kinds[k].name : "?";
}

int bpf_kind_of_link(const char *target, enum bpf_kind *kind)
{
	for (int k = 0; k < BPF_KINDS; k++) {
		if (!strcmp(target, kinds[k].link)) {
			*kind = (enum bpf_kind)k;
			return 0;
		}
	}
	return -1;
}

int fdinfo_object_id(const char *text, enum bpf_kind kind, uint32_t *id)
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

bool exe_is_vigil(const char *exe)
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

/* One process: appends its BPF fds to refs; 1 if it holds any. */
static int scan_pid(int pid, struct fd_ref **refs, size_t *n, size_t *cap)
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
		enum bpf_kind kind;
		uint32_t id;
		ssize_t l = readlinkat(dirfd(fds), de->d_name, target, sizeof(target) - 1);
		if (l <= 0)
			continue;
		target[l] = '\0';
		if (bpf_kind_of_link(target, &kind))
			continue;
		read_small(fdinfo_dir, de->d_name, info, sizeof(info));
		if (fdinfo_object_id(info, kind, &id))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*refs = realloc(*refs, *cap * sizeof(**refs));
			if (!*refs)
				abort();
		}
		(*refs)[(*n)++] = (struct fd_ref){ .kind = kind, .id = id, .pid = pid };
		found = 1;
	}
	if (fdinfo_dir >= 0)
		close(fdinfo_dir);
	closedir(fds);
	return found;
}

int holders_scan(struct fd_ref **refs, size_t *n_refs, struct bpf_holder **procs, size_t *n_procs)
{
	size_t cap = 0, pcap = 0;
	struct dirent *de;
	DIR *proc = opendir("/proc");
	int self = getpid();

	*refs = NULL;
	*procs = NULL;
	*n_refs = *n_procs = 0;
	if (!proc)
		return -errno;
	while ((de = readdir(proc))) {
		char *end, path[64], exe[512];
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue; /* we hold fds of our own while we look: not a holder */
		if (!scan_pid((int)pid, refs, n_refs, &cap))
			continue;
		if (*n_procs == pcap) {
			pcap = pcap ? pcap * 2 : 16;
			*procs = realloc(*procs, pcap * sizeof(**procs));
			if (!*procs)
				abort();
		}
		struct bpf_holder *h = &(*procs)[(*n_procs)++];
		memset(h, 0, sizeof(*h));
		h->pid = (int)pid;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		int dfd = AT_FDCWD;
		read_small(dfd, path, h->comm, sizeof(h->comm));
		h->comm[strcspn(h->comm, "\n")] = '\0';
		snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
		ssize_t l = readlink(path, exe, sizeof(exe) - 1);
		exe[l > 0 ? l : 0] = '\0';
		h->vigil = exe_is_vigil(exe);
	}
	closedir(proc);
	return 0;
}
