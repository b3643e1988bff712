// SPDX-License-Identifier: GPL-2.0-only
#include "dns.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Appends one label byte as text: letters, digits, '-' and '_' as they are, the rest "\DDD". */
static bool put_label_byte(char *out, size_t outlen, size_t *w, uint8_t c)
{
	bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '-' || c == '_';
	size_t need = plain ? 1 : 4;

	if (*w + need >= outlen)
		return false;
	if (plain)
		out[(*w)++] = (char)c;
	else
		*w += (size_t)snprintf(out + *w, outlen - *w, "\\%03u", c);
	return true;
}

const char *dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen)
{
	size_t pos = *off, end = 0, w = 0, wire = 0;
	unsigned hops = 0;
	bool jumped = false;

	if (outlen < 2)
		return "no room for the name";
	out[0] = '\0';
	for (;;) {
		if (pos >= len)
			return "name runs past the end";
		uint8_t c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= len)
				return "compression pointer cut short";
			size_t target = ((size_t)(c & 0x3f) << 8) | msg[pos + 1];
			/* strictly backwards: every jump lowers pos, so no chain can loop */
			if (target >= pos)
				return "compression pointer does not point backwards";
			if (++hops > DNS_POINTER_HOPS_MAX)
				return "too many compression pointers";
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if (c & 0xc0)
			return "reserved label type";
		pos++;
		if (c == 0)
			break;
		if (pos + c > len)
			return "label runs past the end";
		wire += 1u + c;
		if (wire + 1 > DNS_NAME_WIRE_MAX)
			return "name longer than 255 bytes";
		if (w > 0) {
			if (w + 1 >= outlen)
				return "no room for the name";
			out[w++] = '.';
		}
		for (unsigned i = 0; i < c; i++)
			if (!put_label_byte(out, outlen, &w, msg[pos + i]))
				return "no room for the name";
		pos += c;
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	*off = jumped ? end : pos;
	return NULL;
}

static int fail(struct dns_msg *m, const char *why, size_t off)
{
	m->error = why;
	m->error_off = off;
	return -1;
}

/* The text of an answer's data where its type has one; data outside rdata is malformed. */
static const char *rdata_text(const uint8_t *msg, size_t len, struct dns_rr *rr, size_t off,
			      uint16_t rdlen)
{
	size_t end = off + rdlen, p = off;
	const char *err;

	rr->data[0] = '\0';
	switch (rr->type) {
	case 1: /* A */
		if (rdlen != 4)
			return "A record whose length is not 4";
		inet_ntop(AF_INET, msg + off, rr->data, sizeof(rr->data));
		return NULL;
	case 28: /* AAAA */
		if (rdlen != 16)
			return "AAAA record whose length is not 16";
		inet_ntop(AF_INET6, msg + off, rr->data, sizeof(rr->data));
		return NULL;
	case 5:  /* CNAME */
	case 2:  /* NS */
	case 12: /* PTR */
	case 15: /* MX: preference, then a name */
		if (rr->type == 15) {
			if (rdlen < 3)
				return "MX record too short";
			p += 2;
		}
		/* the name may point anywhere before it, but must end inside the record */
		err = dns_read_name(msg, end, &p, rr->data, sizeof(rr->data));
		if (err)
			return err;
		if (p != end)
			return "record data longer than its name";
		return NULL;
	case 16: { /* TXT: the first string */
		if (rdlen < 1 || 1u + msg[off] > rdlen)
			return "TXT string runs past its record";
		size_t w = 0;
		for (unsigned i = 0; i < msg[off]; i++)
			if (!put_label_byte(rr->data, sizeof(rr->data), &w, msg[off + 1 + i]))
				break;
		rr->data[w] = '\0';
		return NULL;
	}
	default:
		(void)len;
		return NULL;
	}
}

int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *m)
{
	size_t off = DNS_HEADER_LEN;
	const char *err;

	memset(m, 0, sizeof(*m));
	if (len < DNS_HEADER_LEN)
		return fail(m, "shorter than a DNS header", len);
	m->id = get16(msg);
	m->flags = get16(msg + 2);
	m->qr = m->flags >> 15;
	m->opcode = (m->flags >> 11) & 0xf;
	m->rcode = m->flags & 0xf;
	m->qdcount = get16(msg + 4);
	m->ancount = get16(msg + 6);
	m->nscount = get16(msg + 8);
	m->arcount = get16(msg + 10);
	if (m->qdcount > DNS_QUESTIONS_MAX)
		return fail(m, "implausible question count", 4);

	for (unsigned q = 0; q < m->qdcount; q++) {
		char scratch[DNS_NAME_TEXT_MAX];
		char *name = q == 0 ? m->qname : scratch;
		size_t at = off;

		err = dns_read_name(msg, len, &off, name, DNS_NAME_TEXT_MAX);
		if (err)
			return fail(m, err, at);
		if (len - off < 4)
			return fail(m, "question cut short", off);
		if (q == 0) {
			m->qtype = get16(msg + off);
			m->qclass = get16(msg + off + 2);
			m->has_question = true;
		}
		off += 4;
	}

	for (unsigned a = 0; a < m->ancount; a++) {
		struct dns_rr tmp, *rr = m->nanswers < DNS_ANSWERS_MAX ? &m->answers[m->nanswers] : &tmp;
		size_t at = off;

		err = dns_read_name(msg, len, &off, rr->name, sizeof(rr->name));
		if (err)
			return fail(m, err, at);
		if (len - off < 10)
			return fail(m, "answer cut short", off);
		rr->type = get16(msg + off);
		rr->cls = get16(msg + off + 2);
		rr->ttl = get32(msg + off + 4);
		uint16_t rdlen = get16(msg + off + 8);
		off += 10;
		if (rdlen > len - off)
			return fail(m, "answer data runs past the end", off);
		err = rdata_text(msg, len, rr, off, rdlen);
		if (err)
			return fail(m, err, off);
		off += rdlen;
		if (rr != &tmp)
			m->nanswers++;
	}
	return 0;
}

void dns_unframe_tcp(const uint8_t *p, size_t n, const uint8_t **msg, size_t *len)
{
	if (n >= 2 && get16(p) == n - 2) {
		*msg = p + 2;
		*len = n - 2;
	} else {
		*msg = p;
		*len = n;
	}
}

const char *dns_type_name(uint16_t type)
{
	static const struct {
		uint16_t type;
		const char *name;
	} names[] = {
		{ 1, "A" },	{ 2, "NS" },	 { 5, "CNAME" }, { 6, "SOA" },	{ 12, "PTR" },
		{ 15, "MX" },	{ 16, "TXT" },	 { 28, "AAAA" }, { 33, "SRV" }, { 41, "OPT" },
		{ 43, "DS" },	{ 46, "RRSIG" }, { 48, "DNSKEY" }, { 64, "SVCB" }, { 65, "HTTPS" },
		{ 255, "ANY" }, { 257, "CAA" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return NULL;
}

const char *dns_rcode_name(unsigned rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP",	"REFUSED", "YXDOMAIN", "YXRRSET",
					     "NXRRSET", "NOTAUTH", "NOTZONE" };

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : NULL;
}
