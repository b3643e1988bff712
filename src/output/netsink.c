// SPDX-License-Identifier: GPL-2.0-only
/*
 * A network output: the consumer appends rendered lines to a bounded memory queue (or, once that
 * is full or while older events wait there, to the on-disk spool) and returns at once; the sink's
 * own thread sends them in batches through its transport, retrying with exponential backoff and
 * jitter while the receiver is down. Nothing here blocks the consumer on the network.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/output.h"
#include "output/outputs.h"
#include "output/spool.h"
#include "output/transport.h"

#define CHANGES 32

struct netsink {
	const struct output_spec *spec;
	struct transport *t;
	pthread_t thr;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	/* the memory queue: a ring of whole lines */
	char *q;
	size_t qcap, qhead, qlen;
	uint64_t qevents;
	double q_since; /* when the queue last went from empty to non-empty */
	struct spool sp;
	bool spooling;  /* new lines go to the spool: older ones wait there */
	struct sink_counters c;
	struct sink_change ch[CHANGES];
	unsigned ch_rd, ch_wr;
	bool connected, stopping, draining;
	double stop_at;
	unsigned attempt;
	unsigned seed;
	char *scratch;
	size_t scratch_cap;
	char why[200];
};

static void timed_wait(struct netsink *ns, pthread_cond_t *cv, double until)
{
	struct timespec now, ts;
	double rel = until - output_now();

	if (rel <= 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	double abs_s = (double)now.tv_sec + (double)now.tv_nsec / 1e9 + rel;
	ts.tv_sec = (time_t)abs_s;
	ts.tv_nsec = (long)((abs_s - (double)ts.tv_sec) * 1e9);
	pthread_cond_timedwait(cv, &ns->mu, &ts);
}

static void push_change(struct netsink *ns, const char *state, const char *reason)
{
	struct sink_change *c;

	if (ns->ch_wr - ns->ch_rd == CHANGES)
		ns->ch_rd++; /* keep the latest */
	c = &ns->ch[ns->ch_wr++ % CHANGES];
	c->state = state;
	snprintf(c->reason, sizeof(c->reason), "%s", reason ? reason : "");
	c->backlog = ns->qevents + ns->sp.events;
}

static void set_down(struct netsink *ns, const char *why)
{
	if (ns->c.state != SINK_DOWN)
		push_change(ns, "down", why);
	ns->c.state = SINK_DOWN;
}

static void set_up(struct netsink *ns)
{
	if (ns->c.state == SINK_STARTING)
		push_change(ns, "connected", NULL);
	else if (ns->c.state == SINK_DOWN)
		push_change(ns, "recovered", NULL);
	ns->c.state = SINK_UP;
}

/* ---- the memory queue ---- */

static void ring_put(struct netsink *ns, const char *buf, size_t len)
{
	size_t tail = (ns->qhead + ns->qlen) % ns->qcap;
	size_t first = ns->qcap - tail < len ? ns->qcap - tail : len;

	memcpy(ns->q + tail, buf, first);
	memcpy(ns->q, buf + first, len - first);
	ns->qlen += len;
}

static void ring_peek(const struct netsink *ns, size_t off, char *dst, size_t n)
{
	size_t at = (ns->qhead + off) % ns->qcap;
	size_t first = ns->qcap - at < n ? ns->qcap - at : n;

	memcpy(dst, ns->q + at, first);
	memcpy(dst + first, ns->q, n - first);
}

static void ring_drop(struct netsink *ns, size_t n)
{
	ns->qhead = (ns->qhead + n) % ns->qcap;
	ns->qlen -= n;
}

static void scratch_reserve(struct netsink *ns, size_t n)
{
	if (n <= ns->scratch_cap)
		return;
	ns->scratch = realloc(ns->scratch, n);
	if (!ns->scratch)
		abort();
	ns->scratch_cap = n;
}

/* Copies the oldest whole lines, up to the transport's batch size (at least one line). */
static size_t ring_batch(struct netsink *ns, size_t *lines)
{
	size_t want = ns->qlen < ns->t->batch_max ? ns->qlen : ns->t->batch_max;
	size_t len;

	scratch_reserve(ns, want);
	ring_peek(ns, 0, ns->scratch, want);
	len = want;
	while (len && ns->scratch[len - 1] != '\n')
		len--;
	if (!len) { /* one line longer than a batch: take it whole */
		scratch_reserve(ns, ns->qlen);
		ring_peek(ns, 0, ns->scratch, ns->qlen);
		const char *nl = memchr(ns->scratch, '\n', ns->qlen);
		len = nl ? (size_t)(nl - ns->scratch) + 1 : ns->qlen;
	}
	*lines = 0;
	for (const char *p = ns->scratch; (p = memchr(p, '\n', (size_t)(ns->scratch + len - p))); p++)
		(*lines)++;
	return len;
}

/* ---- the consumer's side ---- */

static void enqueue_no_spool(struct netsink *ns, const char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - buf - off) + 1 : len - off;
		if (ll > ns->qcap) {
			ns->c.dropped[DROP_TOO_LARGE]++;
		} else if (ns->qlen + ll > ns->qcap) {
			ns->c.dropped[DROP_SPOOL_FULL]++;
		} else {
			if (!ns->qlen)
				ns->q_since = output_now();
			ring_put(ns, buf + off, ll);
			ns->qevents++;
			ns->c.queued++;
		}
		off += ll;
	}
}

