// SPDX-License-Identifier: GPL-2.0-only
#include "output/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <microhttpd.h>

#include "kinds.h"
#include "output/outputs.h"
#include "sensors.h"
#include "vigil.skel.h"

#define STALE_S 5 /* the consumer publishes every second: this long without it is a stall */

struct metrics {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	struct sbuf page;       /* the last rendering */
	char unhealthy[512];    /* empty: healthy */
	double published;       /* CLOCK_MONOTONIC of the last metrics_publish */
	struct sbuf scratch;
};

/* ---- the page ---- */

static void label_value(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			sbuf_putc(b, '\\');
		if (*s == '\n') {
			sbuf_puts(b, "\\n");
			continue;
		}
		sbuf_putc(b, *s);
	}
}

static void help(struct sbuf *b, const char *name, const char *type, const char *text)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void sample(struct sbuf *b, const char *name, const char *l1, const char *v1, const char *l2,
		   const char *v2, uint64_t value)
{
	sbuf_puts(b, name);
	if (l1) {
		sbuf_printf(b, "{%s=\"", l1);
		label_value(b, v1);
		sbuf_putc(b, '"');
		if (l2) {
			sbuf_printf(b, ",%s=\"", l2);
			label_value(b, v2);
			sbuf_putc(b, '"');
		}
		sbuf_putc(b, '}');
	}
	sbuf_putc(b, ' ');
	sbuf_put_u64(b, value);
	sbuf_putc(b, '\n');
}

static void kind_family(struct sbuf *b, const struct metrics_source *s, const char *name,
			const char *text, int which)
{
	help(b, name, "counter", text);
	for (unsigned k = 0; k < VIGIL_KIND_MAX; k++) {
		if (!(s->kinds & KIND_BIT(k)))
			continue;
		uint64_t v = which == 0 ? s->st[k].produced : which == 1 ? s->delivered[k]
			   : which == 2 ? s->st[k].dropped : s->st[k].filtered;
		sample(b, name, "kind", kind_name(k), NULL, NULL, v);
	}
}

