// SPDX-License-Identifier: GPL-2.0-only
/* The checks: one row each. Reasoning and sources for every row are in docs/check.md. */
#include "check/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- readers --- */

static int read_sysctl(const struct check_ctx *ctx, const struct check_def *def,
		       struct check_result *r)
{
	char rel[256];

	check_sysctl_path(def->source, rel, sizeof(rel));
	return check_read_line(ctx, rel, r->value, sizeof(r->value));
}

static int read_line(const struct check_ctx *ctx, const struct check_def *def,
		     struct check_result *r)
{
	return check_read_line(ctx, def->source, r->value, sizeof(r->value));
}

static int read_presence(const struct check_ctx *ctx, const struct check_def *def,
			 struct check_result *r)
{
	if (!check_root_exists(ctx, def->source))
		return -1;
	snprintf(r->value, sizeof(r->value), "present");
	return 0;
}

/* "none [integrity] confidentiality": the bracketed word is the mode in force. */
static int read_lockdown(const struct check_ctx *ctx, const struct check_def *def,
			 struct check_result *r)
{
	char line[128], *open_b, *close_b;

	if (check_read_line(ctx, def->source, line, sizeof(line)))
		return -1;
	open_b = strchr(line, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!close_b) {
		snprintf(r->value, sizeof(r->value), "%s", line);
		snprintf(r->detail, sizeof(r->detail), "no mode in brackets");
		return 0;
	}
	snprintf(r->value, sizeof(r->value), "%.*s", (int)(close_b - open_b - 1), open_b + 1);
	return 0;
}

static int read_config(const struct check_ctx *ctx, const struct check_def *def,
		       struct check_result *r)
{
	char v[64];
	int rc = check_kernel_config(ctx, def->source, v, sizeof(v));

	if (rc < 0)
		return -1;
	snprintf(r->value, sizeof(r->value), "%s", rc ? v : "n");
	return 0;
}

/* CONFIG_BPF_JIT_ALWAYS_ON from the kernel config; without one, from /proc/kallsyms: that option
 * compiles the interpreter out, so its symbols are missing where the JIT's are present. */
static int read_jit_always_on(const struct check_ctx *ctx, const struct check_def *def,
			      struct check_result *r)
{
	static const char *const syms[] = { "bpf_int_jit_compile", "___bpf_prog_run",
					    "__bpf_prog_run32" };
	bool found[3];

	if (!read_config(ctx, def, r))
		return 0;
	if (check_kallsyms_has(ctx, syms, 3, found) || !found[0])
		return -1;
	snprintf(r->value, sizeof(r->value), "%s", found[1] || found[2] ? "n" : "y");
	snprintf(r->detail, sizeof(r->detail), "no kernel config: the interpreter is %s /proc/kallsyms",
		 found[1] || found[2] ? "in" : "not in");
	return 0;
}

/* Module loading is closed if the kernel has no modules, loading was switched off, or only
 * signed modules load (sig_enforce, or lockdown which implies it). */
static int read_modules(const struct check_ctx *ctx, const struct check_def *def,
			struct check_result *r)
{
	char v[32];

	(void)def;
	if (!check_root_exists(ctx, "/proc/modules") &&
	    !check_root_exists(ctx, "/proc/sys/kernel/modules_disabled")) {
		snprintf(r->value, sizeof(r->value), "none");
		snprintf(r->detail, sizeof(r->detail), "kernel built without module support");
	} else if (!check_read_line(ctx, "/proc/sys/kernel/modules_disabled", v, sizeof(v)) &&
		   !strcmp(v, "1")) {
		snprintf(r->value, sizeof(r->value), "disabled");
		snprintf(r->detail, sizeof(r->detail), "kernel.modules_disabled=1");
	} else if (!check_read_line(ctx, "/sys/module/module/parameters/sig_enforce", v, sizeof(v)) &&
		   !strcmp(v, "Y")) {
		snprintf(r->value, sizeof(r->value), "signed-only");
		snprintf(r->detail, sizeof(r->detail), "module.sig_enforce=Y");
	} else if (!check_read_line(ctx, "/sys/kernel/security/lockdown", v, sizeof(v)) &&
		   (strstr(v, "[integrity]") || strstr(v, "[confidentiality]"))) {
		snprintf(r->value, sizeof(r->value), "signed-only");
		snprintf(r->detail, sizeof(r->detail), "lockdown refuses unsigned modules");
	} else {
		snprintf(r->value, sizeof(r->value), "unsigned-allowed");
		snprintf(r->detail, sizeof(r->detail),
			 "modules_disabled=0, sig_enforce off, no lockdown: root can load any module");
	}
	return 0;
}

