// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exact privilege and kernel-activity syscalls for the end-to-end tests, one operation per run:
 *   priv_ops setuid                 setresgid/setresuid to 65534, then a refused setuid(0)
 *   priv_ops capable                drop to 65534, map private writable memory (a silent
 *                                   CAP_SYS_ADMIN probe), then sethostname (refused, audited)
 *   priv_ops capset                 drop CAP_SYS_ADMIN from the effective set with capset
 *   priv_ops bpf NAME               load a socket filter and create an array map named NAME
 *   priv_ops mount DIR SOURCE       private mount namespace; tmpfs SOURCE on DIR, then umount
 *   priv_ops fsmount DIR SOURCE     the same with fsopen/fsconfig/fsmount/move_mount
 *   priv_ops ptrace                 attach to a child, detach; prints the child's pid
 *   priv_ops unshare                unshare(CLONE_NEWUTS | CLONE_NEWIPC)
 *   priv_ops memfd NAME             memfd_create(NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING)
 *   priv_ops eperm N M PATH         drop to 65534; N refused sethostname (EPERM), M refused
 *                                   opens of PATH (EACCES)
 *   priv_ops execfail PATH ARG...   execve(PATH, {PATH, ARG...}) that fails
 * Waits for a line on stdin first when VIGIL_WAIT is set (so a test can learn the pid first).
 * Exits 0 when every step did what it should, 1 otherwise (with the reason on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534

static int fail(const char *what)
{
	fprintf(stderr, "priv_ops: %s: %s\n", what, strerror(errno));
	return 1;
}

static int expect_errno(long rc, int err, const char *what)
{
	if (rc != -1 || errno != err) {
		fprintf(stderr, "priv_ops: %s: expected %s, got rc %ld (%s)\n", what, strerror(err), rc,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int drop_to_nobody(void)
{
	if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
		return fail("dropping to 65534");
	return 0;
}

static int op_setuid(void)
{
	if (drop_to_nobody())
		return 1;
	return expect_errno(syscall(SYS_setuid, 0), EPERM, "setuid(0)");
}

static int op_capable(void)
{
	void *p;

	if (drop_to_nobody())
		return 1;
	/* the overcommit accounting asks for CAP_SYS_ADMIN without audit */
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap");
	munmap(p, 1 << 20);
	return expect_errno(sethostname("vigil", 5), EPERM, "sethostname");
}

static int op_capset(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return fail("capget");
	data[0].effective &= ~(1u << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		return fail("capset");
	return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int op_bpf(const char *name)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0)
		return fail("BPF_PROG_LOAD");
	close((int)fd);

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 7;
	strncpy(attr.map_name, name, sizeof(attr.map_name) - 1);
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		return fail("BPF_MAP_CREATE");
	close((int)fd);
	return 0;
}

static int private_mounts(void)
{
	if (unshare(CLONE_NEWNS))
		return fail("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return fail("making / private");
	return 0;
}

static int op_mount(const char *dir, const char *source)
{
	if (private_mounts())
		return 1;
	if (mount(source, dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m"))
		return fail("mount");
	if (umount2(dir, MNT_DETACH))
		return fail("umount2");
	return 0;
}

static int op_fsmount(const char *dir, const char *source)
{
	int fs, mnt;

	if (private_mounts())
		return 1;
	fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return fail("fsopen");
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", source, 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return fail("fsconfig");
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return fail("fsmount");
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH))
		return fail("move_mount");
	if (umount2(dir, MNT_DETACH))
		return fail("umount2");
	return 0;
}

static int op_ptrace(void)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		return fail("fork");
	if (child == 0) {
		for (;;)
			pause();
	}
	printf("%d\n", child);
	fflush(stdout);
	if (ptrace(PTRACE_ATTACH, child, NULL, NULL))
		return fail("PTRACE_ATTACH");
	if (waitpid(child, &status, 0) != child)
		return fail("waitpid");
	if (ptrace(PTRACE_DETACH, child, NULL, NULL))
		return fail("PTRACE_DETACH");
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	return 0;
}

static int op_unshare(void)
{
	if (unshare(CLONE_NEWUTS | CLONE_NEWIPC))
		return fail("unshare");
	return 0;
}

static int op_memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return fail("memfd_create");
	close(fd);
	return 0;
}

static int op_eperm(int n, int m, const char *path)
{
	if (drop_to_nobody())
		return 1;
	for (int i = 0; i < n; i++)
		if (expect_errno(sethostname("vigil", 5), EPERM, "sethostname"))
			return 1;
	for (int i = 0; i < m; i++)
		if (expect_errno(open(path, O_RDONLY), EACCES, "open"))
			return 1;
	return 0;
}

static int op_execfail(char **argv)
{
	char *envp[] = { NULL };

	execve(argv[0], argv, envp); /* argv[0] is PATH */
	return 0; /* the test checks the errno the event reports */
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";

	if (getenv("VIGIL_WAIT")) {
		char line[16];
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	if (!strcmp(op, "setuid"))
		return op_setuid();
	if (!strcmp(op, "capable"))
		return op_capable();
	if (!strcmp(op, "capset"))
		return op_capset();
	if (!strcmp(op, "bpf") && argc == 3)
		return op_bpf(argv[2]);
	if (!strcmp(op, "mount") && argc == 4)
		return op_mount(argv[2], argv[3]);
	if (!strcmp(op, "fsmount") && argc == 4)
		return op_fsmount(argv[2], argv[3]);
	if (!strcmp(op, "ptrace"))
		return op_ptrace();
	if (!strcmp(op, "unshare"))
		return op_unshare();
	if (!strcmp(op, "memfd") && argc == 3)
		return op_memfd(argv[2]);
	if (!strcmp(op, "eperm") && argc == 5)
		return op_eperm(atoi(argv[2]), atoi(argv[3]), argv[4]);
	if (!strcmp(op, "execfail") && argc >= 4)
		return op_execfail(argv + 2);
	fprintf(stderr, "usage: priv_ops OPERATION [ARGS] (see the source)\n");
	return 2;
}