static void agent_usage(uint64_t *cpu_us, uint64_t *rss)
{
	struct rusage ru;
	long pages = 0, resident = 0;
	FILE *f;

	*cpu_us = 0;
	*rss = 0;
	if (!getrusage(RUSAGE_SELF, &ru))
		*cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
			  (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
	if ((f = fopen("/proc/self/statm", "re"))) {
		if (fscanf(f, "%ld %ld", &pages, &resident) == 2)
			*rss = (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
		fclose(f);
	}
}

/* Run counts and time of each BPF program, when the kernel counts them (kernel.bpf_stats_enabled). */
static void bpf_runs(struct sbuf *b, const struct sensors *sn)
{
	struct bpf_program *p;
	bool any = false;

	if (!sn || !sn->skel)
		return;
	bpf_object__for_each_program(p, sn->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || !info.run_cnt)
			continue;
		if (!any) {
			help(b, "vigil_bpf_prog_runs_total", "counter", "Runs of each BPF program (kernel.bpf_stats_enabled=1)");
			any = true;
		}
		sample(b, "vigil_bpf_prog_runs_total", "prog", bpf_program__name(p), NULL, NULL, info.run_cnt);
		sample(b, "vigil_bpf_prog_run_ns_total", "prog", bpf_program__name(p), NULL, NULL, info.run_time_ns);
	}
}

void metrics_render(struct sbuf *b, const struct metrics_source *s)
{
	struct sink_counters c;
	uint64_t cpu_us, rss;

	kind_family(b, s, "vigil_events_produced_total", "Events that passed the kernel filters, by kind", 0);
	kind_family(b, s, "vigil_events_delivered_total", "Events read from the ring buffer, by kind", 1);
	kind_family(b, s, "vigil_events_lost_total", "Events the kernel dropped (ring buffer full), by kind", 2);
	kind_family(b, s, "vigil_events_filtered_total", "Events the kernel filters kept out, by kind", 3);
	help(b, "vigil_events_malformed_total", "counter", "Records that failed user space's checks");
	sample(b, "vigil_events_malformed_total", NULL, NULL, NULL, NULL, s->malformed);

	const struct alert_count *a;
	help(b, "vigil_alerts_total", "counter", "Alerts by rule and severity");
	for (size_t i = 0; (a = outputs_alert_count(s->outputs, i)); i++)
		sample(b, "vigil_alerts_total", "rule", a->rule, "severity", a->severity, a->alerts);
	help(b, "vigil_enforcement_total", "counter", "Enforcement outcomes by rule (denied, killed, would-deny, ...)");
	for (size_t i = 0; (a = outputs_alert_count(s->outputs, i)); i++)
		if (a->outcome[0])
			sample(b, "vigil_enforcement_total", "rule", a->rule, "outcome", a->outcome, a->alerts);

	static const char *const counters[] = { "queued", "sent", "retried", "spooled" };
	size_t n = outputs_count(s->outputs);
	for (int f = 0; f < 4; f++) {
		char name[64];
		snprintf(name, sizeof(name), "vigil_sink_%s_total", counters[f]);
		help(b, name, "counter", f == 0 ? "Events accepted by each output (queue or spool)"
				       : f == 1 ? "Events each output's receiver accepted (files: written)"
				       : f == 2 ? "Events sent again after a failed attempt"
						: "Events that went through the output's spool");
		for (size_t i = 0; i < n; i++) {
			outputs_counters(s->outputs, i, &c);
			uint64_t v = f == 0 ? c.queued : f == 1 ? c.sent : f == 2 ? c.retried : c.spooled;
			sample(b, name, "sink", outputs_name(s->outputs, i), NULL, NULL, v);
		}
	}
	help(b, "vigil_sink_dropped_total", "counter", "Events each output dropped, by reason");
	for (size_t i = 0; i < n; i++) {
		outputs_counters(s->outputs, i, &c);
		for (int d = 0; d < DROP_MAX; d++)
			sample(b, "vigil_sink_dropped_total", "sink", outputs_name(s->outputs, i), "reason",
			       sink_drop_name(d), c.dropped[d]);
	}
	help(b, "vigil_sink_backlog", "gauge", "Events waiting in each output's queue and spool");
	for (size_t i = 0; i < n; i++) {
		outputs_counters(s->outputs, i, &c);
		sample(b, "vigil_sink_backlog", "sink", outputs_name(s->outputs, i), NULL, NULL, c.backlog);
	}
	help(b, "vigil_sink_spool_bytes", "gauge", "Bytes in each output's spool");
	for (size_t i = 0; i < n; i++) {
		outputs_counters(s->outputs, i, &c);
		sample(b, "vigil_sink_spool_bytes", "sink", outputs_name(s->outputs, i), NULL, NULL, c.spool_bytes);
	}
	help(b, "vigil_sink_up", "gauge", "1 when the output's receiver takes events");
	for (size_t i = 0; i < n; i++) {
		outputs_counters(s->outputs, i, &c);
		sample(b, "vigil_sink_up", "sink", outputs_name(s->outputs, i), NULL, NULL, c.state == SINK_UP);
	}

	help(b, "vigil_ringbuf_size_bytes", "gauge", "The BPF ring buffer's size");
	sample(b, "vigil_ringbuf_size_bytes", NULL, NULL, NULL, NULL, s->ringbuf_size);
	help(b, "vigil_ringbuf_used_bytes", "gauge", "Bytes waiting in the ring buffer");
	sample(b, "vigil_ringbuf_used_bytes", NULL, NULL, NULL, NULL, s->ringbuf_used);
	help(b, "vigil_process_table_entries", "gauge", "Live processes in the process table");
	sample(b, "vigil_process_table_entries", NULL, NULL, NULL, NULL, s->proc_entries);
	if (s->sensors) {
		help(b, "vigil_sensor_attached", "gauge", "1 for each sensor attached, 0 for one wanted but unavailable");
		for (size_t i = 0; i < s->sensors->count; i++) {
			const struct sensor_state *st = &s->sensors->st[i];
			if (st->wanted)
				sample(b, "vigil_sensor_attached", "sensor", st->def->name, NULL, NULL,
				       st->method != ATTACH_UNAVAILABLE);
		}
	}
	agent_usage(&cpu_us, &rss);
	help(b, "vigil_agent_cpu_seconds_total", "counter", "CPU time of the agent (user + system)");
	sbuf_printf(b, "vigil_agent_cpu_seconds_total %llu.%06llu\n", (unsigned long long)(cpu_us / 1000000),
		    (unsigned long long)(cpu_us % 1000000));
	help(b, "vigil_agent_rss_bytes", "gauge", "Resident memory of the agent");
	sample(b, "vigil_agent_rss_bytes", NULL, NULL, NULL, NULL, rss);
	bpf_runs(b, s->sensors);
}

/* ---- the ring buffer's fill ---- */

uint64_t ringbuf_used_bytes(int fd)
{
	static int mapped_fd = -1;
	static const volatile unsigned long *cons, *prod;
	long page = sysconf(_SC_PAGESIZE);

	if (fd < 0)
		return 0;
	if (mapped_fd != fd) {
		void *c = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
		void *p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, page);
		if (c == MAP_FAILED || p == MAP_FAILED) {
			if (c != MAP_FAILED)
				munmap(c, (size_t)page);
			if (p != MAP_FAILED)
				munmap(p, (size_t)page);
			return 0;
		}
		cons = c;
		prod = p;
		mapped_fd = fd;
	}
	unsigned long pp = __atomic_load_n(prod, __ATOMIC_ACQUIRE);
	unsigned long cp = __atomic_load_n(cons, __ATOMIC_ACQUIRE);
	return pp >= cp ? pp - cp : 0;
}

