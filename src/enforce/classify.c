// SPDX-License-Identifier: GPL-2.0-only
/* Which rules the kernel can carry out, and why not when it cannot (docs/enforcement.md). */
#include <stdio.h>
#include <string.h>

#include "enforce/conjunction.h"
#include "enforce/enforce.h"
#include "enforce/spec.h"
#include "enforce/task.h"
#include "kinds.h"

static const char *const kernel_fields =
	"net.daddr cidr/==/in, net.dport ==/in, net.proto ==/in (tcp, udp), net.family ==/in, "
	"proc.uid ==/in, proc.comm ==/in, joined by 'and'";
static const char *const packet_fields =
	"net.saddr cidr/==/in, net.dport ==/in, net.proto ==/in (tcp, udp), net.family ==/in, "
	"joined by 'and'";
static const char *const bind_fields =
	"net.saddr cidr/==/in, net.sport ==/in, net.proto == tcp, net.family ==/in, "
	"proc.uid ==/in, proc.comm ==/in, joined by 'and'";

static bool set_u64(uint64_t **vals, size_t *n, bool *has, const struct node *p, uint64_t max,
		    char *why, size_t len)
{
	uint64_t tmp[VIGIL_ENF_VALUES_MAX];
	size_t k = 0;

	if (p->nvals > VIGIL_ENF_VALUES_MAX) {
		snprintf(why, len, "%s has more than %d values (the kernel table's size)", p->field->name,
			 VIGIL_ENF_VALUES_MAX);
		return false;
	}
	for (size_t i = 0; i < p->nvals; i++) {
		if (p->vals[i].i < 0 || (uint64_t)p->vals[i].i > max) {
			snprintf(why, len, "%s value %s is out of range", p->field->name, p->vals[i].s);
			return false;
		}
		tmp[k++] = (uint64_t)p->vals[i].i;
	}
	if (*has) { /* a second test of the field: the values both accept */
		size_t m = 0;
		for (size_t i = 0; i < *n; i++)
			for (size_t j = 0; j < k; j++)
				if ((*vals)[i] == tmp[j]) {
					(*vals)[m++] = (*vals)[i];
					break;
				}
		*n = m;
		return true;
	}
	*vals = malloc((k ? k : 1) * sizeof(**vals));
	if (!*vals)
		abort();
	memcpy(*vals, tmp, k * sizeof(**vals));
	*n = k;
	*has = true;
	return true;
}

static bool names_mask(const struct node *p, const char *a, const char *b, unsigned *mask,
		       const char *hooks, char *why, size_t len)
{
	unsigned m = 0;

	for (size_t i = 0; i < p->nvals; i++) {
		if (!strcmp(p->vals[i].s, a))
			m |= 1;
		else if (b && !strcmp(p->vals[i].s, b))
			m |= 2;
		else {
			snprintf(why, len, "%s '%s' is never seen by the %s hooks (only %s%s%s)",
				 p->field->name, p->vals[i].s, hooks, a, b ? " and " : "", b ? b : "");
			return false;
		}
	}
	*mask &= m;
	return true;
}

