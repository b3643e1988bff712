// SPDX-License-Identifier: GPL-2.0-only
/*
 * syslog, RFC 5424: "<PRI>1 TIMESTAMP HOST vigil PID KIND [vigil@32473 kind= severity= rule=] JSON",
 * over the local socket or UDP (one datagram per event), TCP or TLS (RFC 6587 octet counting:
 * "LEN SP MESSAGE"). 32473 is the enterprise number RFC 5612 reserves for examples: the
 * structured data is vigil's own, documented in docs/outputs.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "format.h"
#include "output/evscan.h"
#include "output/netconn.h"
#include "output/transport.h"
#include "sbuf.h"

#define DGRAM_MAX 65000 /* UDP payload we send at most: longer messages are truncated (RFC 5426) */

struct syslog_t {
	struct transport t;
	const struct output_spec *s;
	struct netconn conn;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t tls;
	struct sbuf frame;  /* one message */
	struct sbuf batch;  /* framed messages of a stream batch */
	size_t *ends;       /* end offset of each message in batch */
	size_t nends_cap;
	char pid[16];
};

static const char *const sev_paths[] = { "time", "kind", "rule.severity", "rule.name" };

/* syslog severity: alerts by their rule's, agent losses and sink trouble as warnings. */
static int syslog_severity(const struct evfield *f)
{
	static const int by_rank[] = { 6, 5, 4, 3, 2 }; /* info notice warning err crit */
	const struct evfield *kind = &f[1], *sev = &f[2];

	if (sev->p) {
		int r = severity_rank(sev->p, sev->n);
		return r >= 0 ? by_rank[r] : 4;
	}
	if (kind->p && ((kind->n == 10 && !memcmp(kind->p, "agent.loss", 10)) ||
			(kind->n == 10 && !memcmp(kind->p, "agent.sink", 10))))
		return 4;
	return 6;
}

/* An SD-PARAM value: '"', '\' and ']' escaped (RFC 5424 6.3.3). */
static void put_sd_value(struct sbuf *b, const struct evfield *f)
{
	char tmp[512];
	size_t n = evfield_unescape(f, tmp, sizeof(tmp));

	for (size_t i = 0; i < n; i++) {
		if (tmp[i] == '"' || tmp[i] == '\\' || tmp[i] == ']')
			sbuf_putc(b, '\\');
		sbuf_putc(b, tmp[i]);
	}
}

/* PRINTUSASCII without spaces, at most max bytes; "-" when empty. */
static void put_token(struct sbuf *b, const char *s, size_t n, size_t max)
{
	size_t w = 0;

	for (size_t i = 0; i < n && w < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126)
			continue;
		sbuf_putc(b, (char)c);
		w++;
	}
	if (!w)
		sbuf_putc(b, '-');
}

/* One event line (without its newline) as an RFC 5424 message in st->frame. */
static void render(struct syslog_t *st, const char *line, size_t len)
{
	struct sbuf *b = &st->frame;
	struct evfield f[4];
	char num[32];

	sbuf_reset(b);
	/* time and kind lead every event: with only them asked for the scan stops there; alerts
	 * also have their rule read */
	evscan(line, len, sev_paths, 2, f);
	if (f[1].p && f[1].n == 5 && !memcmp(f[1].p, "alert", 5))
		evscan(line, len, sev_paths, 4, f);
	else
		f[2].p = f[3].p = NULL;
	snprintf(num, sizeof(num), "<%d>1 ", st->s->facility * 8 + syslog_severity(f));
	sbuf_puts(b, num);
	/* TIMESTAMP: the event's, its fraction cut to the 6 digits RFC 5424 allows */
	if (f[0].p && f[0].str && f[0].n >= 20) {
		const char *dot = memchr(f[0].p, '.', f[0].n);
		if (dot) {
			size_t head = (size_t)(dot - f[0].p), frac = 0;
			while (head + 1 + frac < f[0].n && frac < 6 && dot[1 + frac] >= '0' && dot[1 + frac] <= '9')
				frac++;
			sbuf_putn(b, f[0].p, head + 1 + frac);
			sbuf_putc(b, 'Z');
		} else {
			put_token(b, f[0].p, f[0].n, 64);
		}
	} else {
		sbuf_putc(b, '-');
	}
	sbuf_putc(b, ' ');
	put_token(b, host_name(), strlen(host_name()), 255);
	sbuf_puts(b, " vigil ");
	sbuf_puts(b, st->pid);
	sbuf_putc(b, ' ');
	put_token(b, f[1].p ? f[1].p : "", f[1].n, 32);
	sbuf_putc(b, ' ');
	if (f[1].p) {
		sbuf_puts(b, "[vigil@32473 kind=\"");
		put_sd_value(b, &f[1]);
		sbuf_putc(b, '"');
		if (f[2].p) {
			sbuf_puts(b, " severity=\"");
			put_sd_value(b, &f[2]);
			sbuf_putc(b, '"');
		}
		if (f[3].p) {
			sbuf_puts(b, " rule=\"");
			put_sd_value(b, &f[3]);
			sbuf_putc(b, '"');
		}
		sbuf_putc(b, ']');
	} else {
		sbuf_putc(b, '-');
	}
	sbuf_putc(b, ' ');
	sbuf_putn(b, line, len);
}

