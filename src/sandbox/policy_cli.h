/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interim policy of the notification supervisor, from the command line, until the rule
 * engine plugs into the same decision interface (notify.h): --deny-path PREFIX refuses opens of
 * paths under PREFIX with EACCES, --deny-connect ADDR[:PORT] refuses connects with EPERM.
 */
#ifndef VIGIL_SANDBOX_POLICY_CLI_H
#define VIGIL_SANDBOX_POLICY_CLI_H

#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>

#include "sandbox/notify.h"

#define POLICY_CLI_MAX 64

struct deny_addr {
	int family;              /* AF_INET or AF_INET6 */
	struct in6_addr addr;    /* IPv4 in the first 4 bytes */
	int port;                /* -1: any */
	char text[64];
};

struct cli_policy {
	char paths[POLICY_CLI_MAX][PATH_MAX];
	char real_paths[POLICY_CLI_MAX][PATH_MAX]; /* symlinks resolved ("" if it does not exist) */
	size_t npaths;
	struct deny_addr addrs[POLICY_CLI_MAX];
	size_t naddrs;
};

/* 0, or -1 with a message (for the usage error). */
int cli_policy_add_path(struct cli_policy *p, const char *prefix, char *err, size_t errlen);
int cli_policy_add_connect(struct cli_policy *p, const char *spec, char *err, size_t errlen);

/* The notify_policy decide() of these flags. */
int cli_policy_decide(void *ctx, const struct notify_call *c, struct notify_verdict *v);

#endif