static bool pred(const struct node *p, struct enf_spec *s, char *why, size_t len)
{
	const char *f = p->field->name;
	bool set_op = p->op == OP_EQ || p->op == OP_IN;
	/* a net.listen rule is decided at bind(): its address and port are the local ones */
	const char *kind = s->packet ? "net.packet" : s->listen ? "net.listen" : "net.connect";
	const char *addr = s->listen || s->packet ? "net.saddr" : "net.daddr";
	const char *port = s->listen ? "net.sport" : "net.dport";
	const char *where = s->packet ? "XDP" : s->listen ? "bind" : "connect";
	const char *decides = s->packet ? packet_fields : s->listen ? bind_fields : kernel_fields;

	if (!strcmp(f, "kind") && p->op == OP_EQ && !strcmp(p->vals[0].s, kind))
		return true;
	if (!strcmp(f, addr) && (set_op || p->op == OP_CIDR)) {
		if (s->has_daddr) {
			snprintf(why, len, "%s is tested twice (the kernel table holds one set of networks per rule)", addr);
			return false;
		}
		s->has_daddr = true;
		s->nets = p->vals;
		s->nnets = p->nvals;
		return true;
	}
	if (!strcmp(f, port) && set_op) {
		uint64_t *v = s->ports;
		bool ok = set_u64(&v, &s->nports, &s->has_dport, p, 65535, why, len);
		s->ports = v;
		return ok;
	}
	if (s->packet && !strncmp(f, "proc.", 5)) {
		snprintf(why, len, "a packet has no process at XDP ('%s'; it decides: %s)", f, decides);
		return false;
	}
	if (!strcmp(f, "proc.uid") && set_op) {
		uint64_t *v = s->uids;
		bool ok = set_u64(&v, &s->nuids, &s->has_uid, p, UINT32_MAX, why, len);
		s->uids = v;
		return ok;
	}
	if (!strcmp(f, "net.proto") && set_op)
		return names_mask(p, "tcp", s->listen ? NULL : "udp", &s->protos,
				  s->listen ? "bind (listen)" : where, why, len);
	if (!strcmp(f, "net.family") && set_op)
		return names_mask(p, "inet", "inet6", &s->families, where, why, len);
	if (!strcmp(f, "proc.comm") && set_op) {
		for (size_t i = 0; i < p->nvals; i++)
			if (strlen(p->vals[i].s) >= VIGIL_COMM_LEN) {
				snprintf(why, len, "proc.comm '%s' is longer than the kernel's 15 bytes",
					 p->vals[i].s);
				return false;
			}
		if (s->has_comm) {
			size_t m = 0;
			for (size_t i = 0; i < s->ncomms; i++)
				for (size_t j = 0; j < p->nvals; j++)
					if (!strcmp(s->comms[i], p->vals[j].s)) {
						s->comms[m++] = s->comms[i];
						break;
					}
			s->ncomms = m;
			return true;
		}
		s->comms = calloc(p->nvals ? p->nvals : 1, sizeof(*s->comms));
		if (!s->comms)
			abort();
		for (size_t i = 0; i < p->nvals; i++)
			s->comms[i] = p->vals[i].s;
		s->ncomms = p->nvals;
		s->has_comm = true;
		return true;
	}
	snprintf(why, len, "the kernel cannot decide '%s %s' at %s (it decides: %s)", f,
		 op_name(p->op), where, decides);
	return false;
}

static bool spec_pred(const struct node *p, void *spec, char *why, size_t len)
{
	return pred(p, spec, why, len);
}

void enf_spec_free(struct enf_spec *s)
{
	free(s->ports);
	free(s->uids);
	free(s->comms);
	memset(s, 0, sizeof(*s));
}

