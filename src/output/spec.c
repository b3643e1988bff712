// SPDX-License-Identifier: GPL-2.0-only
#include "output/spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"

static const char *const severities[] = { "info", "low", "medium", "high", "critical" };

int severity_rank(const char *name, size_t n)
{
	for (int i = 0; i < 5; i++)
		if (strlen(severities[i]) == n && !memcmp(name, severities[i], n))
			return i;
	return -1;
}

int parse_byte_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t mul = 1;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > (UINT64_MAX / mul))
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_secs(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > 86400)
		return -1;
	*out = v;
	return 0;
}

struct scheme {
	const char *name;
	enum output_type type;
	bool tls;
	uint16_t port;
};

static const struct scheme schemes[] = {
	{ "file", OT_FILE, false, 0 },
	{ "syslog", OT_SYSLOG_UNIX, false, 0 },
	{ "syslog+udp", OT_SYSLOG_UDP, false, 514 },
	{ "syslog+tcp", OT_SYSLOG_TCP, false, 514 },
	{ "syslog+tls", OT_SYSLOG_TLS, true, 6514 },
	{ "http", OT_HTTP, false, 80 },
	{ "https", OT_HTTP, true, 443 },
	{ "clickhouse", OT_CLICKHOUSE, false, 8123 },
	{ "clickhouse+https", OT_CLICKHOUSE, true, 8443 },
};

static const char *type_scheme(const struct output_spec *s)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (schemes[i].type == s->type && schemes[i].tls == s->tls)
			return schemes[i].name;
	return s->type == OT_STDOUT ? "stdout" : "?";
}

bool output_spec_is_network(const struct output_spec *s)
{
	return s->type != OT_STDOUT && s->type != OT_FILE;
}

bool output_spec_wants_kind(const struct output_spec *s, const char *kind, size_t n)
{
	if (!s->nkinds)
		return true;
	for (size_t i = 0; i < s->nkinds; i++) {
		size_t k = strlen(s->kinds[i]);
		bool prefix = k && s->kinds[i][k - 1] == '.';
		if (prefix ? (n > k && !memcmp(kind, s->kinds[i], k)) : (n == k && !memcmp(kind, s->kinds[i], k)))
			return true;
	}
	return false;
}

/* Kinds vigil emits that are not kernel kinds. */
static const char *const extra_kinds[] = {
	"alert", "agent.ready", "agent.loss", "agent.stats", "agent.policy", "agent.sink",
	"agent.reload", "enforce.connect", "enforce.task",
};

static bool known_kind(const char *k)
{
	size_t n = strlen(k);
	const struct kind_info *ki;

	if (n > 2 && !strcmp(k + n - 2, ".*")) { /* a family: some known kind starts with it */
		for (unsigned i = 0; (ki = kind_at(i)); i++)
			if (!strncmp(ki->name, k, n - 1))
				return true;
		return !strcmp(k, "agent.*");
	}
	if (kind_by_name(k))
		return true;
	for (size_t i = 0; i < sizeof(extra_kinds) / sizeof(extra_kinds[0]); i++)
		if (!strcmp(k, extra_kinds[i]))
			return true;
	return false;
}

static int set_kinds(struct output_spec *s, const char *v, char *err, size_t errlen)
{
	char *copy = strdup(v ? v : ""), *save = NULL;
	int rc = 0;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!known_kind(t)) {
			snprintf(err, errlen, "unknown event kind '%s' in kinds=", t);
			rc = -1;
			break;
		}
		if (s->nkinds == SPEC_KINDS_MAX) {
			snprintf(err, errlen, "kinds=: at most %d kinds", SPEC_KINDS_MAX);
			rc = -1;
			break;
		}
		size_t n = strlen(t);
		if (n > 2 && !strcmp(t + n - 2, ".*"))
			t[n - 1] = '\0'; /* "process.*" is kept as "process." */
		s->kinds[s->nkinds++] = strdup(t);
	}
	if (!rc && !s->nkinds) {
		snprintf(err, errlen, "kinds= needs kind names, e.g. kinds=alert,process.exec");
		rc = -1;
	}
	free(copy);
	return rc;
}

