// SPDX-License-Identifier: GPL-2.0-only
/*
 * HTTP(S) outputs through libcurl: one POST per batch, optionally gzipped, TLS verified.
 * Bodies: NDJSON (the events as they are), Elasticsearch/OpenSearch _bulk (a create action per
 * event, with an _id derived from the event's bytes so a retried batch cannot index twice),
 * Splunk HEC (event envelopes), and ClickHouse (INSERT ... FORMAT JSONEachRow, one row per event
 * with typed common columns and the raw event; `vigil clickhouse-schema` prints the table).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <zlib.h>

#include "cli.h"
#include "out.h"
#include "output/evscan.h"
#include "output/transport.h"
#include "sbuf.h"

struct http_t {
	struct transport t;
	const struct output_spec *s;
	CURL *curl;
	struct curl_slist *headers;
	char *url;
	char *secret;      /* the token or password, read at start */
	struct sbuf body, gz, resp;
	atomic_bool aborted;
};

static char *read_secret(const char *file, const char *env, const char *what, char *err, size_t errlen)
{
	char buf[4096];

	if (env) {
		const char *v = getenv(env);
		if (!v || !*v) {
			snprintf(err, errlen, "the environment variable %s (%s) is not set", env, what);
			return NULL;
		}
		return strdup(v);
	}
	FILE *f = fopen(file, "re");
	if (!f) {
		snprintf(err, errlen, "cannot read the %s file %s: %s", what, file, strerror(errno));
		return NULL;
	}
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (!n) {
		snprintf(err, errlen, "the %s file %s is empty", what, file);
		return NULL;
	}
	return strdup(buf);
}

/* ---- bodies ---- */

/* FNV-1a 64 of the event's bytes: the same event always gets the same _id. */
static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* "2026-12-07T17:29:30.123456789Z" -> seconds and nanoseconds since the epoch. */
static bool parse_time(const struct evfield *f, int64_t *sec, uint32_t *nsec)
{
	struct tm tm = {};
	char buf[48];

	if (!f->p || f->n < 20 || f->n >= sizeof(buf))
		return false;
	memcpy(buf, f->p, f->n);
	buf[f->n] = '\0';
	const char *rest = strptime(buf, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return false;
	*sec = (int64_t)timegm(&tm);
	*nsec = 0;
	if (*rest == '.') {
		uint32_t mul = 100000000;
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, mul /= 10)
			*nsec += (uint32_t)(*rest - '0') * mul;
	}
	return true;
}

static void body_es(struct http_t *h, const char *line, size_t ll)
{
	char id[40];

	snprintf(id, sizeof(id), "%016llx%08zx", (unsigned long long)fnv1a(line, ll), ll);
	sbuf_puts(&h->body, "{\"create\":{\"_id\":\"");
	sbuf_puts(&h->body, id);
	if (h->s->index) {
		sbuf_puts(&h->body, "\",\"_index\":\"");
		json_escape(&h->body, h->s->index, strlen(h->s->index));
	}
	sbuf_puts(&h->body, "\"}}\n");
	sbuf_putn(&h->body, line, ll);
	sbuf_putc(&h->body, '\n');
}

static void body_hec(struct http_t *h, const char *line, size_t ll)
{
	static const char *const paths[] = { "time", "host.name" };
	struct evfield f[2];
	int64_t sec;
	uint32_t nsec;
	char t[48];

	evscan(line, ll, paths, 2, f);
	sbuf_putc(&h->body, '{');
	if (parse_time(&f[0], &sec, &nsec)) {
		snprintf(t, sizeof(t), "\"time\":%lld.%06u,", (long long)sec, nsec / 1000);
		sbuf_puts(&h->body, t);
	}
	if (f[1].p) {
		sbuf_puts(&h->body, "\"host\":\"");
		sbuf_putn(&h->body, f[1].p, f[1].n);
		sbuf_puts(&h->body, "\",");
	}
	sbuf_puts(&h->body, "\"source\":\"vigil\",\"sourcetype\":\"vigil:event\",\"event\":");
	sbuf_putn(&h->body, line, ll);
	sbuf_puts(&h->body, "}\n");
}

/* ClickHouse: one JSONEachRow row per event; alerts take their proc columns from the event
 * that triggered them. The columns are those of `vigil clickhouse-schema`. */
