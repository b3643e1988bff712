/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by every sensor: the run's configuration, the ring buffer, loss counters, the
 * kernel-side filter, and the task context that heads every event.
 * Layers: read (kernel structs) -> fill (event parts) -> emit (ring buffer + counters).
 */
#ifndef VIGIL_COMMON_BPF_H
#define VIGIL_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/abi.h"

/* Fixed for a run: set by user space between open and load, so dead branches are pruned. */
const volatile struct vigil_config cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by user space (--ringbuf-size) */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_KIND_MAX);
	__type(key, __u32);
	__type(value, struct vigil_kind_stats);
} kind_stats SEC(".maps");

/* Losses by site and cause (abi.h, enum vigil_loss_site): per-CPU, exact (atomic adds). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_LS_COUNT * VIGIL_LC_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} loss_counts SEC(".maps");

/* Test only (tests/e2e/test_loss_causes.py, VIGIL_TEST_FAIL_INFLIGHT): every store of
 * in-flight syscall state fails, as a full map's would. Always 0 otherwise. */
const volatile __u32 test_fail_inflight = 0;

static __always_inline void loss_count(__u32 site, __u32 cause)
{
	__u32 key = site * VIGIL_LC_COUNT + cause;
	__u64 *v = bpf_map_lookup_elem(&loss_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* Stores in-flight state; a failure is counted at site. */
static __always_inline void inflight_store(void *map, const void *key, const void *val, __u32 site)
{
	if (test_fail_inflight || bpf_map_update_elem(map, key, val, BPF_ANY))
		loss_count(site, VIGIL_LC_UPDATE_FAILED);
}

/*
 * Kernel-side filter tables (see docs/architecture.md, "Filters"), double-buffered: every table
 * and the meta exist twice (slot 0 and 1), and filter_slot names the set in force. A reload
 * fills the other slot while this one decides, then switches with one update of filter_slot
 * (src/filter.c); a reload that fails midway never touches the slot in force. Each question
 * (filter_pass, filter_tests_any) reads the slot once, so it is answered by one whole set.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} filter_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct vigil_filter_meta);
} filter_meta SEC(".maps");

/* name_0 and name_1 hold the two slots' tables; name (an array of maps) gives the one of a slot */
#define VIGIL_FILTER_SLOTS(name, inner)                                                            \
	struct inner name##_0 SEC(".maps");                                                        \
	struct inner name##_1 SEC(".maps");                                                        \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                                          \
		__uint(max_entries, 2);                                                            \
		__type(key, __u32);                                                                \
		__array(values, struct inner);                                                     \
	} name SEC(".maps") = { .values = { &name##_0, &name##_1 } }

#define VIGIL_FILTER_TABLE(name, key_type, entries)                                                \
	struct name##_table {                                                                      \
		__uint(type, BPF_MAP_TYPE_HASH);                                                   \
		__uint(max_entries, entries);                                                      \
		__type(key, key_type);                                                             \
		__type(value, struct vigil_bitmap);                                                \
	};                                                                                         \
	VIGIL_FILTER_SLOTS(name, name##_table)

#define VIGIL_FILTER_TRIE(name, key_type, entries)                                                 \
	struct name##_table {                                                                      \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);                                               \
		__uint(max_entries, entries);                                                      \
		__uint(map_flags, BPF_F_NO_PREALLOC);                                              \
		__type(key, key_type);                                                             \
		__type(value, struct vigil_bitmap);                                                \
	};                                                                                         \
	VIGIL_FILTER_SLOTS(name, name##_table)

/* [0] the filters still alive for this event, [1] room to OR a field's bitmaps into */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct vigil_bitmap);
} filter_acc SEC(".maps");

VIGIL_FILTER_TABLE(filter_kind, __u32, VIGIL_KIND_MAX);
VIGIL_FILTER_TABLE(filter_tgid, __u32, 4096);
VIGIL_FILTER_TABLE(filter_uid, __u32, 4096);
VIGIL_FILTER_TABLE(filter_comm, struct vigil_comm_key, 4096);
VIGIL_FILTER_TABLE(filter_cgroup, __u64, 4096);
VIGIL_FILTER_TABLE(filter_gid, __u32, 4096);
VIGIL_FILTER_TRIE(filter_path, struct vigil_path_key, 16384);
VIGIL_FILTER_TRIE(filter_suffix, struct vigil_path_key, 16384);
VIGIL_FILTER_TABLE(filter_port, __u32, 4096);
VIGIL_FILTER_TRIE(filter_addr, struct vigil_addr_key, 4096);
VIGIL_FILTER_TABLE(filter_ns_pid, __u32, 1024);
VIGIL_FILTER_TABLE(filter_ns_mnt, __u32, 1024);
VIGIL_FILTER_TABLE(filter_ns_net, __u32, 1024);
VIGIL_FILTER_TABLE(filter_ns_user, __u32, 1024);

struct filter_flags_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_FLAG_BITS);
	__type(key, __u32);
	__type(value, struct vigil_bitmap);
};
VIGIL_FILTER_SLOTS(filter_flags, filter_flags_table);

