// SPDX-License-Identifier: GPL-2.0-only
/* The BPF objects in the running kernel: enumerated by id, described by their info, joined with
 * the processes and pins that hold them. */
#include "check/inventory.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "timefmt.h"

static struct inv_obj *add_obj(struct inventory *inv, enum inv_kind kind, uint32_t id)
{
	struct inv_obj *o;

	inv->objs = realloc(inv->objs, (inv->n + 1) * sizeof(*inv->objs));
	if (!inv->objs)
		abort();
	o = &inv->objs[inv->n++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->id = id;
	inv->counts[kind]++;
	return o;
}

static struct inv_obj *find_obj(struct inventory *inv, enum inv_kind kind, uint32_t id)
{
	for (size_t i = 0; i < inv->n; i++)
		if (inv->objs[i].kind == kind && inv->objs[i].id == id)
			return &inv->objs[i];
	return NULL;
}

static void type_name(char *buf, size_t len, const char *known, unsigned type)
{
	if (known)
		snprintf(buf, len, "%s", known);
	else
		snprintf(buf, len, "type %u", type); /* newer than this libbpf */
}

static void attach_type_name(char *buf, size_t len, unsigned t)
{
	type_name(buf, len, libbpf_bpf_attach_type_str((enum bpf_attach_type)t), t);
}

static void add_prog(struct inventory *inv, int fd, uint32_t id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info), nr;
	struct inv_obj *o;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	nr = info.nr_map_ids;
	o = add_obj(inv, INV_PROG, id);
	if (nr) {
		/* a second call fills the map ids now that we know how many */
		o->map_ids = calloc(nr, sizeof(*o->map_ids));
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = nr;
		info.map_ids = (uintptr_t)o->map_ids;
		len = sizeof(info);
		if (!o->map_ids || bpf_obj_get_info_by_fd(fd, &info, &len))
			info.nr_map_ids = 0;
		o->n_map_ids = info.nr_map_ids < nr ? info.nr_map_ids : nr;
	}
	type_name(o->type, sizeof(o->type), libbpf_bpf_prog_type_str(info.type), info.type);
	snprintf(o->name, sizeof(o->name), "%s", info.name);
	for (int i = 0; i < 8; i++)
		snprintf(o->tag + 2 * i, 3, "%02x", info.tag[i]);
	o->loaded_ns = info.load_time ? boot_to_wall_ns(info.load_time) : 0;
	o->has_uid = true;
	o->uid = info.created_by_uid;
}

static void add_map(struct inventory *inv, int fd, uint32_t id)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	struct inv_obj *o;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	o = add_obj(inv, INV_MAP, id);
	type_name(o->type, sizeof(o->type), libbpf_bpf_map_type_str(info.type), info.type);
	snprintf(o->name, sizeof(o->name), "%s", info.name);
}

/* What a link attaches its program to, in words. */
static void describe_link(const struct bpf_link_info *l, const char *name, char *buf, size_t len)
{
	char at[48], ifname[IF_NAMESIZE];

	switch (l->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		snprintf(buf, len, "raw_tp:%s", name);
		break;
	case BPF_LINK_TYPE_TRACING:
		attach_type_name(at, sizeof(at), l->tracing.attach_type);
		snprintf(buf, len, "%s btf_obj:%u btf_id:%u", at, l->tracing.target_obj_id,
			 l->tracing.target_btf_id);
		break;
	case BPF_LINK_TYPE_CGROUP:
		attach_type_name(at, sizeof(at), l->cgroup.attach_type);
		snprintf(buf, len, "%s cgroup_id:%llu", at, (unsigned long long)l->cgroup.cgroup_id);
		break;
	case BPF_LINK_TYPE_ITER:
		snprintf(buf, len, "iter:%s", name);
		break;
	case BPF_LINK_TYPE_NETNS:
		attach_type_name(at, sizeof(at), l->netns.attach_type);
		snprintf(buf, len, "%s netns_ino:%u", at, l->netns.netns_ino);
		break;
	case BPF_LINK_TYPE_XDP:
		snprintf(buf, len, "xdp ifindex:%u (%s)", l->xdp.ifindex,
			 if_indextoname(l->xdp.ifindex, ifname) ? ifname : "?");
		break;
	default:
		type_name(buf, len, libbpf_bpf_link_type_str((enum bpf_link_type)l->type), l->type);
		break;
	}
}

