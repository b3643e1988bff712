// SPDX-License-Identifier: GPL-2.0-only
/* The DNS parser on good messages and hostile ones: compression loops (self, mutual, forward,
 * long chains), cut messages at every length, oversized names, bad record lengths, reserved
 * label types, and random bytes; then the net.dns body writer on a record that lies about
 * its capture length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "events/net_events.h"
#include "out.h"
#include "sbuf.h"

static size_t put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = v >> 8;
	p[off + 1] = v & 0xff;
	return off + 2;
}

static size_t header(uint8_t *p, uint16_t flags, uint16_t qd, uint16_t an)
{
	memset(p, 0, 12);
	put16(p, 0, 0x1234);
	put16(p, 2, flags);
	put16(p, 4, qd);
	put16(p, 6, an);
	return 12;
}

/* "www" "example" "com" 0, type, class */
static size_t question(uint8_t *p, size_t off, uint16_t type)
{
	static const uint8_t name[] = "\3www\7example\3com";

	memcpy(p + off, name, sizeof(name)); /* with its root NUL */
	off += sizeof(name);
	off = put16(p, off, type);
	return put16(p, off, 1);
}

static size_t answer_a(uint8_t *p, size_t off, uint16_t name_ptr, const uint8_t ip[4])
{
	off = put16(p, off, name_ptr);
	off = put16(p, off, 1);
	off = put16(p, off, 1);
	off = put16(p, off, 0);
	off = put16(p, off, 3600);
	off = put16(p, off, 4);
	memcpy(p + off, ip, 4);
	return off + 4;
}

static struct dns_msg m; /* large */

static void parses_a_query(void **state)
{
	uint8_t p[512];
	size_t n = question(p, header(p, 0x0100, 1, 0), 28);

	(void)state;
	assert_int_equal(dns_parse(p, n, &m), 0);
	assert_null(m.error);
	assert_false(m.qr);
	assert_int_equal(m.id, 0x1234);
	assert_true(m.has_question);
	assert_string_equal(m.qname, "www.example.com");
	assert_int_equal(m.qtype, 28);
	assert_string_equal(dns_type_name(m.qtype), "AAAA");
}

static void parses_answers_with_compression(void **state)
{
	static const uint8_t ip[4] = { 192, 0, 2, 7 };
	uint8_t p[512];
	size_t n = question(p, header(p, 0x8183, 1, 3), 1);

	(void)state;
	n = answer_a(p, n, 0xc00c, ip);
	/* a CNAME whose target is "alias" + pointer to "example.com" (offset 16) */
	n = put16(p, n, 0xc00c);
	n = put16(p, n, 5);
	n = put16(p, n, 1);
	n = put16(p, n, 0);
	n = put16(p, n, 60);
	n = put16(p, n, 8);
	memcpy(p + n, "\5alias", 6);
	n += 6;
	n = put16(p, n, 0xc010);
	/* an unknown type: kept, no data text */
	n = put16(p, n, 0xc00c);
	n = put16(p, n, 99);
	n = put16(p, n, 1);
	n = put16(p, n, 0);
	n = put16(p, n, 1);
	n = put16(p, n, 2);
	n = put16(p, n, 0xabcd);

	assert_int_equal(dns_parse(p, n, &m), 0);
	assert_true(m.qr);
	assert_int_equal(m.rcode, 3);
	assert_string_equal(dns_rcode_name(m.rcode), "NXDOMAIN");
	assert_int_equal(m.nanswers, 3);
	assert_string_equal(m.answers[0].name, "www.example.com");
	assert_string_equal(m.answers[0].data, "192.0.2.7");
	assert_int_equal(m.answers[0].ttl, 3600);
	assert_string_equal(m.answers[1].data, "alias.example.com");
	assert_int_equal(m.answers[2].type, 99);
	assert_string_equal(m.answers[2].data, "");
}

static void rejects_compression_loops(void **state)
{
	uint8_t p[512];
	size_t q = header(p, 0x8180, 1, 0);

	(void)state;
	/* the question's name points at itself */
	put16(p, q, 0xc000 | (uint16_t)q);
	assert_int_equal(dns_parse(p, q + 2 + 4, &m), -1);
	assert_string_equal(m.error, "compression pointer does not point backwards");
	assert_int_equal(m.error_off, 12);

	/* two pointers that point at each other: the second one points forward */
	put16(p, q, 0xc000 | (uint16_t)(q + 2));
	put16(p, q + 2, 0xc000 | (uint16_t)q);
	assert_int_equal(dns_parse(p, q + 4 + 4, &m), -1);
	assert_string_equal(m.error, "compression pointer does not point backwards");

	/* a pointer beyond the message */
	put16(p, q, 0xc000 | 0x3fff);
	assert_int_equal(dns_parse(p, q + 2 + 4, &m), -1);
}