/* One knob from a table: the first that exists decides, and is the one a fix sets. */
struct userns_knob {
	const char *key;
	const char *closed; /* the value that closes unprivileged user namespaces */
};

static const struct userns_knob userns_knobs[] = {
	{ "kernel.unprivileged_userns_clone", "0" },          /* Debian's patch */
	{ "kernel.apparmor_restrict_unprivileged_userns", "1" }, /* Ubuntu's AppArmor */
	{ "user.max_user_namespaces", "0" },                 /* mainline: closes them for root too */
};

static int read_userns(const struct check_ctx *ctx, const struct check_def *def,
		       struct check_result *r)
{
	bool any = false;
	char rel[256], v[32];

	(void)def;
	for (size_t i = 0; i < sizeof(userns_knobs) / sizeof(userns_knobs[0]); i++) {
		const struct userns_knob *k = &userns_knobs[i];
		check_sysctl_path(k->key, rel, sizeof(rel));
		if (check_read_line(ctx, rel, v, sizeof(v)))
			continue;
		if (!strcmp(v, k->closed)) {
			snprintf(r->value, sizeof(r->value), "restricted");
			snprintf(r->detail, sizeof(r->detail), "%s=%s", k->key, v);
			return 0;
		}
		if (!any) {
			/* the first knob present is the one to turn; the last one only by hand */
			snprintf(r->detail, sizeof(r->detail), "%s=%s", k->key, v);
			if (i + 1 < sizeof(userns_knobs) / sizeof(userns_knobs[0])) {
				snprintf(r->fix_key, sizeof(r->fix_key), "%s", k->key);
				snprintf(r->fix_value, sizeof(r->fix_value), "%s", k->closed);
			}
		}
		any = true;
	}
	if (check_kernel_config(ctx, "USER_NS", v, sizeof(v)) == 0) {
		snprintf(r->value, sizeof(r->value), "none");
		snprintf(r->detail, sizeof(r->detail), "kernel built without user namespaces");
		r->fix_key[0] = '\0';
		return 0;
	}
	if (!any)
		return -1;
	snprintf(r->value, sizeof(r->value), "unprivileged");
	return 0;
}

/* --- judges of their own --- */

static void judge_lsm(const struct check_ctx *ctx, struct check_result *r)
{
	static const char *const wanted[][5] = {
		{ "bpf" }, { "landlock" }, { "yama" },
		{ "selinux", "apparmor", "smack", "tomoyo" },
	};
	char missing[160] = "";
	size_t n = 0, found = 0, want = sizeof(wanted) / sizeof(wanted[0]);

	(void)ctx;
	for (size_t i = 0; i < want; i++) {
		bool hit = false;
		for (size_t j = 0; j < 5 && wanted[i][j] && !hit; j++) {
			/* whole names in the comma-separated list */
			size_t l = strlen(wanted[i][j]);
			for (const char *p = r->value; (p = strstr(p, wanted[i][j])); p += l)
				if ((p == r->value || p[-1] == ',') && (p[l] == ',' || p[l] == '\0'))
					hit = true;
		}
		if (hit) {
			found++;
			continue;
		}
		n += (size_t)snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? ", " : "",
				      i == want - 1 ? "a MAC (selinux/apparmor/smack/tomoyo)"
						    : wanted[i][0]);
		if (n >= sizeof(missing))
			n = sizeof(missing) - 1;
	}
	r->status = found == want ? CHECK_PASS : found ? CHECK_WARN : CHECK_FAIL;
	if (found < want)
		snprintf(r->detail, sizeof(r->detail), "missing: %s", missing);
}