static const char *const facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
	"local3", "local4", "local5", "local6", "local7",
};

/* Which options each family of outputs takes. */
#define F_FILE (1u << 0)
#define F_SYSLOG (1u << 1)
#define F_HTTP (1u << 2)
#define F_CH (1u << 3)
#define F_TLS (1u << 4) /* only with TLS */
#define F_NET (F_SYSLOG | F_HTTP | F_CH)
#define F_ALL (F_FILE | F_NET)

struct opt_def {
	const char *name;
	unsigned where;
	bool value; /* needs "=VALUE" */
};

static const struct opt_def opt_defs[] = {
	{ "name", F_ALL, true },	 { "kinds", F_ALL, true },	   { "min-severity", F_ALL, true },
	{ "rotate", F_FILE, true },	 { "keep", F_FILE, true },	   { "gzip", F_FILE | F_HTTP | F_CH, false },
	{ "queue", F_NET, true },	 { "spool", F_NET, true },	   { "timeout", F_NET, true },
	{ "retry-max", F_NET, true },	 { "facility", F_SYSLOG, true },  { "format", F_HTTP, true },
	{ "batch", F_HTTP | F_CH, true }, { "flush", F_HTTP | F_CH, true }, { "index", F_HTTP, true },
	{ "user", F_HTTP | F_CH, true }, { "token-file", F_HTTP, true },  { "token-env", F_HTTP, true },
	{ "password-file", F_HTTP | F_CH, true }, { "password-env", F_HTTP | F_CH, true },
	{ "ca", F_TLS, true },		 { "cert", F_TLS, true },	   { "key", F_TLS, true },
	{ "server-name", F_TLS, true },
};

static unsigned family(const struct output_spec *s)
{
	switch (s->type) {
	case OT_STDOUT:
	case OT_FILE:
		return F_FILE;
	case OT_SYSLOG_UNIX:
	case OT_SYSLOG_UDP:
	case OT_SYSLOG_TCP:
	case OT_SYSLOG_TLS:
		return F_SYSLOG | (s->tls ? F_TLS : 0);
	case OT_HTTP:
		return F_HTTP | (s->tls ? F_TLS : 0);
	case OT_CLICKHOUSE:
		return F_CH | (s->tls ? F_TLS : 0);
	}
	return 0;
}

static void known_opts(const struct output_spec *s, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++) {
		unsigned w = opt_defs[i].where;
		if ((w & F_TLS) ? !(family(s) & F_TLS) : !(w & family(s)))
			continue;
		len += snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? ", " : "", opt_defs[i].name);
	}
}

