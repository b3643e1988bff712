// SPDX-License-Identifier: GPL-2.0-only
#include "events/file_events.h"

#include <stdio.h>
#include <string.h>

#include "format.h"
#include "kinds.h"
#include "record.h"

#define DATA_OFF offsetof(struct vigil_file_event, data)

static const char *const call_names[VIGIL_FC_COUNT] = {
	[VIGIL_FC_OPEN] = "open",	  [VIGIL_FC_OPENAT] = "openat",
	[VIGIL_FC_OPENAT2] = "openat2",	  [VIGIL_FC_CREAT] = "creat",
	[VIGIL_FC_UNLINK] = "unlink",	  [VIGIL_FC_UNLINKAT] = "unlinkat",
	[VIGIL_FC_RMDIR] = "rmdir",	  [VIGIL_FC_RENAME] = "rename",
	[VIGIL_FC_RENAMEAT] = "renameat", [VIGIL_FC_RENAMEAT2] = "renameat2",
	[VIGIL_FC_CHMOD] = "chmod",	  [VIGIL_FC_FCHMOD] = "fchmod",
	[VIGIL_FC_FCHMODAT] = "fchmodat", [VIGIL_FC_FCHMODAT2] = "fchmodat2",
	[VIGIL_FC_CHOWN] = "chown",	  [VIGIL_FC_FCHOWN] = "fchown",
	[VIGIL_FC_LCHOWN] = "lchown",	  [VIGIL_FC_FCHOWNAT] = "fchownat",
	[VIGIL_FC_LINK] = "link",	  [VIGIL_FC_LINKAT] = "linkat",
	[VIGIL_FC_SYMLINK] = "symlink",	  [VIGIL_FC_SYMLINKAT] = "symlinkat",
	[VIGIL_FC_TRUNCATE] = "truncate", [VIGIL_FC_FTRUNCATE] = "ftruncate",
};

/* The kernel's own values (asm-generic/fcntl.h): glibc hides some of them (O_LARGEFILE is 0). */
static const struct flag_name open_flags[] = {
	{ 0100, "O_CREAT" },	    { 0200, "O_EXCL" },	      { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" },	    { 02000, "O_APPEND" },    { 04000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" },	    { 010000, "O_DSYNC" },    { 020000, "O_ASYNC" },
	{ 040000, "O_DIRECT" },	    { 0100000, "O_LARGEFILE" },
	{ 020200000, "O_TMPFILE" }, { 0200000, "O_DIRECTORY" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" },  { 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
};

static const struct flag_name at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" },	  { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },
};

static const struct flag_name rename_flags[] = {
	{ 1, "RENAME_NOREPLACE" }, { 2, "RENAME_EXCHANGE" }, { 4, "RENAME_WHITEOUT" },
};

static const struct flag_name resolve_flags[] = {
	{ 0x01, "RESOLVE_NO_XDEV" },  { 0x02, "RESOLVE_NO_MAGICLINKS" }, { 0x04, "RESOLVE_NO_SYMLINKS" },
	{ 0x08, "RESOLVE_BENEATH" },  { 0x10, "RESOLVE_IN_ROOT" },	 { 0x20, "RESOLVE_CACHED" },
};

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

const char *file_call_name(unsigned call)
{
	return call < VIGIL_FC_COUNT && call_names[call] ? call_names[call] : "unknown";
}

uint64_t file_st_dev(uint32_t kdev)
{
	uint64_t major = kdev >> 20, minor = kdev & 0xfffff;

	/* new_encode_dev(): what stat(2) puts in st_dev */
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffULL) << 12);
}

void flag_names(struct sbuf *b, uint64_t v, const struct flag_name *t, size_t n, const char *sep)
{
	bool first = b->len == 0;

	/* multi-bit names (O_SYNC, O_TMPFILE) come before the bits they contain */
	for (size_t i = 0; i < n; i++) {
		if ((v & t[i].bits) != t[i].bits)
			continue;
		if (!first)
			sbuf_puts(b, sep);
		sbuf_puts(b, t[i].name);
		first = false;
		v &= ~t[i].bits;
	}
	if (v) {
		if (!first)
			sbuf_puts(b, sep);
		sbuf_printf(b, "0x%llx", (unsigned long long)v);
	}
}

/* the value of flags & 3 */
static const char *const access_modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

void file_open_flags(struct sbuf *b, uint32_t flags, const char *sep)
{
	/* O_PATH ignores the access mode, and O_TMPFILE implies writing: keep what was passed */
	sbuf_puts(b, access_modes[flags & 3]);
	flag_names(b, flags & ~3u, open_flags, COUNT(open_flags), sep);
}

int file_open_flag_bit(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, access_modes[i]))
			return i;
	for (size_t i = 0; i < COUNT(open_flags); i++) {
		uint64_t b = open_flags[i].bits;
		/* a name of several bits (O_SYNC, O_TMPFILE) is not one bit's test */
		if (strcmp(name, open_flags[i].name) || (b & (b - 1)))
			continue;
		return VIGIL_FLAG_BIT0 + __builtin_ctzll(b);
	}
	return -1;
}