/* Bits of kernel.sysrq that let whoever sits at the console dump state or kill processes
 * (Documentation/admin-guide/sysrq.rst): 4 keyboard/SAK, 8 debug dumps, 64 signals. */
#define SYSRQ_RISKY (4 | 8 | 64)

static void judge_sysrq(const struct check_ctx *ctx, struct check_result *r)
{
	char *end;
	long v = strtol(r->value, &end, 10);

	(void)ctx;
	if (!r->value[0] || *end || v < 0) {
		r->status = CHECK_UNKNOWN;
		snprintf(r->detail, sizeof(r->detail), "not a number");
	} else if (v == 0) {
		r->status = CHECK_PASS;
	} else if (v == 1) {
		r->status = CHECK_FAIL;
		snprintf(r->detail, sizeof(r->detail), "every SysRq function is enabled");
	} else if (v & SYSRQ_RISKY) {
		r->status = CHECK_WARN;
		snprintf(r->detail, sizeof(r->detail), "enables%s%s%s",
			 v & 4 ? " keyboard control (4)" : "", v & 8 ? " debug dumps (8)" : "",
			 v & 64 ? " signalling processes (64)" : "");
	} else {
		r->status = CHECK_PASS;
		snprintf(r->detail, sizeof(r->detail), "only harmless functions");
	}
}

static void judge_core_pattern(const struct check_ctx *ctx, struct check_result *r)
{
	(void)ctx;
	if (r->value[0] == '|') {
		r->status = CHECK_WARN;
		snprintf(r->detail, sizeof(r->detail), "every crash runs %.200s as root",
			 r->value + 1);
	} else {
		r->status = CHECK_PASS;
	}
}

/* --- the table --- */

#define SYSCTL(key) .source = key, .read = read_sysctl

