/* SPDX-License-Identifier: GPL-2.0-only */
/* Rendering the checks: a table for people, JSON for machines, and the --fail-on verdict. */
#ifndef VIGIL_CHECK_REPORT_H
#define VIGIL_CHECK_REPORT_H

#include "check/check.h"

/* Replaces control bytes with '?' in place: a process name or a file name must not be able to
 * move the cursor or recolour the table a person reads. */
void check_text_printable(char *s);

/* counts[status] for each of pass, warn, fail, unknown */
void check_tally(const struct check_result *r, size_t n, size_t counts[4]);
/* Is any check at warn or fail with a severity of at least min? */
bool check_fails_at(const struct check_result *r, size_t n, enum check_severity min);
void check_print_table(const struct check_result *r, size_t n, const char *root, bool color);
/* Writes score, summary and checks into an open JSON object. */
void check_write_json(const struct check_result *r, size_t n, struct out *o);

#endif
