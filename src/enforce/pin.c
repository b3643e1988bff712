// SPDX-License-Identifier: GPL-2.0-only
/*
 * `vigil run --pin[=NAME]`: the agent's enforcement outlives it. Its bpf links (cgroup hooks,
 * XDP) are pinned under /sys/fs/bpf/vigil/NAME/ (NAME "agent" by default), so the kernel keeps
 * them attached when vigil exits, until `vigil unpin [NAME]` (or rm, or a reboot) removes the
 * pins (docs/enforcement.md).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "cli.h"
#include "enforce/enforce.h"
#include "probe.h"

const char *enforce_pin_name_error(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 64)
		return "expected a name of 1 to 64 characters";
	if (!strcmp(name, ".") || !strcmp(name, "..") || !strncmp(name, "block", 5))
		return "'.', '..' and names starting with 'block' are not allowed (vigil block's pins live there)";
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", name[i]))
			return "expected letters, digits, '_', '.' and '-' only";
	return NULL;
}

static void pin_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", ENFORCE_PIN_ROOT, name ? name : ENFORCE_PIN_NAME);
}

static int count_pins(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int enforce_pin_prepare(const struct enforce_opts *o, char *err, size_t errlen)
{
	char dir[256];

	pin_dir(dir, sizeof(dir), o->pin_name);
	if (kernel_bpffs_ensure(err, errlen))
		return -1;
	if (count_pins(dir) && !o->pin_takeover) {
		snprintf(err, errlen, "--pin: the enforcement of an earlier vigil run --pin is still pinned under %s: lift it first with vigil unpin%s%s",
			 dir, o->pin_name ? " " : "", o->pin_name ? o->pin_name : "");
		return -1;
	}
	if ((mkdir(ENFORCE_PIN_ROOT, 0700) && errno != EEXIST) || (mkdir(dir, 0700) && errno != EEXIST)) {
		snprintf(err, errlen, "--pin: cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

#define PINNED_MAX 64
static char pinned_here[PINNED_MAX][32]; /* the names this run pinned */
static size_t npinned_here;

int enforce_pin_link(const struct enforce_opts *o, struct bpf_link *l, const char *link_name,
		     char *err, size_t errlen)
{
	char dir[256], path[512], fresh[560];

	pin_dir(dir, sizeof(dir), o->pin_name);
	snprintf(path, sizeof(path), "%s/%s", dir, link_name);
	if (o->pin_takeover && access(path, F_OK) == 0) {
		/* pinned beside it, then renamed over it: the old link loses its pin (and, with no
		 * other holder, detaches) only once the new one is pinned in its place */
		snprintf(fresh, sizeof(fresh), "%s/takeover_%s", dir, link_name); /* bpffs: no dots */
		unlink(fresh);
		if (bpf_link__pin(l, fresh) || rename(fresh, path)) {
			snprintf(err, errlen, "--pin-takeover: cannot replace %s: %s", path, strerror(errno));
			unlink(fresh);
			return -1;
		}
	} else if (bpf_link__pin(l, path)) {
		snprintf(err, errlen, "--pin: cannot pin %s: %s", path, strerror(errno));
		return -1;
	}
	if (npinned_here < PINNED_MAX)
		snprintf(pinned_here[npinned_here++], sizeof(pinned_here[0]), "%s", link_name);
	return 0;
}

int enforce_pin_sweep(const struct enforce_opts *o)
{
	char dir[256], path[512];
	struct dirent *de;
	int n = 0;

	if (!o->pin || !o->pin_takeover)
		return 0;
	pin_dir(dir, sizeof(dir), o->pin_name);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		bool mine = de->d_name[0] == '.';
		for (size_t i = 0; i < npinned_here && !mine; i++)
			mine = !strcmp(pinned_here[i], de->d_name);
		if (mine)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n += unlink(path) == 0;
	}
	closedir(d);
	return n;
}

int cmd_unpin(int argc, char **argv)
{
	char dir[256];

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: vigil unpin [NAME]\nLifts the enforcement a `vigil run --pin[=NAME]` left in force: removes its pinned links under %s/NAME (NAME %s by default; the kernel detaches them).\n",
		       ENFORCE_PIN_ROOT, ENFORCE_PIN_NAME);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "vigil: unpin takes at most one name (got '%s')\n", argv[2]);
		return 2;
	}
	const char *why = argc > 1 ? enforce_pin_name_error(argv[1]) : NULL;
	if (why) {
		fprintf(stderr, "vigil: unpin: bad name '%s': %s\n", argv[1], why);
		return 2;
	}
	pin_dir(dir, sizeof(dir), argc > 1 ? argv[1] : NULL);
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0, rc = 0;

	if (!d) {
		printf("nothing is pinned under %s\n", dir);
		return 0;
	}
	while ((de = readdir(d))) {
		char path[512];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path)) {
			fprintf(stderr, "vigil: cannot remove %s: %s\n", path, strerror(errno));
			rc = 1;
			continue;
		}
		printf("unpinned %s\n", de->d_name);
		n++;
	}
	closedir(d);
	if (!rc) {
		rmdir(dir);
		rmdir(ENFORCE_PIN_ROOT); /* only if empty: vigil block's pins and other names stay */
	}
	printf("%d link%s unpinned: the enforcement of vigil run --pin is lifted\n", n, n == 1 ? "" : "s");
	return rc;
}