static int net_write(void *impl, const char *buf, size_t len, size_t nevents)
{
	struct netsink *ns = impl;

	pthread_mutex_lock(&ns->mu);
	if (!ns->spooling && ns->qlen + len <= ns->qcap) {
		if (!ns->qlen)
			ns->q_since = output_now();
		ring_put(ns, buf, len);
		ns->qevents += nevents;
		ns->c.queued += nevents;
	} else if (ns->sp.max) {
		size_t bytes;
		long k = spool_append(&ns->sp, buf, len, &bytes);
		if (k < 0) {
			ns->c.dropped[DROP_SPOOL_ERROR] += nevents;
		} else {
			ns->c.queued += (uint64_t)k;
			ns->c.spooled += (uint64_t)k;
			ns->c.dropped[DROP_SPOOL_FULL] += nevents - (size_t)k;
			if (k)
				ns->spooling = true;
		}
	} else {
		enqueue_no_spool(ns, buf, len);
	}
	pthread_cond_signal(&ns->wake);
	pthread_mutex_unlock(&ns->mu);
	return 0;
}

/* ---- the sink's thread ---- */

static void backoff(struct netsink *ns)
{
	double d = 0.1;

	for (unsigned i = 0; i < ns->attempt && d < ns->spec->retry_max_s; i++)
		d *= 2;
	if (d > ns->spec->retry_max_s)
		d = ns->spec->retry_max_s;
	ns->attempt++;
	/* jitter: anywhere in [d/2, d], so a fleet does not reconnect in step */
	d = d / 2 + d / 2 * ((double)rand_r(&ns->seed) / RAND_MAX);
	double until = output_now() + d;
	/* at exit (drain) the receiver gets a few quick tries instead of the long waits */
	while (!ns->stopping && output_now() < until &&
	       !(ns->draining && output_now() >= until - d + 0.2))
		timed_wait(ns, &ns->wake, ns->draining && until - d + 0.2 < until ? until - d + 0.2 : until);
}

static size_t bytes_of_lines(const char *buf, size_t len, size_t lines)
{
	size_t off = 0;

	while (lines-- && off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		off = nl ? (size_t)(nl - buf) + 1 : len;
	}
	return off;
}

