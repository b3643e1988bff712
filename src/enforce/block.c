// SPDX-License-Identifier: GPL-2.0-only
/*
 * vigil block add|del|list: a manual blocklist of source networks, dropped at XDP
 * (src/bpf/enforce_block.bpf.c). Its tables, its program and one link per interface are pinned
 * under /sys/fs/bpf/vigil/, so blocks stay in force between commands and without an agent, until
 * deleted or until reboot (docs/enforcement.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <dirent.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "enforce/enforce.h"
#include "enforce_block.skel.h"
#include "probe.h"
#include "vigil/abi.h"

#define PIN_DIR BPFFS_PATH "/vigil"
#define PIN_V4 PIN_DIR "/block_v4"
#define PIN_V6 PIN_DIR "/block_v6"
#define PIN_PROG PIN_DIR "/block_prog"
#define PIN_LINK PIN_DIR "/block_link_"
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

struct block_args {
	const char *verb;
	const char *cidr;
	const char *iface;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct block_args *a = state->input;

	switch (key) {
	case 'i':
		a->iface = arg;
		return 0;
	case ARGP_KEY_ARG:
		if (!a->verb) {
			if (strcmp(arg, "add") && strcmp(arg, "del") && strcmp(arg, "list"))
				argp_error(state, "unknown action '%s': expected add, del or list", arg);
			a->verb = arg;
		} else if (!a->cidr && strcmp(a->verb, "list")) {
			a->cidr = arg;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		return 0;
	case ARGP_KEY_END:
		if (!a->verb)
			argp_error(state, "expected add, del or list");
		if (!strcmp(a->verb, "add") && !a->cidr)
			argp_error(state, "add needs a CIDR, such as 203.0.113.0/24");
		if (!strcmp(a->verb, "del") && !a->cidr && !a->iface)
			argp_error(state, "del needs a CIDR, or --iface IF to detach from an interface");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_option options[] = {
	{ "iface", 'i', "IF", 0, "add: also attach the blocklist to interface IF (XDP); del without CIDR: detach it from IF", 0 },
	{},
};

static const struct argp argp = {
	options, parse_opt, "add|del|list [CIDR]",
	"Drop packets from source networks at XDP, before the network stack sees them. The blocklist "
	"is one table shared by every interface it is attached to; it is pinned under " PIN_DIR
	" and stays in force without vigil running, until deleted (or reboot).\v"
	"Examples:\n"
	"  vigil block add 203.0.113.0/24 --iface eth0\n"
	"  vigil block add 2001:db8::/32\n"
	"  vigil block list\n"
	"  vigil block del 203.0.113.0/24\n"
	"  vigil block del --iface eth0      (detach from eth0)",
	NULL, NULL, NULL,
};

struct cidr {
	int family;
	uint8_t addr[16];
	int prefix;
};

static int parse_cidr(const char *s, struct cidr *c)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (!alen || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, c->addr) == 1)
		c->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, c->addr) == 1)
		c->family = AF_INET6;
	else
		return -1;
	int max = c->family == AF_INET ? 32 : 128;
	c->prefix = max;
	if (slash) {
		char *end;
		errno = 0;
		long pl = strtol(slash + 1, &end, 10);
		if (errno || *end || !slash[1] || pl < 0 || pl > max)
			return -1;
		c->prefix = (int)pl;
	}
	/* the network, not the host bits written after it */
	for (int i = 0; i < max / 8; i++) {
		int keep = c->prefix - i * 8;
		if (keep < 8)
			c->addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
	return 0;
}

static void cidr_str(int family, const uint8_t *addr, uint32_t prefix, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(out, len, "%s/%u", a, prefix);
}