const char *file_open_flag_name(int bit)
{
	if (bit >= 0 && bit < 4)
		return access_modes[bit];
	for (size_t i = 0; i < COUNT(open_flags); i++)
		if (bit >= VIGIL_FLAG_BIT0 && open_flags[i].bits == 1ULL << (bit - VIGIL_FLAG_BIT0))
			return open_flags[i].name;
	return "?";
}

static void put_flags(struct out *o, const char *key, uint64_t v, const struct flag_name *t,
		      size_t n, bool open)
{
	struct sbuf b = {};

	if (open)
		file_open_flags(&b, (uint32_t)v, "\n");
	else
		flag_names(&b, v, t, n, "\n");
	out_arr(o, key);
	for (size_t i = 0; i < b.len;) {
		const char *end = memchr(b.p + i, '\n', b.len - i);
		size_t l = end ? (size_t)(end - (b.p + i)) : b.len - i;

		out_strn(o, NULL, b.p + i, l);
		i += l + 1;
	}
	out_arr_end(o);
	sbuf_free(&b);
}

static void put_mode(struct out *o, const char *key, uint32_t mode)
{
	char s[16];

	snprintf(s, sizeof(s), "%04o", mode & 07777);
	out_str(o, key, s);
}

/* A string segment's bytes without its terminator. */
static bool seg_str(const void *rec, size_t size, unsigned idx, const char **p, size_t *n)
{
	const struct vigil_file_event *e = rec;

	if (!record_seg(rec, size, DATA_OFF, &e->body.seg[idx], p, n))
		return false;
	*n = strnlen(*p, *n);
	return true;
}

static bool seg_path(const void *rec, size_t size, unsigned idx, struct sbuf *out, bool *truncated)
{
	const struct vigil_file_event *e = rec;
	const struct vigil_seg *seg = &e->body.seg[idx];
	const char *p;
	size_t n;

	if (!record_seg(rec, size, DATA_OFF, seg, &p, &n))
		return false;
	if (truncated)
		*truncated |= seg->flags & VIGIL_SEG_TRUNCATED;
	if (n || (seg->flags & VIGIL_SEG_PATH_ROOTED))
		path_from_components(out, p, n, seg->count);
	return true;
}

/* The caller's string req joined to its directory (dir) when it is relative. */
static bool join_path(const void *rec, size_t size, unsigned req, unsigned dir, struct sbuf *out,
		      bool *truncated)
{
	const struct vigil_file_event *e = rec;
	const char *p;
	size_t n, start = out->len;

	if (!seg_str(rec, size, req, &p, &n))
		return false;
	*truncated |= e->body.seg[req].flags & VIGIL_SEG_TRUNCATED;
	if (n && p[0] == '/') {
		sbuf_putn(out, p, n);
		return true;
	}
	if (!seg_path(rec, size, dir, out, truncated))
		return false;
	if (n && out->len > start && out->p[out->len - 1] != '/')
		sbuf_putc(out, '/');
	sbuf_putn(out, p, n);
	return true;
}

bool file_event_path(const void *rec, size_t size, struct sbuf *out, bool *from_file,
		     bool *truncated)
{
	const struct vigil_file_event *e = rec;
	bool symlink = e->hdr.kind == VIGIL_KIND_FILE_SYMLINK;

	*from_file = false;
	*truncated = false;
	if (e->body.seg[VIGIL_FSEG_PATH].len) {
		*from_file = true;
		return seg_path(rec, size, VIGIL_FSEG_PATH, out, truncated);
	}
	/* a symlink's path is the link; its first string is only the text it will hold */
	if (symlink)
		return join_path(rec, size, VIGIL_FSEG_REQUESTED2, VIGIL_FSEG_DIR2, out, truncated);
	return join_path(rec, size, VIGIL_FSEG_REQUESTED, VIGIL_FSEG_DIR, out, truncated);
}

bool file_event_requested(const void *rec, size_t size, bool second, struct sbuf *out)
{
	const char *p;
	size_t n;

	if (!seg_str(rec, size, second ? VIGIL_FSEG_REQUESTED2 : VIGIL_FSEG_REQUESTED, &p, &n))
		return false;
	sbuf_putn(out, p, n);
	return true;
}

/* requested, dirfd and the directory of one name (the first, or a rename's/link's new one). */
static void put_name(struct out *o, const void *rec, size_t size, bool second)
{
	const struct vigil_file_event *e = rec;
	const struct vigil_file_body *b = &e->body;
	unsigned req = second ? VIGIL_FSEG_REQUESTED2 : VIGIL_FSEG_REQUESTED;
	unsigned dir = second ? VIGIL_FSEG_DIR2 : VIGIL_FSEG_DIR;
	bool unread = b->info & (second ? VIGIL_FI_REQUESTED2_UNREAD : VIGIL_FI_REQUESTED_UNREAD);
	bool cwd = b->info & (second ? VIGIL_FI_DIR2_CWD : VIGIL_FI_DIR_CWD);
	int32_t dirfd = second ? b->dirfd2 : b->dirfd;
	struct sbuf s = {};
	bool trunc = false;

	file_event_requested(rec, size, second, &s);
	out_strn(o, "requested", s.p ? s.p : "", s.len);
	if (unread)
		out_bool(o, "requested_unread", true);
	if (b->seg[req].flags & VIGIL_SEG_TRUNCATED)
		out_bool(o, "requested_truncated", true);
	if (dirfd != VIGIL_FILE_NO_FD)
		out_i64(o, "dirfd", dirfd);
	if (b->seg[dir].len || (b->seg[dir].flags & VIGIL_SEG_PATH_ROOTED)) {
		sbuf_reset(&s);
		seg_path(rec, size, dir, &s, &trunc);
		out_strn(o, cwd ? "cwd" : "dirfd_path", s.p ? s.p : "", s.len);
	}
	sbuf_free(&s);
}