/* The slot in force (0 or 1). */
static __always_inline __u32 filter_slot_now(void)
{
	__u32 zero = 0, *s = bpf_map_lookup_elem(&filter_slot, &zero);

	return s ? (*s & 1) : 0;
}

/*
 * The event's own facts the filter may test (VIGIL_FF_PATH and after), built by the sensor once
 * it has read them. A fact left out of `known` is not tested: the event passes that field.
 * The keys are per CPU, with slack after each so that bounded writes never run off them.
 */
struct vigil_filter_keys {
	struct vigil_path_key path;
	char path_slack[VIGIL_PATH_KEY_MAX];
	struct vigil_path_key suffix;
	char suffix_slack[VIGIL_PATH_KEY_MAX];
	struct vigil_addr_key addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_filter_keys);
} filter_keys SEC(".maps");

struct filter_facts {
	__u32 known;      /* 1 << VIGIL_FF_* of the facts present */
	__u32 port;       /* VIGIL_FF_PORT */
	__u64 flag_bits;  /* VIGIL_FF_FLAGS: name bits (abi.h) */
	struct vigil_filter_keys *keys; /* VIGIL_FF_PATH, SUFFIX, ADDR */
};

#define FACT(f) (1u << (f))
#define NS_FIELDS (FACT(VIGIL_FF_NS_PID) | FACT(VIGIL_FF_NS_MNT) | FACT(VIGIL_FF_NS_NET) | \
		   FACT(VIGIL_FF_NS_USER))

/*
 * Per-CPU room to build a record (any kind: overlay your struct on raw; keep the fixed part
 * before its data area under 512 bytes), with slack so that bounded writes never run off it. The write
 * cursor lives here too, not in a register: loop-carried state in memory is an unknown scalar to
 * the verifier, so the iterations of a path walk look alike and prune instead of multiplying.
 */
#define COMP_OFF_SLOTS 64
#define COMP_OFF_MASK (COMP_OFF_SLOTS - 1)
_Static_assert(VIGIL_PATH_DEPTH <= COMP_OFF_SLOTS, "a slot per walked component");

struct vigil_scratch {
	__u32 cursor;
	__u32 _pad;
	/* where each component of the last keyed path walk starts (path.bpf.h); a power of two
	 * above VIGIL_PATH_DEPTH, so that a mask bounds the index */
	__u16 comp_off[COMP_OFF_SLOTS];
	union {
		struct vigil_proc_event ev;
		char raw[VIGIL_EVENT_MAX];
	};
	char slack[VIGIL_SEG_MAX + VIGIL_NAME_MAX + 1];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_scratch);
} scratch SEC(".maps");

static __always_inline bool kind_enabled(__u32 kind)
{
	return cfg.kinds_enabled & (1ULL << (kind & 63));
}

static __always_inline struct vigil_kind_stats *stats_of(__u32 kind)
{
	__u32 key = kind & (VIGIL_KIND_MAX - 1);

	return bpf_map_lookup_elem(&kind_stats, &key);
}

/* Counters are per CPU, but a preempted program can interleave with another: add atomically. */
#define STAT_ADD(kind, field)                                                                      \
	do {                                                                                       \
		struct vigil_kind_stats *__s = stats_of(kind);                                     \
		if (__s)                                                                           \
			__sync_fetch_and_add(&__s->field, 1);                                      \
	} while (0)

/* ---- read: kernel structures ---- */

static __always_inline __u32 ns_inum(struct ns_common *ns)
{
	return BPF_CORE_READ(ns, inum);
}

