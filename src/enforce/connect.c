// SPDX-License-Identifier: GPL-2.0-only
/*
 * The running cgroup enforcement: compiles the kernel-enforced rules into the tables of
 * enforce_connect.bpf.c, attaches its programs to the cgroup2 root with bpf links (so they end
 * with vigil: nothing is pinned), and turns its records into alerts that carry the enforcement.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enforce/enforce.h"
#include "enforce/report.h"
#include "enforce/spec.h"
#include "enforce_connect.skel.h"
#include "format.h"
#include "pipeline.h"

#define VIGIL_ENF_HOOKS 6 /* enum vigil_enf_hook */

struct enforcer {
	struct enforce_connect_bpf *skel;
	struct bpf_link *links[VIGIL_ENF_HOOKS];
	struct ring_buffer *rb;
	const struct rule *rules[VIGIL_ENF_RULES_MAX]; /* bit -> rule of the current generation */
	enum mode modes[VIGIL_ENF_RULES_MAX];
	size_t nrules;
	uint32_t generation;
	struct pipeline *pl; /* during a poll */
	uint64_t alerts, stale;
	uint64_t lost_reported; /* records the ring buffer had no room for, already reported */
	struct sbuf json;
	struct xdp_enforcer *xdp; /* net.packet rules, NULL without any */
	bool pinned;              /* --pin: the links stay when vigil exits */
};

int enforce_cgroup2_root(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup2 ");
		if (!sep)
			continue;
		char mnt[512];
		if (sscanf(line, "%*s %*s %*s %*s %511s", mnt) == 1) {
			snprintf(buf, len, "%s", mnt);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

int enforce_exempt_cgroup_id(const char *p, uint64_t *id, char *err, size_t errlen)
{
	char root[512], path[1024];
	struct stat st;

	if (p[0] == '/' && !stat(p, &st) && S_ISDIR(st.st_mode)) {
		snprintf(path, sizeof(path), "%s", p);
	} else {
		if (enforce_cgroup2_root(root, sizeof(root))) {
			snprintf(err, errlen, "--exempt-cgroup %s: no cgroup2 mount", p);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", root, p[0] == '/' ? p + 1 : p);
	}
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--exempt-cgroup %s: no such cgroup (%s)", p, path);
		return -1;
	}
	*id = (uint64_t)st.st_ino; /* a cgroup2 directory's inode is its id */
	return 0;
}

/* --- tables ---------------------------------------------------------------------------- */

struct kv {
	uint64_t key;
	uint64_t bits;
};

static void kv_add(struct kv **v, size_t *n, uint64_t key, uint64_t bit)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].key == key) {
			(*v)[i].bits |= bit;
			return;
		}
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	(*v)[(*n)++] = (struct kv){ key, bit };
}

struct ckv {
	char comm[VIGIL_COMM_LEN];
	uint64_t bits;
};