enum enforce_class enf_spec_build(const struct rule *r, struct enf_spec *s, char *why,
				  size_t whylen, struct pos *at)
{
	memset(s, 0, sizeof(*s));
	s->protos = 3;
	s->families = 3;
	*at = r->pos;
	if (!r->enabled || r->action == ACT_ALERT || !r->cond)
		return ENF_CLASS_ALERT;
	if (r->action == ACT_KILL) {
		snprintf(why, whylen, "action kill is carried out on process.exec, file.open, priv.setuid, kernel.module_load, kernel.bpf, file.unlink, file.rename, kernel.mount and kernel.ptrace only");
		return ENF_CLASS_NONE;
	}
	if (r->kinds == KIND_BIT(VIGIL_KIND_NET_LISTEN)) {
		s->listen = true;
		s->protos = 1; /* listen() is TCP's */
	} else if (r->kinds == KIND_BIT(VIGIL_KIND_NET_PACKET)) {
		s->packet = true;
		s->protos = 7; /* tcp, udp, and every other protocol until net.proto is tested */
	} else if (r->kinds & KIND_BIT(VIGIL_KIND_NET_PACKET)) {
		snprintf(why, whylen, "net.packet is judged at XDP, apart from every other kind: give it a rule of its own");
		return ENF_CLASS_NONE;
	} else if (r->kinds != KIND_BIT(VIGIL_KIND_NET_CONNECT)) {
		snprintf(why, whylen, "deny is carried out on net.connect, net.listen (cgroup hooks), net.packet (XDP) and on process.exec, file.open, priv.setuid, kernel.module_load, kernel.bpf, file.unlink, file.rename, kernel.mount, kernel.ptrace (BPF LSM or SIGKILL) only");
		return ENF_CLASS_NONE;
	}
	if (r->nexceptions) {
		*at = r->pos;
		snprintf(why, whylen, "exceptions are decided in user space, after the %s",
			 s->packet ? "packet" : s->listen ? "bind" : "connect");
		return ENF_CLASS_NONE;
	}
	*at = enf_first_pos(r->when_tree, r->when_pos);
	bool packet = s->packet;
	const struct enf_conjunction shape = {
		.pred = spec_pred,
		.fields = s->packet ? packet_fields : s->listen ? bind_fields : kernel_fields,
	};
	if (!enf_walk_conjunction(r->when_tree, &shape, s, why, whylen, at)) {
		enf_spec_free(s);
		return ENF_CLASS_NONE;
	}
	return packet ? ENF_CLASS_XDP : ENF_CLASS_CGROUP;
}

bool enforce_is_listen(const struct rule *r)
{
	return r->kinds == KIND_BIT(VIGIL_KIND_NET_LISTEN);
}

enum enforce_class enforce_classify(const struct rule *r, char *why, size_t whylen, struct pos *at)
{
	if (enf_task_handles(r)) {
		struct enf_task_spec t;
		enum enforce_class c = enf_task_build(r, &t, why, whylen, at);
		enf_task_spec_free(&t);
		return c;
	}
	struct enf_spec s;
	enum enforce_class c = enf_spec_build(r, &s, why, whylen, at);

	enf_spec_free(&s);
	return c;
}

enum mode enforce_rule_mode(const struct rule *r, const struct enforce_opts *o)
{
	if (o && o->mode == ENF_FORCE_MONITOR)
		return MODE_MONITOR;
	if (o && o->mode == ENF_FORCE_ENFORCE)
		return MODE_ENFORCE;
	return r->mode;
}

/* Do these paths cover everything (a prefix "/")? */
static bool whole_tree(const struct enf_task_path *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].prefix && (!p[i].s[0] || !strcmp(p[i].s, "/")))
			return true;
	return false;
}

/* A deny/kill rule on exec or open that names nothing to match (no program, file, comm or
 * uid, or only the prefix "/"; negations alone leave almost everything): it would stop every
 * exec or every open on the host. */
static bool denies_everything(const struct rule *r)
{
	struct enf_task_spec s;
	char why[256];
	struct pos at;
	bool broad = false;

	if (enf_task_build(r, &s, why, sizeof(why), &at) != ENF_CLASS_NONE)
		broad = (s.op == VIGIL_ENF_OP_EXEC || s.op == VIGIL_ENF_OP_OPEN) && !s.has_comm &&
			!s.has_uid && (!s.has_exe || whole_tree(s.exes, s.nexes)) &&
			(!s.has_file || whole_tree(s.files, s.nfiles));
	enf_task_spec_free(&s);
	return broad;
}

