/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Names for the numbers of the privilege and kernel-activity events: the syscalls a pair
 * program watched, capabilities, bpf() commands, ptrace requests, and the flag words of mount,
 * umount, unshare/setns and memfd_create. Tables, so that a new name is one line.
 */
#ifndef VIGIL_PRIV_NAMES_H
#define VIGIL_PRIV_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "sbuf.h"

struct flag_name {
	uint64_t bit;
	const char *name;
};

/* Flag tables, each ended by { 0, NULL }. */
extern const struct flag_name mount_flag_names[];   /* MS_* */
extern const struct flag_name umount_flag_names[];  /* MNT_*, UMOUNT_NOFOLLOW */
extern const struct flag_name clone_ns_flag_names[]; /* CLONE_NEW* and the other unshare flags */
extern const struct flag_name memfd_flag_names[];   /* MFD_* */
extern const struct flag_name move_mount_flag_names[]; /* MOVE_MOUNT_* */

/* The names of the bits set in v, as a JSON array (text: joined with '|'); bits without a name
 * are added as one hex number. */
void out_flags(struct out *o, const char *key, uint64_t v, const struct flag_name *tbl);
/* The same as "NAME|NAME|0x40" into b ("0" when v is 0). */
void flags_put(struct sbuf *b, uint64_t v, const struct flag_name *tbl);

/* "setresuid" for enum vigil_sys_op; "unknown" if out of range. */
const char *sys_op_name(unsigned op);
/* "CAP_SYS_ADMIN"; NULL if unknown. */
const char *capability_name(int cap);
/* "BPF_PROG_LOAD"; NULL if unknown. */
const char *bpf_cmd_name(uint64_t cmd);
/* "PTRACE_ATTACH"; NULL if unknown. */
const char *ptrace_request_name(int64_t req);
/* "EPERM"; NULL if unknown. */
const char *errno_short_name(int err);
/* A syscall's name by number for this machine (compat: its 32-bit ABI), into buf: "openat",
 * or "syscall_<nr>" when unknown. Returns buf. */
const char *syscall_name(unsigned nr, bool compat, char *buf, size_t len);

#endif
