// SPDX-License-Identifier: GPL-2.0-only
/* Container ids from cgroup paths, one case per runtime layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "container.h"

#define ID64 "4f1c5d0e9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d"

static void expect(const char *path, const char *id, const char *runtime)
{
	struct container_ref ref;
	int found = container_from_cgroup(path, &ref);

	assert_int_equal(found, id[0] != '\0');
	assert_string_equal(ref.id, id);
	assert_string_equal(ref.runtime, runtime);
}

static void docker_layouts(void **state)
{
	(void)state;
	expect("/system.slice/docker-" ID64 ".scope", ID64, "docker");
	expect("/docker/" ID64, ID64, "docker");
}

static void containerd_layouts(void **state)
{
	(void)state;
	expect("/system.slice/cri-containerd-" ID64 ".scope", ID64, "containerd");
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice/cri-containerd-" ID64 ".scope",
	       ID64, "containerd");
	expect("/system.slice/containerd.service/kubepods-besteffort-pod99.slice:cri-containerd:" ID64,
	       ID64, "containerd");
}

static void crio_layouts(void **state)
{
	(void)state;
	expect("/kubepods.slice/kubepods-pod1.slice/crio-" ID64 ".scope", ID64, "cri-o");
	/* conmon is the monitor, not the container */
	expect("/machine.slice/crio-conmon-" ID64 ".scope", "", "");
}

static void podman_layouts(void **state)
{
	(void)state;
	expect("/machine.slice/libpod-" ID64 ".scope", ID64, "podman");
	expect("/machine.slice/libpod-" ID64 ".scope/container", ID64, "podman");
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope", ID64,
	       "podman");
	expect("/libpod_parent/" ID64, ID64, "podman");
	expect("/machine.slice/libpod-conmon-" ID64 ".scope", "", "");
}

static void nspawn_layouts(void **state)
{
	(void)state;
	expect("/machine.slice/machine-web.scope/payload", "web", "systemd-nspawn");
	expect("/machine.slice/machine-my\\x2dbox.scope", "my-box", "systemd-nspawn");
}

static void kubepods_cgroupfs(void **state)
{
	(void)state;
	expect("/kubepods/burstable/pod5b2f0d47-1c2e-4c4e-9a4a-0b1c2d3e4f50/" ID64, ID64, "kubernetes");
	expect("/kubepods/besteffort/pod1/" ID64 "/nested", ID64, "kubernetes");
}

static void host_paths_have_no_container(void **state)
{
	(void)state;
	expect("/", "", "");
	expect("", "", "");
	expect("/user.slice/user-0.slice/session-1.scope", "", "");
	expect("/system.slice/sshd.service", "", "");
	expect("/process_api/adc279f78457ed365fb1257fb349b225", "", ""); /* 32 hex: not an id */
	expect("/system.slice/docker-" ID64 "0.scope", "", "");           /* 65 hex */
	expect("/system.slice/docker-" "4F1C5D0E9A7B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1A0B9C8D.scope",
	       "", ""); /* ids are lower case */
	expect("/lxc.payload.web1", "web1", "lxc");
}

static void null_path(void **state)
{
	struct container_ref ref;

	(void)state;
	assert_int_equal(container_from_cgroup(NULL, &ref), 0);
	assert_string_equal(ref.id, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_layouts),     cmocka_unit_test(containerd_layouts),
		cmocka_unit_test(crio_layouts),       cmocka_unit_test(podman_layouts),
		cmocka_unit_test(nspawn_layouts),     cmocka_unit_test(kubepods_cgroupfs),
		cmocka_unit_test(host_paths_have_no_container), cmocka_unit_test(null_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
