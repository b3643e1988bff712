// SPDX-License-Identifier: GPL-2.0-only
/* Shells and terminals: tty majors, device numbers, followed descendants, the replay quoting,
 * and the body writers of shell.command, tty.write and process.output on good and bad records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "events/shell_events.h"
#include "kinds.h"
#include "shell_sensor.h"
#include "vigil/abi.h"

static void tty_majors_from_the_kernel_list(void **state)
{
	static const char text[] =
		"/dev/tty             /dev/tty        5       0 system:/dev/tty\n"
		"/dev/console         /dev/console    5       1 system:console\n"
		"/dev/ptmx            /dev/ptmx       5       2 system\n"
		"/dev/vc/0            /dev/vc/0       4       0 system:vtmaster\n"
		"serial               /dev/ttyS       4      64 serial\n"
		"pty_slave            /dev/pts      136 0-1048575 pty:slave\n"
		"pty_master           /dev/ptm      128 0-1048575 pty:master\n"
		"unknown              /dev/tty        4 1-63 console\n"
		"broken line\n"
		"huge                 /dev/x       9999 0 x"; /* no newline; major out of range */
	static bool majors[4096];

	(void)state;
	assert_int_equal(tty_majors_parse(text, majors), 4);
	assert_true(majors[4] && majors[5] && majors[128] && majors[136]);
	assert_false(majors[1] || majors[0] || majors[137]);
	assert_int_equal(tty_majors_parse("", majors), 0);
	assert_false(majors[5]);
}

static void kernel_dev_numbers(void **state)
{
	(void)state;
	assert_int_equal(kernel_dev(makedev(136, 3)), (136u << 20) | 3);
	assert_int_equal(kernel_dev(makedev(4, 64)), (4u << 20) | 64);
	assert_int_equal(kernel_dev(makedev(136, 70000)), (136u << 20) | 70000); /* minor > 255 */
	assert_int_equal(kernel_dev(makedev(300, 1)), (300u << 20) | 1);         /* major > 255 */
}