static void *sender(void *arg)
{
	struct netsink *ns = arg;
	char why[200];

	pthread_mutex_lock(&ns->mu);
	for (;;) {
		bool empty = !ns->qlen && spool_empty(&ns->sp);
		if (ns->stopping && (empty || output_now() >= ns->stop_at))
			break;
		if (empty) {
			pthread_cond_broadcast(&ns->idle);
			pthread_cond_wait(&ns->wake, &ns->mu);
			continue;
		}
		if (!ns->connected) {
			pthread_mutex_unlock(&ns->mu);
			int rc = ns->t->ops->connect(ns->t, why, sizeof(why));
			pthread_mutex_lock(&ns->mu);
			if (rc) {
				set_down(ns, why);
				pthread_cond_broadcast(&ns->idle);
				backoff(ns);
				continue;
			}
			ns->connected = true;
			if (!ns->t->lazy)
				set_up(ns);
		}
		/* a partial batch waits a little for company (HTTP), unless the spool has more */
		if (ns->t->linger_s > 0 && !ns->stopping && !ns->draining && spool_empty(&ns->sp) &&
		    ns->qlen < ns->t->batch_max && output_now() < ns->q_since + ns->t->linger_s) {
			timed_wait(ns, &ns->wake, ns->q_since + ns->t->linger_s);
			continue;
		}
		size_t len, lines;
		bool from_spool = !ns->qlen;
		if (!from_spool) {
			len = ring_batch(ns, &lines);
		} else {
			uint64_t seq = spool_read_begin(&ns->sp), off = ns->sp.roff;
			size_t cap = ns->t->batch_max < 65536 ? 65536 : ns->t->batch_max;
			scratch_reserve(ns, cap);
			pthread_mutex_unlock(&ns->mu);
			long r = spool_read(&ns->sp, seq, off, ns->scratch, cap, &lines);
			if (r < 0 && errno == EFBIG) { /* one line longer than a read: read it whole */
				cap = 64u << 20;
				scratch_reserve(ns, cap);
				r = spool_read(&ns->sp, seq, off, ns->scratch, cap, &lines);
			}
			pthread_mutex_lock(&ns->mu);
			if (r <= 0) {
				if (r < 0) { /* unreadable: what it held is lost, counted as one drop */
					ns->c.dropped[DROP_SPOOL_ERROR]++;
					fprintf(stderr, "vigil: output %s: spool segment unreadable: %s\n",
						ns->spec->name, strerror(errno));
				}
				spool_segment_done(&ns->sp);
				if (spool_empty(&ns->sp))
					ns->spooling = false;
				continue;
			}
			len = (size_t)r;
		}
		pthread_mutex_unlock(&ns->mu);
		size_t done = 0;
		ns->t->rejected = 0;
		enum send_status st = ns->t->ops->send(ns->t, ns->scratch, len, lines, &done, why, sizeof(why));
		pthread_mutex_lock(&ns->mu);
		size_t used = st == SEND_RETRY ? done : lines;
		size_t used_bytes = st == SEND_RETRY ? bytes_of_lines(ns->scratch, len, done) : len;
		if (from_spool) {
			spool_consume(&ns->sp, used_bytes, used);
		} else {
			ring_drop(ns, used_bytes);
			ns->qevents -= used;
			if (ns->qlen)
				ns->q_since = output_now();
		}
		size_t refused = st == SEND_OK && ns->t->rejected <= lines ? ns->t->rejected : 0;
		ns->c.sent += (st == SEND_OK ? lines : done) - refused;
		ns->c.dropped[DROP_REJECTED] += refused;
		ns->c.bytes += st == SEND_OK ? len : bytes_of_lines(ns->scratch, len, done);
		if (st == SEND_REJECT) {
			ns->c.dropped[DROP_REJECTED] += lines - done;
			if (strcmp(ns->why, why))
				fprintf(stderr, "vigil: output %s: receiver rejected %zu events: %s\n",
					ns->spec->name, lines - done, why);
			snprintf(ns->why, sizeof(ns->why), "%s", why);
		}
		if (st == SEND_RETRY) {
			ns->c.retried += lines - done;
			ns->t->ops->disconnect(ns->t);
			ns->connected = false;
			set_down(ns, why);
			pthread_cond_broadcast(&ns->idle);
			backoff(ns);
		} else {
			ns->attempt = 0;
			if (ns->c.state != SINK_UP)
				set_up(ns);
		}
	}
	pthread_cond_broadcast(&ns->idle);
	pthread_mutex_unlock(&ns->mu);
	return NULL;
}

/* ---- the rest of the output interface ---- */

static void net_counters(void *impl, struct sink_counters *c)
{
	struct netsink *ns = impl;

	pthread_mutex_lock(&ns->mu);
	*c = ns->c;
	c->backlog = ns->qevents + ns->sp.events;
	c->spool_bytes = ns->sp.bytes;
	c->network = true;
	pthread_mutex_unlock(&ns->mu);
}

