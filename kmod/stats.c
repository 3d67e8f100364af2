// SPDX-License-Identifier: GPL-2.0
/*
 * Live counters in /sys/kernel/debug/hyperbox/. Tests read them to prove
 * that closing every fd gives back every VM, vCPU and pinned page, and
 * that an exit was (or was not) handled in the module: the file names and
 * the "name count" lines of exits are a contract with selftests/.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "hb.h"

atomic64_t hb_stat_vms, hb_stat_vcpus, hb_stat_mapped_pages;
atomic64_t hb_stat_tdp_tables, hb_stat_fpu_loads;
atomic64_t hb_stat_exits[HB_STAT_EXIT_MAX];

static const char *const hb_stat_exit_names[HB_STAT_EXIT_MAX] = {
	[HB_STAT_EXIT_IO] = "io",
	[HB_STAT_EXIT_HYPERCALL] = "hypercall",
	[HB_STAT_EXIT_HYPERCALL_KERNEL] = "hypercall_kernel",
	[HB_STAT_EXIT_HLT] = "hlt",
	[HB_STAT_EXIT_MMIO] = "mmio",
	[HB_STAT_EXIT_TDP_FAULT] = "tdp_fault",
	[HB_STAT_EXIT_CPUID] = "cpuid",
	[HB_STAT_EXIT_MSR] = "msr",
	[HB_STAT_EXIT_INTR] = "intr",
	[HB_STAT_EXIT_NMI] = "nmi",
	[HB_STAT_EXIT_SHUTDOWN] = "shutdown",
	[HB_STAT_EXIT_FAIL_ENTRY] = "fail_entry",
	[HB_STAT_EXIT_EXCEPTION] = "exception",
	[HB_STAT_EXIT_FPU] = "fpu",
	[HB_STAT_EXIT_OTHER] = "other",
};

static struct dentry *hb_debugfs_dir, *hb_debugfs_rings;
atomic64_t hb_stat_rings;

struct dentry *hb_stats_rings_dir(void)
{
	return hb_debugfs_rings;
}

static int hb_stat_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hb_stat_fops, hb_stat_get, NULL, "%llu\n");

static int hb_exits_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < HB_STAT_EXIT_MAX; i++)
		seq_printf(m, "%s %lld\n", hb_stat_exit_names[i],
			   atomic64_read(&hb_stat_exits[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hb_exits);

/*
 * Halts woken while polling; polls that gave up (window over, or the CPU
 * or a signal wanted the thread); halts that slept.
 */
static int hb_halt_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "polled %lld\npoll_missed %lld\nslept %lld\n",
		   atomic64_read(&hb_stat_halt_polled),
		   atomic64_read(&hb_stat_halt_missed),
		   atomic64_read(&hb_stat_halt_slept));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hb_halt_stats);

/* Guest FPU images loaded; the traps that asked for one are exits "fpu". */
static int hb_fpu_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "loads %lld\n", atomic64_read(&hb_stat_fpu_loads));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hb_fpu_stats);

int hb_stats_init(void)
{
	hb_debugfs_dir = debugfs_create_dir("hyperbox", NULL);
	debugfs_create_file_unsafe("vms", 0444, hb_debugfs_dir, &hb_stat_vms,
				   &hb_stat_fops);
	debugfs_create_file_unsafe("vcpus", 0444, hb_debugfs_dir,
				   &hb_stat_vcpus, &hb_stat_fops);
	debugfs_create_file_unsafe("mapped_pages", 0444, hb_debugfs_dir,
				   &hb_stat_mapped_pages, &hb_stat_fops);
	debugfs_create_file_unsafe("tdp_tables", 0444, hb_debugfs_dir,
				   &hb_stat_tdp_tables, &hb_stat_fops);
	debugfs_create_file("fpu_stats", 0444, hb_debugfs_dir, NULL,
			    &hb_fpu_stats_fops);
	debugfs_create_file_unsafe("rings", 0444, hb_debugfs_dir,
				   &hb_stat_rings, &hb_stat_fops);
	debugfs_create_file("exits", 0444, hb_debugfs_dir, NULL,
			    &hb_exits_fops);
	debugfs_create_file("halt_stats", 0444, hb_debugfs_dir, NULL,
			    &hb_halt_stats_fops);
	/* One file per live ring, named by its id, with its counters. */
	hb_debugfs_rings = debugfs_create_dir("ring", hb_debugfs_dir);
	return 0;
}

void hb_stats_exit(void)
{
	debugfs_remove_recursive(hb_debugfs_dir);
}