static void add_link(struct inventory *inv, int fd, uint32_t id)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	char name[128] = "";
	struct inv_obj *o;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	if (info.type == BPF_LINK_TYPE_RAW_TRACEPOINT || info.type == BPF_LINK_TYPE_ITER) {
		/* the name comes back through a buffer of ours: ask again with one */
		uint32_t type = info.type;
		memset(&info, 0, sizeof(info));
		if (type == BPF_LINK_TYPE_ITER) {
			info.iter.target_name = (uintptr_t)name;
			info.iter.target_name_len = sizeof(name);
		} else {
			info.raw_tracepoint.tp_name = (uintptr_t)name;
			info.raw_tracepoint.tp_name_len = sizeof(name);
		}
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return;
	}
	o = add_obj(inv, INV_LINK, id);
	type_name(o->type, sizeof(o->type), libbpf_bpf_link_type_str((enum bpf_link_type)info.type),
		  info.type);
	o->prog_id = info.prog_id;
	describe_link(&info, name, o->attach, sizeof(o->attach));
}

static const struct {
	int (*next)(uint32_t start, uint32_t *next);
	int (*open)(uint32_t id);
	void (*add)(struct inventory *inv, int fd, uint32_t id);
} enumerators[INV_KINDS] = {
	[INV_PROG] = { bpf_prog_get_next_id, bpf_prog_get_fd_by_id, add_prog },
	[INV_MAP] = { bpf_map_get_next_id, bpf_map_get_fd_by_id, add_map },
	[INV_LINK] = { bpf_link_get_next_id, bpf_link_get_fd_by_id, add_link },
};

static int enumerate(struct inventory *inv, enum inv_kind kind)
{
	uint32_t id = 0;

	for (;;) {
		if (enumerators[kind].next(id, &id)) {
			/* ENOENT: the end; anything else (EPERM) stops the walk */
			return errno == ENOENT ? 0 : -errno;
		}
		int fd = enumerators[kind].open(id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* unloaded between the two calls */
			return -errno;
		}
		enumerators[kind].add(inv, fd, id);
		close(fd);
	}
}

