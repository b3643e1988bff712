// SPDX-License-Identifier: GPL-2.0-only
/* The decoders of the privilege and kernel-activity events: capability, syscall, bpf command
 * and ptrace request names, flag words, and body writers fed with records built here (segments
 * that do not fit the record must be left out, never read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cap_audit.h"
#include "events/kernel_events.h"
#include "events/priv_events.h"
#include "priv_names.h"
#include "vigil/abi.h"

static void capability_names(void **state)
{
	(void)state;
	assert_string_equal(capability_name(0), "CAP_CHOWN");
	assert_string_equal(capability_name(7), "CAP_SETUID");
	assert_string_equal(capability_name(21), "CAP_SYS_ADMIN");
	assert_string_equal(capability_name(39), "CAP_BPF");
	assert_string_equal(capability_name(40), "CAP_CHECKPOINT_RESTORE");
	assert_null(capability_name(41));
	assert_null(capability_name(-1));
}

static void syscall_names(void **state)
{
	char buf[64];

	(void)state;
#if defined(__x86_64__)
	assert_string_equal(syscall_name(59, false, buf, sizeof(buf)), "execve");
	assert_string_equal(syscall_name(170, false, buf, sizeof(buf)), "sethostname");
	assert_string_equal(syscall_name(257, false, buf, sizeof(buf)), "openat");
	assert_string_equal(syscall_name(11, true, buf, sizeof(buf)), "execve"); /* i386 */
#endif
	assert_string_equal(syscall_name(99999, false, buf, sizeof(buf)), "syscall_99999");
	assert_string_equal(sys_op_name(VIGIL_OP_SETRESUID), "setresuid");
	assert_string_equal(sys_op_name(VIGIL_OP_UMOUNT), "umount2");
	assert_string_equal(sys_op_name(VIGIL_OP_COUNT), "unknown");
	assert_string_equal(sys_op_name(0), "unknown");
	assert_string_equal(errno_short_name(1), "EPERM");
	assert_string_equal(errno_short_name(13), "EACCES");
}

static void bpf_and_ptrace_names(void **state)
{
	(void)state;
	assert_string_equal(bpf_cmd_name(0), "BPF_MAP_CREATE");
	assert_string_equal(bpf_cmd_name(5), "BPF_PROG_LOAD");
	assert_string_equal(bpf_cmd_name(28), "BPF_LINK_CREATE");
	assert_null(bpf_cmd_name(1000));
	assert_string_equal(ptrace_request_name(0), "PTRACE_TRACEME");
	assert_string_equal(ptrace_request_name(16), "PTRACE_ATTACH");
	assert_string_equal(ptrace_request_name(0x4206), "PTRACE_SEIZE");
	assert_null(ptrace_request_name(-1));
}

static void flag_words(void **state)
{
	struct sbuf b = {};

	(void)state;
	flags_put(&b, 0, mount_flag_names);
	assert_string_equal(sbuf_str(&b), "0");
	sbuf_reset(&b);
	flags_put(&b, 0x2 | 0x4 | 0x4000 | 0x40000, mount_flag_names);
	assert_string_equal(sbuf_str(&b), "MS_NOSUID|MS_NODEV|MS_REC|MS_PRIVATE");
	sbuf_reset(&b);
	flags_put(&b, 0x20000 | 0x10000000 | 0x1, clone_ns_flag_names); /* bit 0 has no name */
	assert_string_equal(sbuf_str(&b), "CLONE_NEWNS|CLONE_NEWUSER|0x1");
	sbuf_reset(&b);
	flags_put(&b, 2, umount_flag_names);
	assert_string_equal(sbuf_str(&b), "MNT_DETACH");
	sbuf_reset(&b);
	flags_put(&b, 3, memfd_flag_names);
	assert_string_equal(sbuf_str(&b), "MFD_CLOEXEC|MFD_ALLOW_SEALING");
	sbuf_reset(&b);

	struct out o;
	out_init(&o, &b, OUT_JSON);
	out_begin(&o);
	out_flags(&o, "flags", 0x04000000 | 0x08000000 | 0x100000000ULL, clone_ns_flag_names);
	out_end(&o);
	assert_string_equal(sbuf_str(&b), "{\"flags\":[\"CLONE_NEWUTS\",\"CLONE_NEWIPC\",\"0x100000000\"]}\n");
	sbuf_free(&b);
}

static char *render(void (*body)(struct out *, const void *, size_t), const void *rec, size_t size,
		    struct sbuf *b)
{
	struct out o;

	sbuf_reset(b);
	out_init(&o, b, OUT_JSON);
	out_begin(&o);
	body(&o, rec, size);
	out_end(&o);
	return (char *)sbuf_str(b);
}

