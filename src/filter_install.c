// SPDX-License-Identifier: GPL-2.0-only
/* The kernel filters of a running session: compiled, staged in the slot not in force, switched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "filter.h"
#include "session.h"
#include "vigil.skel.h"

#define SLOTS(f, name)                                                                             \
	do {                                                                                       \
		m->outer[f] = bpf_map__fd(k->maps.name);                                           \
		m->field[0][f] = bpf_map__fd(k->maps.name##_0);                                    \
		m->field[1][f] = bpf_map__fd(k->maps.name##_1);                                    \
	} while (0)

static void maps_of(const struct sensors *s, struct filter_maps *m)
{
	const struct vigil_bpf *k = s->skel;

	m->slot = bpf_map__fd(k->maps.filter_slot);
	m->meta = bpf_map__fd(k->maps.filter_meta);
	SLOTS(VIGIL_FF_KIND, filter_kind);
	SLOTS(VIGIL_FF_TGID, filter_tgid);
	SLOTS(VIGIL_FF_UID, filter_uid);
	SLOTS(VIGIL_FF_COMM, filter_comm);
	SLOTS(VIGIL_FF_CGROUP, filter_cgroup);
	SLOTS(VIGIL_FF_GID, filter_gid);
	SLOTS(VIGIL_FF_PATH, filter_path);
	SLOTS(VIGIL_FF_SUFFIX, filter_suffix);
	SLOTS(VIGIL_FF_FLAGS, filter_flags);
	SLOTS(VIGIL_FF_PORT, filter_port);
	SLOTS(VIGIL_FF_ADDR, filter_addr);
	SLOTS(VIGIL_FF_NS_PID, filter_ns_pid);
	SLOTS(VIGIL_FF_NS_MNT, filter_ns_mnt);
	SLOTS(VIGIL_FF_NS_NET, filter_ns_net);
	SLOTS(VIGIL_FF_NS_USER, filter_ns_user);
}

int session_stage_filters(struct sensors *s, const struct filter *given, size_t ngiven,
			  uint64_t shown, uint64_t loaded, uint32_t *slot, char *err, size_t errlen)
{
	struct filter_tables t;
	struct filter_maps m;
	struct filter *f = calloc(ngiven + 1, sizeof(*f));
	size_t n = ngiven;
	int rc;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(f, given, ngiven * sizeof(*f));
	for (size_t i = 0; i < n; i++)
		if (!f[i].kinds)
			f[i].kinds = shown;
	/* kinds loaded only to keep the process table right pass unfiltered */
	if (loaded & ~shown)
		f[n++].kinds = loaded & ~shown;
	if (!n) /* nothing is wanted: an impossible kind keeps every event out */
		f[n++].kinds = 1ULL << VIGIL_KIND_NONE;
	rc = filter_compile(f, n, &t, err, errlen);
	free(f);
	if (rc)
		return -1;
	maps_of(s, &m);
	rc = filter_stage(&t, &m, slot);
	filter_tables_free(&t);
	if (rc) {
		snprintf(err, errlen, "installing the filters failed: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int session_switch_filters(struct sensors *s, uint32_t slot, char *err, size_t errlen)
{
	struct filter_maps m;
	int rc;

	maps_of(s, &m);
	rc = filter_switch(&m, slot);
	if (rc) {
		snprintf(err, errlen, "switching the filters failed: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int session_set_filters(struct sensors *s, const struct filter *f, size_t n, uint64_t shown,
			uint64_t loaded, char *err, size_t errlen)
{
	uint32_t slot;

	return session_stage_filters(s, f, n, shown, loaded, &slot, err, errlen) ||
			       session_switch_filters(s, slot, err, errlen)
		       ? -1
		       : 0;
}