static void add_holder(struct inv_obj *o, const struct inv_holder *h)
{
	for (size_t i = 0; i < o->n_holders; i++)
		if (o->holders[i].pid == h->pid)
			return;
	o->holders = realloc(o->holders, (o->n_holders + 1) * sizeof(*o->holders));
	if (!o->holders)
		abort();
	o->holders[o->n_holders++] = *h;
	o->vigil |= h->vigil;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static void on_pin(void *arg, const char *path, int kind, uint32_t id, int err)
{
	struct inventory *inv = arg;
	struct inv_obj *o = kind >= 0 ? find_obj(inv, (enum inv_kind)kind, id) : NULL;
	struct inv_pin *pin;

	inv->pins = realloc(inv->pins, (inv->n_pins + 1) * sizeof(*inv->pins));
	if (!inv->pins)
		abort();
	pin = &inv->pins[inv->n_pins++];
	*pin = (struct inv_pin){ .path = xstrdup(path), .kind = kind, .id = id, .err = err };
	if (!o)
		return;
	o->pins = realloc(o->pins, (o->n_pins + 1) * sizeof(*o->pins));
	if (!o->pins)
		abort();
	o->pins[o->n_pins++] = pin->path; /* shared with the inventory's list, freed there */
}

static const struct inv_holder *find_proc(const struct inv_scan *s, int pid)
{
	for (size_t i = 0; i < s->n_procs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

static void append_attach(struct inv_obj *prog, const char *what)
{
	size_t n = strlen(prog->attach);

	if (strstr(prog->attach, what))
		return; /* one target once, however many fds point at it */
	snprintf(prog->attach + n, sizeof(prog->attach) - n, "%s%s", n ? "; " : "", what);
}

int inventory_collect(struct inventory *inv, char *err, size_t errlen)
{
	static const char *const plural[INV_KINDS] = { "programs", "maps", "links" };
	struct inv_scan scan;
	int rc;

	memset(inv, 0, sizeof(*inv));
	timefmt_init();
	for (int k = 0; k < INV_KINDS; k++) {
		rc = enumerate(inv, (enum inv_kind)k);
		if (rc) {
			snprintf(err, errlen, "cannot list BPF %s: %s%s", plural[k], strerror(-rc),
				 rc == -EPERM ? " (run as root, or with --no-inventory)" : "");
			return rc;
		}
	}
	rc = inv_holders_scan(&scan);
	if (rc) {
		snprintf(err, errlen, "cannot read /proc: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < scan.n_refs; i++) {
		struct inv_obj *o = find_obj(inv, scan.refs[i].kind, scan.refs[i].id);
		const struct inv_holder *h = find_proc(&scan, scan.refs[i].pid);
		if (o && h)
			add_holder(o, h);
	}
	/* a perf event with a program on it keeps the program attached: its holder holds both */
	for (size_t i = 0; i < scan.n_perf; i++) {
		struct inv_obj *o = find_obj(inv, INV_PROG, scan.perf[i].prog_id);
		const struct inv_holder *h = find_proc(&scan, scan.perf[i].pid);
		if (!o)
			continue;
		append_attach(o, scan.perf[i].attach);
		if (h)
			add_holder(o, h);
		/* a perf_event link says no more than its type (with these headers): name its target */
		for (size_t l = 0; l < inv->n; l++) {
			struct inv_obj *link = &inv->objs[l];
			if (link->kind == INV_LINK && link->prog_id == o->id &&
			    !strcmp(link->attach, "perf_event"))
				snprintf(link->attach, sizeof(link->attach), "%s", scan.perf[i].attach);
		}
	}
	inv_holders_free(&scan);
	/* a link's holders hold its program too; vigil's links make their programs vigil's */
	for (size_t i = 0; i < inv->n; i++) {
		struct inv_obj *l = &inv->objs[i];
		struct inv_obj *p = l->kind == INV_LINK ? find_obj(inv, INV_PROG, l->prog_id)
							     : NULL;
		if (!p)
			continue;
		append_attach(p, l->attach);
		for (size_t h = 0; h < l->n_holders; h++)
			add_holder(p, &l->holders[h]);
	}
	/* maps used by vigil's programs are vigil's */
	for (size_t i = 0; i < inv->n; i++) {
		struct inv_obj *p = &inv->objs[i];
		for (uint32_t m = 0; p->kind == INV_PROG && p->vigil && m < p->n_map_ids; m++) {
			struct inv_obj *map = find_obj(inv, INV_MAP, p->map_ids[m]);
			if (map)
				map->vigil = true;
		}
	}
	inv_pins_walk(on_pin, inv);
	for (size_t i = 0; i < inv->n; i++)
		if (!inv->objs[i].vigil)
			inv->others[inv->objs[i].kind]++;
	for (size_t i = 0; i < inv->n_pins; i++) {
		struct inv_pin *pin = &inv->pins[i];
		struct inv_obj *o = pin->kind >= 0 ? find_obj(inv, (enum inv_kind)pin->kind, pin->id)
						   : NULL;
		pin->vigil = o && o->vigil;
	}
	return 0;
}

void inventory_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		struct inv_obj *o = &inv->objs[i];
		free(o->map_ids);
		free(o->holders);
		free(o->pins);
	}
	for (size_t p = 0; p < inv->n_pins; p++)
		free(inv->pins[p].path);
	free(inv->pins);
	free(inv->objs);
	memset(inv, 0, sizeof(*inv));
}
