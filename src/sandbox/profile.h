/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Docker/OCI seccomp profiles, parsed with jansson into a checked, kernel-independent form.
 * Every error names the JSON path of the problem ("syscalls[3].args[0].op: ...") so that a bad
 * profile is refused before anything runs. Building the libseccomp filter is seccomp_filter.h.
 */
#ifndef VIGIL_SANDBOX_PROFILE_H
#define VIGIL_SANDBOX_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

enum sb_action {
	SB_ACT_ALLOW,
	SB_ACT_ERRNO,
	SB_ACT_KILL_THREAD,
	SB_ACT_KILL_PROCESS,
	SB_ACT_TRAP,
	SB_ACT_TRACE,
	SB_ACT_LOG,
	SB_ACT_NOTIFY,
	SB_ACT_COUNT,
};

/* "SCMP_ACT_ERRNO"; SB_ACT_KILL_THREAD is also spelled SCMP_ACT_KILL. */
const char *sb_action_name(enum sb_action a);
/* -1 if unknown. */
int sb_action_from_name(const char *name);

#define PROFILE_ARGS_MAX 6
#define PROFILE_ARCH_MAX 24
#define PROFILE_ERRNO_MAX 4095 /* the kernel's MAX_ERRNO */
#define PROFILE_PATH_LEN 96    /* "syscalls[123].names[45]" and the like */

struct profile_arg {
	unsigned index;         /* 0..5 */
	uint64_t value;         /* MASKED_EQ: the mask */
	uint64_t value_two;     /* MASKED_EQ: the value compared after masking */
	enum scmp_compare op;
};

/* includes / excludes: a rule applies when the includes hold and no exclude does. */
struct profile_cond {
	uint64_t caps;          /* capability bits; includes: all of them, excludes: any */
	uint32_t arches[PROFILE_ARCH_MAX]; /* libseccomp SCMP_ARCH_* tokens */
	size_t narches;
	unsigned min_kernel;    /* (major << 16) | minor; 0: none */
};

struct profile_rule {
	char **names;
	size_t nnames;
	enum sb_action action;
	int errno_ret;          /* -1: not given */
	struct profile_arg args[PROFILE_ARGS_MAX];
	size_t nargs;
	struct profile_cond includes, excludes;
	char where[PROFILE_PATH_LEN]; /* "syscalls[3]", for later error messages */
};

/* archMap: the sub-architectures to add when the machine is `arch`. */
struct profile_arch_map {
	uint32_t arch;
	uint32_t subs[PROFILE_ARCH_MAX];
	size_t nsubs;
};

struct profile {
	enum sb_action default_action;
	int default_errno;      /* -1: not given */
	uint32_t arches[PROFILE_ARCH_MAX];
	size_t narches;
	struct profile_arch_map arch_map[PROFILE_ARCH_MAX];
	size_t narch_map;
	struct profile_rule *rules;
	size_t nrules;
	bool flag_log;          /* flags: SECCOMP_FILTER_FLAG_LOG */
	bool flag_spec_allow;   /* flags: SECCOMP_FILTER_FLAG_SPEC_ALLOW */
	char **skipped;         /* PROFILE_SKIP_UNKNOWN: "syscalls[3].names[2] 'mseal'" each */
	size_t nskipped;
};

/* Leave out syscall names libseccomp does not know (newer than it) instead of refusing them. */
#define PROFILE_SKIP_UNKNOWN 1u

/* 0, or -1 with "JSON.PATH: what is wrong" in err (nothing allocated is left behind). */
int profile_parse_string(const char *json, struct profile *p, char *err, size_t errlen);
/* As above; err also names the file ("P.json: syscalls[0].action: ..."). */
int profile_parse_file(const char *path, struct profile *p, char *err, size_t errlen);
/* The same, with PROFILE_* flags. */
int profile_parse_file_flags(const char *path, unsigned flags, struct profile *p, char *err,
			     size_t errlen);
void profile_free(struct profile *p);

/* "CAP_SYS_ADMIN" -> 21; -1 if unknown. */
int capability_from_name(const char *name);
/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64; 0 if unknown. */
uint32_t arch_from_name(const char *name);
/* SCMP_ARCH_X86_64 -> "SCMP_ARCH_X86_64"; NULL if unknown. */
const char *arch_name(uint32_t arch);

#endif
