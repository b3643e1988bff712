/* SPDX-License-Identifier: GPL-2.0-only */
/* Telling systemd (Type=notify) where the agent is: ready at agent.ready, reloading on SIGHUP,
 * stopping at a stop signal. Does nothing unless systemd started vigil ($NOTIFY_SOCKET). */
#ifndef VIGIL_NOTIFY_H
#define VIGIL_NOTIFY_H

void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);

#endif