enum { C_TIME, C_KIND, C_HOST, C_HOSTID, C_TGID, C_UID, C_COMM, C_EXE, C_EXECID, C_PEXECID,
       C_RULE, C_SEV, C_ETGID, C_EUID, C_ECOMM, C_EEXE, C_EEXECID, C_EPEXECID, C_N };
static const char *const ch_paths[C_N] = {
	"time", "kind", "host.name", "host.id", "proc.tgid", "proc.uid", "proc.comm", "proc.exe",
	"proc.exec_id", "proc.parent_exec_id", "rule.name", "rule.severity", "event.proc.tgid",
	"event.proc.uid", "event.proc.comm", "event.proc.exe", "event.proc.exec_id",
	"event.proc.parent_exec_id",
};

static void put_col_str(struct sbuf *b, const char *name, const struct evfield *f,
			const struct evfield *alt)
{
	const struct evfield *v = f->p ? f : alt;

	sbuf_puts(b, ",\"");
	sbuf_puts(b, name);
	sbuf_puts(b, "\":\"");
	if (v && v->p && v->str)
		sbuf_putn(b, v->p, v->n);
	sbuf_putc(b, '"');
}

static void put_col_u64(struct sbuf *b, const char *name, const struct evfield *f,
			const struct evfield *alt)
{
	const struct evfield *v = f->p ? f : alt;

	sbuf_puts(b, ",\"");
	sbuf_puts(b, name);
	sbuf_puts(b, "\":");
	sbuf_put_u64(b, v && v->p && !v->str ? evfield_u64(v) : 0);
}

static void body_clickhouse(struct http_t *h, const char *line, size_t ll)
{
	struct evfield f[C_N];
	struct sbuf *b = &h->body;
	int64_t sec = 0;
	uint32_t nsec = 0;
	char t[64];
	struct tm tm;

	/* the common columns lead; only alerts have their rule and an embedded event to read */
	evscan(line, ll, ch_paths, C_RULE, f);
	if (f[C_KIND].p && f[C_KIND].n == 5 && !memcmp(f[C_KIND].p, "alert", 5))
		evscan(line, ll, ch_paths, C_N, f);
	else
		memset(f + C_RULE, 0, (C_N - C_RULE) * sizeof(f[0]));
	parse_time(&f[C_TIME], &sec, &nsec);
	time_t tt = (time_t)sec;
	gmtime_r(&tt, &tm);
	strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
	sbuf_puts(b, "{\"time\":\"");
	sbuf_puts(b, t);
	sbuf_puts(b, "\",\"time_ns\":");
	sbuf_put_u64(b, (unsigned long long)sec * 1000000000ULL + nsec);
	put_col_str(b, "kind", &f[C_KIND], NULL);
	put_col_str(b, "host", &f[C_HOST], NULL);
	put_col_str(b, "machine_id", &f[C_HOSTID], NULL);
	put_col_u64(b, "tgid", &f[C_TGID], &f[C_ETGID]);
	put_col_u64(b, "uid", &f[C_UID], &f[C_EUID]);
	put_col_str(b, "comm", &f[C_COMM], &f[C_ECOMM]);
	put_col_str(b, "exe", &f[C_EXE], &f[C_EEXE]);
	put_col_str(b, "exec_id", &f[C_EXECID], &f[C_EEXECID]);
	put_col_str(b, "parent_exec_id", &f[C_PEXECID], &f[C_EPEXECID]);
	put_col_str(b, "rule", &f[C_RULE], NULL);
	put_col_str(b, "severity", &f[C_SEV], NULL);
	sbuf_puts(b, ",\"event\":\"");
	json_escape(b, line, ll);
	sbuf_puts(b, "\"}\n");
}

static void build_body(struct http_t *h, const char *buf, size_t len)
{
	sbuf_reset(&h->body);
	if (h->s->type == OT_HTTP && h->s->http_format == HF_NDJSON) {
		sbuf_putn(&h->body, buf, len);
		return;
	}
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - buf - off) : len - off;
		if (h->s->type == OT_CLICKHOUSE)
			body_clickhouse(h, buf + off, ll);
		else if (h->s->http_format == HF_ES_BULK)
			body_es(h, buf + off, ll);
		else
			body_hec(h, buf + off, ll);
		off += ll + 1;
	}
}

