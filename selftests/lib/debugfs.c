// SPDX-License-Identifier: GPL-2.0
/*
 * The module's live counters in /sys/kernel/debug/hyperbox/ (kmod/stats.c):
 * vms, vcpus, mapped_pages, tdp_tables hold one number; exits holds
 * "name count" lines. Every test program ends with a leak check on them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "hb_util.h"

#define DEBUGFS		"/sys/kernel/debug"
#define HB_DEBUGFS	DEBUGFS "/hyperbox"

static FILE *open_counter(const char *name)
{
	char path[256];
	struct stat st;

	/* busybox initramfs may not mount it; we are root in the test VM. */
	if (stat(HB_DEBUGFS, &st) < 0)
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	snprintf(path, sizeof(path), HB_DEBUGFS "/%s", name);
	return fopen(path, "re");
}

int hb_debugfs_read(const char *name, uint64_t *val)
{
	unsigned long long v;
	FILE *f = open_counter(name);
	int ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%llu", &v) != 1)
		ret = -EPROTO;
	else
		*val = v;
	fclose(f);
	return ret;
}

int hb_debugfs_exits(const char *name, uint64_t *val)
{
	return hb_debugfs_line("exits", name, val);
}

int hb_debugfs_line(const char *file, const char *name, uint64_t *val)
{
	FILE *f = open_counter(file);
	unsigned long long v;
	char key[64];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%63s %llu", key, &v) == 2) {
		if (!strcmp(key, name)) {
			*val = v;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

uint64_t require_counter_line(const char *file, const char *name)
{
	uint64_t v;
	int ret = hb_debugfs_line(file, name, &v);

	if (ret)
		test_skip("debugfs hyperbox/%s: %s: %s", file, name, strerror(-ret));
	return v;
}

uint64_t require_counter(const char *name)
{
	uint64_t v;
	int ret = hb_debugfs_read(name, &v);

	if (ret)
		test_skip("debugfs counter hyperbox/%s: %s", name, strerror(-ret));
	return v;
}

/* Live objects: must all be zero once every test's process has exited. */
static const char *const live_counters[] = {
	"vms", "vcpus", "mapped_pages", "tdp_tables",
};

static int check_no_leaks(char *why, unsigned long len)
{
	unsigned int i, found = 0;
	size_t used = 0;
	uint64_t v;

	why[0] = 0;
	for (i = 0; i < sizeof(live_counters) / sizeof(live_counters[0]); i++) {
		if (hb_debugfs_read(live_counters[i], &v))
			continue;
		found++;
		if (v && used < len)
			used += snprintf(why + used, len - used, "%s%s=%llu",
					 used ? " " : "leaked: ",
					 live_counters[i],
					 (unsigned long long)v);
	}
	if (!found) {
		snprintf(why, len, "no %s counters", HB_DEBUGFS);
		return KSFT_SKIP;
	}
	return used ? KSFT_FAIL : KSFT_PASS;
}

__attribute__((constructor)) static void install_leak_check(void)
{
	hb_test_finish_hook = check_no_leaks;
}
