// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: any bytes as a captured DNS message (UDP, or a TCP chunk with or without its
 * length prefix) parse into a message or a malformed verdict with its reason and offset, never a
 * crash or undefined behaviour; names stay within their bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg m; /* large: not on the stack */
	const uint8_t *msg;
	size_t len;

	if (dns_parse(data, size, &m) == 0 && m.error)
		abort(); /* well formed, yet a reason */
	if (strnlen(m.qname, sizeof(m.qname)) == sizeof(m.qname) || m.nanswers > DNS_ANSWERS_MAX)
		abort();
	dns_unframe_tcp(data, size, &msg, &len);
	if (len > size || msg < data || msg + len > data + size)
		abort();
	dns_parse(msg, len, &m);
	if (size > 2) {
		size_t off = data[0] % size;
		char name[DNS_NAME_TEXT_MAX];
		if (!dns_read_name(data, size, &off, name, sizeof(name)) &&
		    (off > size || strnlen(name, sizeof(name)) == sizeof(name)))
			abort();
	}
	return 0;
}
