/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sensors: one lifecycle (open -> configure -> load -> attach -> destroy) for every group of
 * BPF programs in the one object. Each hook is compiled for several attach methods; the loader
 * picks, per hook, the best one `vigil probe` found working, and switches the others off.
 */
#ifndef VIGIL_SENSORS_H
#define VIGIL_SENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "probe.h"
#include "shell_sensor.h"
#include "vigil/abi.h"

enum attach_method {
	ATTACH_TP_BTF,
	ATTACH_RAW_TP,
	ATTACH_TRACEPOINT,
	ATTACH_UPROBE, /* needs the sensor's own attach: a binary and a symbol */
	ATTACH_FEXIT,  /* a kernel function's exit with its arguments (where fentry works) */
	ATTACH_METHOD_COUNT,
	ATTACH_UNAVAILABLE = ATTACH_METHOD_COUNT,
};

const char *attach_method_name(enum attach_method m);

#define SENSOR_MAX_HOOKS 12 /* file_names and file_attrs: one exit tracepoint per syscall */
#define SENSORS_MAX 32
#define FEATURE_BIT(f) (1u << (f))

struct sensors;
struct sensors_config;
struct sensor_state;

struct sensor_def {
	const char *name;
	uint64_t kinds;                          /* bits of enum vigil_kind */
	const char *hooks[SENSOR_MAX_HOOKS];     /* program base names: "exec" -> exec_btf, ... */
	const char *events[SENSOR_MAX_HOOKS];    /* the kernel event each hook attaches to */
	uint32_t needs; /* FEATURE_BIT()s it cannot work without: their absence is its reason */
	uint32_t optional; /* bits of hooks[] a kernel may lack (a newer syscall): skipped there */
	/* Optional, for what the generic path cannot do. configure: between open and load (rodata).
	 * attach: instead of attaching each hook (uprobes; maps filled first); it may call
	 * sensors_attach_hooks. Both return 0, or -1 with one line in err. */
	int (*configure)(struct sensors *s, const struct sensors_config *cfg, char *err, size_t errlen);
	int (*attach)(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen);
};

struct sensor_state {
	const struct sensor_def *def;
	bool wanted;                /* some requested kind comes from it */
	enum attach_method method;  /* ATTACH_UNAVAILABLE if it cannot run here */
	uint32_t skipped;           /* optional hooks this kernel lacks */
	char why[320];              /* when unavailable */
};

struct sensors_config {
	uint64_t kinds;       /* requested kinds */
	uint64_t ringbuf_size;
	bool fork_threads;
	bool verbose;
	struct shell_params shell; /* shell.command, tty.write, process.output */
	bool cap_noaudit;          /* priv.capable: also the checks made without audit */
	bool strict;               /* every wanted sensor must run (tools, --kind): no degrading */
};

struct vigil_bpf;
struct bpf_link;

struct sensors {
	struct vigil_bpf *skel;
	struct sensors_config cfg;
	struct sensor_state st[SENSORS_MAX];
	size_t count;
	struct bpf_link *links[SENSORS_MAX * SENSOR_MAX_HOOKS];
	size_t nlinks;
	uint64_t kinds_loaded;
};

/* Opens, configures and loads what cfg asks for. 0, or -1 with one line in err. */
int sensors_load(struct sensors *s, const struct sensors_config *cfg, const struct probe_result *probe,
		 char *err, size_t errlen);
int sensors_attach(struct sensors *s, char *err, size_t errlen);
/* Attaches each hook of one sensor with its chosen method (for a sensor's own attach). */
int sensors_attach_hooks(struct sensors *s, const struct sensor_state *st, char *err, size_t errlen);
/* Detaches every program: once it returns, no more events are produced. */
void sensors_detach(struct sensors *s);
void sensors_destroy(struct sensors *s);

/* Runs the task iterator: calls fn for every seed record. Returns records seen, or -errno. */
int sensors_seed(struct sensors *s, void (*fn)(const void *rec, size_t size, void *ctx), void *ctx);

int sensors_ringbuf_fd(const struct sensors *s);
/* Sums the per-CPU counters of every kind. */
int sensors_read_stats(const struct sensors *s, struct vigil_kind_stats out[VIGIL_KIND_MAX]);
/* agent.ready's "sensors" array. */
void sensors_describe(const struct sensors *s, struct out *o);

#endif
