/* SPDX-License-Identifier: GPL-2.0-only */
/* What the running kernel offers, found by trying each feature (vigil probe). */
#ifndef VIGIL_PROBE_H
#define VIGIL_PROBE_H

#include <stdbool.h>

#include "out.h"

enum feature {
	FEAT_BTF,
	FEAT_RINGBUF,
	FEAT_TP_BTF,
	FEAT_RAW_TP,
	FEAT_TRACEPOINT,
	FEAT_KPROBE,
	FEAT_FENTRY,
	FEAT_LSM,
	FEAT_UPROBE,
	FEAT_TASK_ITER,
	FEAT_CGROUP_V2,
	FEAT_SEND_SIGNAL,
	FEAT_XDP,
	FEAT_MODULES,
	FEAT_LOCKDOWN,
	FEAT_COUNT,
};

struct feature_result {
	bool available;
	char detail[160];
};

struct probe_result {
	struct feature_result f[FEAT_COUNT];
	char cgroup2_path[256];
	char lockdown[32];
	char lsms[256];
};

/* Mounts tracefs and securityfs where they are missing (vigil needs the first, reads the second).
 * Returns 0, or -errno with a message in err. */
int kernel_fs_ensure(char *err, size_t errlen);
/* The BPF filesystem pins live in; mounted (with one line on stderr) when it is not there.
 * 0, or -errno with a message. */
#define BPFFS_PATH "/sys/fs/bpf"
int kernel_bpffs_ensure(char *err, size_t errlen);

/* Runs every probe. Needs root; prints nothing. */
void probe_run(struct probe_result *r);

/* A BPF LSM program loads and attaches here (the enforcement's choice of mechanism). */
bool probe_bpf_lsm(void);

const char *feature_name(enum feature f);
void probe_print_table(const struct probe_result *r);
void probe_write_json(const struct probe_result *r, struct out *o);

int cmd_probe(int argc, char **argv);

#endif
