/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vigil check: the host's kernel and BPF hardening, one table row per check. Each row names where
 * its value comes from (a reader), how the value is judged (pass/warn/fail rules or a judge of its
 * own), what is recommended, why, and how to fix it.
 */
#ifndef VIGIL_CHECK_H
#define VIGIL_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "out.h"

enum check_status {
	CHECK_PASS,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK_UNKNOWN, /* the value could not be learned: not scored */
};

enum check_severity {
	CHECK_SEV_LOW = 1,
	CHECK_SEV_MEDIUM,
	CHECK_SEV_HIGH,
};

/* Where the checks read from: "/" for this host, or an image or fake tree. */
struct check_ctx {
	const char *root;
};

struct check_def;

struct check_result {
	const struct check_def *def;
	enum check_status status;
	bool present;      /* the source was found */
	bool unreadable;   /* it exists but this user may not read it: status unknown */
	char value[256];   /* the current value as read; "" when missing */
	char detail[256];  /* what decided the status, one line */
	char fix_key[96];  /* the sysctl a fix sets, "" when the fix is not a sysctl */
	char fix_value[32];
};

struct check_def {
	const char *id;
	enum check_severity severity;
	const char *source;      /* a sysctl key, or a path under the root */
	/* Fills value/present (and fix_key when the reader knows best); 0, or -1 when missing. */
	int (*read)(const struct check_ctx *ctx, const struct check_def *def, struct check_result *r);
	/* NULL: judged by the pass/warn rules below; else a judge of its own. */
	void (*judge)(const struct check_ctx *ctx, struct check_result *r);
	const char *pass;        /* rules (see check_rule_match): the values that pass */
	const char *warn;        /* the values that warn; anything else fails */
	enum check_status missing; /* the status when the source does not exist */
	const char *missing_note;
	const char *recommended;
	const char *fix_value;   /* the sysctl value --fix sets; NULL: fixed by hand (see fix) */
	const char *fix;         /* how to fix, in words, when it is not one sysctl */
	const char *why;
};

extern const struct check_def check_table[];
extern const size_t check_count;

const struct check_def *check_find(const char *id);

/* Runs one check: read, then judge. */
void check_run(const struct check_ctx *ctx, const struct check_def *def, struct check_result *r);

/* Does value match a rule list such as "1,2", ">=2", "<=1073741824", "3-5" or "integrity"?
 * Numbers compare as numbers, anything else as exact strings; an empty or NULL list matches
 * nothing. */
bool check_rule_match(const char *rules, const char *value);

const char *check_status_name(enum check_status s);
const char *check_severity_name(enum check_severity s);
/* 0 and the severity, or -1 for an unknown name. */
int check_severity_parse(const char *s, enum check_severity *out);

/* Score out of 100: each scored check weighs its severity; warn earns half. */
int check_score(const struct check_result *r, size_t n);

/* Files under the root. */
/* root + rel into buf; rel starts with '/'. */
void check_root_path(const struct check_ctx *ctx, const char *rel, char *buf, size_t len);
/* The first line of a file under the root without its newline: 0, or -1 if it cannot be read. */
int check_read_line(const struct check_ctx *ctx, const char *rel, char *buf, size_t len);
bool check_root_exists(const struct check_ctx *ctx, const char *rel);
/* "kernel.kptr_restrict" -> "/proc/sys/kernel/kptr_restrict" */
void check_sysctl_path(const char *key, char *buf, size_t len);
/* The value of CONFIG_<name> in the kernel's config (/proc/config.gz, /boot/config-RELEASE):
 * 1 and the value ("y", "m", a string) in buf, 0 if the config says it is not set, -1 if no
 * config could be read. */
int check_kernel_config(const struct check_ctx *ctx, const char *name, char *buf, size_t len);

/* Which of names are symbols in /proc/kallsyms under the root: 0 and found[], or -1 if it cannot
 * be read (or is empty). */
int check_kallsyms_has(const struct check_ctx *ctx, const char *const *names, size_t n, bool *found);

/* The fix: a shell script of sysctl lines and a sysctl.d file, written to b. */
void check_fix_script(const struct check_result *r, size_t n, const char *sysctl_file,
		      struct sbuf *b);
/* Carries the fix out under the root: writes each sysctl, then the sysctl.d file. Prints one line
 * per action; returns the number of actions that failed. */
int check_fix_apply(const struct check_ctx *ctx, const struct check_result *r, size_t n,
		    const char *sysctl_file);
/* The "how to fix" text of one result, e.g. "sysctl -w kernel.kptr_restrict=1". */
void check_fix_text(const struct check_result *r, char *buf, size_t len);

int cmd_check(int argc, char **argv);

#endif