int enforce_bpffs(void)
{
	char err[256];

	if (kernel_bpffs_ensure(err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		return -1;
	}
	return 0;
}

/* The pinned tables, loading and pinning the object the first time. */
static int open_pinned(int *v4, int *v6, int *prog, bool create)
{
	*v4 = bpf_obj_get(PIN_V4);
	*v6 = bpf_obj_get(PIN_V6);
	*prog = bpf_obj_get(PIN_PROG);
	if (*v4 >= 0 && *v6 >= 0 && *prog >= 0)
		return 0;
	if (*v4 >= 0)
		close(*v4);
	if (*v6 >= 0)
		close(*v6);
	if (*prog >= 0)
		close(*prog);
	*v4 = *v6 = *prog = -1;
	if (!create)
		return 1; /* nothing pinned */
	if (mkdir(PIN_DIR, 0700) && errno != EEXIST) {
		fprintf(stderr, "vigil: cannot create %s: %s\n", PIN_DIR, strerror(errno));
		return -1;
	}
	unlink(PIN_V4);
	unlink(PIN_V6);
	unlink(PIN_PROG);
	struct enforce_block_bpf *sk = enforce_block_bpf__open_and_load();
	if (!sk) {
		fprintf(stderr, "vigil: cannot load the XDP blocklist program: %s\n", strerror(errno));
		return -1;
	}
	int rc = -1;
	if (bpf_map__pin(sk->maps.block_v4, PIN_V4) || bpf_map__pin(sk->maps.block_v6, PIN_V6) ||
	    bpf_program__pin(sk->progs.vigil_block, PIN_PROG)) {
		fprintf(stderr, "vigil: cannot pin the blocklist under %s: %s\n", PIN_DIR, strerror(errno));
		unlink(PIN_V4);
		unlink(PIN_V6);
		unlink(PIN_PROG);
	} else {
		*v4 = dup(bpf_map__fd(sk->maps.block_v4));
		*v6 = dup(bpf_map__fd(sk->maps.block_v6));
		*prog = dup(bpf_program__fd(sk->progs.vigil_block));
		rc = 0;
	}
	enforce_block_bpf__destroy(sk);
	return rc;
}

static int iface_index(const char *name)
{
	unsigned idx = if_nametoindex(name);

	if (!idx)
		fprintf(stderr, "vigil: no network interface '%s' here\n", name);
	return (int)idx;
}

static int attach_iface(int prog, const char *iface)
{
	char path[128];
	int idx = iface_index(iface);

	if (!idx)
		return -1;
	snprintf(path, sizeof(path), PIN_LINK "%s", iface);
	int old = bpf_obj_get(path);
	if (old >= 0) {
		close(old);
		return 0; /* already attached */
	}
	int link = bpf_link_create(prog, idx, BPF_XDP, NULL);
	if (link < 0) {
		fprintf(stderr, "vigil: cannot attach the blocklist to %s (XDP): %s\n", iface,
			strerror(errno));
		return -1;
	}
	if (bpf_obj_pin(link, path)) {
		fprintf(stderr, "vigil: cannot pin the link at %s: %s\n", path, strerror(errno));
		close(link);
		return -1;
	}
	close(link);
	return 0;
}

static int detach_iface(const char *iface)
{
	char path[128];

	snprintf(path, sizeof(path), PIN_LINK "%s", iface);
	if (unlink(path)) {
		fprintf(stderr, "vigil: the blocklist is not attached to '%s'\n", iface);
		return -1;
	}
	printf("detached from %s\n", iface);
	return 0;
}

static void list_ifaces(FILE *f)
{
	DIR *d = opendir(PIN_DIR);
	struct dirent *de;
	bool any = false;

	fputs("interfaces:", f);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "block_link_", 11))
			continue;
		fprintf(f, " %s", de->d_name + 11);
		any = true;
	}
	fputs(any ? "\n" : " none (add --iface IF to attach)\n", f);
	if (d)
		closedir(d);
}

/* Nothing blocked and no interface attached: the pins go, leaving nothing behind. */
static void remove_if_unused(int v4, int v6)
{
	struct vigil_enf_net6_key k6;
	struct vigil_enf_net4_key k4;
	DIR *d;
	struct dirent *de;

	if (!bpf_map_get_next_key(v4, NULL, &k4) || !bpf_map_get_next_key(v6, NULL, &k6))
		return;
	d = opendir(PIN_DIR);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "block_link_", 11)) {
			closedir(d);
			return;
		}
	if (d)
		closedir(d);
	unlink(PIN_V4);
	unlink(PIN_V6);
	unlink(PIN_PROG);
	rmdir(PIN_DIR); /* only if empty */
	printf("the blocklist is empty and attached nowhere: unpinned\n");
}

