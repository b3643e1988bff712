// SPDX-License-Identifier: GPL-2.0-only
/*
 * setresuid(0, 0, 0), nothing else: prints "ok", or the errno's name when refused.
 * tests/e2e/test_default_rules.py installs a copy set-user-id root for a few seconds and runs
 * it as uid 65534 (a process that becomes root without being a tool meant to grant it); it
 * therefore takes no input and runs nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	if (setresuid(0, 0, 0)) {
		printf("%s\n", errno == EPERM ? "EPERM" : strerror(errno));
		return 0;
	}
	printf("ok\n");
	return 0;
}