size_t enforce_mark(struct policy_set *ps, const struct enforce_opts *o)
{
	size_t errors = 0, n = 0, ntask = 0, nxdp = 0;

	for (size_t i = 0; i < ps->nrules; i++) {
		struct rule *r = &ps->rules[i];
		char why[256];
		struct pos at;
		r->in_kernel = false;
		switch (enforce_classify(r, why, sizeof(why), &at)) {
		case ENF_CLASS_ALERT:
			if (r->enabled && (r->kinds & KIND_BIT(VIGIL_KIND_NET_PACKET))) {
				policy_error(ps, r->pos, "rule '%s': net.packet is seen only by deny rules at XDP: use action deny (mode: monitor reports without dropping)",
					     r->name);
				errors++;
			}
			break;
		case ENF_CLASS_XDP:
			if (!o->nxdp_iface) {
				policy_error(ps, r->pos, "rule '%s': net.packet rules are carried out at XDP on the interfaces named by --xdp-iface IF; none given",
					     r->name);
				errors++;
				break;
			}
			if (nxdp == VIGIL_ENF_RULES_MAX) {
				policy_error(ps, r->pos, "rule '%s': more than %d net.packet deny rules",
					     r->name, VIGIL_ENF_RULES_MAX);
				errors++;
				break;
			}
			r->in_kernel = true;
			nxdp++;
			break;
		case ENF_CLASS_CGROUP:
			if (n == VIGIL_ENF_RULES_MAX) {
				policy_error(ps, r->pos, "rule '%s': more than %d deny rules for the kernel",
					     r->name, VIGIL_ENF_RULES_MAX);
				errors++;
				break;
			}
			r->in_kernel = true;
			n++;
			break;
		case ENF_CLASS_LSM:
		case ENF_CLASS_SIGNAL: /* enforce_task has its own 64 rule bits */
			if (enforce_rule_mode(r, o) == MODE_ENFORCE && !o->force_broad &&
			    denies_everything(r)) {
				policy_error(ps, r->pos, "rule '%s': it would %s every %s on this host (it names no program, file, comm or uid to match): refused; --force-broad-deny runs it (PID 1, vigil and its children are never stopped)",
					     r->name, r->action == ACT_KILL ? "kill" : "deny",
					     (r->kinds & KIND_BIT(VIGIL_KIND_PROCESS_EXEC)) ? "exec" : "open");
				errors++;
				break;
			}
			if (ntask == VIGIL_ENF_RULES_MAX) {
				policy_error(ps, r->pos, "rule '%s': more than %d deny/kill rules for the kernel's task hooks",
					     r->name, VIGIL_ENF_RULES_MAX);
				errors++;
				break;
			}
			r->in_kernel = true;
			ntask++;
			break;
		case ENF_CLASS_NONE:
			if (r->kinds & KIND_BIT(VIGIL_KIND_NET_PACKET)) {
				/* no sensor sees packets: as an alert it could never fire */
				policy_error(ps, at, "rule '%s': a net.packet rule must be one XDP decides, even degraded or monitored: %s",
					     r->name, why);
				errors++;
				break;
			}
			if (o->allow_degraded || enforce_rule_mode(r, o) == MODE_MONITOR)
				break; /* runs as an alert; agent.policy says so */
			policy_error(ps, at, "rule '%s': action %s cannot be enforced on this kernel: %s (--allow-degraded runs it as an alert)",
				     r->name, action_name(r->action), why);
			errors++;
			break;
		}
	}
	return errors;
}

size_t enforce_count_class(const struct policy_set *ps, enum enforce_class c)
{
	size_t n = 0;
	char why[256];
	struct pos at;

	for (size_t i = 0; i < ps->nrules; i++)
		n += ps->rules[i].in_kernel &&
		     enforce_classify(&ps->rules[i], why, sizeof(why), &at) == c;
	return n;
}

size_t enforce_count(const struct policy_set *ps)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->nrules; i++) /* the task rules have their own enforcer */
		n += ps->rules[i].in_kernel && !enf_task_handles(&ps->rules[i]);
	return n;
}