static __always_inline __u32 pid_ns_inum(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return BPF_CORE_READ(upid.ns, ns.inum);
}

static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

/* ---- fill: the task context of every event ---- */

static __always_inline void fill_task(struct vigil_task *t, struct task_struct *task)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	struct task_struct *pleader = BPF_CORE_READ(parent, group_leader);
	const struct cred *cred = BPF_CORE_READ(task, cred);
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);

	t->start_ns = BPF_CORE_READ(leader, start_boottime);
	t->exec_seq = BPF_CORE_READ(leader, self_exec_id);
	t->parent_start_ns = BPF_CORE_READ(pleader, start_boottime);
	t->parent_exec_seq = BPF_CORE_READ(pleader, self_exec_id);
	t->cgroup_id = task_cgroup_id(task);
	t->tgid = BPF_CORE_READ(task, tgid);
	t->tid = BPF_CORE_READ(task, pid);
	t->ppid = BPF_CORE_READ(parent, tgid);
	t->uid = BPF_CORE_READ(cred, uid.val);
	t->gid = BPF_CORE_READ(cred, gid.val);
	t->euid = BPF_CORE_READ(cred, euid.val);
	t->egid = BPF_CORE_READ(cred, egid.val);
	if (bpf_core_field_exists(task->loginuid))
		t->auid = BPF_CORE_READ(task, loginuid.val);
	else
		t->auid = (__u32)-1;
	t->ns_pid = pid_ns_inum(task);
	t->ns_mnt = ns_inum(&BPF_CORE_READ(nsp, mnt_ns)->ns);
	t->ns_net = ns_inum(&BPF_CORE_READ(nsp, net_ns)->ns);
	t->ns_user = ns_inum(&BPF_CORE_READ(cred, user_ns)->ns);
	/* the whole array is the comm filter's hash key: nothing may follow the NUL (a reused
	 * scratch record would otherwise leave bytes of an older comm there) */
	__builtin_memset(t->comm, 0, sizeof(t->comm));
	bpf_probe_read_kernel_str(t->comm, sizeof(t->comm), &task->comm);
}

/* ---- filter: is any filter interested in this event? ---- */

static __always_inline void bitmap_and_field(struct vigil_bitmap *acc, void *slots, __u32 slot,
					     const void *key, const struct vigil_bitmap *any)
{
	struct vigil_bitmap *hit = NULL;
	void *table;
	__u64 constrained = 0;

	/* no surviving filter looks at this field (or none survives): skip the lookup, which is
	 * most of what an event that no filter wants costs (file.open's hot path) */
#pragma unroll
	for (int i = 0; i < VIGIL_FILTER_WORDS; i++)
		constrained |= acc->w[i] & ~any->w[i];
	if (!constrained)
		return;
	table = bpf_map_lookup_elem(slots, &slot);
	if (table)
		hit = bpf_map_lookup_elem(table, key);
#pragma unroll
	for (int i = 0; i < VIGIL_FILTER_WORDS; i++)
		acc->w[i] &= (hit ? hit->w[i] : 0) | any->w[i];
}

/* The event's flag names: the filters any of its name bits satisfies, ORed into tmp. */
static __always_inline void bitmap_and_flags(struct vigil_bitmap *acc, struct vigil_bitmap *tmp,
					     __u32 slot, __u64 bits, const struct vigil_bitmap *any)
{
	__u64 constrained = 0;
	void *table;

#pragma unroll
	for (int i = 0; i < VIGIL_FILTER_WORDS; i++) {
		constrained |= acc->w[i] & ~any->w[i];
		tmp->w[i] = any->w[i];
	}
	if (!constrained)
		return;
	table = bpf_map_lookup_elem(&filter_flags, &slot);
	if (!table)
		return;
	for (__u32 b = 0; b < VIGIL_FLAG_BITS; b++) {
		__u32 key = b; /* the counter stays in a register: the verifier sees it advance */

		if (!(bits & (1ULL << b)))
			continue;
		struct vigil_bitmap *hit = bpf_map_lookup_elem(table, &key);
		if (!hit)
			continue;
#pragma unroll
		for (int i = 0; i < VIGIL_FILTER_WORDS; i++)
			tmp->w[i] |= hit->w[i];
	}
#pragma unroll
	for (int i = 0; i < VIGIL_FILTER_WORDS; i++)
		acc->w[i] &= tmp->w[i];
}

