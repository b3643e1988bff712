/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * seccomp.violation's source: the kernel's seccomp audit records (type 1326), which a filter with
 * the log flag produces for every action but ALLOW. vigil reads them from the audit netlink
 * multicast group (read-only, CAP_AUDIT_READ, no audit daemon needed and none disturbed), and
 * keeps those of the sandbox's own audit session (or, without one, of its first process).
 */
#ifndef VIGIL_SANDBOX_AUDIT_H
#define VIGIL_SANDBOX_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox/sandbox_events.h"

typedef void (*violation_fn)(const struct violation *v, void *ctx);

struct audit_reader {
	int fd;
	uint32_t ses;        /* keep records of this audit session ... */
	uint32_t tgid;       /* ... or, when ses is unset (UINT32_MAX), of this process */
	uint32_t sentinel;   /* the flush's own process: its record ends a flush */
	bool sentinel_seen;
	uint64_t records;    /* seccomp records read (all sessions) */
	uint64_t kept;
	uint64_t notify_records; /* NOTIFY records: reported as seccomp.notify instead */
};

/* 0, or -1 with a message (no CAP_AUDIT_READ, no audit in the kernel). */
int audit_reader_open(struct audit_reader *r, char *err, size_t errlen);
/* Reads what is pending without blocking; calls fn for each violation kept. */
void audit_reader_drain(struct audit_reader *r, violation_fn fn, void *ctx);
/*
 * Records reach the socket from the kernel's audit thread, after the syscall that caused them.
 * To know that all of the sandbox's records have arrived, a short-lived process makes one logged
 * syscall of its own: the audit queue is in order, so once its record is read, so are the earlier
 * ones. Waits at most timeout_ms. true if the sentinel was seen.
 */
bool audit_reader_flush(struct audit_reader *r, violation_fn fn, void *ctx, int timeout_ms);
void audit_reader_close(struct audit_reader *r);

/* The seccomp actions the kernel does not log (missing from /proc/sys/kernel/seccomp/
 * actions_logged), space-separated, in missing; empty when all are logged. */
void audit_actions_not_logged(char *missing, size_t len);
/* The same for the text of that file (for the tests). */
void audit_actions_missing_from(const char *logged, char *missing, size_t len);

/* Parses the text of a type-1326 record. 0 or -1. */
int audit_parse_seccomp(const char *text, size_t len, struct violation *v);

/* In the sandboxed child, before the filter: a new audit session for the sandbox (sets loginuid
 * to itself, or to the uid when unset). Returns the session id, or UINT32_MAX if it could not. */
uint32_t audit_new_session(void);

#endif
