/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "filter.h"
#include "out.h"

struct run_opts {
	enum out_format format;
	bool format_set;
	const char *output;
	double duration;
	uint64_t kinds;
	uint64_t ringbuf_size;
	bool ancestors;
	bool threads;
	bool verbose;
	struct filter filter;
};

void run_opts_init(struct run_opts *o);
/* Parses `vigil run` options; returns 0 or the argp error (usage errors exit 2 via argp). */
int run_opts_parse(struct run_opts *o, int argc, char **argv);
error_t run_parse_opt(int key, char *arg, struct argp_state *state);
int agent_run(const struct run_opts *o);
int cmd_run(int argc, char **argv);

#endif