static void put_stat(const char *dir, unsigned tgid, const char *comm, unsigned ppid)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", dir, tgid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%u/stat", dir, tgid);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%u (%s) S %u 1 1 0 -1\n", tgid, comm, ppid);
	fclose(f);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void descendants_from_a_fake_procfs(void **state)
{
	char dir[] = "/tmp/vigil-unit-procXXXXXX";
	uint32_t out[16];
	int n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_stat(dir, 1, "init", 0);
	put_stat(dir, 10, "bash", 1);
	put_stat(dir, 30, "grandchild", 20); /* listed before its parent: needs a second pass */
	put_stat(dir, 20, "child) S 1 (", 10); /* a comm that looks like the rest of stat */
	put_stat(dir, 40, "other", 1);
	put_stat(dir, 50, "great", 30);
	n = proc_descendants(dir, 10, out, 16);
	assert_int_equal(n, 3);
	qsort(out, (size_t)n, sizeof(out[0]), cmp_u32);
	assert_int_equal(out[0], 20);
	assert_int_equal(out[1], 30);
	assert_int_equal(out[2], 50);
	assert_int_equal(proc_descendants(dir, 40, out, 16), 0);
	assert_int_equal(proc_descendants(dir, 10, out, 2), 1); /* bounded by max (root counts) */
	assert_true(proc_descendants("/nonexistent-procfs", 1, out, 16) < 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void quote(const char *in, size_t n, const char *want)
{
	struct sbuf b = {};

	shell_replay_quote(&b, in, n);
	assert_string_equal(sbuf_str(&b), want);
	sbuf_free(&b);
}

static void replay_quoting(void **state)
{
	(void)state;
	quote("ls -l\n", 6, "'ls -l\\012'");
	quote("100%", 4, "'100%%'");
	quote("it's \\x", 7, "'it\\047s \\134x'");
	quote("\x1b[0m\t", 5, "'\\033[0m\\011'");
	quote("\xc3\xa9", 2, "'\\303\\251'");
	quote("a\0b", 3, "'a\\000b'");
	quote("", 0, "''");
}

/* A tty.write record built as the kernel does: data, then the tty name, in the data area. */
static size_t write_record(struct vigil_write_event *e, unsigned kind, const char *data,
			   size_t n, uint64_t count, const char *tty)
{
	memset(e, 0, sizeof(*e));
	e->hdr.kind = kind;
	e->body.count = count;
	e->body.fd = kind == VIGIL_KIND_TTY_WRITE ? 1 : 2;
	e->body.tty_dev = (136u << 20) | 7;
	e->body.call = VIGIL_WRITE_CALL_WRITE;
	memcpy(e->data, data, n);
	e->body.seg[VIGIL_WSEG_DATA] = (struct vigil_seg){ .off = 0, .len = (uint16_t)n };
	size_t tl = tty ? strlen(tty) + 1 : 0;
	memcpy(e->data + n, tty ? tty : "", tl);
	e->body.seg[VIGIL_WSEG_TTY] = (struct vigil_seg){ .off = (uint16_t)n, .len = (uint16_t)tl };
	e->hdr.size = (uint16_t)(offsetof(struct vigil_write_event, data) + n + tl);
	return e->hdr.size;
}

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

static void tty_write_body(void **state)
{
	static struct vigil_write_event e;
	size_t size;

	(void)state;
	size = write_record(&e, VIGIL_KIND_TTY_WRITE, "hi\n", 3, 3, "pts7");
	render(body_tty_write, &e, size,
	       "{\"tty\":{\"name\":\"pts/7\",\"major\":136,\"minor\":7,\"fd\":1,\"call\":\"write\","
	       "\"count\":3,\"data\":\"hi\\n\",\"truncated\":false}}\n");
	/* fewer bytes than were written: truncated, even without the flag */
	size = write_record(&e, VIGIL_KIND_TTY_WRITE, "abcd", 4, 10000, "ttyS0");
	render(body_tty_write, &e, size,
	       "{\"tty\":{\"name\":\"ttyS0\",\"major\":136,\"minor\":7,\"fd\":1,\"call\":\"write\","
	       "\"count\":10000,\"data\":\"abcd\",\"truncated\":true}}\n");
	/* a segment that points past the record is read as empty, never followed */
	size = write_record(&e, VIGIL_KIND_TTY_WRITE, "abcd", 4, 4, "pts7");
	e.body.seg[VIGIL_WSEG_DATA].off = 60000;
	e.body.seg[VIGIL_WSEG_TTY].len = 9000;
	e.body.call = 99;
	render(body_tty_write, &e, size,
	       "{\"tty\":{\"name\":\"\",\"major\":136,\"minor\":7,\"fd\":1,\"call\":\"unknown\","
	       "\"count\":4,\"data\":\"\",\"truncated\":true}}\n");
}

static void process_output_body(void **state)
{
	static struct vigil_write_event e;
	size_t size;
	const char *p;
	size_t n;
	bool truncated;

	(void)state;
	size = write_record(&e, VIGIL_KIND_PROCESS_OUTPUT, "err\x01\n", 5, 5, NULL);
	e.body.call = VIGIL_WRITE_CALL_WRITEV;
	render(body_process_output, &e, size,
	       "{\"output\":{\"stream\":\"stderr\",\"fd\":2,\"call\":\"writev\",\"count\":5,"
	       "\"data\":\"err\\u0001\\n\",\"truncated\":false}}\n");
	assert_true(write_event_data(&e, size, &p, &n, &truncated));
	assert_int_equal(n, 5);
	assert_memory_equal(p, "err\x01\n", 5);
	assert_false(truncated);
	assert_false(write_event_data(&e, size - 1, &p, &n, &truncated)); /* segment past the end */
	assert_false(write_event_data(&e, 10, &p, &n, &truncated));       /* shorter than a body */
}

static void shell_command_body(void **state)
{
	static struct vigil_shell_event e;
	const char *line;
	size_t n, size;
	bool truncated;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.hdr.kind = VIGIL_KIND_SHELL_COMMAND;
	e.tty_dev = (136u << 20) | 3;
	memcpy(e.data, "ls \"x\"\0pts3\0", 12);
	e.seg[VIGIL_SHSEG_LINE] = (struct vigil_seg){ .off = 0, .len = 7 };
	e.seg[VIGIL_SHSEG_TTY] = (struct vigil_seg){ .off = 7, .len = 5 };
	size = offsetof(struct vigil_shell_event, data) + 12;
	render(body_shell_command, &e, size,
	       "{\"shell\":{\"command\":\"ls \\\"x\\\"\",\"truncated\":false,\"tty\":\"pts/3\","
	       "\"tty_major\":136,\"tty_minor\":3}}\n");
	assert_true(shell_event_line(&e, size, &line, &n, &truncated));
	assert_int_equal(n, 6);
	/* the bound was hit: said so; no terminal: empty name, zero device */
	e.seg[VIGIL_SHSEG_LINE].flags = VIGIL_SEG_TRUNCATED;
	e.seg[VIGIL_SHSEG_TTY].len = 0;
	e.tty_dev = 0;
	render(body_shell_command, &e, size,
	       "{\"shell\":{\"command\":\"ls \\\"x\\\"\",\"truncated\":true,\"tty\":\"\","
	       "\"tty_major\":0,\"tty_minor\":0}}\n");
	e.seg[VIGIL_SHSEG_LINE].len = 13; /* past the record */
	assert_false(shell_event_line(&e, size, &line, &n, &truncated));
	assert_int_equal(n, 0);
}

/* The agent's "every kind" leaves out each terminal's bytes and output with nothing followed. */
static void kinds_and_defaults(void **state)
{
	const struct kind_info *cmd = kind_by_name("shell.command");
	const struct kind_info *tty = kind_by_name("tty.write");
	const struct kind_info *output = kind_by_name("process.output");

	(void)state;
	assert_non_null(cmd);
	assert_non_null(tty);
	assert_non_null(output);
	assert_int_equal(cmd->kind, VIGIL_KIND_SHELL_COMMAND);
	assert_int_equal(tty->kind, VIGIL_KIND_TTY_WRITE);
	assert_int_equal(output->kind, VIGIL_KIND_PROCESS_OUTPUT);
	assert_false(cmd->on_request);
	assert_true(tty->on_request);
	assert_true(output->on_request);
	assert_int_equal(tty->min_size, offsetof(struct vigil_write_event, data));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tty_majors_from_the_kernel_list),
		cmocka_unit_test(kernel_dev_numbers),
		cmocka_unit_test(descendants_from_a_fake_procfs),
		cmocka_unit_test(replay_quoting),
		cmocka_unit_test(tty_write_body),
		cmocka_unit_test(process_output_body),
		cmocka_unit_test(shell_command_body),
		cmocka_unit_test(kinds_and_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