const struct check_def check_table[] = {
	{
		.id = "kernel.unprivileged_bpf_disabled", .severity = CHECK_SEV_HIGH,
		SYSCTL("kernel.unprivileged_bpf_disabled"),
		.pass = "1,2", .missing = CHECK_PASS, .missing_note = "no bpf() syscall in this kernel",
		.recommended = "1 or 2", .fix_value = "2",
		.why = "Unprivileged BPF exposes the verifier, the biggest source of BPF privilege "
		       "escalations, and Spectre gadgets to every user. 2 can be undone by root; 1 is a "
		       "one-way switch that holds until reboot.",
	},
	{
		.id = "net.core.bpf_jit_enable", .severity = CHECK_SEV_HIGH,
		SYSCTL("net.core.bpf_jit_enable"),
		.pass = "1", .warn = "2", .missing = CHECK_FAIL,
		.missing_note = "no BPF JIT in this kernel: every program runs in the interpreter",
		.recommended = "1", .fix_value = "1",
		.why = "The interpreter is a ready-made Spectre v2 gadget (CVE-2017-5715); 2 writes every "
		       "JIT image to the kernel log, for debugging only.",
	},
	{
		.id = "bpf.jit_always_on", .severity = CHECK_SEV_MEDIUM,
		.source = "BPF_JIT_ALWAYS_ON", .read = read_jit_always_on,
		.pass = "y", .warn = "n", .missing = CHECK_UNKNOWN,
		.missing_note = "no kernel config (/proc/config.gz, /boot/config-RELEASE) and no JIT "
				"in /proc/kallsyms",
		.recommended = "y",
		.fix = "build the kernel with CONFIG_BPF_JIT_ALWAYS_ON=y (removes the interpreter)",
		.why = "Without it the interpreter stays in the kernel and root can switch the JIT off; "
		       "with it the JIT cannot be disabled.",
	},
	{
		.id = "net.core.bpf_jit_harden", .severity = CHECK_SEV_MEDIUM,
		SYSCTL("net.core.bpf_jit_harden"),
		.pass = "2", .warn = "1", .missing = CHECK_UNKNOWN,
		.missing_note = "no BPF JIT in this kernel",
		.recommended = "2", .fix_value = "2",
		.why = "Constant blinding keeps attacker-chosen immediates out of executable JIT memory "
		       "(JIT spraying); 1 blinds only unprivileged programs.",
	},
	{
		.id = "net.core.bpf_jit_kallsyms", .severity = CHECK_SEV_LOW,
		SYSCTL("net.core.bpf_jit_kallsyms"),
		.pass = "0", .warn = "1", .missing = CHECK_PASS,
		.missing_note = "no BPF JIT symbols in this kernel",
		.recommended = "0 (1 only while debugging)", .fix_value = "0",
		.why = "Exports the addresses of JIT images in /proc/kallsyms; useful to profilers, and "
		       "to an attacker looking for code to jump to.",
	},
	{
		.id = "net.core.bpf_jit_limit", .severity = CHECK_SEV_LOW,
		SYSCTL("net.core.bpf_jit_limit"),
		.pass = "1-536870912", .warn = ">=536870913", .missing = CHECK_UNKNOWN,
		.missing_note = "no BPF JIT in this kernel",
		.recommended = "at most 512 MiB (the default is half the JIT area)",
		.fix = "lower it back to the boot-time default: sysctl -w net.core.bpf_jit_limit=N",
		.why = "Caps JIT memory for loaders without CAP_BPF (including classic socket filters); "
		       "raised, unprivileged users can exhaust the area the kernel and root load into.",
	},
	{
		.id = "kernel.btf", .severity = CHECK_SEV_LOW,
		.source = "/sys/kernel/btf/vmlinux", .read = read_presence,
		.pass = "present", .missing = CHECK_WARN,
		.missing_note = "no /sys/kernel/btf/vmlinux",
		.recommended = "present",
		.fix = "build the kernel with CONFIG_DEBUG_INFO_BTF=y",
		.why = "CO-RE security tools, vigil among them, need kernel BTF to run unchanged across "
		       "kernels; without it the host cannot be watched from BPF.",
	},
	{
		.id = "kernel.lockdown", .severity = CHECK_SEV_MEDIUM,
		.source = "/sys/kernel/security/lockdown", .read = read_lockdown,
		.pass = "integrity,confidentiality", .warn = "none", .missing = CHECK_WARN,
		.missing_note = "no lockdown LSM (or securityfs is not mounted)",
		.recommended = "integrity",
		.fix = "boot with lockdown=integrity (needs the lockdown LSM), or "
		       "echo integrity > /sys/kernel/security/lockdown (one-way until reboot)",
		.why = "Lockdown stops root from changing the running kernel: unsigned modules, "
		       "/dev/mem, kexec of unsigned kernels, and BPF reads of kernel memory.",
	},
	{
		.id = "kernel.lsm", .severity = CHECK_SEV_MEDIUM,
		.source = "/sys/kernel/security/lsm", .read = read_line, .judge = judge_lsm,
		.missing = CHECK_WARN, .missing_note = "no /sys/kernel/security/lsm (securityfs not mounted?)",
		.recommended = "bpf, landlock, yama and selinux or apparmor",
		.fix = "boot with lsm=...,landlock,yama,apparmor,bpf (the kernel must be built with them)",
		.why = "The BPF LSM lets vigil deny synchronously; Landlock lets programs sandbox "
		       "themselves; Yama limits ptrace; a MAC confines services.",
	},
	{
		.id = "kernel.kptr_restrict", .severity = CHECK_SEV_MEDIUM,
		SYSCTL("kernel.kptr_restrict"),
		.pass = "1,2", .missing = CHECK_UNKNOWN, .missing_note = "no such sysctl",
		.recommended = "1 (2 hides them from root too)", .fix_value = "1",
		.why = "Kernel addresses in /proc and logs defeat KASLR, the first step of most kernel "
		       "exploits.",
	},
	{
		.id = "kernel.dmesg_restrict", .severity = CHECK_SEV_LOW,
		SYSCTL("kernel.dmesg_restrict"),
		.pass = "1", .missing = CHECK_UNKNOWN, .missing_note = "no such sysctl",
		.recommended = "1", .fix_value = "1",
		.why = "The kernel log holds addresses and hints of exploitable state; only CAP_SYSLOG "
		       "should read it.",
	},
	{
		.id = "kernel.perf_event_paranoid", .severity = CHECK_SEV_MEDIUM,
		SYSCTL("kernel.perf_event_paranoid"),
		.pass = ">=2", .warn = "1", .missing = CHECK_PASS,
		.missing_note = "no perf events in this kernel",
		.recommended = "2 (3 where the kernel has the Debian/Android patch)", .fix_value = "2",
		.why = "perf_event_open is a large attack surface with a history of privilege "
		       "escalations, and kernel profiling leaks kernel addresses.",
	},
	{
		.id = "kernel.yama.ptrace_scope", .severity = CHECK_SEV_MEDIUM,
		SYSCTL("kernel.yama.ptrace_scope"),
		.pass = ">=1", .warn = "0", .missing = CHECK_WARN,
		.missing_note = "Yama is not active: ptrace is limited only by uid and capabilities",
		.recommended = "1 (3 is one-way: no ptrace at all)", .fix_value = "1",
		.fix = "boot with yama in the lsm= list, then sysctl -w kernel.yama.ptrace_scope=1",
		.why = "Without it any process can attach to every other process of the same user and "
		       "steal its secrets (ssh-agent, browsers).",
	},
	{
		.id = "kernel.modules", .severity = CHECK_SEV_MEDIUM,
		.source = "/proc/sys/kernel/modules_disabled", .read = read_modules,
		.pass = "none,disabled,signed-only", .missing = CHECK_UNKNOWN,
		.recommended = "no modules, modules_disabled=1 or signed modules only",
		.fix = "boot with module.sig_enforce=1, or sysctl -w kernel.modules_disabled=1 once "
		       "boot has loaded what it needs (one-way until reboot)",
		.why = "A kernel module is the classic rootkit; unsigned loading lets root (or whoever "
		       "becomes root) rewrite the kernel, including anything BPF watches.",
	},
	{
		.id = "kernel.unprivileged_userns", .severity = CHECK_SEV_LOW,
		.source = "/proc/sys/user/max_user_namespaces", .read = read_userns,
		.pass = "none,restricted", .warn = "unprivileged", .missing = CHECK_UNKNOWN,
		.missing_note = "no user namespace knobs found",
		.recommended = "restricted, unless rootless containers or browser sandboxes need them",
		.fix = "where the kernel has no unprivileged_userns_clone knob: "
		       "sysctl -w user.max_user_namespaces=0 (also stops root and rootless containers)",
		.why = "Unprivileged user namespaces hand every user CAP_SYS_ADMIN over kernel code "
		       "(netfilter, mounts) that has had many privilege escalations.",
	},
	{
		.id = "fs.protected_symlinks", .severity = CHECK_SEV_MEDIUM,
		SYSCTL("fs.protected_symlinks"),
		.pass = "1", .missing = CHECK_FAIL, .missing_note = "no such protection in this kernel",
		.recommended = "1", .fix_value = "1",
		.why = "Stops symlink races in world-writable sticky directories such as /tmp "
		       "(time-of-check to time-of-use attacks on privileged programs).",
	},
	{
		.id = "fs.protected_hardlinks", .severity = CHECK_SEV_MEDIUM,
		SYSCTL("fs.protected_hardlinks"),
		.pass = "1", .missing = CHECK_FAIL, .missing_note = "no such protection in this kernel",
		.recommended = "1", .fix_value = "1",
		.why = "Stops users hard-linking files they cannot write (setuid binaries, other "
		       "users' files) to abuse them later.",
	},
	{
		.id = "fs.protected_fifos", .severity = CHECK_SEV_LOW,
		SYSCTL("fs.protected_fifos"),
		.pass = "2", .warn = "1", .missing = CHECK_FAIL,
		.missing_note = "no such protection in this kernel",
		.recommended = "2", .fix_value = "2",
		.why = "Stops a privileged program's O_CREAT open from writing into a FIFO an attacker "
		       "planted in a sticky directory.",
	},
	{
		.id = "fs.protected_regular", .severity = CHECK_SEV_LOW,
		SYSCTL("fs.protected_regular"),
		.pass = "2", .warn = "1", .missing = CHECK_FAIL,
		.missing_note = "no such protection in this kernel",
		.recommended = "2", .fix_value = "2",
		.why = "Stops a privileged program's O_CREAT open from writing into a regular file an "
		       "attacker planted in a sticky directory.",
	},
	{
		.id = "fs.suid_dumpable", .severity = CHECK_SEV_MEDIUM,
		SYSCTL("fs.suid_dumpable"),
		.pass = "0", .warn = "2", .missing = CHECK_UNKNOWN, .missing_note = "no such sysctl",
		.recommended = "0", .fix_value = "0",
		.why = "Core dumps of setuid programs hold secrets (shadow hashes, keys); 1 dumps them "
		       "owned by the user, 2 only as root.",
	},
	{
		.id = "kernel.sysrq", .severity = CHECK_SEV_LOW,
		SYSCTL("kernel.sysrq"), .judge = judge_sysrq,
		.missing = CHECK_PASS, .missing_note = "no magic SysRq key in this kernel",
		.recommended = "0, or a mask without 4, 8 and 64 (e.g. 176)", .fix_value = "0",
		.why = "Whoever reaches the console keyboard or a serial line can dump process state or "
		       "kill every process.",
	},
	{
		.id = "kernel.core_pattern", .severity = CHECK_SEV_LOW,
		SYSCTL("kernel.core_pattern"), .judge = judge_core_pattern,
		.missing = CHECK_UNKNOWN, .missing_note = "no such sysctl",
		.recommended = "a file name, or a pipe only to a trusted crash handler",
		.fix = "point it at a file (sysctl -w kernel.core_pattern=core) or keep only a "
		       "trusted handler",
		.why = "A pipe runs the named program as root in the initial namespaces on every crash, "
		       "with input the crashing process controls.",
	},
	{
		.id = "kernel.randomize_va_space", .severity = CHECK_SEV_HIGH,
		SYSCTL("kernel.randomize_va_space"),
		.pass = "2", .warn = "1", .missing = CHECK_UNKNOWN, .missing_note = "no such sysctl",
		.recommended = "2", .fix_value = "2",
		.why = "Address space layout randomisation of stack, mmap, vDSO and heap makes memory "
		       "corruption exploits guess; 1 leaves the heap (brk) in place.",
	},
};

