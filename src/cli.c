// SPDX-License-Identifier: GPL-2.0-only
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

static bool uses_key(const struct argp *argp, int key)
{
	for (const struct argp_option *o = argp->options; o && (o->name || o->key || o->doc); o++)
		if (o->key == key)
			return true;
	for (const struct argp_child *c = argp->children; c && c->argp; c++)
		if (uses_key(c->argp, key))
			return true;
	return false;
}

int cli_parse(const struct argp *argp, int argc, char **argv, void *input)
{
	static char help[] = "--help";

	/* -h is help everywhere, as users' fingers expect, unless a command gives it a meaning */
	if (!uses_key(argp, 'h'))
		for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
			if (!strcmp(argv[i], "-h"))
				argv[i] = help;
	argp_err_exit_status = 2;
	return argp_parse(argp, argc, argv, 0, NULL, input);
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') {
		snprintf(err, errlen, "expected a number from %llu to %llu, got '%s'",
			 (unsigned long long)min, (unsigned long long)max, s ? s : "");
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		snprintf(err, errlen, "expected a number from %llu to %llu, got '%s'",
			 (unsigned long long)min, (unsigned long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_seconds(const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = s && *s ? strtod(s, &end) : NAN;
	if (!s || !*s || errno || *end || !isfinite(v) || v <= 0 || v > 365.0 * 86400) {
		snprintf(err, errlen, "expected a positive number of seconds, got '%s'", s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

int parse_pow2_size(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err,
		    size_t errlen)
{
	char num[32];
	uint64_t v, mult = 1;
	size_t n = s ? strlen(s) : 0;

	if (n && n < sizeof(num)) {
		switch (s[n - 1]) {
		case 'k': case 'K': mult = 1ULL << 10; n--; break;
		case 'm': case 'M': mult = 1ULL << 20; n--; break;
		case 'g': case 'G': mult = 1ULL << 30; n--; break;
		default: break;
		}
	}
	if (!n || n >= sizeof(num))
		goto bad;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_u64(num, 1, UINT64_MAX / mult, &v, err, errlen))
		goto bad;
	v *= mult;
	if (v < min || v > max || (v & (v - 1)))
		goto bad;
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "expected a power of two from %llu to %llu bytes (K, M, G allowed), got '%s'",
		 (unsigned long long)min, (unsigned long long)max, s ? s : "");
	return -1;
}

void cli_bad_value(struct argp_state *state, const char *option, const char *why)
{
	argp_error(state, "invalid value for %s: %s", option, why);
}

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int require_bpf_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d) == 0 &&
	    (has_cap(d, CAP_SYS_ADMIN) || (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON))))
		return 0;
	fprintf(stderr, "vigil: needs root: loading BPF programs takes CAP_BPF and CAP_PERFMON "
			"(or CAP_SYS_ADMIN), and this process has neither\n");
	return -1;
}