static void put_errno(struct out *o, int64_t ret)
{
	int err = ret < 0 && ret > -4096 ? (int)-ret : 0; /* kernel errnos; anything else is no errno */
	const char *name = err ? strerrorname_np(err) : NULL;

	out_i64(o, "errno", err);
	if (name)
		out_str(o, "error", name);
}

void body_file(struct out *o, const void *rec, size_t size)
{
	const struct vigil_file_event *e = rec;
	const struct vigil_file_body *b = &e->body;
	unsigned kind = e->hdr.kind;
	struct sbuf s = {};
	bool from_file, trunc;

	out_obj(o, "file");
	out_str(o, "syscall", file_call_name(b->call));
	if (file_event_path(rec, size, &s, &from_file, &trunc)) {
		out_strn(o, "path", s.p ? s.p : "", s.len);
		out_str(o, "path_source", from_file ? "file" : "name");
		out_bool(o, "path_truncated", trunc);
	} else {
		out_bool(o, "malformed", true);
	}
	/* deleting the file a live process runs: how a process hides itself */
	if (kind == VIGIL_KIND_FILE_UNLINK && s.len)
		out_u64(o, "exe_users", format_exe_users(sbuf_str(&s)));
	sbuf_free(&s);
	if (b->info & VIGIL_FI_INODE) {
		out_u64(o, "inode", b->ino);
		out_u64(o, "dev", file_st_dev(b->dev));
	}
	if (kind == VIGIL_KIND_FILE_SYMLINK) {
		struct sbuf t = {};

		file_event_requested(rec, size, false, &t);
		out_strn(o, "target", t.p ? t.p : "", t.len);
		sbuf_free(&t);
		put_name(o, rec, size, true);
	} else if (b->seg[VIGIL_FSEG_REQUESTED].len || (b->info & VIGIL_FI_REQUESTED_UNREAD) ||
		   b->dirfd != VIGIL_FILE_NO_FD) {
		put_name(o, rec, size, false);
	}
	if (b->fd != VIGIL_FILE_NO_FD)
		out_i64(o, "fd", b->fd);

	switch (kind) {
	case VIGIL_KIND_FILE_OPEN:
		put_flags(o, "flags", b->flags, NULL, 0, true);
		put_mode(o, "mode", b->mode);
		out_i64(o, "fd", b->ret >= 0 ? b->ret : -1);
		if (b->call == VIGIL_FC_OPENAT2)
			put_flags(o, "resolve", b->resolve, resolve_flags, COUNT(resolve_flags), false);
		break;
	case VIGIL_KIND_FILE_RENAME:
	case VIGIL_KIND_FILE_LINK: {
		struct sbuf np = {};
		bool t2 = false;

		out_obj(o, "new");
		if (join_path(rec, size, VIGIL_FSEG_REQUESTED2, VIGIL_FSEG_DIR2, &np, &t2)) {
			out_strn(o, "path", np.p ? np.p : "", np.len);
			out_bool(o, "path_truncated", t2);
		}
		sbuf_free(&np);
		put_name(o, rec, size, true);
		out_obj_end(o);
		if (kind == VIGIL_KIND_FILE_RENAME)
			put_flags(o, "flags", b->flags, rename_flags, COUNT(rename_flags), false);
		else
			put_flags(o, "flags", b->flags, at_flags, COUNT(at_flags), false);
		break;
	}
	case VIGIL_KIND_FILE_CHMOD:
		put_mode(o, "mode", b->mode);
		put_flags(o, "flags", b->flags, at_flags, COUNT(at_flags), false);
		break;
	case VIGIL_KIND_FILE_CHOWN:
		out_i64(o, "uid", b->uid == (uint32_t)-1 ? -1 : (int64_t)b->uid);
		out_i64(o, "gid", b->gid == (uint32_t)-1 ? -1 : (int64_t)b->gid);
		put_flags(o, "flags", b->flags, at_flags, COUNT(at_flags), false);
		break;
	case VIGIL_KIND_FILE_UNLINK:
		put_flags(o, "flags", b->flags, at_flags, COUNT(at_flags), false);
		break;
	case VIGIL_KIND_FILE_TRUNCATE:
		out_i64(o, "length", (int64_t)b->length);
		break;
	default:
		break;
	}
	put_errno(o, b->ret);
	out_obj_end(o);
}