const size_t check_count = sizeof(check_table) / sizeof(check_table[0]);

const struct check_def *check_find(const char *id)
{
	for (size_t i = 0; i < check_count; i++)
		if (!strcmp(check_table[i].id, id))
			return &check_table[i];
	return NULL;
}

void check_run(const struct check_ctx *ctx, const struct check_def *def, struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	r->def = def;
	errno = 0;
	r->present = def->read(ctx, def, r) == 0;
	if (!r->present && (errno == EACCES || errno == EPERM)) {
		/* there, but not readable by this user (e.g. a 0600 sysctl): no verdict */
		r->value[0] = '\0';
		r->unreadable = true;
		r->status = CHECK_UNKNOWN;
		snprintf(r->detail, sizeof(r->detail), "needs root: %s is not readable by this user",
			 def->source);
		return;
	}
	if (!r->present) {
		r->value[0] = '\0';
		r->status = def->missing;
		snprintf(r->detail, sizeof(r->detail), "%s", def->missing_note ? def->missing_note : "");
		return;
	}
	if (!r->fix_key[0] && def->fix_value && def->read == read_sysctl) {
		snprintf(r->fix_key, sizeof(r->fix_key), "%s", def->source);
		snprintf(r->fix_value, sizeof(r->fix_value), "%s", def->fix_value);
	}
	if (def->judge)
		def->judge(ctx, r);
	else
		r->status = check_rule_match(def->pass, r->value)   ? CHECK_PASS
			    : check_rule_match(def->warn, r->value) ? CHECK_WARN
							      : CHECK_FAIL;
}
