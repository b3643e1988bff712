// SPDX-License-Identifier: GPL-2.0-only
#include "shell_sensor.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensors.h"
#include "vigil.skel.h"

#define TTY_MAJORS 4096

uint32_t kernel_dev(uint64_t dev)
{
	unsigned int major = (unsigned int)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffULL));
	unsigned int minor = (unsigned int)((dev & 0xff) | ((dev >> 12) & ~0xffULL));

	return ((major & 0xfff) << 20) | (minor & 0xfffff);
}

/*
 * shell.command. On Debian, bash is built with its own copy of readline and exports its symbols
 * (`readelf -Ws --dyn-syms /bin/bash` shows a GLOBAL FUNC readline even in the stripped binary),
 * so libbpf finds "readline" in the binary's .dynsym. A bash linked with a shared libreadline
 * has it in the library instead: --bash then names the library.
 */
int shell_attach_readline(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen)
{
	const char *bash = s->cfg.shell.bash_path ? s->cfg.shell.bash_path : SHELL_DEFAULT_BASH;
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "readline", .retprobe = true);
	char real[4096];
	struct bpf_link *link;

	(void)st;
	if (!realpath(bash, real)) {
		snprintf(err, errlen, "shell: bash %s: %s", bash, strerror(errno));
		return -1;
	}
	link = bpf_program__attach_uprobe_opts(s->skel->progs.readline_uprobe, -1, real, 0, &opts);
	if (!link) {
		snprintf(err, errlen,
			 "shell: cannot attach a uretprobe to readline in %s: %s (a bash linked with a shared libreadline: pass --bash with the library's path)",
			 real, strerror(errno));
		return -1;
	}
	s->links[s->nlinks++] = link;
	return 0;
}

int tty_majors_parse(const char *text, bool majors[TTY_MAJORS])
{
	int n = 0;

	memset(majors, 0, TTY_MAJORS * sizeof(bool));
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		char name[128], node[128];
		unsigned major;

		/* "pty_slave   /dev/pts   136 0-1048575 pty:slave": driver, node, major, ... */
		if (sscanf(line, "%127s %127s %u", name, node, &major) == 3 && major < TTY_MAJORS &&
		    !majors[major]) {
			majors[major] = true;
			n++;
		}
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

int tty_configure(struct sensors *s, const struct sensors_config *cfg, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	s->skel->rodata->tty_filter_dev = cfg->shell.tty_dev;
	return 0;
}

/* The majors of every tty driver, from the kernel's own list, before the hooks go live. */
int tty_attach(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen)
{
	static bool majors[TTY_MAJORS];
	char text[16384];
	FILE *f = fopen("/proc/tty/drivers", "r");
	size_t len;
	int fd = bpf_map__fd(s->skel->maps.tty_majors);

	if (!f) {
		snprintf(err, errlen, "tty: cannot read /proc/tty/drivers: %s", strerror(errno));
		return -1;
	}
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	if (tty_majors_parse(text, majors) <= 0) {
		snprintf(err, errlen, "tty: no tty driver listed in /proc/tty/drivers");
		return -1;
	}
	for (uint32_t m = 0; m < TTY_MAJORS; m++) {
		uint32_t one = 1;
		if (majors[m] && bpf_map_update_elem(fd, &m, &one, BPF_ANY)) {
			snprintf(err, errlen, "tty: filling the tty majors failed: %s", strerror(errno));
			return -1;
		}
	}
	return sensors_attach_hooks(s, st, err, errlen);
}

int output_configure(struct sensors *s, const struct sensors_config *cfg, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	s->skel->rodata->output_follow_children = !cfg->shell.follow_self_only;
	return 0;
}

/* Its parent from /proc/TGID/stat ("tgid (comm) S ppid ..."; comm may hold ')'). */
static int read_ppid(const char *procfs, uint32_t tgid, uint32_t *ppid)
{
	char path[64], buf[512];
	FILE *f;
	size_t n;
	char *rp;

	snprintf(path, sizeof(path), "%s/%u/stat", procfs, tgid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && sscanf(rp + 1, " %*c %u", ppid) == 1 ? 0 : -1;
}

int proc_descendants(const char *procfs, uint32_t root, uint32_t *out, size_t max)
{
	uint32_t *tgid = NULL, *ppid = NULL;
	size_t n = 0, cap = 0;
	int found = 0;
	DIR *d = opendir(procfs);
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *end;
		unsigned long t = strtoul(e->d_name, &end, 10);
		uint32_t pp;

		if (*end || !t || t > UINT32_MAX || read_ppid(procfs, (uint32_t)t, &pp))
			continue;
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 1024;
			uint32_t *a = realloc(tgid, nc * sizeof(*a)), *b;
			if (a)
				tgid = a;
			b = a ? realloc(ppid, nc * sizeof(*b)) : NULL;
			if (!a || !b) {
				found = -ENOMEM;
				goto out;
			}
			ppid = b;
			cap = nc;
		}
		tgid[n] = (uint32_t)t;
		ppid[n++] = pp;
	}
	/* grow the set from root until a pass adds nothing; every pass adds one generation */
	out[0] = root;
	size_t have = 1;
	for (bool grew = true; grew && have < max;) {
		grew = false;
		for (size_t i = 0; i < n && have < max; i++) {
			bool parent_in = false, self_in = false;
			for (size_t j = 0; j < have; j++) {
				parent_in |= out[j] == ppid[i];
				self_in |= out[j] == tgid[i];
			}
			if (parent_in && !self_in) {
				out[have++] = tgid[i];
				grew = true;
			}
		}
	}
	memmove(out, out + 1, (have - 1) * sizeof(*out));
	found = (int)have - 1;
out:
	closedir(d);
	free(tgid);
	free(ppid);
	return found;
}

/*
 * Hooks first, then the followed set: a child forked after its parent is in the map is added by
 * the kernel; one forked before is found in /proc, which is read after.
 */
int output_attach(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen)
{
	const struct shell_params *p = &s->cfg.shell;
	int fd = bpf_map__fd(s->skel->maps.output_followed);
	uint32_t one = 1, kids[4096];
	int n;

	if (sensors_attach_hooks(s, st, err, errlen))
		return -1;
	if (!p->follow_tgid)
		return 0;
	if (bpf_map_update_elem(fd, &p->follow_tgid, &one, BPF_ANY)) {
		snprintf(err, errlen, "output: following %u failed: %s", p->follow_tgid, strerror(errno));
		return -1;
	}
	if (p->follow_self_only)
		return 0;
	n = proc_descendants("/proc", p->follow_tgid, kids, sizeof(kids) / sizeof(kids[0]));
	for (int i = 0; i < n; i++)
		bpf_map_update_elem(fd, &kids[i], &one, BPF_ANY);
	return 0;
}