static int gzip_body(struct http_t *h)
{
	z_stream z = {};

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	sbuf_reset(&h->gz);
	size_t bound = deflateBound(&z, h->body.len) + 32;
	sbuf_reserve(&h->gz, bound);
	z.next_in = (unsigned char *)h->body.p;
	z.avail_in = (unsigned)h->body.len;
	z.next_out = (unsigned char *)h->gz.p;
	z.avail_out = (unsigned)bound;
	int rc = deflate(&z, Z_FINISH);
	h->gz.len = bound - z.avail_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* ---- curl ---- */

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sbuf *b = ctx;

	if (b->len < (1u << 20))
		sbuf_putn(b, p, size * n);
	return size * n;
}

static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(&((struct http_t *)ctx)->aborted) ? 1 : 0;
}

static int hp_connect(struct transport *t, char *why, size_t n)
{
	struct http_t *h = (struct http_t *)t;

	if (atomic_load(&h->aborted)) {
		snprintf(why, n, "stopping");
		return -1;
	}
	return 0; /* curl connects (and keeps the connection) per request */
}

/* Elasticsearch answers 200 with per-item statuses: 409 is an _id already indexed (a retried
 * batch), 429 and 5xx are worth retrying, anything else is refused for good. */
static enum send_status es_items(struct http_t *h, size_t *rejected, char *why, size_t n)
{
	json_error_t je;
	json_t *r = json_loadb(h->resp.p ? h->resp.p : "", h->resp.len, 0, &je);
	size_t retry = 0, i;
	json_t *item;

	*rejected = 0;
	if (!r) {
		snprintf(why, n, "_bulk: the response is not JSON: %s", je.text);
		return SEND_RETRY;
	}
	if (!json_is_true(json_object_get(r, "errors"))) {
		json_decref(r);
		return SEND_OK;
	}
	json_array_foreach(json_object_get(r, "items"), i, item) {
		json_t *op = json_object_iter_value(json_object_iter(item));
		json_int_t st = json_integer_value(json_object_get(op, "status"));
		if (st == 429 || st >= 500)
			retry++;
		else if (!(st >= 200 && st < 300) && st != 409)
			(*rejected)++;
	}
	json_decref(r);
	if (retry) {
		snprintf(why, n, "_bulk: %zu items refused for now (429/5xx)", retry);
		return SEND_RETRY;
	}
	if (*rejected)
		snprintf(why, n, "_bulk: %zu items refused", *rejected);
	return SEND_OK;
}

static enum send_status hp_send(struct transport *t, const char *buf, size_t len, size_t nevents,
				size_t *done, char *why, size_t n)
{
	struct http_t *h = (struct http_t *)t;
	const struct sbuf *body;
	long code = 0;
	CURLcode rc;

	*done = 0;
	build_body(h, buf, len);
	body = &h->body;
	if (h->s->gzip) {
		if (gzip_body(h)) {
			snprintf(why, n, "gzip failed");
			return SEND_RETRY;
		}
		body = &h->gz;
	}
	sbuf_reset(&h->resp);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body->p);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK) {
		snprintf(why, n, "%s", curl_easy_strerror(rc));
		return SEND_RETRY;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300) {
		if (h->s->type == OT_HTTP && h->s->http_format == HF_ES_BULK) {
			enum send_status st = es_items(h, &t->rejected, why, n);
			if (st == SEND_OK)
				*done = nevents;
			return st;
		}
		*done = nevents;
		return SEND_OK;
	}
	/* the first line of the answer says why (ClickHouse: "Code: 60, e.displayText() = ...") */
	size_t rl = h->resp.len;
	const char *nl = h->resp.p ? memchr(h->resp.p, '\n', rl) : NULL;
	if (nl)
		rl = (size_t)(nl - h->resp.p);
	snprintf(why, n, "HTTP %ld%s%.*s", code, rl ? ": " : "", (int)(rl > 150 ? 150 : rl),
		 h->resp.p ? h->resp.p : "");
	/* the receiver is busy, failing, or does not accept our credentials (yet): keep the events */
	if (code == 401 || code == 403 || code == 408 || code == 429 || code >= 500)
		return SEND_RETRY;
	return SEND_REJECT;
}

static void hp_disconnect(struct transport *t)
{
	(void)t; /* curl reconnects by itself */
}

static void hp_abort(struct transport *t)
{
	atomic_store(&((struct http_t *)t)->aborted, true);
}

static void hp_destroy(struct transport *t)
{
	struct http_t *h = (struct http_t *)t;

	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h->url);
	if (h->secret) {
		memset(h->secret, 0, strlen(h->secret));
		free(h->secret);
	}
	sbuf_free(&h->body);
	sbuf_free(&h->gz);
	sbuf_free(&h->resp);
	free(h);
}

