// SPDX-License-Identifier: GPL-2.0-only
/* Reading the files the checks judge, under a root that is "/" or an image or fake tree. */
#include "check/check.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <zlib.h>

void check_root_path(const struct check_ctx *ctx, const char *rel, char *buf, size_t len)
{
	const char *root = ctx->root && *ctx->root ? ctx->root : "/";
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '/')
		n = 0;
	snprintf(buf, len, "%.*s%s", (int)n, root, rel);
}

int check_read_line(const struct check_ctx *ctx, const char *rel, char *buf, size_t len)
{
	char path[4096];
	FILE *f;
	int rc = -1;

	check_root_path(ctx, rel, path, sizeof(path));
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, (int)len, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		rc = 0;
	} else if (!ferror(f)) {
		rc = 0; /* an empty file is a value too */
	}
	fclose(f);
	return rc;
}

bool check_root_exists(const struct check_ctx *ctx, const char *rel)
{
	char path[4096];

	check_root_path(ctx, rel, path, sizeof(path));
	return access(path, F_OK) == 0;
}

void check_sysctl_path(const char *key, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "/proc/sys/%s", key);

	for (size_t i = strlen("/proc/sys/"); i < n && i < len; i++)
		if (buf[i] == '.')
			buf[i] = '/';
}

/* Looks name up in one config file (gzip or plain: gzopen reads both). */
static int config_lookup(const char *path, const char *name, char *buf, size_t len)
{
	char line[512], want[128], unset[160];
	gzFile gz = gzopen(path, "rb");
	size_t wl;
	int rc = 0;

	if (!gz)
		return -1;
	wl = (size_t)snprintf(want, sizeof(want), "CONFIG_%s=", name);
	snprintf(unset, sizeof(unset), "# CONFIG_%s is not set", name);
	while (gzgets(gz, line, sizeof(line))) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, want, wl)) {
			const char *v = line + wl;
			size_t vl = strlen(v);
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
				snprintf(buf, len, "%.*s", (int)(vl - 2), v + 1);
			else
				snprintf(buf, len, "%s", v);
			rc = 1;
			break;
		}
		if (!strcmp(line, unset))
			break;
	}
	gzclose(gz);
	return rc;
}

int check_kernel_config(const struct check_ctx *ctx, const char *name, char *buf, size_t len)
{
	char path[4096], release[128], rel[192];
	int rc;

	buf[0] = '\0';
	check_root_path(ctx, "/proc/config.gz", path, sizeof(path));
	rc = config_lookup(path, name, buf, len);
	if (rc >= 0)
		return rc;
	if (check_read_line(ctx, "/proc/sys/kernel/osrelease", release, sizeof(release))) {
		struct utsname u;
		if (strcmp(ctx->root, "/") || uname(&u))
			return -1;
		snprintf(release, sizeof(release), "%s", u.release);
	}
	snprintf(rel, sizeof(rel), "/boot/config-%s", release);
	check_root_path(ctx, rel, path, sizeof(path));
	return config_lookup(path, name, buf, len);
}

int check_kallsyms_has(const struct check_ctx *ctx, const char *const *names, size_t n, bool *found)
{
	char path[4096], line[512], sym[256];
	FILE *f;
	bool any = false;

	check_root_path(ctx, "/proc/kallsyms", path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -1;
	memset(found, 0, n * sizeof(*found));
	while (fgets(line, sizeof(line), f)) {
		/* "ffffffff81234560 t name [module]" */
		if (sscanf(line, "%*s %*s %255s", sym) != 1)
			continue;
		any = true;
		for (size_t i = 0; i < n; i++)
			if (!found[i] && !strcmp(sym, names[i]))
				found[i] = true;
	}
	fclose(f);
	return any ? 0 : -1;
}
