/* SPDX-License-Identifier: GPL-2.0-only */
/* The fields of process.exec, process.fork and process.exit (docs/events.md). */
#ifndef VIGIL_PROCESS_EVENTS_H
#define VIGIL_PROCESS_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "sbuf.h"

void body_process_exec(struct out *o, const void *rec, size_t size);

/* process.exec's file facts (VIGIL_XF_*), decoded for the body writer and elfsnoop. */
struct exec_facts {
	bool valid;       /* the record carries them (not a seed record) */
	uint64_t ino;
	uint64_t dev;     /* as stat(2)'s st_dev */
	uint32_t uid, gid, mode, nlink, fs_magic, flags;
	struct sbuf interp; /* the #! interpreter, or the ELF loader's path; empty if none */
	struct sbuf script; /* a #! script: the name the exec call used, made absolute with cwd */
};
/* False if a segment is malformed. Free with exec_facts_free. */
bool exec_facts_decode(const void *rec, size_t size, struct exec_facts *f);
void exec_facts_free(struct exec_facts *f);
/* "memfd", "deleted", "tmpfs" for the flags set, separated by sep. */
void exec_fileless_names(struct sbuf *b, uint32_t flags, const char *sep);
void body_process_fork(struct out *o, const void *rec, size_t size);
void body_process_exit(struct out *o, const void *rec, size_t size);

#endif