static const struct transport_ops http_ops = {
	.connect = hp_connect,
	.send = hp_send,
	.disconnect = hp_disconnect,
	.abort = hp_abort,
	.destroy = hp_destroy,
};

static bool add_header(struct http_t *h, const char *a, const char *b)
{
	struct sbuf v = {};
	struct curl_slist *l;

	sbuf_puts(&v, a);
	sbuf_puts(&v, b);
	l = curl_slist_append(h->headers, sbuf_str(&v));
	memset(v.p, 0, v.len);
	sbuf_free(&v);
	if (!l)
		return false;
	h->headers = l;
	return true;
}

struct transport *http_transport_new(const struct output_spec *s, char *err, size_t errlen)
{
	static bool curl_ready;
	struct http_t *h = calloc(1, sizeof(*h));
	struct sbuf url = {};
	char host[300];

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: not thread-safe */
		curl_ready = true;
	}
	h->t.ops = &http_ops;
	h->t.batch_max = s->batch;
	h->t.linger_s = s->flush_s;
	h->t.lazy = true;
	h->s = s;
	atomic_init(&h->aborted, false);
	if (s->ca && access(s->ca, R_OK)) {
		snprintf(err, errlen, "cannot read the CA file %s: %s", s->ca, strerror(errno));
		goto fail;
	}
	for (const char *const *f = (const char *const[]){ s->cert, s->key, NULL }; *f; f++)
		if (access(*f, R_OK)) {
			snprintf(err, errlen, "cannot read %s: %s", *f, strerror(errno));
			goto fail;
		}
	if (s->token_file || s->token_env) {
		if (!(h->secret = read_secret(s->token_file, s->token_env, "token", err, errlen)))
			goto fail;
	} else if (s->password_file || s->password_env) {
		if (!(h->secret = read_secret(s->password_file, s->password_env, "password", err, errlen)))
			goto fail;
	}
	snprintf(host, sizeof(host), strchr(s->host, ':') ? "[%s]" : "%s", s->host);
	sbuf_printf(&url, "%s://%s:%u", s->tls ? "https" : "http", host, s->port);
	if (s->type == OT_CLICKHOUSE)
		sbuf_printf(&url, "/?query=INSERT%%20INTO%%20%s%%20FORMAT%%20JSONEachRow", s->table);
	else
		sbuf_puts(&url, s->path);
	h->url = strdup(sbuf_str(&url));
	sbuf_free(&url);
	if (!(h->curl = curl_easy_init())) {
		snprintf(err, errlen, "libcurl could not start");
		goto fail;
	}
	const char *ctype = s->type == OT_CLICKHOUSE ? "Content-Type: text/plain"
			    : s->http_format == HF_SPLUNK_HEC ? "Content-Type: application/json"
							       : "Content-Type: application/x-ndjson";
	if (!add_header(h, ctype, "") || (s->gzip && !add_header(h, "Content-Encoding: gzip", "")) ||
	    !add_header(h, "Expect:", ""))
		goto oom;
	if (h->secret && (s->token_file || s->token_env)) {
		const char *scheme = s->http_format == HF_SPLUNK_HEC ? "Authorization: Splunk "
				     : s->http_format == HF_ES_BULK ? "Authorization: ApiKey "
								      : "Authorization: Bearer ";
		if (!add_header(h, scheme, h->secret))
			goto oom;
	}
	if (s->user) {
		curl_easy_setopt(h->curl, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(h->curl, CURLOPT_PASSWORD, h->secret && !s->token_file && !s->token_env ? h->secret : "");
	} else if (s->type == OT_CLICKHOUSE && h->secret) {
		curl_easy_setopt(h->curl, CURLOPT_USERNAME, "default");
		curl_easy_setopt(h->curl, CURLOPT_PASSWORD, h->secret);
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(s->timeout_s * 1000));
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)(s->timeout_s * 3000));
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &h->resp);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (s->ca)
		curl_easy_setopt(h->curl, CURLOPT_CAINFO, s->ca);
	if (s->cert) {
		curl_easy_setopt(h->curl, CURLOPT_SSLCERT, s->cert);
		curl_easy_setopt(h->curl, CURLOPT_SSLKEY, s->key);
	}
	return &h->t;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	hp_destroy(&h->t);
	return NULL;
}