static void setuid_body(void **state)
{
	struct vigil_setuid_event e;
	struct sbuf b = {};

	(void)state;
	memset(&e, 0, sizeof(e));
	e.hdr.kind = VIGIL_KIND_PRIV_SETUID;
	e.call.op = VIGIL_OP_SETRESUID;
	e.call.args[0] = 65534;
	e.call.args[1] = 0xffffffff; /* -1: unchanged */
	e.call.args[2] = 65534;
	e.call.ret = -1;
	e.old_ids.uid = 1000;
	e.new_ids.uid = 1000;
	assert_string_equal(render(body_priv_setuid, &e, sizeof(e), &b),
			    "{\"setuid\":{\"syscall\":\"setresuid\",\"args\":[65534,-1,65534],\"ret\":-1,"
			    "\"errno\":\"EPERM\",\"old\":{\"uid\":1000,\"euid\":0,\"suid\":0,\"fsuid\":0},"
			    "\"new\":{\"uid\":1000,\"euid\":0,\"suid\":0,\"fsuid\":0}}}\n");
	sbuf_reset(&b);
	setuid_put_args(&b, &e);
	assert_string_equal(sbuf_str(&b), "65534,-1,65534");
	sbuf_reset(&b);
	put_ret(&b, -13);
	assert_string_equal(sbuf_str(&b), "-1 EACCES");
	sbuf_reset(&b);
	put_ret(&b, 65534); /* setfsuid returns the previous id */
	assert_string_equal(sbuf_str(&b), "65534");
	assert_int_equal(setuid_nargs(VIGIL_OP_SETFSGID), 1);
	assert_true(setuid_is_gid(VIGIL_OP_SETREGID));
	assert_false(setuid_is_gid(VIGIL_OP_SETREUID));
	sbuf_free(&b);
}

static void denied_body(void **state)
{
	struct vigil_denied_event e;
	struct sbuf b = {};

	(void)state;
	memset(&e, 0, sizeof(e));
	e.hdr.kind = VIGIL_KIND_SYSCALL_DENIED;
	e.nr = 99999;
	e.err = 13;
	e.count = 8;
	assert_string_equal(render(body_syscall_denied, &e, sizeof(e), &b),
			    "{\"denied\":{\"syscall\":\"syscall_99999\",\"nr\":99999,\"compat\":false,"
			    "\"errno\":\"EACCES\",\"count\":8}}\n");
	sbuf_free(&b);
}

/* A kernel-activity record with strings appended to its data area. */
static size_t put_seg(struct vigil_kernel_event *e, size_t *cursor, unsigned i, const char *s,
		      size_t n, unsigned count)
{
	e->body.seg[i].off = (uint16_t)*cursor;
	e->body.seg[i].len = (uint16_t)n;
	e->body.seg[i].count = (uint16_t)count;
	memcpy(e->data + *cursor, s, n);
	*cursor += n;
	return offsetof(struct vigil_kernel_event, data) + *cursor;
}

static void mount_and_ptrace_bodies(void **state)
{
	static struct vigil_kernel_event e;
	struct sbuf b = {};
	size_t cursor = 0, size;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.hdr.kind = VIGIL_KIND_KERNEL_MOUNT;
	e.body.call.op = VIGIL_OP_MOUNT;
	e.body.call.args[3] = 0x2 | 0x4;
	put_seg(&e, &cursor, VIGIL_KSEG_MNT_SOURCE, "src", 4, 1);
	put_seg(&e, &cursor, VIGIL_KSEG_MNT_TARGET, "/mnt/x", 7, 1);
	size = put_seg(&e, &cursor, VIGIL_KSEG_MNT_FSTYPE, "tmpfs", 6, 1);
	assert_string_equal(render(body_kernel_mount, &e, size, &b),
			    "{\"mount\":{\"syscall\":\"mount\",\"ret\":0,\"source\":\"src\","
			    "\"target\":\"/mnt/x\",\"fstype\":\"tmpfs\","
			    "\"flags\":[\"MS_NOSUID\",\"MS_NODEV\"]}}\n");
	/* the record cut before fstype: the segment does not fit and is left out */
	assert_string_equal(render(body_kernel_mount, &e, size - 3, &b),
			    "{\"mount\":{\"syscall\":\"mount\",\"ret\":0,\"source\":\"src\","
			    "\"target\":\"/mnt/x\",\"flags\":[\"MS_NOSUID\",\"MS_NODEV\"]}}\n");
	/* a segment whose offset points past the record */
	e.body.seg[VIGIL_KSEG_MNT_SOURCE].off = 60000;
	assert_null(strstr(render(body_kernel_mount, &e, size, &b), "\"source\""));

	memset(&e, 0, sizeof(e));
	cursor = 0;
	e.hdr.kind = VIGIL_KIND_KERNEL_PTRACE;
	e.body.call.op = VIGIL_OP_PTRACE;
	e.body.call.args[0] = 16;
	e.body.call.args[1] = 4242;
	e.body.count = 1;
	e.body.target_tgid = 4242;
	/* a path segment: components leaf first */
	size = put_seg(&e, &cursor, VIGIL_KSEG_PTRACE_EXE, "sleep\0bin\0usr", 14, 3);
	assert_string_equal(render(body_kernel_ptrace, &e, size, &b),
			    "{\"ptrace\":{\"request\":\"PTRACE_ATTACH\",\"request_nr\":16,\"pid\":4242,"
			    "\"ret\":0,\"target\":{\"tgid\":4242,\"exe\":\"/usr/bin/sleep\"}}}\n");
	sbuf_free(&b);
}

