// SPDX-License-Identifier: GPL-2.0-only
/* The registry of tools: one line per tool. */
#include <string.h>

#include "tools/tool.h"

extern const struct tool tool_execsnoop;
extern const struct tool tool_tcpconnect;
extern const struct tool tool_tcpaccept;
extern const struct tool tool_tcpreset;
extern const struct tool tool_tcprtt;
extern const struct tool tool_opensnoop;
extern const struct tool tool_elfsnoop;
extern const struct tool tool_bashreadline;
extern const struct tool tool_shellsnoop;
extern const struct tool tool_ttysnoop;
extern const struct tool tool_eperm;
extern const struct tool tool_setuids;
extern const struct tool tool_capable;
extern const struct tool tool_modsnoop;

static const struct tool *const tools[] = {
	&tool_execsnoop,
	&tool_tcpconnect,
	&tool_tcpaccept,
	&tool_tcpreset,
	&tool_tcprtt,
	&tool_opensnoop,
	&tool_elfsnoop,
	&tool_bashreadline,
	&tool_shellsnoop,
	&tool_ttysnoop,
	&tool_eperm,
	&tool_setuids,
	&tool_capable,
	&tool_modsnoop,
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
