/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VIGIL_CMD_POLICY_H
#define VIGIL_CMD_POLICY_H

int cmd_policy(int argc, char **argv);

#endif
