// SPDX-License-Identifier: GPL-2.0-only
#include "kinds.h"

#include <stddef.h>
#include <string.h>

#include "events/process_events.h"
#include "vigil/abi.h"

static const struct kind_info kinds[] = {
	{ VIGIL_KIND_PROCESS_EXEC, "process.exec", "process", offsetof(struct vigil_proc_event, data),
	  body_process_exec },
	{ VIGIL_KIND_PROCESS_FORK, "process.fork", "process", sizeof(struct vigil_fork_event),
	  body_process_fork },
	{ VIGIL_KIND_PROCESS_EXIT, "process.exit", "process", sizeof(struct vigil_exit_event),
	  body_process_exit },
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
