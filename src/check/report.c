// SPDX-License-Identifier: GPL-2.0-only
/* The checks as a table with a score (colour only on a terminal) or as JSON. */
#include "check/report.h"

#include <stdio.h>
#include <string.h>

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define GREEN "\033[32m"
#define DIM "\033[2m"
#define RESET "\033[0m"

void check_text_printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void check_tally(const struct check_result *r, size_t n, size_t counts[4])
{
	memset(counts, 0, 4 * sizeof(counts[0]));
	for (size_t i = 0; i < n; i++)
		counts[r[i].status]++;
}

bool check_fails_at(const struct check_result *r, size_t n, enum check_severity min)
{
	for (size_t i = 0; i < n; i++)
		if ((r[i].status == CHECK_WARN || r[i].status == CHECK_FAIL) &&
		    r[i].def->severity >= min)
			return true;
	return false;
}

void check_print_table(const struct check_result *r, size_t n, const char *root, bool color)
{
	static const char *const colors[] = {
		[CHECK_PASS] = GREEN, [CHECK_WARN] = YELLOW, [CHECK_FAIL] = RED, [CHECK_UNKNOWN] = DIM,
	};
	size_t counts[4];
	char fix[512], value[256], detail[256];

	printf("vigil check: kernel and BPF hardening of %s\n\n", root);
	printf("%-7s %-8s %-34s %-18s %s\n", "STATUS", "SEVERITY", "CHECK", "CURRENT", "RECOMMENDED");
	for (size_t i = 0; i < n; i++) {
		const struct check_result *c = &r[i];
		snprintf(value, sizeof(value), "%s", c->value);
		snprintf(detail, sizeof(detail), "%s", c->detail);
		check_text_printable(value);
		check_text_printable(detail);
		/* pad the plain word: colour codes take no room on screen */
		printf("%s%s%s%*s %-8s %-34s %-18s %s\n", color ? colors[c->status] : "",
		       check_status_name(c->status), color ? RESET : "",
		       (int)(7 - strlen(check_status_name(c->status))), "",
		       check_severity_name(c->def->severity), c->def->id,
		       c->present      ? (value[0] ? value : "\"\"")
		       : c->unreadable ? "(needs root)"
				       : "(missing)",
		       c->def->recommended);
		if (c->status == CHECK_PASS)
			continue;
		if (detail[0])
			printf("%16s %s\n", "note:", detail);
		printf("%16s %s\n", "why:", c->def->why);
		check_fix_text(c, fix, sizeof(fix));
		if (fix[0])
			printf("%16s %s\n", "fix:", fix);
	}
	check_tally(r, n, counts);
	printf("\nscore %d/100: %zu pass, %zu warn, %zu fail, %zu unknown\n", check_score(r, n),
	       counts[CHECK_PASS], counts[CHECK_WARN], counts[CHECK_FAIL], counts[CHECK_UNKNOWN]);
}

void check_write_json(const struct check_result *r, size_t n, struct out *o)
{
	size_t counts[4];
	char fix[512];

	check_tally(r, n, counts);
	out_u64(o, "score", (uint64_t)check_score(r, n));
	out_obj(o, "summary");
	for (int s = CHECK_PASS; s <= CHECK_UNKNOWN; s++)
		out_u64(o, check_status_name((enum check_status)s), counts[s]);
	out_obj_end(o);
	out_arr(o, "checks");
	for (size_t i = 0; i < n; i++) {
		const struct check_result *c = &r[i];
		out_obj(o, NULL);
		out_str(o, "id", c->def->id);
		out_str(o, "status", check_status_name(c->status));
		out_str(o, "severity", check_severity_name(c->def->severity));
		if (c->present)
			out_str(o, "value", c->value);
		else
			out_null(o, "value");
		out_str(o, "recommended", c->def->recommended);
		out_str(o, "detail", c->detail);
		out_str(o, "why", c->def->why);
		check_fix_text(c, fix, sizeof(fix));
		out_str(o, "fix", fix);
		if (c->fix_key[0]) {
			out_obj(o, "sysctl");
			out_str(o, "key", c->fix_key);
			out_str(o, "value", c->fix_value);
			out_obj_end(o);
		} else {
			out_null(o, "sysctl");
		}
		out_obj_end(o);
	}
	out_arr_end(o);
}