static int fill(struct enforcer *e, const struct policy_set *ps, const struct enforce_opts *o,
		struct vigil_enf_config *cfg, char *err, size_t errlen)
{
	struct enforce_connect_bpf *sk = e->skel;
	struct enf_nets nets = {};
	struct kv *ports = NULL, *uids = NULL;
	struct ckv *comms = NULL;
	size_t nports = 0, nuids = 0, ncomms = 0;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	e->nrules = 0;
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct rule *r = &ps->rules[i];
		struct enf_spec s;
		char why[256];
		struct pos at;
		if (!r->in_kernel || e->nrules == VIGIL_ENF_RULES_MAX)
			continue;
		if (enf_spec_build(r, &s, why, sizeof(why), &at) != ENF_CLASS_CGROUP)
			continue;
		unsigned b = (unsigned)e->nrules;
		uint64_t bit = 1ULL << b;
		e->rules[b] = r;
		e->modes[b] = enforce_rule_mode(r, o);
		e->nrules++;
		cfg->active |= bit;
		if (s.listen)
			cfg->bind_rules |= bit;
		if (e->modes[b] == MODE_ENFORCE)
			cfg->enforce |= bit;
		if (s.protos & 1)
			cfg->proto_tcp |= bit;
		if (s.protos & 2)
			cfg->proto_udp |= bit;
		if (s.families & 1)
			cfg->fam_inet |= bit;
		if (s.families & 2)
			cfg->fam_inet6 |= bit;
		if (!s.has_daddr)
			cfg->any_daddr |= bit;
		for (size_t k = 0; k < s.nnets; k++)
			enf_nets_add(&nets, &s.nets[k], bit);
		if (!s.has_dport)
			cfg->any_dport |= bit;
		for (size_t k = 0; k < s.nports; k++)
			kv_add(&ports, &nports, s.ports[k], bit);
		if (!s.has_uid)
			cfg->any_uid |= bit;
		for (size_t k = 0; k < s.nuids; k++)
			kv_add(&uids, &nuids, s.uids[k], bit);
		if (!s.has_comm)
			cfg->any_comm |= bit;
		for (size_t k = 0; k < s.ncomms; k++) {
			size_t j;
			for (j = 0; j < ncomms; j++)
				if (!strncmp(comms[j].comm, s.comms[k], VIGIL_COMM_LEN))
					break;
			if (j == ncomms) {
				comms = realloc(comms, (ncomms + 1) * sizeof(*comms));
				if (!comms)
					abort();
				memset(&comms[ncomms], 0, sizeof(*comms));
				strncpy(comms[ncomms].comm, s.comms[k], VIGIL_COMM_LEN - 1);
				ncomms++;
			}
			comms[j].bits |= bit;
		}
		enf_spec_free(&s);
	}

	if (enf_nets_write(&nets, bpf_map__fd(sk->maps.enf_net4), bpf_map__fd(sk->maps.enf_net6))) {
		snprintf(err, errlen, "enforcement: cannot fill the network table: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < nports; i++) {
		uint16_t p = (uint16_t)ports[i].key;
		if (bpf_map_update_elem(bpf_map__fd(sk->maps.enf_port), &p, &ports[i].bits, BPF_ANY)) {
			snprintf(err, errlen, "enforcement: cannot fill the port table: %s", strerror(errno));
			goto out;
		}
	}
	for (size_t i = 0; i < nuids; i++) {
		uint32_t u = (uint32_t)uids[i].key;
		if (bpf_map_update_elem(bpf_map__fd(sk->maps.enf_uid), &u, &uids[i].bits, BPF_ANY)) {
			snprintf(err, errlen, "enforcement: cannot fill the uid table: %s", strerror(errno));
			goto out;
		}
	}
	for (size_t i = 0; i < ncomms; i++)
		if (bpf_map_update_elem(bpf_map__fd(sk->maps.enf_comm), comms[i].comm, &comms[i].bits,
					BPF_ANY)) {
			snprintf(err, errlen, "enforcement: cannot fill the comm table: %s", strerror(errno));
			goto out;
		}
	rc = 0;
out:
	enf_nets_free(&nets);
	free(ports);
	free(uids);
	free(comms);
	return rc;
}

static int fill_exempt(struct enforcer *e, const struct enforce_opts *o, struct vigil_enf_config *cfg,
		       char *err, size_t errlen)
{
	uint8_t one = 1;

	for (size_t i = 0; i < o->nexempt_comm; i++) {
		char c[VIGIL_COMM_LEN] = {};
		strncpy(c, o->exempt_comm[i], VIGIL_COMM_LEN - 1);
		if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.enf_exempt_comm), c, &one, BPF_ANY)) {
			snprintf(err, errlen, "enforcement: cannot fill the exempt table: %s", strerror(errno));
			return -1;
		}
		cfg->exempt_comms++;
	}
	for (size_t i = 0; i < o->nexempt_cgroup; i++) {
		uint64_t id;
		if (enforce_exempt_cgroup_id(o->exempt_cgroup[i], &id, err, errlen))
			return -1;
		if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.enf_exempt_cgroup), &id, &one, BPF_ANY)) {
			snprintf(err, errlen, "enforcement: cannot fill the exempt table: %s", strerror(errno));
			return -1;
		}
		cfg->exempt_cgroups++;
	}
	return 0;
}

/* --- records -> alerts ---------------------------------------------------------------- */

static const char *const hook_names[VIGIL_ENF_HOOKS] = { "connect4", "connect6", "sendmsg4",
							"sendmsg6", "bind4",    "bind6" };

