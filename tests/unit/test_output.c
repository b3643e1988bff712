// SPDX-License-Identifier: GPL-2.0-only
/* --output specs, the event scanner the sinks use, and the spool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/evscan.h"
#include "output/spec.h"
#include "output/spool.h"

static void parse_ok(const char *text, struct output_spec *s)
{
	char err[512] = "";
	int rc = output_spec_parse(text, s, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", text, err);
}

static void parse_bad(const char *text, const char *want)
{
	struct output_spec s;
	char err[512] = "";

	assert_int_equal(output_spec_parse(text, &s, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("%s: got '%s', want '%s'", text, err, want);
	output_spec_free(&s);
}

static void specs_files(void **state)
{
	struct output_spec s;
	(void)state;

	parse_ok("-", &s);
	assert_int_equal(s.type, OT_STDOUT);
	output_spec_free(&s);
	parse_ok("/var/log/vigil.jsonl", &s); /* a plain path is a file, even with '?' */
	assert_int_equal(s.type, OT_FILE);
	assert_string_equal(s.path, "/var/log/vigil.jsonl");
	assert_string_equal(s.name, "file_var_log_vigil.jsonl");
	output_spec_free(&s);
	parse_ok("file:/var/log/v.jsonl?rotate=100M&keep=7&gzip&kinds=alert,process.*&min-severity=high", &s);
	assert_int_equal(s.type, OT_FILE);
	assert_string_equal(s.path, "/var/log/v.jsonl");
	assert_int_equal(s.rotate, 100ULL << 20);
	assert_int_equal(s.keep, 7);
	assert_true(s.gzip);
	assert_int_equal(s.min_severity, 3);
	assert_true(output_spec_wants_kind(&s, "alert", 5));
	assert_true(output_spec_wants_kind(&s, "process.exec", 12));
	assert_false(output_spec_wants_kind(&s, "process", 7));
	assert_false(output_spec_wants_kind(&s, "file.open", 9));
	output_spec_free(&s);
	parse_ok("file:///tmp/a?rotate=1M", &s);
	assert_string_equal(s.path, "/tmp/a");
	assert_int_equal(s.keep, 5); /* the default with rotate */
	output_spec_free(&s);
}

static void specs_network(void **state)
{
	struct output_spec s;
	(void)state;

	parse_ok("syslog+tcp://siem.example:6000?facility=auth&name=siem", &s);
	assert_int_equal(s.type, OT_SYSLOG_TCP);
	assert_string_equal(s.host, "siem.example");
	assert_int_equal(s.port, 6000);
	assert_int_equal(s.facility, 4);
	assert_string_equal(s.name, "siem");
	output_spec_free(&s);
	parse_ok("syslog+tls://[::1]?ca=/ca.pem&cert=/c.pem&key=/k.pem", &s);
	assert_int_equal(s.type, OT_SYSLOG_TLS);
	assert_string_equal(s.host, "::1");
	assert_int_equal(s.port, 6514);
	assert_true(s.tls);
	output_spec_free(&s);
	parse_ok("syslog:///dev/log", &s);
	assert_int_equal(s.type, OT_SYSLOG_UNIX);
	assert_string_equal(s.path, "/dev/log");
	output_spec_free(&s);
	parse_ok("https://es:9200/_bulk?format=es-bulk&index=vigil&token-file=/etc/vigil/es&gzip&batch=4M", &s);
	assert_int_equal(s.type, OT_HTTP);
	assert_int_equal(s.http_format, HF_ES_BULK);
	assert_string_equal(s.path, "/_bulk");
	assert_string_equal(s.index, "vigil");
	assert_int_equal(s.batch, 4ULL << 20);
	assert_int_equal(s.port, 9200);
	output_spec_free(&s);
	parse_ok("clickhouse://ch:8123/siem.events?user=vigil&password-env=CH_PW", &s);
	assert_int_equal(s.type, OT_CLICKHOUSE);
	assert_string_equal(s.table, "siem.events");
	assert_string_equal(s.name, "clickhouse-ch-8123-siem.events");
	output_spec_free(&s);
}

static void specs_errors(void **state)
{
	(void)state;
	parse_bad("kafka://b:9092", "unknown output scheme 'kafka'");
	parse_bad("syslog+udp://h:0", "bad port '0'");
	parse_bad("syslog+udp://h:70000", "bad port '70000'");
	parse_bad("syslog+udp://:514", "a host is needed");
	parse_bad("https://h/x?token=abc", "credentials never go on the command line");
	parse_bad("https://h/x?password=abc", "credentials never go on the command line");
	parse_bad("https://h/x?format=xml", "ndjson, es-bulk or splunk-hec");
	parse_bad("file:/x?keep=3", "keep= needs rotate=SIZE");
	parse_bad("file:/x?gzip", "it needs rotate=SIZE");
	parse_bad("file:/x?rotate=1", "at least 4K");
	parse_bad("file:/x?kinds=process.nope", "unknown event kind 'process.nope'");
	parse_bad("file:/x?min-severity=urgent", "info, low, medium, high or critical");
	parse_bad("syslog+udp://h?ca=/x", "unknown option 'ca' for syslog+udp");
	parse_bad("syslog+tls://h?cert=/c", "both cert= and key=");
	parse_bad("clickhouse://h/notable", "DATABASE.TABLE");
	parse_bad("syslog+tcp://h:1/path", "no path after HOST:PORT");
	parse_bad("https://h/x?token-file=/a&token-env=B", "not both");
}