static bool is_stream(const struct syslog_t *st)
{
	return st->s->type == OT_SYSLOG_TCP || st->s->type == OT_SYSLOG_TLS;
}

static void tls_end(struct syslog_t *st)
{
	if (st->tls) {
		gnutls_deinit(st->tls);
		st->tls = NULL;
	}
}

static int tls_start(struct syslog_t *st, char *why, size_t n)
{
	const char *name = st->s->server_name ? st->s->server_name : st->s->host;
	int rc;

	if ((rc = gnutls_init(&st->tls, GNUTLS_CLIENT)) ||
	    (rc = gnutls_set_default_priority(st->tls)) ||
	    (rc = gnutls_credentials_set(st->tls, GNUTLS_CRD_CERTIFICATE, st->cred))) {
		snprintf(why, n, "TLS setup: %s", gnutls_strerror(rc));
		tls_end(st);
		return -1;
	}
	gnutls_server_name_set(st->tls, GNUTLS_NAME_DNS, name, strlen(name));
	gnutls_session_set_verify_cert(st->tls, name, 0);
	gnutls_transport_set_int(st->tls, st->conn.fd);
	gnutls_handshake_set_timeout(st->tls, (unsigned)(st->s->timeout_s * 1000));
	do
		rc = gnutls_handshake(st->tls);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc < 0) {
		if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
			gnutls_datum_t out;
			unsigned status = gnutls_session_get_verify_cert_status(st->tls);
			if (!gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0)) {
				snprintf(why, n, "TLS: the server's certificate: %s", out.data);
				gnutls_free(out.data);
			} else {
				snprintf(why, n, "TLS: %s", gnutls_strerror(rc));
			}
		} else {
			snprintf(why, n, "TLS handshake: %s", gnutls_strerror(rc));
		}
		tls_end(st);
		return -1;
	}
	return 0;
}

static int sl_connect(struct transport *t, char *why, size_t n)
{
	struct syslog_t *st = (struct syslog_t *)t;
	const struct output_spec *s = st->s;
	int type = s->type == OT_SYSLOG_UDP || s->type == OT_SYSLOG_UNIX ? SOCK_DGRAM : SOCK_STREAM;

	if (netconn_open(&st->conn, s->type == OT_SYSLOG_UNIX ? NULL : s->host, s->port, s->path,
			 type, s->timeout_s, why, n))
		return -1;
	if (s->type == OT_SYSLOG_TLS && tls_start(st, why, n)) {
		netconn_close(&st->conn);
		return -1;
	}
	return 0;
}

static size_t stream_write(struct syslog_t *st, const char *buf, size_t len, char *why, size_t n)
{
	if (!st->tls)
		return netconn_write(&st->conn, buf, len, why, n);
	size_t off = 0;
	while (off < len) {
		ssize_t w = gnutls_record_send(st->tls, buf + off, len - off);
		if (w == GNUTLS_E_INTERRUPTED)
			continue;
		if (w < 0) {
			snprintf(why, n, "%s", w == GNUTLS_E_AGAIN ? "send timed out (the receiver does not read)"
								  : gnutls_strerror((int)w));
			break;
		}
		off += (size_t)w;
	}
	return off;
}

