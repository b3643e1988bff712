// SPDX-License-Identifier: GPL-2.0-only
/*
 * `vigil run --pin`: the agent's enforcement outlives it. Its bpf links (cgroup hooks, XDP) are
 * pinned under /sys/fs/bpf/vigil/agent/, so the kernel keeps them attached when vigil exits,
 * until `vigil unpin` (or rm, or a reboot) removes the pins (docs/enforcement.md).
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

#define PIN_ROOT "/sys/fs/bpf/vigil"

static int count_pins(void)
{
	DIR *d = opendir(ENFORCE_PIN_DIR);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int enforce_pin_prepare(char *err, size_t errlen)
{
	if (enforce_bpffs()) {
		snprintf(err, errlen, "--pin: no BPF filesystem at /sys/fs/bpf");
		return -1;
	}
	if (count_pins()) {
		snprintf(err, errlen, "--pin: the enforcement of an earlier vigil run --pin is still pinned under %s: lift it first with vigil unpin",
			 ENFORCE_PIN_DIR);
		return -1;
	}
	if ((mkdir(PIN_ROOT, 0700) && errno != EEXIST) ||
	    (mkdir(ENFORCE_PIN_DIR, 0700) && errno != EEXIST)) {
		snprintf(err, errlen, "--pin: cannot create %s: %s", ENFORCE_PIN_DIR, strerror(errno));
		return -1;
	}
	return 0;
}

int enforce_pin_link(struct bpf_link *l, const char *name, char *err, size_t errlen)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", ENFORCE_PIN_DIR, name);
	if (bpf_link__pin(l, path)) {
		snprintf(err, errlen, "--pin: cannot pin %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_unpin(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: vigil unpin\nLifts the enforcement a `vigil run --pin` left in force: removes its pinned links under %s (the kernel detaches them).\n",
		       ENFORCE_PIN_DIR);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "vigil: unpin takes no argument (got '%s')\n", argv[1]);
		return 2;
	}
	DIR *d = opendir(ENFORCE_PIN_DIR);
	struct dirent *de;
	int n = 0, rc = 0;

	if (!d) {
		printf("nothing is pinned under %s\n", ENFORCE_PIN_DIR);
		return 0;
	}
	while ((de = readdir(d))) {
		char path[512];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", ENFORCE_PIN_DIR, de->d_name);
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
		rmdir(ENFORCE_PIN_DIR);
		rmdir(PIN_ROOT); /* only if empty: vigil block's pins stay */
	}
	printf("%d link%s unpinned: the enforcement of vigil run --pin is lifted\n", n, n == 1 ? "" : "s");
	return rc;
}