static int list(int v4, int v6)
{
	struct vigil_enf_net4_key k4, n4;
	struct vigil_enf_net6_key k6, n6;
	uint64_t hits;
	char s[80];
	size_t rows = 0;

	printf("%-44s %s\n", "CIDR", "DROPPED");
	for (void *prev = NULL; !bpf_map_get_next_key(v4, prev, &n4); prev = &k4) {
		k4 = n4;
		if (bpf_map_lookup_elem(v4, &k4, &hits))
			continue;
		cidr_str(AF_INET, k4.addr, k4.prefixlen, s, sizeof(s));
		printf("%-44s %llu\n", s, (unsigned long long)hits);
		rows++;
	}
	for (void *prev = NULL; !bpf_map_get_next_key(v6, prev, &n6); prev = &k6) {
		k6 = n6;
		if (bpf_map_lookup_elem(v6, &k6, &hits))
			continue;
		cidr_str(AF_INET6, k6.addr, k6.prefixlen, s, sizeof(s));
		printf("%-44s %llu\n", s, (unsigned long long)hits);
		rows++;
	}
	if (!rows)
		printf("(nothing blocked)\n");
	list_ifaces(stdout);
	return 0;
}

int cmd_block(int argc, char **argv)
{
	struct block_args a = {};
	struct cidr c;
	int v4 = -1, v6 = -1, prog = -1, rc = 1;

	if (cli_parse(&argp, argc, argv, &a))
		return 2;
	if (a.cidr && parse_cidr(a.cidr, &c)) {
		fprintf(stderr, "vigil: '%s' is not a network: expected an address or CIDR such as 203.0.113.0/24 or 2001:db8::/32\n",
			a.cidr);
		return 2;
	}
	if (require_bpf_privileges() || enforce_bpffs())
		return 1;
	libbpf_set_print(NULL);
	bool add = !strcmp(a.verb, "add");
	if (add && a.iface && !iface_index(a.iface))
		return 1;
	int o = open_pinned(&v4, &v6, &prog, add);
	if (o < 0)
		return 1;
	if (o > 0) { /* nothing pinned */
		if (!strcmp(a.verb, "list")) {
			printf("%-44s %s\n", "CIDR", "DROPPED");
			list_ifaces(stdout);
			return 0;
		}
		if (a.cidr) {
			fprintf(stderr, "vigil: %s is not blocked (the blocklist is empty)\n", a.cidr);
			return 1;
		}
		return detach_iface(a.iface) ? 1 : 0;
	}
	if (!strcmp(a.verb, "list")) {
		rc = list(v4, v6);
		goto out;
	}
	int fd = c.family == AF_INET ? v4 : v6;
	struct vigil_enf_net4_key k4 = { .prefixlen = (uint32_t)c.prefix };
	struct vigil_enf_net6_key k6 = { .prefixlen = (uint32_t)c.prefix };
	memcpy(k4.addr, c.addr, 4);
	memcpy(k6.addr, c.addr, 16);
	void *key = c.family == AF_INET ? (void *)&k4 : (void *)&k6;
	char s[80];
	if (a.cidr)
		cidr_str(c.family, c.addr, (uint32_t)c.prefix, s, sizeof(s));
	if (add) {
		uint64_t zero = 0;
		if (bpf_map_update_elem(fd, key, &zero, BPF_NOEXIST)) {
			if (errno != EEXIST) {
				fprintf(stderr, "vigil: cannot add %s: %s\n", s, strerror(errno));
				goto out;
			}
			printf("%s is already blocked\n", s);
		} else {
			printf("blocked %s\n", s);
		}
		if (a.iface && attach_iface(prog, a.iface))
			goto out;
		list_ifaces(stdout);
		rc = 0;
		goto out;
	}
	/* del */
	if (!a.cidr) {
		rc = detach_iface(a.iface) ? 1 : 0;
		if (!rc)
			remove_if_unused(v4, v6);
		goto out;
	}
	if (bpf_map_delete_elem(fd, key)) {
		fprintf(stderr, "vigil: %s is not blocked\n", s);
		goto out;
	}
	printf("unblocked %s\n", s);
	if (a.iface && detach_iface(a.iface))
		goto out;
	remove_if_unused(v4, v6);
	rc = 0;
out:
	close(v4);
	close(v6);
	close(prog);
	return rc;
}
