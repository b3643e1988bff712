// SPDX-License-Identifier: GPL-2.0-only
#include "loss.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vigil.skel.h"

static const char *const site_names[VIGIL_LS_COUNT] = {
	[VIGIL_LS_SYSPAIR] = "syscall_state",
	[VIGIL_LS_NET_CALL] = "net_call_state",
	[VIGIL_LS_NET_SOCK] = "net_socket_state",
	[VIGIL_LS_USER_MEM] = "user_memory",
	[VIGIL_LS_KERNEL_MEM] = "kernel_memory",
};

static const char *const cause_names[VIGIL_LC_COUNT] = {
	[VIGIL_LC_NO_STATE] = "no_state",
	[VIGIL_LC_UPDATE_FAILED] = "update_failed",
	[VIGIL_LC_READ_FAILED] = "read_failed",
};

const char *loss_site_name(unsigned site)
{
	return site < VIGIL_LS_COUNT ? site_names[site] : "unknown";
}

const char *loss_cause_name(unsigned cause)
{
	return cause < VIGIL_LC_COUNT ? cause_names[cause] : "unknown";
}

bool loss_possible(unsigned site, unsigned cause)
{
	switch (site) {
	case VIGIL_LS_SYSPAIR:
	case VIGIL_LS_NET_CALL:
		return cause == VIGIL_LC_NO_STATE || cause == VIGIL_LC_UPDATE_FAILED;
	case VIGIL_LS_NET_SOCK:
		return cause == VIGIL_LC_UPDATE_FAILED;
	case VIGIL_LS_USER_MEM:
	case VIGIL_LS_KERNEL_MEM:
		return cause == VIGIL_LC_READ_FAILED;
	default:
		return false;
	}
}

int loss_read(int fd, uint64_t out[LOSS_SLOTS])
{
	int ncpu = libbpf_num_possible_cpus();

	memset(out, 0, sizeof(uint64_t) * LOSS_SLOTS);
	if (ncpu <= 0)
		return -EINVAL;
	uint64_t *per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (uint32_t k = 0; k < LOSS_SLOTS; k++) {
		if (bpf_map_lookup_elem(fd, &k, per))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += per[c];
	}
	free(per);
	return 0;
}

void loss_write(struct out *o, const char *key, const uint64_t v[LOSS_SLOTS], bool all)
{
	out_obj(o, key);
	for (unsigned s = 0; s < VIGIL_LS_COUNT; s++) {
		bool any = false;
		for (unsigned c = 0; c < VIGIL_LC_COUNT; c++)
			any |= loss_possible(s, c) && (all || v[s * VIGIL_LC_COUNT + c]);
		if (!any)
			continue;
		out_obj(o, site_names[s]);
		for (unsigned c = 0; c < VIGIL_LC_COUNT; c++)
			if (loss_possible(s, c) && (all || v[s * VIGIL_LC_COUNT + c]))
				out_u64(o, cause_names[c], v[s * VIGIL_LC_COUNT + c]);
		out_obj_end(o);
	}
	out_obj_end(o);
}

void loss_test_config(struct vigil_bpf *skel)
{
	const char *max = getenv("VIGIL_TEST_INFLIGHT_MAX");
	const char *fail = getenv("VIGIL_TEST_FAIL_INFLIGHT");

	if (max && atoi(max) > 0) {
		bpf_map__set_max_entries(skel->maps.syspair_pending, (uint32_t)atoi(max));
		bpf_map__set_max_entries(skel->maps.net_connect_fd, (uint32_t)atoi(max));
	}
	if (fail && !strcmp(fail, "1"))
		skel->rodata->test_fail_inflight = 1;
}
