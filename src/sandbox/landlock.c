// SPDX-License-Identifier: GPL-2.0-only
#include "sandbox/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/landlock.h>

/* Rights by the ABI version that introduced them (the system headers may be older). */
#define LL_EXECUTE (1ULL << 0)
#define LL_WRITE_FILE (1ULL << 1)
#define LL_READ_FILE (1ULL << 2)
#define LL_READ_DIR (1ULL << 3)
#define LL_ABI1_ALL ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_REFER (1ULL << 13)          /* ABI 2 */
#define LL_TRUNCATE (1ULL << 14)       /* ABI 3 */
#define LL_IOCTL_DEV (1ULL << 15)      /* ABI 5 */

/* Rights that make sense on a file (the kernel refuses the others on a non-directory). */
#define LL_FILE_RIGHTS (LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)
#define LL_READ_RIGHTS (LL_EXECUTE | LL_READ_FILE | LL_READ_DIR)

/* Only the first field of the kernel's struct: we handle no network rights, and a shorter size
 * is accepted by every version. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

int landlock_abi_version(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? -errno : (int)v;
}

static uint64_t handled_for(int abi)
{
	uint64_t h = LL_ABI1_ALL;

	if (abi >= 2)
		h |= LL_REFER;
	if (abi >= 3)
		h |= LL_TRUNCATE;
	if (abi >= 5)
		h |= LL_IOCTL_DEV;
	return h;
}

static int add_path(int ruleset, const char *path, uint64_t rights, const char *option, char *err,
		    size_t errlen)
{
	struct ll_path_beneath pb = { .allowed_access = rights };
	struct stat st;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0 || fstat(pb.parent_fd, &st)) {
		snprintf(err, errlen, "%s %s: %s", option, path, strerror(errno));
		if (pb.parent_fd >= 0)
			close(pb.parent_fd);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= LL_FILE_RIGHTS;
	long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	int e = errno;
	close(pb.parent_fd);
	if (rc) {
		snprintf(err, errlen, "%s %s: Landlock refused the rule: %s", option, path, strerror(e));
		return -1;
	}
	return 0;
}

int landlock_prepare(const char *const *ro, size_t nro, const char *const *rw, size_t nrw,
		     struct landlock_plan *plan, char *err, size_t errlen)
{
	plan->ruleset_fd = -1;
	plan->abi = 0;
	plan->handled = 0;
	if (!nro && !nrw)
		return 0;
	int abi = landlock_abi_version();
	if (abi < 0) {
		snprintf(err, errlen, "Landlock is not available on this kernel (%s): drop the "
				      "--landlock-* options to run without it",
			 abi == -ENOSYS ? "not built in" :
			 abi == -EOPNOTSUPP ? "built in but not enabled at boot (lsm=)" : strerror(-abi));
		return -1;
	}
	struct ll_ruleset_attr attr = { .handled_access_fs = handled_for(abi) };
	int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0) {
		snprintf(err, errlen, "creating the Landlock ruleset failed: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < nro; i++)
		if (add_path(fd, ro[i], LL_READ_RIGHTS, "--landlock-ro", err, errlen))
			goto fail;
	for (size_t i = 0; i < nrw; i++)
		if (add_path(fd, rw[i], attr.handled_access_fs, "--landlock-rw", err, errlen))
			goto fail;
	plan->ruleset_fd = fd;
	plan->abi = abi;
	plan->handled = attr.handled_access_fs;
	return 0;
fail:
	close(fd);
	return -1;
}

int landlock_enforce(const struct landlock_plan *plan)
{
	if (plan->ruleset_fd < 0)
		return 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_landlock_restrict_self, plan->ruleset_fd, 0))
		return -errno;
	return 0;
}

void landlock_plan_close(struct landlock_plan *plan)
{
	if (plan->ruleset_fd >= 0)
		close(plan->ruleset_fd);
	plan->ruleset_fd = -1;
}
