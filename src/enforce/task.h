/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deny and kill rules on processes, files, privileges and kernel activity (internal to
 * src/enforce/): which rules enforce_task.bpf.c can decide, as sets per field, and with which
 * mechanism this kernel carries them out (BPF LSM, else SIGKILL from a tracepoint).
 */
#ifndef VIGIL_ENFORCE_TASK_H
#define VIGIL_ENFORCE_TASK_H

#include "enforce/enforce.h"
#include "vigil/abi.h"

struct enf_task_path {
	const char *s;
	bool prefix; /* startswith; else equality */
};

struct enf_task_spec {
	int op; /* enum vigil_enf_op */
	bool has_comm, has_uid, has_new_uid, has_new_euid, has_exe, has_file, has_request;
	const char **comms, **not_comms;
	size_t ncomms, nnot_comms;
	uint64_t *uids, *new_uids, *new_euids;
	size_t nuids, nnew_uids, nnew_euids;
	struct enf_task_path *exes, *not_exes, *files;
	size_t nexes, nnot_exes, nfiles;
};

/* The rule is about an operation of enforce_task (one of its kinds, deny or kill). */
bool enf_task_handles(const struct rule *r);
/* ENF_CLASS_LSM / ENF_CLASS_SIGNAL with s filled, or ENF_CLASS_NONE with why and at. */
enum enforce_class enf_task_build(const struct rule *r, struct enf_task_spec *s, char *why,
				  size_t whylen, struct pos *at);
void enf_task_spec_free(struct enf_task_spec *s);
/* BPF LSM loads and attaches here (probed once, cached). */
bool enf_task_lsm(void);
/* The operation a program section ("lsm/file_open", "tracepoint/syscalls/sys_exit_openat")
 * carries out, or -1. */
int enf_task_section_op(const char *section);
/* An LSM program's section ("lsm/path_unlink") names a hook this kernel has. */
bool enf_task_lsm_hook(const char *section);
/* The kernel hooks that carry out op with the mechanism, comma-separated. */
const char *enf_task_hooks(int op, bool lsm);
/* `vigil policy explain` lines and the agent.policy entry of a rule classified LSM or SIGNAL. */
void enf_task_explain(const struct rule *r, enum enforce_class c, FILE *f);
void enf_task_describe(const struct rule *r, enum enforce_class c, enum mode m, struct out *out);
/* The event kind of an op ("process.exec", ...). */
const char *enf_task_kind_name(int op);

#endif
