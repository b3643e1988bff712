// SPDX-License-Identifier: GPL-2.0-only
#include "format.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "kinds.h"
#include "record.h"
#include "timefmt.h"

#define MAX_ANCESTORS 64

static void put_time(struct out *o, const char *key, uint64_t boot_ns)
{
	char ts[TIME_RFC3339_LEN];
	size_t n = format_rfc3339(ts, boot_to_wall_ns(boot_ns));

	out_strn(o, key, ts, n);
}

/* The host every JSON event names: a fleet's store holds many. Read once. */
static char host_name_buf[256], host_id_buf[64];

static void host_init(void)
{
	if (host_name_buf[0])
		return;
	if (gethostname(host_name_buf, sizeof(host_name_buf) - 1) || !host_name_buf[0])
		snprintf(host_name_buf, sizeof(host_name_buf), "localhost");
	FILE *f = fopen("/etc/machine-id", "re");
	if (f) {
		if (fgets(host_id_buf, sizeof(host_id_buf), f))
			host_id_buf[strcspn(host_id_buf, "\n")] = '\0';
		fclose(f);
	}
}

const char *host_name(void)
{
	host_init();
	return host_name_buf;
}

void format_host(struct out *o)
{
	if (o->fmt != OUT_JSON)
		return;
	host_init();
	out_obj(o, "host");
	out_str(o, "name", host_name_buf);
	out_str(o, "id", host_id_buf);
	out_obj_end(o);
}

void format_open(struct out *o, uint64_t boot_ns, const char *kind)
{
	out_begin(o);
	out_bare_next(o);
	put_time(o, "time", boot_ns);
	out_bare_next(o);
	out_str(o, "kind", kind);
	format_host(o);
}

static void put_args(struct out *o, const struct proc_image *img)
{
	out_arr(o, "args");
	for (size_t i = 0; i < img->args_len;) {
		const char *s = img->args + i;
		const char *end = memchr(s, '\0', img->args_len - i);
		size_t n = end ? (size_t)(end - s) : img->args_len - i;

		out_strn(o, NULL, s, n);
		i += n + 1;
	}
	out_arr_end(o);
}

static void put_image(struct out *o, const struct proc_image *img, bool full)
{
	out_str(o, "exe", img->exe);
	put_args(o, img);
	if (!full)
		return;
	out_bool(o, "args_truncated", img->args_truncated);
	if (img->exe_truncated)
		out_bool(o, "exe_truncated", true);
	out_str(o, "cwd", img->cwd);
	out_str(o, "tty", img->tty);
	out_str(o, "cgroup", img->cgroup);
	out_str(o, "container_id", img->container.id);
	if (img->container.id[0])
		out_str(o, "container_runtime", img->container.runtime);
	if (img->from_procfs)
		out_str(o, "source", "procfs");
}

static void put_proc_json(struct out *o, const struct vigil_task *t, const struct proc *p)
{
	char id[EXEC_ID_LEN];

	out_obj(o, "proc");
	out_u64(o, "tgid", t->tgid);
	out_u64(o, "tid", t->tid);
	out_u64(o, "ppid", t->ppid);
	out_u64(o, "uid", t->uid);
	out_u64(o, "gid", t->gid);
	out_u64(o, "euid", t->euid);
	out_u64(o, "egid", t->egid);
	out_i64(o, "auid", t->auid == (uint32_t)-1 ? -1 : (int64_t)t->auid);
	out_strn(o, "comm", t->comm, strnlen(t->comm, sizeof(t->comm)));
	if (p)
		put_image(o, p->img, true);
	out_u64(o, "cgroup_id", t->cgroup_id);
	out_obj(o, "ns");
	out_u64(o, "pid", t->ns_pid);
	out_u64(o, "mnt", t->ns_mnt);
	out_u64(o, "net", t->ns_net);
	out_u64(o, "user", t->ns_user);
	out_obj_end(o);
	/* the table's strings when it has this very image (the common case), else from the task */
	bool same = p && p->start_ns == t->start_ns && p->exec_seq == t->exec_seq;
	if (!same)
		exec_id_format(id, t->tgid, t->start_ns, t->exec_seq);
	out_str(o, "exec_id", same ? p->exec_id : id);
	exec_id_format(id, t->ppid, t->parent_start_ns, t->parent_exec_seq);
	out_str(o, "parent_exec_id", id);
	if (same)
		out_str(o, "start_time", p->start_time);
	else
		put_time(o, "start_time", t->start_ns);
	out_obj_end(o);
}

