// SPDX-License-Identifier: GPL-2.0-only
#include "sandbox/policy_cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_policy_add_path(struct cli_policy *p, const char *prefix, char *err, size_t errlen)
{
	if (p->npaths >= POLICY_CLI_MAX) {
		snprintf(err, errlen, "at most %d paths", POLICY_CLI_MAX);
		return -1;
	}
	if (prefix[0] != '/' || strlen(prefix) >= PATH_MAX) {
		snprintf(err, errlen, "expected an absolute path, got '%s'", prefix);
		return -1;
	}
	path_fold(p->paths[p->npaths], PATH_MAX, "/", prefix);
	if (!realpath(p->paths[p->npaths], p->real_paths[p->npaths]))
		p->real_paths[p->npaths][0] = '\0';
	p->npaths++;
	return 0;
}

int cli_policy_add_connect(struct cli_policy *p, const char *spec, char *err, size_t errlen)
{
	char host[64];
	const char *port = NULL;
	struct deny_addr *a = &p->addrs[p->naddrs];

	if (p->naddrs >= POLICY_CLI_MAX) {
		snprintf(err, errlen, "at most %d addresses", POLICY_CLI_MAX);
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->port = -1;
	if (spec[0] == '[') { /* [v6]:port */
		const char *end = strchr(spec, ']');
		if (!end || (size_t)(end - spec - 1) >= sizeof(host) || (end[1] && end[1] != ':'))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(end - spec - 1), spec + 1);
		port = end[1] ? end + 2 : NULL;
	} else if (strchr(spec, ':') && strchr(spec, ':') == strrchr(spec, ':')) { /* v4:port */
		const char *colon = strchr(spec, ':');
		if ((size_t)(colon - spec) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	} else if (strlen(spec) < sizeof(host)) {
		snprintf(host, sizeof(host), "%s", spec);
	} else {
		goto bad;
	}
	if (inet_pton(AF_INET, host, &a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, &a->addr) == 1)
		a->family = AF_INET6;
	else
		goto bad;
	if (port) {
		uint64_t v;
		char why[128];
		if (parse_u64(port, 0, 65535, &v, why, sizeof(why)))
			goto bad;
		a->port = (int)v;
	}
	snprintf(a->text, sizeof(a->text), "%s", spec);
	p->naddrs++;
	return 0;
bad:
	snprintf(err, errlen, "expected ADDR, ADDR:PORT or [IPV6]:PORT, got '%s'", spec);
	return -1;
}

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!*path || !*prefix)
		return false;
	if (!strcmp(prefix, "/"))
		return true;
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static bool addr_matches(const struct deny_addr *d, const struct notify_call *c)
{
	const struct sockaddr_storage *ss = &c->addr;

	if (ss->ss_family != d->family)
		return false;
	if (d->family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		return c->addrlen >= sizeof(*in) && !memcmp(&in->sin_addr, &d->addr, 4) &&
		       (d->port < 0 || ntohs(in->sin_port) == d->port);
	}
	const struct sockaddr_in6 *in6 = (const void *)ss;
	return c->addrlen >= sizeof(*in6) && !memcmp(&in6->sin6_addr, &d->addr, 16) &&
	       (d->port < 0 || ntohs(in6->sin6_port) == d->port);
}

int cli_policy_decide(void *ctx, const struct notify_call *c, struct notify_verdict *v)
{
	const struct cli_policy *p = ctx;

	if (c->subject == NOTIFY_SUBJECT_PATH) {
		/* the path as given and as it resolves now: a symlink must not lead around the rule */
		for (size_t i = 0; i < p->npaths; i++) {
			if (under(c->path, p->paths[i]) || under(c->real_path, p->paths[i]) ||
			    under(c->path, p->real_paths[i]) || under(c->real_path, p->real_paths[i])) {
				v->deny = true;
				v->error = EACCES;
				snprintf(v->rule, sizeof(v->rule), "--deny-path %s", p->paths[i]);
				return 1;
			}
		}
	} else if (c->subject == NOTIFY_SUBJECT_ADDRESS) {
		for (size_t i = 0; i < p->naddrs; i++) {
			if (addr_matches(&p->addrs[i], c)) {
				v->deny = true;
				v->error = EPERM;
				snprintf(v->rule, sizeof(v->rule), "--deny-connect %s", p->addrs[i].text);
				return 1;
			}
		}
	}
	return 0;
}