static int set_opt(struct output_spec *s, char *key, char *val, char *err, size_t errlen)
{
	const struct opt_def *d = NULL;
	char known[512];
	uint64_t v;

	if (!strcmp(key, "token") || !strcmp(key, "password")) {
		snprintf(err, errlen, "%s=: credentials never go on the command line (ps shows it): use %s-file= or %s-env=",
			 key, key, key);
		return -1;
	}
	for (size_t i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++)
		if (!strcmp(opt_defs[i].name, key))
			d = &opt_defs[i];
	if (d && ((d->where & F_TLS) ? !(family(s) & F_TLS) : !(d->where & family(s))))
		d = NULL;
	if (!d) {
		known_opts(s, known, sizeof(known));
		snprintf(err, errlen, "unknown option '%s' for %s outputs (known: %s)", key, type_scheme(s), known);
		return -1;
	}
	if (d->value && (!val || !*val)) {
		snprintf(err, errlen, "option '%s' needs a value (%s=...)", key, key);
		return -1;
	}
	if (!d->value && val) {
		snprintf(err, errlen, "option '%s' takes no value", key);
		return -1;
	}
#define BAD(what)                                                                     \
	do {                                                                          \
		snprintf(err, errlen, "%s=%s: expected %s", key, val, what);          \
		return -1;                                                            \
	} while (0)
	if (!strcmp(key, "name")) {
		for (const char *p = val; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
				BAD("letters, digits, '.', '_' and '-'");
		if (strlen(val) >= sizeof(s->name))
			BAD("at most 63 characters");
		snprintf(s->name, sizeof(s->name), "%s", val);
	} else if (!strcmp(key, "kinds")) {
		return set_kinds(s, val, err, errlen);
	} else if (!strcmp(key, "min-severity")) {
		if ((s->min_severity = severity_rank(val, strlen(val))) < 0)
			BAD("info, low, medium, high or critical");
	} else if (!strcmp(key, "rotate")) {
		if (parse_byte_size(val, &v) || v < 4096)
			BAD("a size of at least 4K, e.g. 100M");
		s->rotate = v;
	} else if (!strcmp(key, "keep")) {
		char *end;
		unsigned long k = strtoul(val, &end, 10);
		if (*end || k < 1 || k > 1000)
			BAD("a count from 1 to 1000");
		s->keep = (unsigned)k;
	} else if (!strcmp(key, "gzip")) {
		s->gzip = true;
	} else if (!strcmp(key, "queue")) {
		if (parse_byte_size(val, &v) || v < 65536 || v > (1ULL << 32))
			BAD("a size from 64K to 4G");
		s->queue = v;
	} else if (!strcmp(key, "spool")) {
		if (parse_byte_size(val, &v) || (v && v < 65536))
			BAD("a size of at least 64K, or 0 for no spool");
		s->spool_max = v;
	} else if (!strcmp(key, "batch")) {
		if (parse_byte_size(val, &v) || v < 1024 || v > (64ULL << 20))
			BAD("a size from 1K to 64M");
		s->batch = v;
	} else if (!strcmp(key, "timeout") || !strcmp(key, "retry-max") || !strcmp(key, "flush")) {
		double *dst = key[0] == 't' ? &s->timeout_s : key[0] == 'r' ? &s->retry_max_s : &s->flush_s;
		if (parse_secs(val, dst))
			BAD("seconds, more than 0");
	} else if (!strcmp(key, "facility")) {
		s->facility = -1;
		for (int i = 0; i < 24; i++)
			if (!strcmp(val, facilities[i]))
				s->facility = i;
		if (s->facility < 0)
			BAD("a syslog facility name (daemon, auth, authpriv, local0..local7, ...)");
	} else if (!strcmp(key, "format")) {
		if (!strcmp(val, "ndjson"))
			s->http_format = HF_NDJSON;
		else if (!strcmp(val, "es-bulk"))
			s->http_format = HF_ES_BULK;
		else if (!strcmp(val, "splunk-hec"))
			s->http_format = HF_SPLUNK_HEC;
		else
			BAD("ndjson, es-bulk or splunk-hec");
	} else {
		char **dst = !strcmp(key, "index")	   ? &s->index
			     : !strcmp(key, "user")	   ? &s->user
			     : !strcmp(key, "token-file")	   ? &s->token_file
			     : !strcmp(key, "token-env")	   ? &s->token_env
			     : !strcmp(key, "password-file") ? &s->password_file
			     : !strcmp(key, "password-env")  ? &s->password_env
			     : !strcmp(key, "ca")		   ? &s->ca
			     : !strcmp(key, "cert")	   ? &s->cert
			     : !strcmp(key, "key")		   ? &s->key
							   : &s->server_name;
		free(*dst);
		*dst = strdup(val);
	}
#undef BAD
	return 0;
}

/* HOST[:PORT] or [V6]:PORT from authority; 0, or -1. */
static int parse_authority(struct output_spec *s, const char *a, size_t n, uint16_t dflt, char *err,
			   size_t errlen)
{
	const char *host = a, *colon = NULL;
	size_t hlen;

	if (n && a[0] == '[') {
		const char *close = memchr(a, ']', n);
		if (!close) {
			snprintf(err, errlen, "unclosed '[' in the address");
			return -1;
		}
		host = a + 1;
		hlen = (size_t)(close - host);
		if ((size_t)(close + 1 - a) < n) {
			if (close[1] != ':') {
				snprintf(err, errlen, "expected ':PORT' after ']'");
				return -1;
			}
			colon = close + 1;
		}
	} else {
		colon = memchr(a, ':', n);
		hlen = colon ? (size_t)(colon - a) : n;
	}
	if (!hlen) {
		snprintf(err, errlen, "a host is needed (SCHEME://HOST[:PORT]...)");
		return -1;
	}
	s->host = strndup(host, hlen);
	s->port = dflt;
	if (colon) {
		const char *p = colon + 1;
		size_t plen = n - (size_t)(p - a);
		unsigned long v = 0;
		bool ok = plen > 0 && plen <= 5;
		for (size_t i = 0; ok && i < plen; i++) {
			ok = isdigit((unsigned char)p[i]);
			v = v * 10 + (unsigned long)(p[i] - '0');
		}
		if (!ok || v < 1 || v > 65535) {
			snprintf(err, errlen, "bad port '%.*s' (expected 1 to 65535)", (int)plen, p);
			return -1;
		}
		s->port = (uint16_t)v;
	}
	return 0;
}

static void derive_name(struct output_spec *s)
{
	char raw[256];
	size_t j = 0;

	if (s->type == OT_STDOUT)
		snprintf(raw, sizeof(raw), "stdout");
	else if (s->type == OT_FILE || s->type == OT_SYSLOG_UNIX)
		snprintf(raw, sizeof(raw), "%s:%s", type_scheme(s), s->path);
	else
		snprintf(raw, sizeof(raw), "%s-%s-%u%s%s", type_scheme(s), s->host, s->port,
			 s->table ? "-" : "", s->table ? s->table : "");
	for (size_t i = 0; raw[i] && j + 1 < sizeof(s->name); i++) {
		char c = raw[i];
		if (!isalnum((unsigned char)c) && c != '.' && c != '-' && c != '_')
			c = c == '+' ? '-' : '_';
		if (c == '_' && j && s->name[j - 1] == '_')
			continue;
		s->name[j++] = c;
	}
	s->name[j] = '\0';
}

static int check_spec(struct output_spec *s, char *err, size_t errlen)
{
	if ((s->cert != NULL) != (s->key != NULL)) {
		snprintf(err, errlen, "a client certificate needs both cert= and key=");
		return -1;
	}
	if (s->keep && !s->rotate) {
		snprintf(err, errlen, "keep= needs rotate=SIZE");
		return -1;
	}
	if (s->gzip && s->type == OT_FILE && !s->rotate) {
		snprintf(err, errlen, "gzip applies to rotated files: it needs rotate=SIZE");
		return -1;
	}
	if (s->rotate && !s->keep)
		s->keep = 5;
	if ((s->token_file && s->token_env) || (s->password_file && s->password_env)) {
		snprintf(err, errlen, "give a credential once: a -file= or an -env= option, not both");
		return -1;
	}
	if ((s->password_file || s->password_env) && !s->user && s->type != OT_CLICKHOUSE) {
		snprintf(err, errlen, "a password needs user=");
		return -1;
	}
	if (s->index && s->http_format != HF_ES_BULK) {
		snprintf(err, errlen, "index= applies to format=es-bulk");
		return -1;
	}
	return 0;
}

int output_spec_parse(const char *text, struct output_spec *s, char *err, size_t errlen)
{
	const struct scheme *sch = NULL;
	const char *rest, *q;
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	s->text = strdup(text);
	s->min_severity = -1;
	s->queue = 8ULL << 20;
	s->spool_max = 256ULL << 20;
	s->batch = 1ULL << 20;
	s->flush_s = 1.0;
	s->timeout_s = 10.0;
	s->retry_max_s = 30.0;
	s->facility = 3; /* daemon */
	if (!*text) {
		snprintf(err, errlen, "empty output");
		return -1;
	}
	if (!strcmp(text, "-")) {
		s->type = OT_STDOUT;
		derive_name(s);
		return 0;
	}
	while (isalnum((unsigned char)text[n]) || text[n] == '+' || text[n] == '-' || text[n] == '.')
		n++;
	if (!n || text[n] != ':' || !isalpha((unsigned char)text[0])) {
		/* a plain path: a file */
		s->type = OT_FILE;
		s->path = strdup(text);
		derive_name(s);
		return 0;
	}
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].name) == n && !strncmp(text, schemes[i].name, n))
			sch = &schemes[i];
	if (!sch) {
		snprintf(err, errlen, "unknown output scheme '%.*s' (known: file, syslog, syslog+udp, syslog+tcp, syslog+tls, http, https, clickhouse, clickhouse+https; a path with ':' is written file:PATH)",
			 (int)n, text);
		return -1;
	}
	s->type = sch->type;
	s->tls = sch->tls;
	rest = text + n + 1;
	q = strchr(rest, '?');
	size_t body = q ? (size_t)(q - rest) : strlen(rest);
	if (s->type == OT_FILE || s->type == OT_SYSLOG_UNIX) {
		const char *p = rest;
		if (body >= 2 && !strncmp(p, "//", 2)) { /* file:///x: empty authority */
			p += 2;
			body -= 2;
			if (body && *p != '/') {
				snprintf(err, errlen, "%s: only local paths (%s:///PATH or %s:PATH)", sch->name, sch->name, sch->name);
				return -1;
			}
		}
		if (!body) {
			snprintf(err, errlen, "%s: a path is needed", sch->name);
			return -1;
		}
		s->path = strndup(p, body);
		if (s->type == OT_FILE && !strcmp(s->path, "-")) {
			s->type = OT_STDOUT;
		}
	} else {
		if (body < 2 || strncmp(rest, "//", 2)) {
			snprintf(err, errlen, "%s: expected %s://HOST[:PORT]...", sch->name, sch->name);
			return -1;
		}
		const char *auth = rest + 2, *slash = memchr(auth, '/', body - 2);
		size_t alen = slash ? (size_t)(slash - auth) : body - 2;
		if (parse_authority(s, auth, alen, sch->port, err, errlen))
			return -1;
		s->path = slash ? strndup(slash, body - 2 - alen) : strdup("/");
		if (s->type == OT_CLICKHOUSE) {
			const char *t = s->path + 1;
			const char *dot = strchr(t, '.');
			if (!dot || dot == t || !dot[1] || strchr(t, '/')) {
				snprintf(err, errlen, "clickhouse: expected clickhouse://HOST[:PORT]/DATABASE.TABLE");
				return -1;
			}
			for (const char *c = t; *c; c++)
				if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.') {
					snprintf(err, errlen, "clickhouse: database and table names are letters, digits and '_'");
					return -1;
				}
			s->table = strdup(t);
		} else if (s->type != OT_HTTP && strcmp(s->path, "/")) {
			snprintf(err, errlen, "%s: no path after HOST:PORT", sch->name);
			return -1;
		}
	}
	if (q) {
		char *opts = strdup(q + 1), *save = NULL;
		int rc = 0;
		for (char *t = strtok_r(opts, "&", &save); t && !rc; t = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(t, '=');
			if (eq)
				*eq++ = '\0';
			rc = set_opt(s, t, eq, err, errlen);
		}
		free(opts);
		if (rc)
			return -1;
	}
	if (check_spec(s, err, errlen))
		return -1;
	if (!s->name[0])
		derive_name(s);
	return 0;
}

void output_spec_free(struct output_spec *s)
{
	free(s->text);
	free(s->host);
	free(s->path);
	for (size_t i = 0; i < s->nkinds; i++)
		free(s->kinds[i]);
	free(s->ca);
	free(s->cert);
	free(s->key);
	free(s->server_name);
	free(s->index);
	free(s->user);
	free(s->token_file);
	free(s->token_env);
	free(s->password_file);
	free(s->password_env);
	free(s->table);
	memset(s, 0, sizeof(*s));
}
