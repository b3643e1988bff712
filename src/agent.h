/* SPDX-License-Identifier: GPL-2.0-only */
/* vigil run: the agent's command line. */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include "session.h"

/* Parses `vigil run` options into o; 0, or the argp error (usage errors exit 2). */
int run_opts_parse(struct run_opts *o, int argc, char **argv);
/* Adds comma-separated kind names to *kinds; 0, or -1 with a message. */
int parse_kind_list(const char *list, uint64_t *kinds, char *err, size_t errlen);
int cmd_run(int argc, char **argv);
/* The `vigil run` option tables (the configuration file's keys, the man page, completion). */
const struct argp *run_argp_get(void);
/* Parses a `vigil run` argv without running or exiting: NULL if it is valid, else argp's
 * complaint (malloc'ed). */
char *run_check_args(int argc, char **argv);

#endif