static void write_record_alerts(struct enforcer *e, const struct vigil_enf_record *r)
{
	struct pipeline *pl = e->pl;
	char addr[INET6_ADDRSTRLEN] = "";
	bool v4 = r->family == AF_INET || r->v4mapped;

	if (r->generation != e->generation) {
		e->stale++; /* made under rules that a reload replaced */
		return;
	}
	if (r->v4mapped) {
		char a4[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, r->daddr, a4, sizeof(a4));
		snprintf(addr, sizeof(addr), "::ffff:%s", a4);
	} else {
		inet_ntop(v4 ? AF_INET : AF_INET6, r->daddr, addr, sizeof(addr));
	}
	const struct proc *p = proc_cache_lookup(&pl->cache, r->tgid);
	bool bind = r->hook == VIGIL_ENF_BIND4 || r->hook == VIGIL_ENF_BIND6;
	for (size_t b = 0; b < e->nrules; b++) {
		if (!(r->rules & (1ULL << b)))
			continue;
		const struct rule *rule = e->rules[b];
		bool denies = e->modes[b] == MODE_ENFORCE;
		struct out o;
		sbuf_reset(&e->json);
		out_init(&o, &e->json, OUT_JSON);
		format_open(&o, r->ktime_ns, bind ? "net.listen" : "net.connect");
		out_obj(&o, "proc");
		out_u64(&o, "tgid", r->tgid);
		out_u64(&o, "tid", r->tid);
		if (p)
			out_u64(&o, "ppid", p->ppid);
		out_u64(&o, "uid", r->uid);
		out_u64(&o, "gid", r->gid);
		out_strn(&o, "comm", r->comm, strnlen(r->comm, VIGIL_COMM_LEN));
		if (p && p->img && p->img->exe && p->img->exe[0])
			out_str(&o, "exe", p->img->exe);
		if (p && p->img && p->img->args && p->img->args_len) {
			out_arr(&o, "args");
			for (size_t off = 0; off < p->img->args_len;) {
				size_t n = strnlen(p->img->args + off, p->img->args_len - off);
				out_strn(&o, NULL, p->img->args + off, n);
				off += n + 1;
			}
			out_arr_end(&o);
		}
		if (p)
			out_str(&o, "exec_id", p->exec_id);
		out_u64(&o, "cgroup_id", r->cgroup_id);
		out_obj_end(&o);
		out_obj(&o, "net");
		out_str(&o, "family", r->family == AF_INET ? "inet" : "inet6");
		out_str(&o, "proto", r->proto == IPPROTO_TCP ? "tcp" : "udp");
		/* the call's address: the local end of a bind, the remote end of a connect */
		out_str(&o, bind ? "saddr" : "daddr", addr);
		out_u64(&o, bind ? "sport" : "dport", r->dport);
		out_str(&o, "hook", r->hook < VIGIL_ENF_HOOKS ? hook_names[r->hook] : "?");
		if (r->denied)
			out_i64(&o, "result", -EPERM);
		out_obj_end(&o);
		if (enforce_alert_end(&o, &e->json, rule, "deny", "cgroup",
				      denies ? "denied" : "would-deny", pl))
			e->alerts++;
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct enforcer *e = ctx;

	if (size < sizeof(struct vigil_enf_record)) {
		e->pl->malformed++;
		return 0;
	}
	write_record_alerts(e, data);
	return 0;
}

uint64_t enforcer_poll(struct enforcer *e, struct pipeline *pl)
{
	if (!e || !pl)
		return 0;
	uint64_t xdp = xdp_enforcer_poll(e->xdp, pl);
	if (!e->rb)
		return xdp;
	uint64_t before = e->alerts;
	e->pl = pl;
	ring_buffer__consume(e->rb);
	enforce_report_loss(bpf_map__fd(e->skel->maps.enf_stats), "enforce.connect", &e->lost_reported, pl);
	return e->alerts - before + xdp;
}

/* --- lifecycle ------------------------------------------------------------------------ */

static int attach(struct enforcer *e, char *err, size_t errlen)
{
	char root[512];
	struct bpf_program *progs[VIGIL_ENF_HOOKS] = {
		e->skel->progs.vigil_enf_connect4, e->skel->progs.vigil_enf_connect6,
		e->skel->progs.vigil_enf_sendmsg4, e->skel->progs.vigil_enf_sendmsg6,
		e->skel->progs.vigil_enf_bind4,    e->skel->progs.vigil_enf_bind6,
	};

	if (enforce_cgroup2_root(root, sizeof(root))) {
		snprintf(err, errlen, "enforcement: no cgroup2 mount (mount -t cgroup2 none /sys/fs/cgroup/unified): deny rules on net.connect and net.listen need one");
		return -1;
	}
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "enforcement: cannot open %s: %s", root, strerror(errno));
		return -1;
	}
	for (int i = 0; i < VIGIL_ENF_HOOKS; i++) {
		e->links[i] = bpf_program__attach_cgroup(progs[i], fd);
		if (!e->links[i]) {
			snprintf(err, errlen, "enforcement: cannot attach %s to %s: %s",
				 hook_names[i], root, strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

static int write_config(struct enforcer *e, struct vigil_enf_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(bpf_map__fd(e->skel->maps.enf_config), &zero, cfg, BPF_ANY);
}

/* The cgroup half: loads the object the first time a rule needs it, else rewrites its tables. */
static int cgroup_apply(struct enforcer *e, const struct policy_set *ps,
			const struct enforce_opts *o, struct pipeline *pl, char *err, size_t errlen)
{
	struct vigil_enf_config cfg;

	if (!e->skel) {
		if (!enforce_count_class(ps, ENF_CLASS_CGROUP))
			return 0;
		e->skel = enforce_connect_bpf__open_and_load();
		if (!e->skel) {
			snprintf(err, errlen, "enforcement: cannot load the cgroup programs: %s", strerror(errno));
			return -1;
		}
		e->rb = ring_buffer__new(bpf_map__fd(e->skel->maps.enf_events), on_record, e, NULL);
		if (!e->rb) {
			snprintf(err, errlen, "enforcement: cannot open its ring buffer: %s", strerror(errno));
			return -1;
		}
	} else {
		/* switch off, drain what the old rules produced, then rewrite */
		memset(&cfg, 0, sizeof(cfg));
		write_config(e, &cfg);
		enforcer_poll(e, pl);
		if (enf_map_clear(e->skel->maps.enf_net4) || enf_map_clear(e->skel->maps.enf_net6) ||
		    enf_map_clear(e->skel->maps.enf_port) || enf_map_clear(e->skel->maps.enf_uid) ||
		    enf_map_clear(e->skel->maps.enf_comm) || enf_map_clear(e->skel->maps.enf_exempt_comm) ||
		    enf_map_clear(e->skel->maps.enf_exempt_cgroup)) {
			snprintf(err, errlen, "enforcement: cannot clear its tables: %s", strerror(errno));
			return -1;
		}
	}
	uint32_t gen = e->generation + 1;
	if (fill(e, ps, o, &cfg, err, errlen) || fill_exempt(e, o, &cfg, err, errlen))
		return -1;
	cfg.self_tgid = (uint32_t)getpid();
	cfg.generation = gen;
	e->generation = gen;
	if (write_config(e, &cfg)) {
		snprintf(err, errlen, "enforcement: cannot write its configuration: %s", strerror(errno));
		return -1;
	}
	if (!e->links[0]) {
		if (attach(e, err, errlen))
			return -1;
		for (int i = 0; o->pin && i < VIGIL_ENF_HOOKS; i++) {
			char name[32];
			snprintf(name, sizeof(name), "cgroup_%s", hook_names[i]);
			if (enforce_pin_link(o, e->links[i], name, err, errlen))
				return -1;
		}
	}
	return 0;
}

int enforcer_apply(struct enforcer **ep, const struct policy_set *ps, const struct enforce_opts *o,
		   struct pipeline *pl, char *err, size_t errlen)
{
	struct enforcer *e = *ep;

	if (!e && !enforce_count(ps)) {
		if (!o->pin)
			return 0;
		snprintf(err, errlen, "--pin: no network rule for the kernel (deny rules on net.connect, net.listen, net.packet; --pin covers those only): nothing to pin");
		return -1;
	}
	if (!e) {
		if (o->pin && enforce_pin_prepare(o, err, errlen))
			return -1;
		e = calloc(1, sizeof(*e));
		if (!e)
			abort();
		e->pinned = o->pin;
	}
	if (cgroup_apply(e, ps, o, pl, err, errlen) ||
	    xdp_enforcer_apply(&e->xdp, ps, o, pl, err, errlen)) {
		if (!*ep) /* a first start: nothing of it may stay */
			enforcer_destroy(e);
		return -1;
	}
	if (!*ep)
		enforce_pin_sweep(o); /* --pin-takeover: the earlier run's other pins go */
	*ep = e;
	return 0;
}

void enforcer_destroy(struct enforcer *e)
{
	if (!e)
		return;
	xdp_enforcer_destroy(e->xdp);
	if (e->pinned && e->skel) {
		/* the pinned programs go on without vigil: its tgid is no longer the exempt one */
		struct vigil_enf_config cfg;
		uint32_t zero = 0;
		if (!bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.enf_config), &zero, &cfg)) {
			cfg.self_tgid = 0;
			write_config(e, &cfg);
		}
	}
	for (int i = 0; i < VIGIL_ENF_HOOKS; i++) {
		if (e->pinned && e->links[i])
			bpf_link__disconnect(e->links[i]); /* closing the fd leaves it attached */
		bpf_link__destroy(e->links[i]);
	}
	ring_buffer__free(e->rb);
	enforce_connect_bpf__destroy(e->skel);
	sbuf_free(&e->json);
	free(e);
}
