/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Segments of a record's data area: paths walked from kernel objects (dentries across mounts,
 * kernfs nodes), strings and raw user bytes. Every append reads and advances s->cursor (an offset
 * into the data area), and is bounded twice: by the check the logic needs and by a mask the
 * verifier can follow.
 */
#ifndef VIGIL_PATH_BPF_H
#define VIGIL_PATH_BPF_H

#include "common.bpf.h"

#define DATA_MASK (VIGIL_DATA_MAX - 1)
#define CURSOR_ROOM(need) (VIGIL_DATA_MAX - (need))

/* kernfs_node::parent became __parent in 6.15; CO-RE picks whichever this kernel has. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(((struct kernfs_node___new *)0)->__parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

static __always_inline struct vfsmount *mount_vfs(struct mount *mnt)
{
	return (struct vfsmount *)((char *)mnt + bpf_core_field_offset(struct mount, mnt));
}

static __always_inline struct mount *vfs_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/* The mask keeps the verifier's bound; the barrier keeps clang from proving it away. */
static __always_inline char *data_at(char *data, __u32 off)
{
	barrier_var(off);
	return data + (off & DATA_MASK);
}

static __always_inline void seg_begin(struct vigil_scratch *s, struct vigil_seg *seg)
{
	seg->off = s->cursor;
	seg->len = 0;
	seg->flags = 0;
	seg->count = 0;
}

static __always_inline void seg_end(struct vigil_scratch *s, struct vigil_seg *seg)
{
	seg->len = s->cursor - seg->off;
}

/*
 * Appends one NUL-terminated kernel string of at most max (a constant <= NAME_MAX + 1) bytes as
 * a new element of seg. Returns 1 on success, 0 when the data area is full, -1 on a read fault.
 */
static __always_inline int append_kstr(struct vigil_scratch *s, char *data, struct vigil_seg *seg,
				       const void *src, __u32 max)
{
	__u32 off = s->cursor;
	long n;

	if (off > CURSOR_ROOM(VIGIL_NAME_MAX + 1)) {
		seg->flags |= VIGIL_SEG_TRUNCATED;
		return 0;
	}
	n = bpf_probe_read_kernel_str(data_at(data, off), max, src);
	if (n <= 0) {
		loss_count(VIGIL_LS_KERNEL_MEM, VIGIL_LC_READ_FAILED);
		seg->flags |= VIGIL_SEG_READ_ERROR;
		return -1;
	}
	s->cursor = off + n;
	seg->count++;
	return 1;
}

/*
 * The path of (dentry, vfsmnt) walked up to the root of the mount tree the object lives in,
 * components appended leaf first. keyed (a constant) also notes where each component starts,
 * for the filter's path key (path_key_forward).
 */
static __always_inline void walk_path(struct vigil_scratch *s, char *data, struct vigil_seg *seg,
				      struct dentry *dentry, struct vfsmount *vfsmnt, bool keyed)
{
	struct mount *mnt = vfs_mount(vfsmnt);
	int i;

	seg_begin(s, seg);
	if (!dentry || !vfsmnt) {
		seg->flags = VIGIL_SEG_READ_ERROR;
		return;
	}
	for (i = 0; i < VIGIL_PATH_DEPTH; i++) {
		struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		__u32 start = s->cursor, c = seg->count;

		if (dentry == mnt_root) {
			struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);

			if (mnt_parent == mnt || !mnt_parent) {
				seg->flags |= VIGIL_SEG_PATH_ROOTED;
				break;
			}
			/* cross from this mount's root to where it is mounted */
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			vfsmnt = mount_vfs(mnt);
			continue;
		}
		if (append_kstr(s, data, seg, BPF_CORE_READ(dentry, d_name.name), VIGIL_NAME_MAX + 1) <= 0)
			break;
		if (keyed && c < VIGIL_PATH_DEPTH)
			s->comp_off[c & COMP_OFF_MASK] = start;
		if (dentry == parent) /* the root of a pseudo filesystem (pipe, memfd, anon inode) */
			break;
		dentry = parent;
	}
	if (i == VIGIL_PATH_DEPTH)
		seg->flags |= VIGIL_SEG_TRUNCATED;
	seg_end(s, seg);
}

static __always_inline void append_path(struct vigil_scratch *s, char *data, struct vigil_seg *seg,
					struct dentry *dentry, struct vfsmount *vfsmnt)
{
	walk_path(s, data, seg, dentry, vfsmnt, false);
}

static __always_inline void walk_file_path(struct vigil_scratch *s, char *data,
					   struct vigil_seg *seg, struct file *file, bool keyed)
{
	if (!file) {
		seg_begin(s, seg);
		return;
	}
	walk_path(s, data, seg, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
		  keyed);
}

static __always_inline void append_file_path(struct vigil_scratch *s, char *data,
					     struct vigil_seg *seg, struct file *file)
{
	walk_file_path(s, data, seg, file, false);
}

/* ---- the filter's keys over a path (abi.h, struct vigil_path_key) ---- */

#define PATH_KEY_MASK (VIGIL_PATH_KEY_MAX - 1)

/*
 * The path of a keyed walk as written ("/etc/shadow"), its NUL included. False when the walk
 * could not give the whole path (not rooted, cut short, unreadable) or it is longer than a key:
 * the filter then does not test it.
 */