static void put_relative(struct out *o, const char *key, const struct proc *p, const char *exec_id)
{
	out_obj(o, key);
	out_u64(o, "tgid", p->tgid);
	out_u64(o, "ppid", p->ppid);
	out_str(o, "comm", p->comm);
	put_image(o, p->img, false);
	out_str(o, "exec_id", exec_id ? exec_id : p->exec_id);
	out_str(o, "start_time", p->start_time);
	out_obj_end(o);
}

static void put_parent_json(struct out *o, struct proc_cache *c, const struct vigil_task *t,
			    bool ancestors)
{
	struct proc *parent = proc_cache_lookup(c, t->ppid);
	char id[EXEC_ID_LEN];

	exec_id_format(id, t->ppid, t->parent_start_ns, t->parent_exec_seq);
	/* the table's entry is the parent only if it is the same process (pid reuse) */
	if (!parent || !proc_is(parent, t->parent_start_ns)) {
		out_obj(o, "parent");
		out_u64(o, "tgid", t->ppid);
		out_str(o, "exec_id", id);
		out_obj_end(o);
		return;
	}
	put_relative(o, "parent", parent, id);
	if (!ancestors)
		return;
	out_arr(o, "ancestors");
	const struct proc *a = parent;
	for (int depth = 0; depth < MAX_ANCESTORS && a->ppid && a->ppid != a->tgid; depth++) {
		a = proc_cache_lookup(c, a->ppid);
		if (!a)
			break;
		put_relative(o, NULL, a, NULL);
	}
	out_arr_end(o);
}

/* Text: one line a person can scan; the JSON form has everything. */
static void put_proc_text(struct out *o, struct proc_cache *c, const struct vigil_task *t,
			  const struct proc *p)
{
	struct proc *parent = proc_cache_lookup(c, t->ppid);

	out_u64(o, "tgid", t->tgid);
	out_u64(o, "ppid", t->ppid);
	out_u64(o, "uid", t->uid);
	out_strn(o, "comm", t->comm, strnlen(t->comm, sizeof(t->comm)));
	if (p)
		put_image(o, p->img, false);
	if (parent && proc_is(parent, t->parent_start_ns))
		out_str(o, "parent", parent->comm);
}

struct exit_status exit_status_decode(int32_t raw)
{
	struct exit_status s = {
		.code = (raw >> 8) & 0xff,
		.signal = raw & 0x7f,
		.core_dumped = raw & 0x80,
	};
	return s;
}

const char *signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",	[SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP",	[SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",	[SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV",	[SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",	[SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",	[SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG",	[SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO",	[SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};

	if (sig <= 0 || (size_t)sig >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[sig];
}

/* The table of the event being formatted: body writers join to it (format_exe_users). */
static struct proc_cache *formatting_table;

unsigned format_exe_users(const char *exe)
{
	return formatting_table ? proc_cache_exe_users(formatting_table, exe) : 0;
}

void format_event(struct out *o, const struct format_opts *opts, struct proc_cache *c,
		  const void *rec, size_t size, const struct proc *proc)
{
	const struct vigil_event_hdr *h = rec;

	formatting_table = c;

	format_open(o, h->ktime_ns, kind_name(h->kind));
	if (o->fmt == OUT_JSON) {
		put_proc_json(o, &h->task, proc);
		put_parent_json(o, c, &h->task, opts->ancestors);
		if (h->flags & VIGIL_EF_READ_ERROR)
			out_bool(o, "read_error", true);
	} else {
		put_proc_text(o, c, &h->task, proc);
	}
	const struct kind_info *k = kind_by_id(h->kind);
	if (k && k->body)
		k->body(o, rec, size);
	formatting_table = NULL;
	out_end(o);
}
