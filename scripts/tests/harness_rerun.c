// SPDX-License-Identifier: GPL-2.0
/*
 * The selftest harness's emulator-fault rule, exercised on the host by
 * scripts/tests/run.sh: a test whose first run ends in an emulator fault
 * runs again (and passes here); one that faults on both runs fails.
 * $MARK_DIR holds a file that tells a second run from the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../selftests/lib/test_harness.h"

static int first_run(const char *tag)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", getenv("MARK_DIR"), tag);
	if (access(path, F_OK) == 0)
		return 0;
	f = fopen(path, "w");
	if (f)
		fclose(f);
	return 1;
}

HB_TEST(faults_once)
{
	if (first_run("once"))
		test_emulator_fault("first run");
}

HB_TEST(faults_twice)
{
	test_emulator_fault("every run");
}
