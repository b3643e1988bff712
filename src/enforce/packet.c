// SPDX-License-Identifier: GPL-2.0-only
/*
 * net.packet deny rules at XDP: compiles them into the tables of enforce_packet.bpf.c, attaches
 * it to the interfaces of --xdp-iface with bpf links (they end with vigil), and turns the
 * per-rule packet counts into alerts: at most one per rule per tick (50 ms), carrying the
 * number of packets since the previous one and the last packet as a sample, so a flood costs a
 * counter increment per packet and never floods the output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enforce/enforce.h"
#include "enforce/report.h"
#include "enforce/spec.h"
#include "enforce_packet.skel.h"
#include "format.h"
#include "pipeline.h"

#define XDP_IFACES_MAX 16

struct xdp_enforcer {
	struct enforce_packet_bpf *skel;
	struct bpf_link *links[XDP_IFACES_MAX];
	size_t nlinks;
	const struct rule *rules[VIGIL_ENF_RULES_MAX]; /* bit -> rule */
	enum mode modes[VIGIL_ENF_RULES_MAX];
	size_t nrules;
	bool pinned;
	uint64_t reported[VIGIL_ENF_RULES_MAX]; /* packets already reported, per bit */
	uint64_t alerts;
	struct sbuf json;
};

static int fill(struct xdp_enforcer *x, const struct policy_set *ps, const struct enforce_opts *o,
		struct vigil_pkt_config *cfg, char *err, size_t errlen)
{
	struct enf_nets nets = {};
	int port_fd = bpf_map__fd(x->skel->maps.pkt_port);
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	x->nrules = 0;
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct rule *r = &ps->rules[i];
		struct enf_spec s;
		char why[256];
		struct pos at;
		if (!r->in_kernel || x->nrules == VIGIL_ENF_RULES_MAX)
			continue;
		if (enf_spec_build(r, &s, why, sizeof(why), &at) != ENF_CLASS_XDP)
			continue;
		unsigned b = (unsigned)x->nrules++;
		uint64_t bit = 1ULL << b;
		x->rules[b] = r;
		x->modes[b] = enforce_rule_mode(r, o);
		cfg->active |= bit;
		if (x->modes[b] == MODE_ENFORCE)
			cfg->enforce |= bit;
		cfg->proto_tcp |= s.protos & 1 ? bit : 0;
		cfg->proto_udp |= s.protos & 2 ? bit : 0;
		cfg->proto_other |= s.protos & 4 ? bit : 0;
		cfg->fam_inet |= s.families & 1 ? bit : 0;
		cfg->fam_inet6 |= s.families & 2 ? bit : 0;
		if (!s.has_daddr)
			cfg->any_saddr |= bit;
		for (size_t k = 0; k < s.nnets; k++)
			enf_nets_add(&nets, &s.nets[k], bit);
		if (!s.has_dport)
			cfg->any_dport |= bit;
		for (size_t k = 0; k < s.nports; k++) {
			uint16_t port = (uint16_t)s.ports[k];
			uint64_t v = 0;
			bpf_map_lookup_elem(port_fd, &port, &v);
			v |= bit;
			if (bpf_map_update_elem(port_fd, &port, &v, BPF_ANY)) {
				snprintf(err, errlen, "enforcement: cannot fill the XDP port table: %s", strerror(errno));
				enf_spec_free(&s);
				goto out;
			}
		}
		enf_spec_free(&s);
	}
	if (enf_nets_write(&nets, bpf_map__fd(x->skel->maps.pkt_net4),
			   bpf_map__fd(x->skel->maps.pkt_net6))) {
		snprintf(err, errlen, "enforcement: cannot fill the XDP network table: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	enf_nets_free(&nets);
	return rc;
}

static int write_config(struct xdp_enforcer *x, const struct vigil_pkt_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(bpf_map__fd(x->skel->maps.pkt_config), &zero, cfg, BPF_ANY);
}

/* Zeroes the per-rule counts and samples (a reload reuses the bits for other rules). */
static void reset_counts(struct xdp_enforcer *x)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *zeros = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(*zeros));
	struct vigil_pkt_sample none = {};

	if (!zeros)
		abort();
	for (uint32_t i = 0; i < VIGIL_ENF_RULES_MAX; i++) {
		bpf_map_update_elem(bpf_map__fd(x->skel->maps.pkt_counts), &i, zeros, BPF_ANY);
		bpf_map_update_elem(bpf_map__fd(x->skel->maps.pkt_last), &i, &none, BPF_ANY);
		x->reported[i] = 0;
	}
	free(zeros);
}

