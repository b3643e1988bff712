/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Starting the sandboxed command: fork, then in the child a new audit session, Landlock, the
 * seccomp filter, and exec. Between loading the filter and exec the child makes no syscall but
 * execve itself (the filter applies to it already): the notification listener is taken by the
 * parent with pidfd_getfd while the child waits on shared memory, and an exec failure is reported
 * the same way.
 */
#ifndef VIGIL_SANDBOX_LAUNCH_H
#define VIGIL_SANDBOX_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <seccomp.h>

#include "sandbox/landlock.h"

struct sock_fprog;

/* The filter as the kernel takes it, exported from libseccomp in the parent. */
struct bpf_filter {
	struct sock_fprog *prog;
	unsigned flags;       /* SECCOMP_FILTER_FLAG_* */
	bool notify;          /* ask for a listener */
};

/* 0, or -1 with a message. */
int bpf_filter_export(scmp_filter_ctx ctx, bool notify, bool spec_allow, struct bpf_filter *f,
		      char *err, size_t errlen);
void bpf_filter_free(struct bpf_filter *f);

struct launch {
	pid_t pid;
	int pidfd;
	int listener;         /* ours (pidfd_getfd), -1 without NOTIFY */
	int exec_errno;       /* set after the child exited if its exec failed */
	struct launch_shared *shared;
};

/* Starts argv[0] (searched in PATH) under the filter and plan. 0, or -1 with a message; when the
 * child fails before exec it has printed why and the exit status says so. */
int launch_start(struct launch *l, char *const argv[], const struct bpf_filter *f,
		 const struct landlock_plan *plan, char *err, size_t errlen);
/* The child's audit session (set before its filter), UINT32_MAX if it has none (yet). */
uint32_t launch_session(const struct launch *l);
/* After the child is reaped: did exec fail, and with what errno (0: it ran). */
int launch_exec_errno(const struct launch *l);
void launch_free(struct launch *l);

/* Exit status of vigil for the child's wait status: its code, or 128 + signal. */
int exit_code_of(int status);

#endif
