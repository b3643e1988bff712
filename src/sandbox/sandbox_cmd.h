/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VIGIL_SANDBOX_CMD_H
#define VIGIL_SANDBOX_CMD_H

/* vigil sandbox --profile P.json [...] -- CMD ARGS */
int cmd_sandbox(int argc, char **argv);
/* vigil seccomp VERB ...: record */
int cmd_seccomp(int argc, char **argv);

#endif