/*
 * One lookup per field whatever the number of filters: each table maps a value to the bitmap of
 * filters it satisfies, "any" holds the filters that ignore the field, and the event passes when
 * some filter survives every field. facts (NULL before the sensor has read anything) adds the
 * event's own fields; a field it does not know is not tested, so a sensor may ask early with
 * what it has, and again once it has read more.
 */
static __always_inline bool filter_pass(__u32 kind, const struct vigil_task *t,
					const struct filter_facts *facts)
{
	__u32 zero = 0, one = 1, slot = filter_slot_now();
	struct vigil_filter_meta *meta = bpf_map_lookup_elem(&filter_meta, &slot);
	/* the bitmaps are too large for the BPF stack next to a record: per-CPU scratch */
	struct vigil_bitmap *acc = bpf_map_lookup_elem(&filter_acc, &zero);
	__u64 live = 0;

	if (!meta || !acc)
		return true;
#pragma unroll
	for (int i = 0; i < VIGIL_FILTER_WORDS; i++) {
		acc->w[i] = meta->active.w[i];
		live |= acc->w[i];
	}
	if (!live)
		return true;

	__u32 tgid = t->tgid, uid = t->uid, gid = t->gid;
	__u64 cgid = t->cgroup_id;
	struct vigil_comm_key comm;

	__builtin_memcpy(comm.comm, t->comm, sizeof(comm.comm));
	bitmap_and_field(acc, &filter_kind, slot, &kind, &meta->any[VIGIL_FF_KIND]);
	bitmap_and_field(acc, &filter_tgid, slot, &tgid, &meta->any[VIGIL_FF_TGID]);
	bitmap_and_field(acc, &filter_uid, slot, &uid, &meta->any[VIGIL_FF_UID]);
	bitmap_and_field(acc, &filter_comm, slot, &comm, &meta->any[VIGIL_FF_COMM]);
	bitmap_and_field(acc, &filter_cgroup, slot, &cgid, &meta->any[VIGIL_FF_CGROUP]);
	bitmap_and_field(acc, &filter_gid, slot, &gid, &meta->any[VIGIL_FF_GID]);
	/* the namespaces come with a whole task (fill_task), not with the helpers' quick one */
	if (t->ns_mnt && (meta->tested & NS_FIELDS)) {
		__u32 ns = t->ns_pid;

		bitmap_and_field(acc, &filter_ns_pid, slot, &ns, &meta->any[VIGIL_FF_NS_PID]);
		ns = t->ns_mnt;
		bitmap_and_field(acc, &filter_ns_mnt, slot, &ns, &meta->any[VIGIL_FF_NS_MNT]);
		ns = t->ns_net;
		bitmap_and_field(acc, &filter_ns_net, slot, &ns, &meta->any[VIGIL_FF_NS_NET]);
		ns = t->ns_user;
		bitmap_and_field(acc, &filter_ns_user, slot, &ns, &meta->any[VIGIL_FF_NS_USER]);
	}
	if (facts) {
		struct vigil_filter_keys *k = facts->keys;
		__u32 port = facts->port;

		if (k && (facts->known & FACT(VIGIL_FF_PATH)))
			bitmap_and_field(acc, &filter_path, slot, &k->path, &meta->any[VIGIL_FF_PATH]);
		if (k && (facts->known & FACT(VIGIL_FF_SUFFIX)))
			bitmap_and_field(acc, &filter_suffix, slot, &k->suffix, &meta->any[VIGIL_FF_SUFFIX]);
		if (k && (facts->known & FACT(VIGIL_FF_ADDR)))
			bitmap_and_field(acc, &filter_addr, slot, &k->addr, &meta->any[VIGIL_FF_ADDR]);
		if (facts->known & FACT(VIGIL_FF_PORT))
			bitmap_and_field(acc, &filter_port, slot, &port, &meta->any[VIGIL_FF_PORT]);
		if (facts->known & FACT(VIGIL_FF_FLAGS)) {
			struct vigil_bitmap *tmp = bpf_map_lookup_elem(&filter_acc, &one);
			if (tmp)
				bitmap_and_flags(acc, tmp, slot, facts->flag_bits, &meta->any[VIGIL_FF_FLAGS]);
		}
	}

	live = 0;
#pragma unroll
	for (int i = 0; i < VIGIL_FILTER_WORDS; i++)
		live |= acc->w[i];
	return live != 0;
}

