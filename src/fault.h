/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test-only fault injection for reloads (docs/reliability.md). When vigil runs with
 * VIGIL_FAULT_FILE=PATH, each reload first reads PATH: a step name there ("filter.fill", ...)
 * makes that step of this reload fail as if the kernel had refused it. Without the variable
 * nothing is read and no step can fail this way.
 */
#ifndef VIGIL_FAULT_H
#define VIGIL_FAULT_H

#include <stdbool.h>

/* The steps of a reload that can be made to fail, in the order they run. */
extern const char *const fault_steps[];

/* A reload begins: arms the step named in $VIGIL_FAULT_FILE, if any (and clears the file). */
void fault_arm(void);
/* Is this the armed step? Fires once, then disarms. */
bool fault_hit(const char *step);
/* Disarms (the reload ended). */
void fault_disarm(void);

#endif
