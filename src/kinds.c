// SPDX-License-Identifier: GPL-2.0-only
#include "kinds.h"

#include <stddef.h>
#include <string.h>

#include "events/file_events.h"
#include "events/process_events.h"
#include "vigil/abi.h"

static const struct kind_info kinds[] = {
	{ VIGIL_KIND_PROCESS_EXEC, "process.exec", "process", offsetof(struct vigil_proc_event, data),
	  body_process_exec },
	{ VIGIL_KIND_PROCESS_FORK, "process.fork", "process", sizeof(struct vigil_fork_event),
	  body_process_fork },
	{ VIGIL_KIND_PROCESS_EXIT, "process.exit", "process", sizeof(struct vigil_exit_event),
	  body_process_exit },
	{ VIGIL_KIND_FILE_OPEN, "file.open", "file", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_UNLINK, "file.unlink", "file_names", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_RENAME, "file.rename", "file_names", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_CHMOD, "file.chmod", "file_attrs", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_CHOWN, "file.chown", "file_attrs", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_LINK, "file.link", "file_names", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_SYMLINK, "file.symlink", "file_names", offsetof(struct vigil_file_event, data), body_file },
	{ VIGIL_KIND_FILE_TRUNCATE, "file.truncate", "file_attrs", offsetof(struct vigil_file_event, data), body_file },
};

const struct kind_info *kind_at(unsigned i)
{
	return i < sizeof(kinds) / sizeof(kinds[0]) ? &kinds[i] : NULL;
}

const struct kind_info *kind_by_id(unsigned kind)
{
	for (const struct kind_info *k = kinds; k < kinds + sizeof(kinds) / sizeof(kinds[0]); k++)
		if (k->kind == kind)
			return k;
	return NULL;
}

const struct kind_info *kind_by_name(const char *name)
{
	for (const struct kind_info *k = kinds; k < kinds + sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

const char *kind_name(unsigned kind)
{
	const struct kind_info *k = kind_by_id(kind);

	return k ? k->name : "unknown";
}
