// SPDX-License-Identifier: GPL-2.0-only
#include "sandbox/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/audit.h"

enum stage {
	STAGE_SETUP = 0,
	STAGE_LISTENER,  /* the child's listener fd is in shared->listener */
	STAGE_TAKEN,     /* the parent has its own copy: go on */
	STAGE_EXEC_FAILED,
};

/* One shared page: the only channel while the child must not make syscalls. */
struct launch_shared {
	int stage;
	int listener;
	int exec_errno;
	uint32_t ses;
};

int bpf_filter_export(scmp_filter_ctx ctx, bool notify, bool spec_allow, struct bpf_filter *f,
		      char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	int fd = memfd_create("vigil-seccomp", MFD_CLOEXEC);
	int rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	off_t size = rc ? 0 : lseek(fd, 0, SEEK_END);

	if (rc || size <= 0 || size % sizeof(struct sock_filter)) {
		snprintf(err, errlen, "exporting the seccomp filter failed: %s",
			 strerror(rc ? -rc : EINVAL));
		goto fail;
	}
	f->prog = calloc(1, sizeof(*f->prog));
	struct sock_filter *insns = malloc((size_t)size);
	if (!f->prog || !insns || pread(fd, insns, (size_t)size, 0) != size) {
		free(insns);
		snprintf(err, errlen, "reading the exported seccomp filter failed");
		goto fail;
	}
	f->prog->len = (unsigned short)(size / sizeof(struct sock_filter));
	f->prog->filter = insns;
	f->flags = SECCOMP_FILTER_FLAG_LOG | (spec_allow ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0) |
		   (notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
	f->notify = notify;
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	bpf_filter_free(f);
	return -1;
}

void bpf_filter_free(struct bpf_filter *f)
{
	if (f->prog)
		free(f->prog->filter);
	free(f->prog);
	f->prog = NULL;
}

static int load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static __attribute__((noreturn)) void child(struct launch_shared *sh, char *const argv[],
					    const struct bpf_filter *f, const struct landlock_plan *plan)
{
	__atomic_store_n(&sh->ses, audit_new_session(), __ATOMIC_RELEASE);
	int rc = landlock_enforce(plan);
	if (rc) {
		fprintf(stderr, "vigil: applying the Landlock ruleset failed: %s\n", strerror(-rc));
		_exit(125);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "vigil: setting no_new_privs failed: %s\n", strerror(errno));
		_exit(125);
	}
	/* from here on the filter applies to us: nothing but execve */
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, f->prog);
	if (fd < 0) {
		fprintf(stderr, "vigil: loading the seccomp filter failed: %s\n", strerror(errno));
		_exit(125);
	}
	if (f->notify) {
		sh->listener = (int)fd;
		store(&sh->stage, STAGE_LISTENER);
		while (load(&sh->stage) != STAGE_TAKEN)
			__builtin_ia32_pause();
	}
	execvp(argv[0], argv);
	sh->exec_errno = errno;
	store(&sh->stage, STAGE_EXEC_FAILED);
	_exit(errno == ENOENT ? 127 : 126);
}

/* Waits for the child's listener; fails if the child dies first. */
static int take_listener(struct launch *l, char *err, size_t errlen)
{
	struct timespec nap = { 0, 50 * 1000 };
	int status;

	while (load(&l->shared->stage) != STAGE_LISTENER) {
		pid_t w = waitpid(l->pid, &status, WNOHANG);
		if (w == l->pid) {
			l->pid = -1;
			snprintf(err, errlen, "the sandboxed process ended before its filter was in place (exit status %d)",
				 exit_code_of(status));
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	l->listener = (int)syscall(SYS_pidfd_getfd, l->pidfd, l->shared->listener, 0);
	if (l->listener < 0) {
		snprintf(err, errlen, "taking the notification listener failed: %s", strerror(errno));
		return -1;
	}
	fcntl(l->listener, F_SETFD, FD_CLOEXEC);
	store(&l->shared->stage, STAGE_TAKEN);
	return 0;
}

int launch_start(struct launch *l, char *const argv[], const struct bpf_filter *f,
		 const struct landlock_plan *plan, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->pid = -1;
	l->pidfd = -1;
	l->listener = -1;
	l->shared = mmap(NULL, sizeof(*l->shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
	if (l->shared == MAP_FAILED) {
		l->shared = NULL;
		snprintf(err, errlen, "cannot map the shared page: %s", strerror(errno));
		return -1;
	}
	l->shared->ses = UINT32_MAX;
	fflush(NULL);
	l->pid = fork();
	if (l->pid < 0) {
		snprintf(err, errlen, "fork failed: %s", strerror(errno));
		return -1;
	}
	if (l->pid == 0)
		child(l->shared, argv, f, plan);
	l->pidfd = (int)syscall(SYS_pidfd_open, l->pid, 0);
	if (l->pidfd < 0) {
		snprintf(err, errlen, "pidfd_open failed: %s", strerror(errno));
		kill(l->pid, SIGKILL);
		return -1;
	}
	if (f->notify && take_listener(l, err, errlen)) {
		if (l->pid > 0)
			kill(l->pid, SIGKILL);
		return -1;
	}
	return 0;
}

uint32_t launch_session(const struct launch *l)
{
	return l->shared ? __atomic_load_n(&l->shared->ses, __ATOMIC_ACQUIRE) : UINT32_MAX;
}

int launch_exec_errno(const struct launch *l)
{
	return l->shared && load(&l->shared->stage) == STAGE_EXEC_FAILED ? l->shared->exec_errno : 0;
}

void launch_free(struct launch *l)
{
	if (l->listener >= 0)
		close(l->listener);
	if (l->pidfd >= 0)
		close(l->pidfd);
	if (l->shared)
		munmap(l->shared, sizeof(*l->shared));
	memset(l, 0, sizeof(*l));
	l->listener = l->pidfd = -1;
}

int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
