/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared command-line plumbing: argp with vigil's conventions, and value parsers that check
 * ranges and say what was wrong. */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#define VIGIL_VERSION "0.1.0"

/* argp_parse with exit status 2 for usage errors; returns 0 or the argp error. */
int cli_parse(const struct argp *argp, int argc, char **argv, void *input);

/* Value parsers: 0 on success, or -1 with a message in err ("expected ..., got '...'"). */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen);
int parse_seconds(const char *s, double *out, char *err, size_t errlen);
/* A byte count with an optional K, M or G suffix; must be a power of two in [min, max]. */
int parse_pow2_size(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err,
		    size_t errlen);

/* Reports a bad option value through argp (usage error, exit 2). */
void cli_bad_value(struct argp_state *state, const char *option, const char *why);

/* Checks that BPF can be loaded: root or CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN). Prints one line
 * and returns -1 if not. */
int require_bpf_privileges(void);

#endif
