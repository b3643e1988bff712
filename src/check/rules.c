// SPDX-License-Identifier: GPL-2.0-only
/* The small rule language of the checks table ("1,2", ">=2", "3-5", "integrity"), names, score. */
#include "check/check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool parse_num(const char *s, size_t n, long long *out)
{
	char tmp[32], *end;

	if (!n || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	return !errno && *end == '\0' && end != tmp;
}

/* One rule (not NUL-terminated: s[0..n)) against the value. */
static bool one_rule(const char *s, size_t n, const char *value, bool value_is_num, long long v)
{
	long long a, b;

	if (n > 2 && (!strncmp(s, ">=", 2) || !strncmp(s, "<=", 2))) {
		if (!value_is_num || !parse_num(s + 2, n - 2, &a))
			return false;
		return s[0] == '>' ? v >= a : v <= a;
	}
	/* a range "a-b" (a leading '-' is a negative number, not a range) */
	const char *dash = n > 1 ? memchr(s + 1, '-', n - 1) : NULL;
	if (dash && parse_num(s, (size_t)(dash - s), &a) &&
	    parse_num(dash + 1, n - (size_t)(dash - s) - 1, &b))
		return value_is_num && v >= a && v <= b;
	if (value_is_num && parse_num(s, n, &a))
		return v == a;
	return strlen(value) == n && !strncmp(s, value, n);
}

bool check_rule_match(const char *rules, const char *value)
{
	long long v = 0;
	bool is_num;

	if (!rules || !value)
		return false;
	is_num = parse_num(value, strlen(value), &v);
	while (*rules) {
		size_t n = strcspn(rules, ",");
		if (n && one_rule(rules, n, value, is_num, v))
			return true;
		rules += n;
		if (*rules == ',')
			rules++;
	}
	return false;
}

const char *check_status_name(enum check_status s)
{
	static const char *const names[] = {
		[CHECK_PASS] = "pass", [CHECK_WARN] = "warn", [CHECK_FAIL] = "fail",
		[CHECK_UNKNOWN] = "unknown",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static const char *const sev_names[] = {
	[CHECK_SEV_LOW] = "low", [CHECK_SEV_MEDIUM] = "medium", [CHECK_SEV_HIGH] = "high",
};

const char *check_severity_name(enum check_severity s)
{
	return s >= CHECK_SEV_LOW && s <= CHECK_SEV_HIGH ? sev_names[s] : "?";
}

int check_severity_parse(const char *s, enum check_severity *out)
{
	for (int i = CHECK_SEV_LOW; i <= CHECK_SEV_HIGH; i++) {
		if (s && !strcmp(s, sev_names[i])) {
			*out = (enum check_severity)i;
			return 0;
		}
	}
	return -1;
}

int check_score(const struct check_result *r, size_t n)
{
	int earned = 0, possible = 0;

	for (size_t i = 0; i < n; i++) {
		int w = 2 * (int)r[i].def->severity; /* doubled so that a warn's half stays whole */
		if (r[i].status == CHECK_UNKNOWN)
			continue;
		possible += w;
		if (r[i].status == CHECK_PASS)
			earned += w;
		else if (r[i].status == CHECK_WARN)
			earned += w / 2;
	}
	return possible ? (earned * 100 + possible / 2) / possible : 100;
}
