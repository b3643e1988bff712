/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stop that does not wait for the kernel's slow teardown.
 *
 * Closing a tracepoint BPF link waits for an RCU-tasks-trace grace period (~30 ms each here);
 * the waits of links closed at the same time are shared, so links_detach_all closes them from one
 * thread each (about 100 links in ~50 ms instead of ~3 s). It then waits for one more RCU grace
 * period, after which no instance of a detached program is still running: counters read after
 * it are final.
 *
 * The perf events under those links stay open: destroying one waits again, under a kernel-wide
 * mutex (one at a time, ~30 ms each), wherever it happens, even at exit. teardown_hand_off
 * gives them to a child process that outlives this one and lets its own exit destroy them, so
 * vigil's exit is not delayed. Nothing runs any more by then: the child holds only inert objects.
 */
#ifndef VIGIL_TEARDOWN_H
#define VIGIL_TEARDOWN_H

#include <stddef.h>

struct bpf_link;

/* Detaches every link (and frees it), n at once; on return no detached program runs. */
void links_detach_all(struct bpf_link **links, size_t n);
/* Waits until every BPF program instance that started before the call has finished. */
void bpf_programs_quiesce(void);
/* Called last before exit: hands the open kernel objects (perf events, BPF objects) to a child
 * that destroys them after this process is gone. Does nothing if there are none. */
void teardown_hand_off(void);

#endif
