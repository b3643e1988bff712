// SPDX-License-Identifier: GPL-2.0-only
/*
 * tcprtt: round-trip time by remote host. The kernel aggregates (net-rtt sensor: tcp:tcp_probe's
 * srtt, the smoothed RTT, sampled on every segment an established connection receives) into
 * one map entry per host; this prints the running totals every interval and at exit.
 */
#include "tools/tool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kinds.h"
#include "netfmt.h"
#include "sensors.h"
#include "timefmt.h"
#include "vigil.skel.h"

#define RTT_HOSTS_MAX 4096
#define BAR_WIDTH 40

struct rtt_host {
	struct vigil_rtt_key key;
	struct vigil_rtt_val val;
};

static int by_address(const void *a, const void *b)
{
	const struct rtt_host *x = a, *y = b;

	if (x->key.family != y->key.family)
		return x->key.family - y->key.family;
	return memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));
}

static void put_hist(struct sbuf *b, const struct vigil_rtt_val *v)
{
	uint64_t top = 0;
	int first = -1, last = -1;

	for (int i = 0; i < VIGIL_RTT_SLOTS; i++) {
		if (!v->slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (v->slots[i] > top)
			top = v->slots[i];
	}
	sbuf_puts(b, "     usecs               : count     distribution\n");
	for (int i = first; i >= 0 && i <= last; i++) {
		uint64_t lo = i ? 1ULL << i : 0, hi = (1ULL << (i + 1)) - 1;
		int stars = top ? (int)(v->slots[i] * BAR_WIDTH / top) : 0;
		sbuf_printf(b, " %10llu -> %-10llu : %-9llu |%-*.*s|\n", (unsigned long long)lo,
			    (unsigned long long)hi, (unsigned long long)v->slots[i], BAR_WIDTH, stars,
			    "****************************************");
	}
}

static void tcprtt_tick(struct pipeline *pl)
{
	int fd = bpf_map__fd(pl->sensors->skel->maps.net_rtt);
	struct rtt_host *hosts = calloc(RTT_HOSTS_MAX, sizeof(*hosts));
	struct vigil_rtt_key key, next, *prev = NULL;
	struct sbuf *b = pl->out.b;
	size_t n = 0;

	if (!hosts) {
		fprintf(stderr, "vigil: out of memory\n");
		return;
	}
	while (n < RTT_HOSTS_MAX && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &hosts[n].val))
			continue;
		hosts[n++].key = key;
	}
	qsort(hosts, n, sizeof(*hosts), by_address);

	tool_put_time(b, now_boot_ns());
	sbuf_printf(b, " %zu remote host%s\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		const struct vigil_rtt_val *v = &hosts[i].val;
		char addr[NET_ADDR_TEXT_MAX];

		net_addr_text(addr, hosts[i].key.family, hosts[i].key.addr);
		sbuf_printf(b, "Remote host %s: samples %llu avg %llu us min %llu us max %llu us\n",
			    addr, (unsigned long long)v->count,
			    (unsigned long long)(v->count ? v->sum_us / v->count : 0),
			    (unsigned long long)v->min_us, (unsigned long long)v->max_us);
		put_hist(b, v);
	}
	sbuf_putc(b, '\n');
	free(hosts);
}

const struct tool tool_tcprtt = {
	.name = "tcprtt",
	.summary = "TCP round-trip time by remote host (avg, min, max, histogram)",
	.doc = "Summarize the TCP round-trip time per remote host: samples, average, minimum, "
	       "maximum and a log2 histogram in microseconds, printed every --interval and at exit "
	       "(totals since the start). The source is the kernel's smoothed RTT (tcp_sock srtt_us "
	       "as tcp:tcp_probe reports it), sampled on every segment an established connection "
	       "receives and aggregated in a BPF map, so no per-packet event reaches user space. "
	       "The process filters (-p, -u, -c, --cgroup) do not apply (segments arrive in softirq "
	       "context) and are refused: `-p 443` is not a port filter here (BCC's tcprtt -p LPORT "
	       "and -P RPORT need the kernel map keyed by port, which it is not yet).\v"
	       "Examples:\n"
	       "  vigil tcprtt\n"
	       "  vigil tcprtt -i 5 -d 60",
	.kinds = KIND_BIT(VIGIL_KIND_NET_RTT),
	.header = "Tracing TCP RTT by remote host; Ctrl-C to end.", /* says it is attached */
	.on_tick = tcprtt_tick,
	.default_interval = 1,
	.no_process_filters = true,
	.no_process_filters_why = "RTT samples arrive in softirq context, not in a process; "
				  "tcprtt has no port filter yet (BCC's -p LPORT, -P RPORT)",
};
