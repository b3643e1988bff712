/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --output SPEC: which sink, where, and its options (docs/outputs.md). A plain path is a file,
 * "-" is stdout; otherwise SCHEME:[//HOST[:PORT]][PATH][?OPT[=VALUE][&...]].
 */
#ifndef VIGIL_OUTPUT_SPEC_H
#define VIGIL_OUTPUT_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum output_type {
	OT_STDOUT,
	OT_FILE,
	OT_SYSLOG_UNIX, /* syslog:///dev/log */
	OT_SYSLOG_UDP,
	OT_SYSLOG_TCP,
	OT_SYSLOG_TLS,
	OT_HTTP, /* http:// or https://, body format below */
	OT_CLICKHOUSE,
};

enum http_format {
	HF_NDJSON,
	HF_ES_BULK,
	HF_SPLUNK_HEC,
};

#define SPEC_KINDS_MAX 32
#define SPEC_OPTS_MAX 24

struct output_spec {
	char *text;           /* the spec as given (owned copy, credentials never appear in it) */
	enum output_type type;
	char name[64];        /* name= or derived: used in agent.stats, agent.sink and the spool */
	char *host;           /* network sinks */
	uint16_t port;
	char *path;           /* file path, unix socket path, or URL path (with its leading /) */
	bool tls;             /* https, clickhouse+https, syslog+tls */
	/* selection */
	char *kinds[SPEC_KINDS_MAX]; /* exact kind names, or "prefix." for "prefix.*" */
	size_t nkinds;
	int min_severity;     /* -1: no minimum; else 0 info .. 4 critical */
	/* file */
	uint64_t rotate;      /* bytes; 0: no rotation */
	unsigned keep;        /* rotated files kept */
	bool gzip;            /* files: gzip rotated files; http: gzip request bodies */
	/* network */
	uint64_t queue;       /* memory queue bytes */
	uint64_t spool_max;   /* spool cap in bytes; 0: no spool */
	uint64_t batch;       /* bytes per send (http) */
	double flush_s;       /* http: send a partial batch after this long */
	double timeout_s;     /* connect/send timeout */
	double retry_max_s;   /* backoff ceiling */
	char *ca, *cert, *key, *server_name;
	int facility;         /* syslog facility number */
	enum http_format http_format;
	char *index;          /* es-bulk: _index of every document */
	char *user;           /* http basic auth / ClickHouse user */
	char *token_file, *token_env, *password_file, *password_env;
	char *table;          /* clickhouse: db.table */
};

/* Parses one --output value. 0, or -1 with one line in err (no "vigil:" prefix). */
int output_spec_parse(const char *text, struct output_spec *s, char *err, size_t errlen);
void output_spec_free(struct output_spec *s);
bool output_spec_is_network(const struct output_spec *s);
/* "info".."critical" -> 0..4; -1 if unknown. */
int severity_rank(const char *name, size_t n);
/* 100, 4K, 100M, 1G (powers of 1024). 0, or -1. */
int parse_byte_size(const char *s, uint64_t *out);
/* Does the spec's kind selection let this kind through? */
bool output_spec_wants_kind(const struct output_spec *s, const char *kind, size_t n);

#endif
