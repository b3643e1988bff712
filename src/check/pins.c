// SPDX-License-Identifier: GPL-2.0-only
/* Pinned BPF objects: every file under every bpffs mount, opened with BPF_OBJ_GET to learn what
 * it is. */
#include "check/inventory.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#define PIN_DEPTH 16

typedef void (*pin_fn)(void *arg, const char *path, int kind, uint32_t id, int err);

/* What object a pinned file is: its kind and id through our own fd's /proc entries. */
static void identify(const char *path, pin_fn fn, void *arg)
{
	char link[64], target[64], info[2048];
	int fd = bpf_obj_get(path), kind = -1, err = fd < 0 ? errno : EINVAL;
	enum inv_kind k;
	uint32_t id = 0;

	if (fd >= 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t l = readlink(link, target, sizeof(target) - 1);
		target[l > 0 ? l : 0] = '\0';
		snprintf(link, sizeof(link), "/proc/self/fdinfo/%d", fd);
		FILE *f = fopen(link, "re");
		size_t n = f ? fread(info, 1, sizeof(info) - 1, f) : 0;
		info[n] = '\0';
		if (f)
			fclose(f);
		if (!inv_kind_of_link(target, &k) && !inv_fdinfo_id(info, k, &id))
			kind = (int)k;
		close(fd);
	}
	fn(arg, path, kind, id, kind >= 0 ? 0 : err);
}

static void walk(const char *dir, int depth, pin_fn fn, void *arg)
{
	DIR *d = depth < PIN_DEPTH ? opendir(dir) : NULL;
	struct dirent *de;
	char path[4096];
	struct stat st;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path, depth + 1, fn, arg);
		else if (S_ISREG(st.st_mode))
			identify(path, fn, arg);
	}
	closedir(d);
}

/* mountinfo escapes spaces and the like as \ooo */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

void inv_pins_walk(pin_fn fn, void *arg)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[4096];
	dev_t seen[16];
	size_t n_seen = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct stat st;
		bool dup = false;
		if (!strstr(line, " - bpf ") || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape(mnt);
		if (stat(mnt, &st))
			continue;
		/* the same bpffs mounted twice shows the same pins twice: walk it once */
		for (size_t i = 0; i < n_seen; i++)
			dup |= seen[i] == st.st_dev;
		if (dup)
			continue;
		if (n_seen < sizeof(seen) / sizeof(seen[0]))
			seen[n_seen++] = st.st_dev;
		walk(mnt, 0, fn, arg);
	}
	fclose(f);
}
