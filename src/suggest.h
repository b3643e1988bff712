/* SPDX-License-Identifier: GPL-2.0-only */
/* "Did you mean": how far apart two short names are, for the rule language and the config. */
#ifndef VIGIL_SUGGEST_H
#define VIGIL_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance of a and b; 99 when either is 63 bytes or longer (names, not text). */
size_t edit_distance(const char *a, const char *b);

#endif
