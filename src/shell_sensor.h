/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user side of the shell and terminal sensors (src/bpf/shell.bpf.c, src/bpf/tty.bpf.c):
 * what a run asks of them, and the steps the generic loader cannot do for them: attaching the
 * readline uretprobe by binary and symbol, the table of tty majors, the followed processes.
 */
#ifndef VIGIL_SHELL_SENSOR_H
#define VIGIL_SHELL_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHELL_DEFAULT_BASH "/bin/bash"

struct shell_params {
	const char *bash_path;   /* shell.command: the bash whose readline is probed; NULL: /bin/bash */
	uint32_t follow_tgid;    /* process.output: the process followed; 0: none */
	bool follow_self_only;   /* process.output: not its descendants (shellsnoop -s) */
	uint32_t tty_dev;        /* tty.write: only this terminal (kernel dev_t); 0: every one */
};

struct sensors;
struct sensor_state;
struct sensors_config;

/* sensor_def callbacks (src/sensors.c). */
int shell_attach_readline(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen);
int tty_configure(struct sensors *s, const struct sensors_config *cfg, char *err, size_t errlen);
int tty_attach(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen);
int output_configure(struct sensors *s, const struct sensors_config *cfg, char *err, size_t errlen);
int output_attach(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen);

/* Parsers, exposed for tests. */
/* The majors of /proc/tty/drivers' text (one driver a line: name, node, major, minors, type). */
int tty_majors_parse(const char *text, bool majors[4096]);
/* Kernel dev_t (major << 20 | minor) from a user-space one. */
uint32_t kernel_dev(uint64_t dev);
/* Every tgid in /proc whose ancestry reaches root (root excluded); returns how many, or -errno. */
int proc_descendants(const char *procfs, uint32_t root, uint32_t *out, size_t max);

#endif
