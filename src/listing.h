/* SPDX-License-Identifier: GPL-2.0-only */
/* vigil kinds and vigil fields: the tables the filters and the rules are written against. */
#ifndef VIGIL_LISTING_H
#define VIGIL_LISTING_H

int cmd_kinds(int argc, char **argv);
int cmd_fields(int argc, char **argv);

#endif
