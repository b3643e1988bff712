// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: any bytes as a policy file must give rules or errors, never a crash, a leak
 * or undefined behaviour (built with ASan and UBSan: make fuzz). */
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_set ps;

	policy_init(&ps);
	policy_add_text(&ps, "fuzz.yaml", (const char *)data, size);
	policy_compile(&ps);
	policy_free(&ps);
	return 0;
}
