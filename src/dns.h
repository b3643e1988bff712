/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A DNS message parser for what the DNS sensor captures. The input is hostile until proven
 * otherwise: every read is bounds-checked, compression pointers must point strictly backwards
 * (so no loop can form) and are counted, names are limited to 255 wire bytes, and a message that
 * breaks a rule is reported as malformed with the reason and the offset, never guessed at.
 */
#ifndef VIGIL_DNS_H
#define VIGIL_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN 12
#define DNS_NAME_WIRE_MAX 255
/* Text form: every wire byte may become "\DDD", plus dots and the NUL. */
#define DNS_NAME_TEXT_MAX (4 * DNS_NAME_WIRE_MAX + 2)
#define DNS_POINTER_HOPS_MAX 64
#define DNS_ANSWERS_MAX 8
#define DNS_QUESTIONS_MAX 16
#define DNS_RDATA_TEXT_MAX DNS_NAME_TEXT_MAX

struct dns_rr {
	char name[DNS_NAME_TEXT_MAX];
	uint16_t type;
	uint16_t cls;
	uint32_t ttl;
	char data[DNS_RDATA_TEXT_MAX]; /* A/AAAA address, a name, TXT text, or "" */
};

struct dns_msg {
	uint16_t id;
	uint16_t flags;
	bool qr;          /* a response */
	unsigned opcode;
	unsigned rcode;
	uint16_t qdcount, ancount, nscount, arcount;
	bool has_question;
	char qname[DNS_NAME_TEXT_MAX];
	uint16_t qtype;
	uint16_t qclass;
	size_t nanswers;               /* parsed into answers[] */
	struct dns_rr answers[DNS_ANSWERS_MAX];
	const char *error;             /* NULL: well formed (as far as it was read) */
	size_t error_off;
};

/* Parses msg[0..len). 0 if well formed; -1 if malformed (m->error, m->error_off say why and where;
 * the fields read before the fault are kept). */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *m);

/* Reads the name at *off (updated past it) into out as text ("www.example.com", "." for the
 * root). NULL, or the reason it is malformed. */
const char *dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen);

/* TCP frames a message with a 2-byte length. Returns the message inside a captured chunk: the
 * frame's if its length fits, else the chunk itself (a read that skipped the prefix). */
void dns_unframe_tcp(const uint8_t *p, size_t n, const uint8_t **msg, size_t *len);

const char *dns_type_name(uint16_t type);   /* "AAAA"; NULL if unknown */
const char *dns_rcode_name(unsigned rcode); /* "NXDOMAIN"; NULL if unknown */

#endif