static void memfd_and_exec_bodies(void **state)
{
	static struct vigil_kernel_event e;
	struct sbuf b = {};
	size_t cursor = 0, size;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.hdr.kind = VIGIL_KIND_KERNEL_MEMFD;
	e.body.call.op = VIGIL_OP_MEMFD_CREATE;
	e.body.call.ret = 3;
	e.body.call.args[1] = 1;
	e.body.flags = VIGIL_KF_FROM_KERNEL;
	size = put_seg(&e, &cursor, VIGIL_KSEG_MEMFD_NAME, "memfd:payload", 14, 1);
	assert_string_equal(render(body_kernel_memfd, &e, size, &b),
			    "{\"memfd\":{\"ret\":3,\"name\":\"payload\",\"flags\":[\"MFD_CLOEXEC\"],"
			    "\"from\":\"kernel\"}}\n");

	memset(&e, 0, sizeof(e));
	cursor = 0;
	e.hdr.kind = VIGIL_KIND_PROCESS_EXEC_FAILED;
	e.body.call.op = VIGIL_OP_EXECVE;
	e.body.call.ret = -2;
	put_seg(&e, &cursor, VIGIL_KSEG_EXEC_FILE, "/no/such", 9, 1);
	size = put_seg(&e, &cursor, VIGIL_KSEG_EXEC_ARGV, "/no/such\0-x", 12, 2);
	assert_string_equal(render(body_exec_failed, &e, size, &b),
			    "{\"exec\":{\"syscall\":\"execve\",\"ret\":-2,\"errno\":\"ENOENT\","
			    "\"file\":\"/no/such\",\"argv\":[\"/no/such\",\"-x\"]}}\n");
	sbuf_reset(&b);
	assert_true(kernel_event_seg(&e, size, VIGIL_KSEG_EXEC_ARGV, &b));
	assert_string_equal(sbuf_str(&b), "/no/such -x");
	assert_false(kernel_event_seg(&e, size, VIGIL_KSEG_COUNT, &b));
	sbuf_free(&b);
}

static void noaudit_ranges_from_kallsyms(void **state)
{
	char path[] = "/tmp/vigil-kallsyms-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct cap_noaudit_ranges r;

	(void)state;
	assert_non_null(f);
	fputs("ffffffff81000000 T _stext\n"
	      "ffffffff8120790e t ns_capable_noaudit.cold\n"
	      "ffffffff81207920 t other_cold\n"
	      "ffffffff813680d0 T has_capability_noaudit\n"
	      "ffffffff81368100 T has_capability\n"
	      "ffffffff81368280 T ns_capable_noaudit\n"
	      "ffffffff813682c0 T ns_capable_noauditx\n" /* not one of them */
	      "ffffffff81a82c90 T security_vm_enough_memory_mm\n"
	      "ffffffff81a82d00 T security_file_permission\n"
	      "0000000000000000 D not_text\n",
	      f);
	fclose(f);
	assert_int_equal(cap_noaudit_find(path, &r), 4);
	assert_true(r.lo[0] == 0xffffffff8120790eULL && r.hi[0] == 0xffffffff81207920ULL);
	assert_true(r.lo[1] == 0xffffffff813680d0ULL && r.hi[1] == 0xffffffff81368100ULL);
	assert_true(r.lo[2] == 0xffffffff81368280ULL && r.hi[2] == 0xffffffff813682c0ULL);
	assert_true(r.lo[3] == 0xffffffff81a82c90ULL && r.hi[3] == 0xffffffff81a82d00ULL);
	unlink(path);
	/* hidden addresses (kptr_restrict) and a missing file: nothing found, audit unknown */
	assert_int_equal(cap_noaudit_find("/nonexistent/kallsyms", &r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capability_names),
		cmocka_unit_test(syscall_names),
		cmocka_unit_test(bpf_and_ptrace_names),
		cmocka_unit_test(flag_words),
		cmocka_unit_test(setuid_body),
		cmocka_unit_test(denied_body),
		cmocka_unit_test(mount_and_ptrace_bodies),
		cmocka_unit_test(memfd_and_exec_bodies),
		cmocka_unit_test(noaudit_ranges_from_kallsyms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
