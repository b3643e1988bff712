// SPDX-License-Identifier: GPL-2.0-only
/* The registry of tools: one line per tool. */
#include <string.h>

#include "tools/tool.h"

extern const struct tool tool_execsnoop;
extern const struct tool tool_opensnoop;
extern const struct tool tool_elfsnoop;

static const struct tool *const tools[] = {
	&tool_execsnoop,
	&tool_opensnoop,
	&tool_elfsnoop,
};

const struct tool *tool_at(unsigned i)
{
	return i < sizeof(tools) / sizeof(tools[0]) ? tools[i] : NULL;
}

const struct tool *tool_find(const char *name)
{
	for (unsigned i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!strcmp(tools[i]->name, name))
			return tools[i];
	return NULL;
}
