// SPDX-License-Identifier: GPL-2.0-only
/* The network body writers and names: addresses of both families, errno and state names, and
 * the exact JSON of net.connect, net.close and net.reset records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "events/net_events.h"
#include "netfmt.h"
#include "out.h"
#include "sbuf.h"

static void render(void (*body)(struct out *, const void *, size_t), const void *rec, size_t size,
		   const char *want)
{
	struct sbuf b = {};
	struct out o;

	out_init(&o, &b, OUT_JSON);
	out_begin(&o);
	body(&o, rec, size);
	out_end(&o);
	assert_string_equal(sbuf_str(&b), want);
	sbuf_free(&b);
}

static void names_and_addresses(void **state)
{
	uint8_t a[16] = {};
	char text[NET_ADDR_TEXT_MAX];

	(void)state;
	inet_pton(AF_INET, "10.231.7.2", a);
	net_addr_text(text, AF_INET, a);
	assert_string_equal(text, "10.231.7.2");
	inet_pton(AF_INET6, "fd00:231:7::1", a);
	net_addr_text(text, AF_INET6, a);
	assert_string_equal(text, "fd00:231:7::1");
	net_addr_text(text, 99, a);
	assert_string_equal(text, "?");
	assert_string_equal(net_errno_name(-111), "ECONNREFUSED");
	assert_null(net_errno_name(0));
	assert_string_equal(tcp_state_name(2), "SYN_SENT");
	assert_string_equal(tcp_state_name(77), "UNKNOWN");
	assert_string_equal(tcp_reset_reason_name(1), "NO_SOCKET");
	assert_null(tcp_reset_reason_name(1000));
	assert_int_equal(net_ip_version(AF_INET6), 6);
}

static void fill(struct vigil_net_event *e, int family, const char *s, const char *d)
{
	memset(e, 0, sizeof(*e));
	e->t.family = (uint16_t)family;
	e->t.proto = 6;
	inet_pton(family, s, e->t.saddr);
	inet_pton(family, d, e->t.daddr);
	e->t.sport = 40000;
	e->t.dport = 443;
}

static void connect_close_reset_bodies(void **state)
{
	struct vigil_net_event e;

	(void)state;
	fill(&e, AF_INET, "10.0.0.1", "10.0.0.2");
	e.result = -111;
	e.flags = VIGIL_NETF_NONBLOCK;
	render(body_net_connect, &e, sizeof(e),
	       "{\"net\":{\"family\":\"inet\",\"proto\":\"tcp\",\"saddr\":\"10.0.0.1\",\"sport\":40000,"
	       "\"daddr\":\"10.0.0.2\",\"dport\":443,\"result\":-111,\"error\":\"ECONNREFUSED\","
	       "\"nonblocking\":true}}\n");

	fill(&e, AF_INET6, "::1", "fd00::2");
	e.duration_ns = 5;
	e.bytes_sent = 1234;
	e.bytes_received = 567;
	e.state = 4;
	e.flags = VIGIL_NETF_OWNER_UNKNOWN;
	render(body_net_close, &e, sizeof(e),
	       "{\"net\":{\"family\":\"inet6\",\"proto\":\"tcp\",\"saddr\":\"::1\",\"sport\":40000,"
	       "\"daddr\":\"fd00::2\",\"dport\":443,\"duration_ns\":5,\"bytes_sent\":1234,"
	       "\"bytes_received\":567,\"last_state\":\"FIN_WAIT1\",\"owner_unknown\":true}}\n");

	fill(&e, AF_INET, "10.0.0.1", "10.0.0.2");
	e.flags = VIGIL_NETF_NO_SOCKET;
	e.reason = 1;
	render(body_net_reset, &e, sizeof(e),
	       "{\"net\":{\"family\":\"inet\",\"proto\":\"tcp\",\"saddr\":\"10.0.0.1\",\"sport\":40000,"
	       "\"daddr\":\"10.0.0.2\",\"dport\":443,\"direction\":\"sent\",\"socket\":false,"
	       "\"reason\":\"NO_SOCKET\"}}\n");
	e.flags = VIGIL_NETF_RESET_RECEIVED;
	e.state = 1;
	render(body_net_reset, &e, sizeof(e),
	       "{\"net\":{\"family\":\"inet\",\"proto\":\"tcp\",\"saddr\":\"10.0.0.1\",\"sport\":40000,"
	       "\"daddr\":\"10.0.0.2\",\"dport\":443,\"direction\":\"received\",\"socket\":true,"
	       "\"state\":\"ESTABLISHED\"}}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_addresses),
		cmocka_unit_test(connect_close_reset_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