static void scan_fields(void **state)
{
	static const char line[] =
		"{\"time\":\"2026-01-02T03:04:05.123456789Z\",\"kind\":\"alert\",\"host\":{\"name\":\"h\\\"1\",\"id\":\"m\"},"
		"\"rule\":{\"name\":\"r [x]\",\"severity\":\"high\",\"tags\":[\"a\",{\"b\":1}]},"
		"\"event\":{\"kind\":\"process.exec\",\"proc\":{\"tgid\":42,\"exe\":\"/bin/true\"}}}";
	static const char *const paths[] = { "kind", "rule.severity", "host.name", "event.proc.tgid",
					      "rule.tags", "proc.tgid", "event.proc.exe" };
	struct evfield f[7];
	char buf[64];
	(void)state;

	evscan(line, strlen(line), paths, 7, f);
	assert_true(f[0].str && f[0].n == 5 && !memcmp(f[0].p, "alert", 5));
	assert_true(f[1].n == 4 && !memcmp(f[1].p, "high", 4));
	evfield_unescape(&f[2], buf, sizeof(buf));
	assert_string_equal(buf, "h\"1");
	assert_false(f[3].str);
	assert_int_equal(evfield_u64(&f[3]), 42);
	assert_true(f[4].n == 13 && !memcmp(f[4].p, "[\"a\",{\"b\":1}]", 13));
	assert_null(f[5].p); /* alerts carry proc only inside event */
	assert_true(f[6].n == 9);
	const char *k;
	size_t n;
	assert_true(evscan_kind(line, strlen(line), &k, &n));
	assert_true(n == 5 && !memcmp(k, "alert", 5));
	assert_true(evscan_kind("2026-01-02T03:04:05Z process.exec tgid=1\n", 41, &k, &n));
	assert_true(n == 12 && !memcmp(k, "process.exec", 12));
	/* truncated input: nothing found, no overrun */
	evscan(line, 60, paths, 7, f);
	assert_null(f[1].p);
}

static void spool_roundtrip(void **state)
{
	char dir[] = "/tmp/vigil-unit-spool-XXXXXX", err[256], buf[4096];
	struct spool sp;
	size_t bytes, lines;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(spool_open(&sp, dir, 65536, err, sizeof(err)), 0);
	assert_true(spool_empty(&sp));
	/* 1000 lines of 100 bytes: 655 fit under the 64K cap, whole lines only */
	char line[101];
	memset(line, 'x', 99);
	line[99] = '\n';
	line[100] = '\0';
	long total = 0;
	for (int i = 0; i < 1000; i++)
		total += spool_append(&sp, line, 100, &bytes);
	assert_int_equal(total, 655);
	assert_int_equal(sp.bytes, 65500);
	assert_int_equal(sp.events, 655);
	spool_close(&sp);
	/* a new run finds them and reads them back in order */
	assert_int_equal(spool_open(&sp, dir, 65536, err, sizeof(err)), 0);
	assert_int_equal(sp.events, 655);
	long seen = 0;
	uint64_t seq;
	while ((seq = spool_read_begin(&sp))) {
		long r = spool_read(&sp, seq, sp.roff, buf, sizeof(buf), &lines);
		assert_true(r >= 0);
		if (!r) {
			spool_segment_done(&sp);
			continue;
		}
		assert_int_equal(r % 100, 0);
		assert_int_equal(buf[r - 1], '\n');
		spool_consume(&sp, (size_t)r, lines);
		seen += (long)lines;
	}
	assert_int_equal(seen, 655);
	assert_true(spool_empty(&sp));
	assert_int_equal(sp.bytes, 0);
	spool_close(&sp);
	assert_int_equal(rmdir(dir), 0); /* every segment was deleted */
	/* an unwritable place is refused with a reason */
	assert_int_equal(spool_open(&sp, "/proc/vigil-spool", 65536, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "spool directory /proc/vigil-spool"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(specs_files),	  cmocka_unit_test(specs_network),
		cmocka_unit_test(specs_errors),	  cmocka_unit_test(scan_fields),
		cmocka_unit_test(spool_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