static bool net_next_change(void *impl, struct sink_change *c)
{
	struct netsink *ns = impl;
	bool any;

	pthread_mutex_lock(&ns->mu);
	any = ns->ch_rd != ns->ch_wr;
	if (any)
		*c = ns->ch[ns->ch_rd++ % CHANGES];
	pthread_mutex_unlock(&ns->mu);
	return any;
}

static bool net_drain(void *impl, double deadline)
{
	struct netsink *ns = impl;

	pthread_mutex_lock(&ns->mu);
	ns->draining = true;
	pthread_cond_signal(&ns->wake);
	while ((ns->qlen || !spool_empty(&ns->sp)) && output_now() < deadline) {
		double until = output_now() + 0.05;
		timed_wait(ns, &ns->idle, until < deadline ? until : deadline);
	}
	ns->draining = false;
	bool empty = !ns->qlen && spool_empty(&ns->sp);
	pthread_mutex_unlock(&ns->mu);
	return empty;
}

/* At exit: what is still in memory goes to the spool for the next run (or is counted lost). */
static void spill(struct netsink *ns)
{
	if (!ns->qlen)
		return;
	char *buf = malloc(ns->qlen);
	size_t len = ns->qlen, bytes = 0;
	long k = 0;

	if (!buf)
		return;
	ring_peek(ns, 0, buf, len);
	if (ns->sp.max)
		k = spool_append(&ns->sp, buf, len, &bytes);
	if (k > 0) {
		ns->c.spooled += (uint64_t)k;
		ns->qevents -= (uint64_t)k;
	}
	ns->c.dropped[DROP_AT_EXIT] += ns->qevents;
	ns->qevents = 0;
	ring_drop(ns, len);
	free(buf);
}

static void net_close(void *impl)
{
	struct netsink *ns = impl;

	if (ns->started) {
		pthread_mutex_lock(&ns->mu);
		ns->stopping = true;
		ns->stop_at = output_now();
		pthread_cond_broadcast(&ns->wake);
		pthread_mutex_unlock(&ns->mu);
		ns->t->ops->abort(ns->t); /* a send blocked on a stalled receiver returns now */
		pthread_join(ns->thr, NULL);
	}
	spill(ns);
	spool_close(&ns->sp);
	if (ns->t) {
		ns->t->ops->disconnect(ns->t);
		ns->t->ops->destroy(ns->t);
	}
	pthread_mutex_destroy(&ns->mu);
	pthread_cond_destroy(&ns->wake);
	pthread_cond_destroy(&ns->idle);
	free(ns->q);
	free(ns->scratch);
	free(ns);
}

static const struct output_ops net_ops = {
	.write = net_write,
	.counters = net_counters,
	.next_change = net_next_change,
	.drain = net_drain,
	.close = net_close,
};

int net_output_open(struct output *o, const struct outputs_config *cfg, char *err, size_t errlen)
{
	const struct output_spec *s = &o->spec;
	struct netsink *ns = calloc(1, sizeof(*ns));
	char dir[4096];

	if (!ns) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ns->spec = s;
	ns->sp.wfd = -1;
	pthread_mutex_init(&ns->mu, NULL);
	pthread_cond_init(&ns->wake, NULL);
	pthread_cond_init(&ns->idle, NULL);
	ns->seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)ns;
	ns->qcap = s->queue;
	ns->c.network = true;
	o->ops = &net_ops;
	o->impl = ns;
	if (!(ns->q = malloc(ns->qcap))) {
		snprintf(err, errlen, "out of memory for a %zu-byte queue", ns->qcap);
		return -1;
	}
	ns->t = s->type == OT_HTTP || s->type == OT_CLICKHOUSE ? http_transport_new(s, err, errlen)
								 : syslog_transport_new(s, err, errlen);
	if (!ns->t)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", cfg->spool_dir ? cfg->spool_dir : OUTPUTS_SPOOL_DIR, s->name);
	if (spool_open(&ns->sp, dir, s->spool_max, err, errlen))
		return -1;
	ns->spooling = !spool_empty(&ns->sp);
	if (pthread_create(&ns->thr, NULL, sender, ns)) {
		snprintf(err, errlen, "cannot start the output's thread: %s", strerror(errno));
		return -1;
	}
	ns->started = true;
	return 0;
}