static void limits_pointer_chains(void **state)
{
	static uint8_t p[4096];
	size_t off = header(p, 0x8180, 1, 0);
	size_t ptr[DNS_POINTER_HOPS_MAX + 1], at;

	(void)state;
	p[off++] = 0; /* the root name at 12; then a chain of pointers, each to the one before */
	for (int i = 0; i <= DNS_POINTER_HOPS_MAX; i++) {
		ptr[i] = off;
		off = put16(p, off, 0xc000 | (uint16_t)(i ? ptr[i - 1] : 12));
	}
	at = ptr[DNS_POINTER_HOPS_MAX - 1]; /* 64 hops: allowed */
	assert_null(dns_read_name(p, off, &at, m.qname, sizeof(m.qname)));
	assert_string_equal(m.qname, ".");
	assert_int_equal(at, ptr[DNS_POINTER_HOPS_MAX - 1] + 2);
	at = ptr[DNS_POINTER_HOPS_MAX]; /* 65 hops */
	assert_string_equal(dns_read_name(p, off, &at, m.qname, sizeof(m.qname)),
			    "too many compression pointers");
}

static void rejects_long_names_and_reserved_labels(void **state)
{
	uint8_t p[1024];
	size_t off = header(p, 0, 1, 0);

	(void)state;
	for (int i = 0; i < 5; i++) { /* 5 x 64 wire bytes > 255 */
		p[off++] = 63;
		memset(p + off, 'a', 63);
		off += 63;
	}
	p[off++] = 0;
	off = put16(p, off, 1);
	off = put16(p, off, 1);
	assert_int_equal(dns_parse(p, off, &m), -1);
	assert_string_equal(m.error, "name longer than 255 bytes");

	off = header(p, 0, 1, 0);
	p[off++] = 0x40; /* extended label type (RFC 6891 obsolete) */
	p[off++] = 0;
	assert_int_equal(dns_parse(p, off + 4, &m), -1);
	assert_string_equal(m.error, "reserved label type");
}

static void escapes_odd_bytes_in_names(void **state)
{
	uint8_t p[512];
	size_t off = header(p, 0, 1, 0);

	(void)state;
	memcpy(p + off, "\4a.\"\n\0", 6); /* one label holding '.', '"' and a newline */
	off += 6;
	off = put16(p, off, 1);
	off = put16(p, off, 1);
	assert_int_equal(dns_parse(p, off, &m), 0);
	assert_string_equal(m.qname, "a\\046\\034\\010");
}

static void rejects_bad_record_lengths(void **state)
{
	static const uint8_t ip[4] = { 1, 2, 3, 4 };
	uint8_t p[512];
	size_t n = question(p, header(p, 0x8180, 1, 1), 1);
	size_t a = answer_a(p, n, 0xc00c, ip);

	(void)state;
	put16(p, n + 10, 5); /* an A record of 5 bytes */
	assert_int_equal(dns_parse(p, a + 1, &m), -1);
	assert_string_equal(m.error, "A record whose length is not 4");
	put16(p, n + 10, 400); /* rdata beyond the message */
	assert_int_equal(dns_parse(p, a, &m), -1);
	assert_string_equal(m.error, "answer data runs past the end");
	/* more answers announced than present */
	put16(p, n + 10, 4);
	put16(p, 6, 2);
	assert_int_equal(dns_parse(p, a, &m), -1);
	assert_string_equal(m.error, "name runs past the end");
	assert_int_equal(m.nanswers, 1);
	/* implausible question count */
	put16(p, 4, 60000);
	assert_int_equal(dns_parse(p, a, &m), -1);
	assert_string_equal(m.error, "implausible question count");
}