bool enforce_explain_rule(const struct rule *r, FILE *f)
{
	char why[256];
	struct pos at;
	enum enforce_class c = enforce_classify(r, why, sizeof(why), &at);

	switch (c) {
	case ENF_CLASS_ALERT:
		return false;
	case ENF_CLASS_CGROUP:
		fprintf(f, "  enforcement: cgroup (%s at the cgroup2 root): %s fails with EPERM%s\n",
			enforce_is_listen(r) ? "cgroup/bind4, bind6" : "cgroup/connect4, connect6, sendmsg4, sendmsg6",
			enforce_is_listen(r) ? "the bind() before the listen" : "the call",
			r->mode == MODE_MONITOR ? "; mode monitor: reported as would-deny, allowed" : "");
		fputs("    decided in the kernel: the whole condition, by the enforcement program (no events to user space)\n", f);
		return true;
	case ENF_CLASS_LSM:
	case ENF_CLASS_SIGNAL:
		enf_task_explain(r, c, f);
		return true;
	case ENF_CLASS_XDP:
		fprintf(f, "  enforcement: xdp (on the interfaces of --xdp-iface): matching packets are dropped before the network stack%s\n",
			r->mode == MODE_MONITOR ? "; mode monitor: counted and reported as would-deny, passed" : "");
		fputs("    decided in the kernel: the whole condition; each rule's matches are counted and reported as alerts with the count\n", f);
		return true;
	case ENF_CLASS_NONE:
		fprintf(f, "  enforcement: not enforceable: %s (%s:%d:%d); refused by vigil run unless --allow-degraded or --monitor\n",
			why, at.file ? at.file : "?", at.line, at.col);
		return false;
	}
	return false;
}

void enforce_describe(const struct policy_set *ps, const struct enforce_opts *o, bool running,
		      struct out *out)
{
	static const char *const modes[] = { "per-rule", "monitor", "enforce" };

	out_obj(out, "enforcement");
	out_str(out, "mode", modes[o->mode]);
	out_bool(out, "cgroup_attached", running && enforce_count_class(ps, ENF_CLASS_CGROUP));
	out_bool(out, "pinned", running && o->pin);
	out_arr(out, "rules");
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct rule *r = &ps->rules[i];
		char why[256];
		struct pos at;
		enum enforce_class c = enforce_classify(r, why, sizeof(why), &at);
		if (c == ENF_CLASS_ALERT)
			continue;
		out_obj(out, NULL);
		out_str(out, "name", r->name);
		out_str(out, "action", action_name(r->action));
		out_str(out, "mode", mode_name(enforce_rule_mode(r, o)));
		if (c == ENF_CLASS_XDP && r->in_kernel) {
			out_str(out, "mechanism", "xdp");
			out_arr(out, "interfaces");
			for (size_t k = 0; k < o->nxdp_iface; k++)
				out_str(out, NULL, o->xdp_iface[k]);
			out_arr_end(out);
		} else if (c == ENF_CLASS_CGROUP && r->in_kernel) {
			out_str(out, "mechanism", "cgroup");
			out_arr(out, "hooks");
			if (enforce_is_listen(r)) {
				out_str(out, NULL, "bind4");
				out_str(out, NULL, "bind6");
			} else {
				out_str(out, NULL, "connect4");
				out_str(out, NULL, "connect6");
				out_str(out, NULL, "sendmsg4");
				out_str(out, NULL, "sendmsg6");
			}
			out_arr_end(out);
		} else if ((c == ENF_CLASS_LSM || c == ENF_CLASS_SIGNAL) && r->in_kernel) {
			enf_task_describe(r, c, enforce_rule_mode(r, o), out);
		} else {
			char msg[300];
			snprintf(msg, sizeof(msg), "not enforceable: %s", c == ENF_CLASS_NONE ? why : "not loaded");
			out_str(out, "mechanism", "none");
			out_str(out, "reason", msg);
			out_bool(out, "degraded", true);
		}
		out_obj_end(out);
	}
	out_arr_end(out);
	out_obj_end(out);
}
