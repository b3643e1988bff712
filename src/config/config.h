/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /etc/vigil/vigil.yaml: a YAML mapping whose keys are exactly `vigil run`'s long options.
 * A flag is a boolean (true adds it), an option with a value takes a scalar, and a list stands
 * for the option repeated. The keys are looked up in the argp tables themselves, so an option
 * added to `vigil run` works in the file with no change here. Options given on the command line
 * replace the file's values of the same key.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_DEFAULT_PATH "/etc/vigil/vigil.yaml"

struct config_entry {
	const struct argp_option *opt; /* the long option the key names */
	char *value;                   /* NULL: a flag set to true */
	unsigned line, col;            /* of the value, 1-based */
};

struct config {
	char *path;
	struct config_entry *e;
	size_t n;
};

/* Every long option of an argp and its children, in help order. */
struct option_list {
	const struct argp_option **opt;
	size_t n;
};
void option_list_collect(const struct argp *argp, struct option_list *l);
const struct argp_option *option_list_find(const struct option_list *l, const char *name);
/* The long option closest to name (edit distance 2 or less, or a prefix), or NULL. */
const char *option_list_suggest(const struct option_list *l, const char *name);
void option_list_free(struct option_list *l);

/* Reads path. Every problem is printed to errf as "path:line:col: what"; returns their count
 * (a file that cannot be read is one). The keys are the options of argp; `skip` names one that
 * may not appear in a file (config itself). */
size_t config_load(struct config *c, const char *path, const struct argp *argp, const char *skip,
		   FILE *errf);
void config_free(struct config *c);

/* Checks each entry's value with check(argc, argv) on "PROG --key=value" alone; check returns the
 * parser's complaint (malloc'ed, freed here) or NULL. Prints "path:line:col: complaint" for each
 * and returns their count. */
size_t config_check_values(const struct config *c, const char *prog,
			   char *(*check)(int argc, char **argv), FILE *errf);

/* The long options an argv (without argv[0]) gives, by the option table: a name per option. */
bool argv_gives(const struct option_list *l, int argc, char **argv, const struct argp_option *o);

/* The value of the last occurrence of o in argv, or NULL. */
const char *argv_last_value(const struct option_list *l, int argc, char **argv,
			    const struct argp_option *o);

/* argv[0], then the file's entries for options the command line does not give, then the command
 * line's own arguments. NULL-terminated; free the array only (strings are borrowed). */
char **config_merge_argv(const struct config *c, const struct option_list *l, int argc,
			 char **argv, int *out_argc);

/* Writes the effective configuration as YAML: the command line's options over the file's. */
void config_show(FILE *f, const struct config *c, const struct option_list *l, int argc,
		 char **argv);

#endif