/* Every prefix of a valid response fails cleanly or parses, never reads past its length. */
static void every_truncation_is_handled(void **state)
{
	static const uint8_t ip[4] = { 10, 0, 0, 1 };
	uint8_t full[512];
	size_t n = answer_a(full, question(full, header(full, 0x8180, 1, 1), 1), 0xc00c, ip);

	(void)state;
	for (size_t len = 0; len < n; len++) {
		uint8_t *cut = malloc(len ? len : 1); /* exact size: a sanitizer sees any overread */
		memcpy(cut, full, len);
		assert_int_equal(dns_parse(cut, len, &m), -1);
		assert_non_null(m.error);
		assert_true(m.error_off <= len);
		free(cut);
	}
	assert_int_equal(dns_parse(full, n, &m), 0);
}

/* Random and mutated messages: no crash, no hang, error set exactly when it fails. */
static void random_bytes_do_not_break_it(void **state)
{
	static const uint8_t ip[4] = { 10, 0, 0, 1 };
	uint8_t base[512], buf[512];
	size_t n = answer_a(base, question(base, header(base, 0x8180, 1, 1), 1), 0xc00c, ip);
	unsigned seed = 12345;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		size_t len;
		seed = seed * 1103515245 + 12345;
		if (i & 1) { /* mutate a few bytes of a valid message */
			memcpy(buf, base, n);
			len = n;
			for (int k = 0; k < 3; k++) {
				seed = seed * 1103515245 + 12345;
				buf[(seed >> 8) % n] = (uint8_t)(seed >> 16);
			}
		} else {
			len = (seed >> 8) % sizeof(buf);
			for (size_t k = 0; k < len; k++) {
				seed = seed * 1103515245 + 12345;
				buf[k] = (uint8_t)(seed >> 16);
			}
		}
		int rc = dns_parse(buf, len, &m);
		assert_true(rc == 0 ? m.error == NULL : m.error != NULL);
		assert_true(m.nanswers <= DNS_ANSWERS_MAX);
		assert_true(strlen(m.qname) < sizeof(m.qname));
	}
}

static void tcp_frames(void **state)
{
	uint8_t p[64] = { 0, 14 };
	const uint8_t *msg;
	size_t len;

	(void)state;
	dns_unframe_tcp(p, 16, &msg, &len);
	assert_ptr_equal(msg, p + 2);
	assert_int_equal(len, 14);
	dns_unframe_tcp(p, 20, &msg, &len); /* the prefix does not match: a bare message */
	assert_ptr_equal(msg, p);
	assert_int_equal(len, 20);
	dns_unframe_tcp(p, 1, &msg, &len);
	assert_int_equal(len, 1);
}

/* A record whose captured field claims more than the record holds: bounded by the record. */
static void body_trusts_the_record_size_not_the_capture_field(void **state)
{
	static struct vigil_dns_event e;
	struct sbuf b = {};
	struct out o;
	size_t n = question(e.data, header(e.data, 0x0100, 1, 0), 1);

	(void)state;
	e.t.family = 2;
	e.t.proto = 17;
	e.t.dport = 53;
	e.t.sport = 40000;
	e.len = (uint32_t)n;
	e.outgoing = 1;
	e.captured = 60000; /* a lie */
	out_init(&o, &b, OUT_JSON);
	out_begin(&o);
	body_net_dns(&o, &e, offsetof(struct vigil_dns_event, data) + n);
	out_end(&o);
	assert_non_null(strstr(sbuf_str(&b), "\"name\":\"www.example.com\""));
	assert_null(strstr(sbuf_str(&b), "malformed"));
	sbuf_reset(&b);

	/* cut by the record: the message is incomplete, and said to be cut rather than malformed */
	e.len = (uint32_t)n;
	out_begin(&o);
	body_net_dns(&o, &e, offsetof(struct vigil_dns_event, data) + 14);
	out_end(&o);
	assert_non_null(strstr(sbuf_str(&b), "\"capture_truncated\":true"));
	assert_non_null(strstr(sbuf_str(&b), "\"unparsed\":\"label runs past the end\""));
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_query),
		cmocka_unit_test(parses_answers_with_compression),
		cmocka_unit_test(rejects_compression_loops),
		cmocka_unit_test(limits_pointer_chains),
		cmocka_unit_test(rejects_long_names_and_reserved_labels),
		cmocka_unit_test(escapes_odd_bytes_in_names),
		cmocka_unit_test(rejects_bad_record_lengths),
		cmocka_unit_test(every_truncation_is_handled),
		cmocka_unit_test(random_bytes_do_not_break_it),
		cmocka_unit_test(tcp_frames),
		cmocka_unit_test(body_trusts_the_record_size_not_the_capture_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
