/* SPDX-License-Identifier: GPL-2.0-only */
/* vigil config: check and show the configuration file. */
#ifndef VIGIL_CONFIG_CMD_H
#define VIGIL_CONFIG_CMD_H

int cmd_config(int argc, char **argv);

#endif
