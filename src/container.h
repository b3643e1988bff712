/* SPDX-License-Identifier: GPL-2.0-only */
/* Container identity from a cgroup path, for the layouts of the common runtimes. */
#ifndef VIGIL_CONTAINER_H
#define VIGIL_CONTAINER_H

#include <stddef.h>

#define CONTAINER_ID_MAX 128

struct container_ref {
	char id[CONTAINER_ID_MAX]; /* empty on the host */
	const char *runtime;       /* "docker", "containerd", "cri-o", "podman", "systemd-nspawn",
				    * "lxc", "kubernetes" (runtime not named by the path), or "" */
};

/*
 * Fills ref from a cgroup path such as "/system.slice/docker-<id>.scope" or
 * "/kubepods/burstable/pod<uid>/<id>". Returns 1 if a container was recognised, 0 if not.
 */
int container_from_cgroup(const char *path, struct container_ref *ref);

#endif