static int attach(struct xdp_enforcer *x, const struct enforce_opts *o, char *err, size_t errlen)
{
	if (o->nxdp_iface > XDP_IFACES_MAX) {
		snprintf(err, errlen, "--xdp-iface: at most %d interfaces", XDP_IFACES_MAX);
		return -1;
	}
	for (size_t i = 0; i < o->nxdp_iface; i++) {
		unsigned idx = if_nametoindex(o->xdp_iface[i]);
		if (!idx) {
			snprintf(err, errlen, "--xdp-iface %s: no such network interface here", o->xdp_iface[i]);
			return -1;
		}
		x->links[i] = bpf_program__attach_xdp(x->skel->progs.vigil_pkt, (int)idx);
		if (!x->links[i]) {
			snprintf(err, errlen, "enforcement: cannot attach the net.packet program to %s (XDP): %s",
				 o->xdp_iface[i], strerror(errno));
			return -1;
		}
		x->nlinks = i + 1;
		char name[40];
		snprintf(name, sizeof(name), "xdp_%s", o->xdp_iface[i]);
		if (o->pin && enforce_pin_link(o, x->links[i], name, err, errlen))
			return -1;
		x->pinned = o->pin;
	}
	return 0;
}

int xdp_enforcer_apply(struct xdp_enforcer **xp, const struct policy_set *ps,
		       const struct enforce_opts *o, struct pipeline *pl, char *err, size_t errlen)
{
	struct xdp_enforcer *x = *xp;
	struct vigil_pkt_config cfg;

	if (errlen)
		err[0] = '\0';
	if (!x && !enforce_count_class(ps, ENF_CLASS_XDP))
		return 0;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x)
			abort();
		x->skel = enforce_packet_bpf__open_and_load();
		if (!x->skel) {
			snprintf(err, errlen, "enforcement: cannot load the XDP program for net.packet rules: %s",
				 strerror(errno));
			free(x);
			return -1;
		}
	} else {
		/* off, the old rules' last counts reported, then rewritten */
		memset(&cfg, 0, sizeof(cfg));
		write_config(x, &cfg);
		xdp_enforcer_poll(x, pl);
		if (enf_map_clear(x->skel->maps.pkt_net4) || enf_map_clear(x->skel->maps.pkt_net6) ||
		    enf_map_clear(x->skel->maps.pkt_port)) {
			snprintf(err, errlen, "enforcement: cannot clear the XDP tables: %s", strerror(errno));
			return -1;
		}
	}
	reset_counts(x);
	if (fill(x, ps, o, &cfg, err, errlen) || write_config(x, &cfg) ||
	    (!x->nlinks && attach(x, o, err, errlen))) {
		if (!*err)
			snprintf(err, errlen, "enforcement: cannot configure the XDP program: %s", strerror(errno));
		if (!*xp)
			xdp_enforcer_destroy(x);
		return -1;
	}
	*xp = x;
	return 0;
}

static void write_alert(struct xdp_enforcer *x, struct pipeline *pl, size_t b, uint64_t count,
			const struct vigil_pkt_sample *smp)
{
	char saddr[INET6_ADDRSTRLEN] = "", daddr[INET6_ADDRSTRLEN] = "", ifname[IF_NAMESIZE] = "";
	int af = smp->family == AF_INET6 ? AF_INET6 : AF_INET;
	struct out o;

	inet_ntop(af, smp->saddr, saddr, sizeof(saddr));
	inet_ntop(af, smp->daddr, daddr, sizeof(daddr));
	if (!if_indextoname(smp->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "%u", smp->ifindex);
	sbuf_reset(&x->json);
	out_init(&o, &x->json, OUT_JSON);
	format_open(&o, smp->ktime_ns, "net.packet");
	out_obj(&o, "net");
	out_str(&o, "family", af == AF_INET ? "inet" : "inet6");
	if (smp->proto == IPPROTO_TCP || smp->proto == IPPROTO_UDP)
		out_str(&o, "proto", smp->proto == IPPROTO_TCP ? "tcp" : "udp");
	else
		out_u64(&o, "ip_proto", smp->proto);
	out_str(&o, "saddr", saddr);
	out_u64(&o, "sport", smp->sport);
	out_str(&o, "daddr", daddr);
	out_u64(&o, "dport", smp->dport);
	out_str(&o, "iface", ifname);
	out_u64(&o, "packets", count);
	out_obj_end(&o);
	if (enforce_alert_end(&o, &x->json, x->rules[b], "deny", "xdp",
			      x->modes[b] == MODE_ENFORCE ? "denied" : "would-deny", pl))
		x->alerts++;
}

uint64_t xdp_enforcer_poll(struct xdp_enforcer *x, struct pipeline *pl)
{
	if (!x || !pl)
		return 0;
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return 0;
	uint64_t *per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	uint64_t before = x->alerts;

	if (!per_cpu)
		abort();
	for (uint32_t b = 0; b < x->nrules; b++) {
		uint64_t total = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.pkt_counts), &b, per_cpu))
			continue;
		for (int c = 0; c < ncpu; c++)
			total += per_cpu[c];
		if (total <= x->reported[b])
			continue;
		struct vigil_pkt_sample smp = {};
		bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.pkt_last), &b, &smp);
		write_alert(x, pl, b, total - x->reported[b], &smp);
		x->reported[b] = total;
	}
	free(per_cpu);
	return x->alerts - before;
}

void xdp_enforcer_destroy(struct xdp_enforcer *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nlinks; i++) {
		if (x->pinned)
			bpf_link__disconnect(x->links[i]); /* stays attached through its pin */
		bpf_link__destroy(x->links[i]);
	}
	enforce_packet_bpf__destroy(x->skel);
	sbuf_free(&x->json);
	free(x);
}
