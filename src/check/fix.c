// SPDX-License-Identifier: GPL-2.0-only
/* --fix: the exact commands that bring failing checks to their recommended values; --apply: do it. */
#include "check/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void check_fix_text(const struct check_result *r, char *buf, size_t len)
{
	if (r->fix_key[0])
		snprintf(buf, len, "sysctl -w %s=%s", r->fix_key, r->fix_value);
	else if (r->def->fix)
		snprintf(buf, len, "%s", r->def->fix);
	else if (r->unreadable)
		snprintf(buf, len, "run vigil check as root to read it");
	else if (r->def->fix_value && !r->present)
		snprintf(buf, len, "none by sysctl: this kernel has no %s", r->def->source);
	else
		buf[0] = '\0';
}

static bool wants_fix(const struct check_result *r)
{
	return r->status == CHECK_WARN || r->status == CHECK_FAIL;
}

void check_fix_script(const struct check_result *r, size_t n, const char *sysctl_file,
		      struct sbuf *b)
{
	size_t sysctls = 0, manual = 0;
	char text[512];

	for (size_t i = 0; i < n; i++) {
		if (!wants_fix(&r[i]))
			continue;
		if (r[i].fix_key[0])
			sysctls++;
		else
			manual++;
	}
	sbuf_puts(b, "#!/bin/sh\n# vigil check --fix\n");
	if (!sysctls && !manual) {
		sbuf_puts(b, "# nothing to fix: every check passes\n");
		return;
	}
	if (sysctls) {
		sbuf_puts(b, "set -e\n\n# Now:\n");
		for (size_t i = 0; i < n; i++) {
			if (!wants_fix(&r[i]) || !r[i].fix_key[0])
				continue;
			sbuf_printf(b, "sysctl -w %s=%s  # %s, was %s\n", r[i].fix_key, r[i].fix_value,
				    r[i].def->id, r[i].value);
		}
		sbuf_printf(b, "\n# And at every boot:\ncat >> %s <<'EOF'\n", sysctl_file);
		for (size_t i = 0; i < n; i++)
			if (wants_fix(&r[i]) && r[i].fix_key[0])
				sbuf_printf(b, "%s = %s\n", r[i].fix_key, r[i].fix_value);
		sbuf_puts(b, "EOF\n");
	}
	if (manual) {
		sbuf_puts(b, "\n# By hand (not a sysctl):\n");
		for (size_t i = 0; i < n; i++) {
			if (!wants_fix(&r[i]) || r[i].fix_key[0])
				continue;
			check_fix_text(&r[i], text, sizeof(text));
			sbuf_printf(b, "# %s: %s\n", r[i].def->id, text);
		}
	}
}

static int write_sysctl(const struct check_ctx *ctx, const char *key, const char *value)
{
	char rel[256], path[4096];
	FILE *f;
	int rc = 0;

	check_sysctl_path(key, rel, sizeof(rel));
	check_root_path(ctx, rel, path, sizeof(path));
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fprintf(f, "%s\n", value) < 0)
		rc = -errno;
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}

/* Does this line of a sysctl.d file set key? ("key = value", "key=value", "-key = value") */
static bool line_sets(const char *line, const char *key)
{
	size_t kl = strlen(key);

	line += strspn(line, " \t-");
	return !strncmp(line, key, kl) && strchr(" \t=", line[kl]) && line[kl];
}

/* Writes the sysctl.d file: its old lines for other keys, then ours; atomically via rename. */
static int write_sysctl_file(const struct check_ctx *ctx, const struct check_result *r, size_t n,
			     const char *sysctl_file)
{
	char path[4096], tmp[4200], line[1024];
	struct sbuf b = {};
	FILE *f;
	int rc = 0;

	check_root_path(ctx, sysctl_file, path, sizeof(path));
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			bool ours = false;
			for (size_t i = 0; i < n && !ours; i++)
				ours = wants_fix(&r[i]) && r[i].fix_key[0] && line_sets(line, r[i].fix_key);
			if (!ours)
				sbuf_puts(&b, line);
		}
		fclose(f);
	} else {
		sbuf_puts(&b, "# Written by vigil check --fix --apply: kernel and BPF hardening.\n");
	}
	for (size_t i = 0; i < n; i++)
		if (wants_fix(&r[i]) && r[i].fix_key[0])
			sbuf_printf(&b, "%s = %s\n", r[i].fix_key, r[i].fix_value);
	snprintf(tmp, sizeof(tmp), "%s.vigil-tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		rc = -errno;
	} else {
		if (fwrite(b.p, 1, b.len, f) != b.len)
			rc = -EIO;
		if (fclose(f) && !rc)
			rc = -errno;
		if (!rc && rename(tmp, path))
			rc = -errno;
		if (rc)
			unlink(tmp);
	}
	sbuf_free(&b);
	if (rc)
		fprintf(stderr, "vigil: cannot write %s: %s\n", path, strerror(-rc));
	else
		printf("wrote %s\n", path);
	return rc;
}

int check_fix_apply(const struct check_ctx *ctx, const struct check_result *r, size_t n,
		    const char *sysctl_file)
{
	int failed = 0, sysctls = 0;

	for (size_t i = 0; i < n; i++) {
		if (!wants_fix(&r[i]))
			continue;
		if (!r[i].fix_key[0]) {
			printf("skipped %s: fix it by hand (vigil check --fix says how)\n", r[i].def->id);
			continue;
		}
		sysctls++;
		int rc = write_sysctl(ctx, r[i].fix_key, r[i].fix_value);
		if (rc) {
			fprintf(stderr, "vigil: cannot set %s=%s: %s\n", r[i].fix_key, r[i].fix_value,
				strerror(-rc));
			failed++;
		} else {
			printf("set %s=%s (was %s)\n", r[i].fix_key, r[i].fix_value, r[i].value);
		}
	}
	if (sysctls && write_sysctl_file(ctx, r, n, sysctl_file))
		failed++;
	if (!sysctls)
		printf("nothing to apply\n");
	return failed;
}
