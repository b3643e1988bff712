/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user-notification supervisor: syscalls the profile sends to SCMP_ACT_NOTIFY wait in the
 * kernel until vigil answers. vigil reads what the call is about (the path of an open, the address
 * of a connect) from the caller's memory, checking after each read that the notification is still
 * live (the caller may have died and its pid been reused), asks the policies, answers "continue"
 * or an errno, and reports the decision as a seccomp.notify event.
 */
#ifndef VIGIL_SANDBOX_NOTIFY_H
#define VIGIL_SANDBOX_NOTIFY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "out.h"

enum notify_subject {
	NOTIFY_SUBJECT_NONE,    /* a syscall whose arguments vigil does not interpret */
	NOTIFY_SUBJECT_PATH,    /* open, openat, openat2, creat: the path */
	NOTIFY_SUBJECT_ADDRESS, /* connect: the socket address */
};

/* One notified syscall, with what vigil could read of it. */
struct notify_call {
	uint64_t id;            /* the kernel's notification cookie */
	uint32_t tid, tgid;
	int nr;
	uint32_t arch;
	const char *name;       /* "openat"; "?" if libseccomp does not know it */
	uint64_t args[6];
	char comm[16];
	enum notify_subject subject;
	bool subject_ok;        /* false: the arguments could not be read (subject_error says why) */
	int subject_error;
	char path[PATH_MAX];    /* as given, made absolute against the dirfd or cwd, . and .. folded */
	char real_path[PATH_MAX]; /* the same with symlinks resolved as they are now ("" if none) */
	struct sockaddr_storage addr;
	unsigned addrlen;
};

struct notify_verdict {
	bool deny;
	int error;              /* errno when denied */
	char rule[160];         /* what decided, for the event */
};

/*
 * The decision interface: the rule engine plugs in here. decide() returns 1 when it decided
 * (verdict filled), 0 to leave the call to the next policy. When none decides, the call goes on.
 */
struct notify_policy {
	const char *name;
	int (*decide)(void *ctx, const struct notify_call *call, struct notify_verdict *v);
	void *ctx;
};

struct notify_stats {
	uint64_t received, allowed, denied, stale; /* stale: the caller went away before the answer */
};

struct notify_supervisor {
	int fd;                                 /* the listener */
	const struct notify_policy *policies;
	size_t npolicies;
	struct out *out;                        /* seccomp.notify events go here */
	void (*flush)(void *ctx);
	void *flush_ctx;
	struct notify_stats stats;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

/* 0 or -errno. */
int notify_supervisor_init(struct notify_supervisor *s, int fd);
/* Handles one pending notification (call when fd is readable). 0, or -errno if the listener is
 * gone (every filtered task has exited). */
int notify_supervisor_handle(struct notify_supervisor *s);
void notify_supervisor_free(struct notify_supervisor *s);

/* Fills call->subject from the caller's memory (exposed for the tests). 0 or -errno. */
int notify_read_subject(int listener, struct notify_call *call);

/* Lexically absolute: base + "/" + rel with "." and ".." folded ("/a/b/../c" -> "/a/c"). */
void path_fold(char *out, size_t outlen, const char *base, const char *rel);

#endif