/* The filter's fields from helpers, for the current task, without reading task_struct: the
 * cheap first question, asked before anything else is read. */
static __always_inline void fill_task_quick(struct vigil_task *t)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	t->tgid = pid_tgid >> 32;
	t->tid = (__u32)pid_tgid;
	t->uid = (__u32)uid_gid;
	t->gid = uid_gid >> 32;
	t->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(t->comm, sizeof(t->comm));
	t->ns_pid = t->ns_mnt = t->ns_net = t->ns_user = 0; /* unknown: the filter skips them */
}

/*
 * The process lifecycle's gate: exec, fork and exit always reach the process table, because
 * every other event is joined to it; when the filters refuse one it still goes, marked
 * VIGIL_EF_TABLE_ONLY (counted as filtered, and on counters of its own), and is not shown.
 * Returns 0 (vigil itself: nothing), or the header flags to use.
 */
static __always_inline __u32 lifecycle_gate(__u32 kind, const struct vigil_task *t, bool *go)
{
	*go = t->tgid != cfg.agent_tgid;
	if (!*go || filter_pass(kind, t, NULL))
		return 0;
	STAT_ADD(kind, filtered);
	return VIGIL_EF_TABLE_ONLY;
}

/* Should this task's event of this kind be built at all? Counts what the filter keeps out. */
static __always_inline bool want_event(__u32 kind, const struct vigil_task *t)
{
	if (t->tgid == cfg.agent_tgid)
		return false;
	if (!filter_pass(kind, t, NULL)) {
		STAT_ADD(kind, filtered);
		return false;
	}
	return true;
}

/* Does some filter in force test this field? (a sensor skips building facts no one asks about) */
static __always_inline bool filter_tests_any(__u64 fields)
{
	__u32 slot = filter_slot_now();
	struct vigil_filter_meta *meta = bpf_map_lookup_elem(&filter_meta, &slot);

	return meta && (meta->tested & fields);
}

static __always_inline bool filter_tests(__u32 field)
{
	return filter_tests_any(1ULL << field);
}

/* The second question, once the sensor has read the event's own facts: false (and counted as
 * filtered) when no filter wants the event after all. */
static __always_inline bool want_event_facts(__u32 kind, const struct vigil_task *t,
					     const struct filter_facts *facts)
{
	if ((!facts->known && !(t->ns_mnt && filter_tests_any(NS_FIELDS))) ||
	    filter_pass(kind, t, facts))
		return true;
	STAT_ADD(kind, filtered);
	return false;
}

static __always_inline struct vigil_filter_keys *get_filter_keys(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&filter_keys, &zero);
}

static __always_inline struct vigil_scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void fill_header(struct vigil_event_hdr *hdr, __u32 kind)
{
	hdr->ktime_ns = bpf_ktime_get_boot_ns();
	hdr->kind = kind;
	hdr->flags = 0;
}

/* ---- emit: to the ring buffer, counted either way ---- */

/*
 * Wake the consumer only once a sixteenth of the ring is waiting: it polls every 100 ms anyway,
 * so a trickle of events costs no wakeup (and no write) each, and a burst still wakes it long
 * before the ring fills.
 */
static __always_inline __u64 wakeup_flag(void)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);

	return avail >= size / 16 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void emit(struct vigil_event_hdr *hdr, __u32 size)
{
	__u32 kind = hdr->kind;

	if (size > VIGIL_EVENT_MAX)
		size = VIGIL_EVENT_MAX;
	hdr->size = size;
	if (hdr->flags & VIGIL_EF_TABLE_ONLY) {
		STAT_ADD(kind, table_produced);
		if (bpf_ringbuf_output(&events, hdr, size, wakeup_flag()))
			STAT_ADD(kind, table_dropped);
		return;
	}
	STAT_ADD(kind, produced);
	if (hdr->flags & VIGIL_EF_READ_ERROR)
		STAT_ADD(kind, read_errors);
	if (bpf_ringbuf_output(&events, hdr, size, wakeup_flag()))
		STAT_ADD(kind, dropped);
}

#endif /* VIGIL_COMMON_BPF_H */