static __always_inline bool path_key_forward(struct vigil_scratch *s, char *data,
					     const struct vigil_seg *seg, struct vigil_path_key *key)
{
	__u32 n = seg->count, pos = 0;

	if (!(seg->flags & VIGIL_SEG_PATH_ROOTED) ||
	    (seg->flags & (VIGIL_SEG_TRUNCATED | VIGIL_SEG_READ_ERROR)) || n > VIGIL_PATH_DEPTH)
		return false;
	/* root first: the components were walked leaf first */
	for (__u32 i = 0; i < VIGIL_PATH_DEPTH; i++) {
		if (i >= n)
			break;
		__u32 c = n - 1 - i;
		if (c >= VIGIL_PATH_DEPTH || pos >= VIGIL_PATH_KEY_MAX - 2)
			return false;
		key->data[pos & PATH_KEY_MASK] = '/';
		pos++;
		/* the barriers keep the masks: clang would drop them as implied by the checks,
		 * and the verifier needs them to bound the write and the index */
		__u32 at = pos, room = VIGIL_PATH_KEY_MAX - pos;
		barrier_var(at);
		barrier_var(room);
		barrier_var(c);
		long r = bpf_probe_read_kernel_str(&key->data[at & PATH_KEY_MASK], room & PATH_KEY_MASK,
						   data_at(data, s->comp_off[c & COMP_OFF_MASK]));
		if (r <= 0 || (__u32)r >= room)
			return false; /* unreadable, or it may not have fit */
		pos += r - 1; /* on its NUL */
	}
	if (!n) {
		key->data[0] = '/';
		key->data[1] = 0;
		pos = 1;
	}
	key->prefixlen = 8 * ((pos & PATH_KEY_MASK) + 1);
	return true;
}

/* A string the caller passed, as the path when it is absolute (a name-based call: the event's
 * path is that string). */
static __always_inline bool path_key_string(char *data, const struct vigil_seg *seg,
					    struct vigil_path_key *key)
{
	long r;

	if (!seg->len || (seg->flags & (VIGIL_SEG_TRUNCATED | VIGIL_SEG_READ_ERROR)))
		return false;
	r = bpf_probe_read_kernel_str(key->data, VIGIL_PATH_KEY_MAX, data_at(data, seg->off));
	if (r <= 1 || r >= VIGIL_PATH_KEY_MAX || key->data[0] != '/')
		return false;
	key->prefixlen = 8 * r;
	return true;
}

/* A walked path's components leaf first, as recorded: what component-aligned suffixes match. */
static __always_inline bool path_key_suffix(char *data, const struct vigil_seg *seg,
					    struct vigil_path_key *key)
{
	__u32 len = seg->len;

	if (!seg->count || !len)
		return false;
	if (len > VIGIL_PATH_KEY_MAX)
		len = VIGIL_PATH_KEY_MAX;
	if (bpf_probe_read_kernel(key->data, len & (2 * VIGIL_PATH_KEY_MAX - 1), data_at(data, seg->off)))
		return false;
	key->prefixlen = 8 * len;
	return true;
}

/* A cgroup's path from its kernfs nodes, leaf first, below the hierarchy's root. */
static __always_inline void append_cgroup_path(struct vigil_scratch *s, char *data,
					       struct vigil_seg *seg, struct cgroup *cgrp)
{
	struct kernfs_node *kn = BPF_CORE_READ(cgrp, kn);
	int level = BPF_CORE_READ(cgrp, level);

	seg_begin(s, seg);
	for (int i = 0; i < 16; i++) {
		if (i >= level || !kn)
			break;
		if (append_kstr(s, data, seg, BPF_CORE_READ(kn, name), VIGIL_NAME_MAX + 1) <= 0)
			break;
		kn = kernfs_parent(kn);
	}
	if (level > 16)
		seg->flags |= VIGIL_SEG_TRUNCATED;
	seg->flags |= VIGIL_SEG_PATH_ROOTED;
	seg_end(s, seg);
}

/*
 * Up to VIGIL_SEG_MAX bytes of a task's user memory. from_task selects the helper that can read
 * another task's memory (sleepable iterators only); callers pass a constant.
 */
static __always_inline void append_user(struct vigil_scratch *s, char *data, struct vigil_seg *seg,
					const void *src, __u64 len, struct task_struct *task,
					bool from_task)
{
	__u32 off = s->cursor, n = len > VIGIL_SEG_MAX ? VIGIL_SEG_MAX : len;
	long err;

	seg_begin(s, seg);
	if (len > VIGIL_SEG_MAX)
		seg->flags |= VIGIL_SEG_TRUNCATED;
	if (!src || !n)
		return;
	if (off > CURSOR_ROOM(VIGIL_SEG_MAX)) {
		seg->flags |= VIGIL_SEG_TRUNCATED;
		return;
	}
	n &= 2 * VIGIL_SEG_MAX - 1; /* with the clamp above: n <= VIGIL_SEG_MAX, for the verifier */
	if (n > VIGIL_SEG_MAX)
		n = VIGIL_SEG_MAX;
	if (from_task)
		err = bpf_copy_from_user_task(data_at(data, off), n, src, task, 0);
	else
		err = bpf_probe_read_user(data_at(data, off), n, src);
	if (err) {
		loss_count(VIGIL_LS_USER_MEM, VIGIL_LC_READ_FAILED);
		seg->flags |= VIGIL_SEG_READ_ERROR;
		return;
	}
	s->cursor = off + n;
	seg_end(s, seg);
}

#endif /* VIGIL_PATH_BPF_H */