static enum send_status sl_send(struct transport *t, const char *buf, size_t len, size_t nevents,
				size_t *done, char *why, size_t n)
{
	struct syslog_t *st = (struct syslog_t *)t;
	size_t i = 0;

	*done = 0;
	if (!is_stream(st)) {
		for (size_t off = 0; off < len; i++) {
			const char *nl = memchr(buf + off, '\n', len - off);
			size_t ll = nl ? (size_t)(nl - buf - off) : len - off;
			render(st, buf + off, ll);
			size_t m = st->frame.len < DGRAM_MAX ? st->frame.len : DGRAM_MAX;
			ssize_t w;
			do
				w = send(st->conn.fd, st->frame.p, m, MSG_NOSIGNAL);
			while (w < 0 && errno == EINTR);
			if (w < 0) {
				snprintf(why, n, "send: %s", errno == EAGAIN ? "timed out" : strerror(errno));
				*done = i;
				return SEND_RETRY;
			}
			off += ll + 1;
		}
		*done = i;
		return SEND_OK;
	}
	/* stream: frame the whole batch, write it at once, and on failure count the messages that
	 * left whole */
	if (nevents > st->nends_cap) {
		st->ends = realloc(st->ends, nevents * sizeof(*st->ends));
		if (!st->ends)
			abort();
		st->nends_cap = nevents;
	}
	sbuf_reset(&st->batch);
	for (size_t off = 0; off < len && i < nevents; i++) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - buf - off) : len - off;
		render(st, buf + off, ll);
		sbuf_put_u64(&st->batch, st->frame.len);
		sbuf_putc(&st->batch, ' ');
		sbuf_putn(&st->batch, st->frame.p, st->frame.len);
		st->ends[i] = st->batch.len;
		off += ll + 1;
	}
	size_t w = stream_write(st, st->batch.p, st->batch.len, why, n);
	if (w == st->batch.len) {
		*done = i;
		return SEND_OK;
	}
	while (*done < i && st->ends[*done] <= w)
		(*done)++;
	return SEND_RETRY;
}

static void sl_disconnect(struct transport *t)
{
	struct syslog_t *st = (struct syslog_t *)t;

	if (st->tls)
		gnutls_bye(st->tls, GNUTLS_SHUT_WR);
	tls_end(st);
	netconn_close(&st->conn);
}

static void sl_abort(struct transport *t)
{
	netconn_abort(&((struct syslog_t *)t)->conn);
}

static void sl_destroy(struct transport *t)
{
	struct syslog_t *st = (struct syslog_t *)t;

	if (st->cred)
		gnutls_certificate_free_credentials(st->cred);
	sbuf_free(&st->frame);
	sbuf_free(&st->batch);
	free(st->ends);
	pthread_mutex_destroy(&st->conn.mu);
	free(st);
}

static const struct transport_ops syslog_ops = {
	.connect = sl_connect,
	.send = sl_send,
	.disconnect = sl_disconnect,
	.abort = sl_abort,
	.destroy = sl_destroy,
};

struct transport *syslog_transport_new(const struct output_spec *s, char *err, size_t errlen)
{
	struct syslog_t *st = calloc(1, sizeof(*st));
	int rc;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->t.ops = &syslog_ops;
	st->t.batch_max = 256 * 1024;
	st->s = s;
	netconn_init(&st->conn);
	snprintf(st->pid, sizeof(st->pid), "%d", (int)getpid());
	if (s->type != OT_SYSLOG_TLS)
		return &st->t;
	if ((rc = gnutls_certificate_allocate_credentials(&st->cred))) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
		goto fail;
	}
	if (s->ca) {
		if (access(s->ca, R_OK)) {
			snprintf(err, errlen, "cannot read the CA file %s: %s", s->ca, strerror(errno));
			goto fail;
		}
		rc = gnutls_certificate_set_x509_trust_file(st->cred, s->ca, GNUTLS_X509_FMT_PEM);
		if (rc <= 0) {
			snprintf(err, errlen, "the CA file %s holds no PEM certificate%s%s", s->ca,
				 rc < 0 ? ": " : "", rc < 0 ? gnutls_strerror(rc) : "");
			goto fail;
		}
	} else if ((rc = gnutls_certificate_set_x509_system_trust(st->cred)) <= 0) {
		snprintf(err, errlen, "no system CA certificates (give ca=FILE)");
		goto fail;
	}
	if (s->cert) {
		const char *bad = access(s->cert, R_OK) ? s->cert : access(s->key, R_OK) ? s->key : NULL;
		if (bad) {
			snprintf(err, errlen, "cannot read %s: %s", bad, strerror(errno));
			goto fail;
		}
		rc = gnutls_certificate_set_x509_key_file(st->cred, s->cert, s->key, GNUTLS_X509_FMT_PEM);
		if (rc < 0) {
			snprintf(err, errlen, "client certificate %s / key %s: %s", s->cert, s->key,
				 gnutls_strerror(rc));
			goto fail;
		}
	}
	return &st->t;
fail:
	sl_destroy(&st->t);
	return NULL;
}
