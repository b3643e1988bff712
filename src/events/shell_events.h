/* SPDX-License-Identifier: GPL-2.0-only */
/* The fields of shell.command, tty.write and process.output (docs/events.md), and the decoding
 * the tools share. Every segment is checked against the record's size before it is read. */
#ifndef VIGIL_SHELL_EVENTS_H
#define VIGIL_SHELL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "sbuf.h"

void body_shell_command(struct out *o, const void *rec, size_t size);
void body_tty_write(struct out *o, const void *rec, size_t size);
void body_process_output(struct out *o, const void *rec, size_t size);

/* shell.command's line (without its NUL); false if the record is malformed. */
bool shell_event_line(const void *rec, size_t size, const char **p, size_t *n, bool *truncated);
/* A write event's bytes; truncated when fewer were copied than the caller asked to write. */
bool write_event_data(const void *rec, size_t size, const char **p, size_t *n, bool *truncated);

/* Bytes as one POSIX sh `printf` argument in single quotes: printable ASCII as is, '%' doubled,
 * everything else (quote, backslash, control and non-ASCII bytes) as a \ooo octal escape. */
void shell_replay_quote(struct sbuf *b, const char *p, size_t n);

#endif