/* ---- the server ---- */

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *ctype,
			     const char *body, size_t n)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", ctype);
	rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *data_size, void **req)
{
	struct metrics *m = cls;
	enum MHD_Result rc;
	(void)version, (void)data, (void)data_size, (void)req;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, 405, "text/plain", "GET only\n", 9);
	pthread_mutex_lock(&m->mu);
	if (!strcmp(url, "/metrics")) {
		rc = reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", m->page.p ? m->page.p : "",
			   m->page.len);
	} else if (!strcmp(url, "/healthz")) {
		char body[600];
		double age = mono() - m->published;
		if (age > STALE_S)
			snprintf(body, sizeof(body), "unhealthy: the consumer has not reported for %.0f s\n", age);
		else if (m->unhealthy[0])
			snprintf(body, sizeof(body), "unhealthy: %s\n", m->unhealthy);
		else
			snprintf(body, sizeof(body), "ok\n");
		rc = reply(conn, body[0] == 'o' ? 200 : 503, "text/plain", body, strlen(body));
	} else {
		rc = reply(conn, 404, "text/plain", "/metrics or /healthz\n", 21);
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int metrics_start(struct metrics **out, const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {};
	char host[128];
	const char *colon = strrchr(spec, ':');
	unsigned long port;
	char *end;

	*out = NULL;
	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host)) {
		snprintf(err, errlen, "--metrics %s: expected ADDR:PORT (e.g. 127.0.0.1:9464)", spec);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 1 || port > 65535) {
		snprintf(err, errlen, "--metrics %s: bad port '%s' (expected 1 to 65535)", spec, colon + 1);
		return -1;
	}
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
		host[strlen(host) - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			goto bad_addr;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			goto bad_addr;
	}
	struct metrics *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&m->mu, NULL);
	m->published = mono();
	snprintf(m->unhealthy, sizeof(m->unhealthy), "starting");
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				(uint16_t)port, NULL, NULL, handle, m, MHD_OPTION_SOCK_ADDR, &ss,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT, 32u,
				MHD_OPTION_END);
	if (!m->d) {
		snprintf(err, errlen, "--metrics %s: cannot listen there (in use, or not an address of this host)", spec);
		pthread_mutex_destroy(&m->mu);
		free(m);
		return -1;
	}
	*out = m;
	return 0;
bad_addr:
	snprintf(err, errlen, "--metrics %s: '%s' is not an IP address", spec, host);
	return -1;
}

void metrics_publish(struct metrics *m, const struct metrics_source *src, const char *unhealthy)
{
	struct sbuf tmp;

	if (!m)
		return;
	sbuf_reset(&m->scratch);
	metrics_render(&m->scratch, src);
	pthread_mutex_lock(&m->mu);
	tmp = m->page;
	m->page = m->scratch;
	m->scratch = tmp;
	snprintf(m->unhealthy, sizeof(m->unhealthy), "%s", unhealthy ? unhealthy : "");
	m->published = mono();
	pthread_mutex_unlock(&m->mu);
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d);
	pthread_mutex_destroy(&m->mu);
	sbuf_free(&m->page);
	sbuf_free(&m->scratch);
	free(m);
}
