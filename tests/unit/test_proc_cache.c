// SPDX-License-Identifier: GPL-2.0-only
/* The process table: exec_id, fork sharing, exit and reaping, /proc fallbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec_id.h"
#include "proc_cache.h"

static void exec_id_layout(void **state)
{
	char id[EXEC_ID_LEN];

	(void)state;
	exec_id_init("deadbeef-0000");
	exec_id_format(id, 4242, 1234567890123ULL, 7);
	assert_string_equal(id, "deadbeef:1234567890123:4242:7");
	exec_id_format(id, 0, 0, 0);
	assert_string_equal(id, "");
	/* a new image of the same process differs only in its last part */
	char a[EXEC_ID_LEN], b[EXEC_ID_LEN];
	exec_id_format(a, 10, 99, 1);
	exec_id_format(b, 10, 99, 2);
	assert_string_not_equal(a, b);
	/* pid reuse: same tgid, another start */
	exec_id_format(b, 10, 100, 1);
	assert_string_not_equal(a, b);
}

static char procfs[64];

/* A fake /proc with one process: tgid 500, ppid 1, started at 250 clock ticks. */
static int make_procfs(void **state)
{
	char path[128];
	FILE *f;

	(void)state;
	snprintf(procfs, sizeof(procfs), "/tmp/vigil-unit-proc-%d", getpid());
	mkdir(procfs, 0700);
	snprintf(path, sizeof(path), "%s/500", procfs);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/500/stat", procfs);
	f = fopen(path, "w");
	fprintf(f, "500 (we ird) name) S 1 500 500 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 250 1000 100\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/500/cmdline", procfs);
	f = fopen(path, "w");
	fwrite("daemon\0--flag\0", 1, 14, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/500/cgroup", procfs);
	f = fopen(path, "w");
	fprintf(f, "0::/system.slice/docker-4f1c5d0e9a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d.scope\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/500/exe", procfs);
	symlink("/usr/sbin/daemon", path);
	return 0;
}

static int remove_procfs(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", procfs);
	return system(cmd) == 0 ? 0 : -1;
}

static struct vigil_task task(uint32_t tgid, uint32_t ppid, uint64_t start, uint64_t seq,
			      uint64_t pstart, uint64_t pseq)
{
	struct vigil_task t = { .tgid = tgid, .tid = tgid, .ppid = ppid, .start_ns = start,
				.exec_seq = seq, .parent_start_ns = pstart, .parent_exec_seq = pseq };
	snprintf(t.comm, sizeof(t.comm), "c%u", tgid);
	return t;
}

static void procfs_seed_is_approximate_until_the_kernel_speaks(void **state)
{
	struct proc_cache c;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick = 1000000000ULL / (uint64_t)hz;

	(void)state;
	proc_cache_init(&c);
	c.procfs = procfs;
	assert_int_equal(proc_cache_seed_procfs(&c), 1);
	struct proc *p = proc_cache_lookup(&c, 500);
	assert_non_null(p);
	assert_true(p->approx);
	assert_string_equal(p->comm, "we ird) name");
	assert_int_equal(p->ppid, 1);
	assert_string_equal(p->img->exe, "/usr/sbin/daemon");
	assert_int_equal(p->img->argc, 2);
	assert_true(p->img->from_procfs);
	assert_string_equal(p->img->container.runtime, "docker");
	assert_int_equal(p->start_ns, 250 * tick);

	/* a child's event carries the parent's exact start and exec_seq: the entry takes them */
	uint64_t exact = 250 * tick + 12345;
	struct vigil_task child = task(600, 500, exact + 5000000, 3, exact, 3);
	assert_true(proc_is(p, exact));
	proc_cache_learn(&c, &child);
	assert_false(p->approx);
	assert_int_equal(p->start_ns, exact);
	char want[EXEC_ID_LEN];
	exec_id_format(want, 500, exact, 3);
	assert_string_equal(p->exec_id, want);
	assert_false(proc_is(p, 250 * tick)); /* now exact only */
	/* a second seed adds nothing already known */
	assert_int_equal(proc_cache_seed_procfs(&c), 0);
	proc_cache_free(&c);
}

static void fork_shares_the_image_and_exit_reaps(void **state)
{
	struct proc_cache c;

	(void)state;
	proc_cache_init(&c);
	c.procfs = procfs;
	assert_int_equal(proc_cache_seed_procfs(&c), 1);
	struct proc *parent = proc_cache_lookup(&c, 500);
	struct vigil_task ct = task(700, 500, 999, 1, parent->start_ns, 1);
	struct proc *child = proc_cache_fork(&c, &ct);
	assert_non_null(child);
	assert_ptr_equal(child->img, parent->img);
	assert_int_equal(parent->img->refs, 2);
	assert_int_equal(c.live, 2);

	/* the parent exits; its entry stays for late children, then is reaped */
	proc_cache_exit(&c, 500, 1000);
	assert_non_null(proc_cache_lookup(&c, 500));
	assert_int_equal(c.live, 1);
	proc_cache_reap(&c, 1000 + 5, 10);
	assert_non_null(proc_cache_lookup(&c, 500));
	proc_cache_reap(&c, 1000 + 10, 10);
	assert_null(proc_cache_lookup(&c, 500));
	assert_int_equal(child->img->refs, 1); /* the child still holds the image */
	proc_cache_free(&c);
}

static void resolve_refreshes_a_missed_exec(void **state)
{
	struct proc_cache c;

	(void)state;
	proc_cache_init(&c);
	c.procfs = procfs;
	struct vigil_task t = task(500, 1, 4000, 1, 1, 1);
	struct proc *p = proc_cache_resolve(&c, &t);
	assert_non_null(p);
	assert_true(p->img->from_procfs);
	assert_ptr_equal(proc_cache_resolve(&c, &t), p); /* known now: no second read */
	/* the kernel says the image changed (exec_seq 2): vigil missed an exec */
	t.exec_seq = 2;
	struct proc *q = proc_cache_resolve(&c, &t);
	assert_int_equal(q->exec_seq, 2);
	assert_int_equal(c.live, 1);
	proc_cache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exec_id_layout),
		cmocka_unit_test_setup_teardown(procfs_seed_is_approximate_until_the_kernel_speaks,
						make_procfs, remove_procfs),
		cmocka_unit_test_setup_teardown(fork_shares_the_image_and_exit_reaps, make_procfs,
						remove_procfs),
		cmocka_unit_test_setup_teardown(resolve_refreshes_a_missed_exec, make_procfs,
						remove_procfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
