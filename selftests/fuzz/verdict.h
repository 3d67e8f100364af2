/* SPDX-License-Identifier: GPL-2.0 */
/* How the fuzzer's parent judges an iteration (verdict.c). */
#ifndef HB_FUZZ_VERDICT_H
#define HB_FUZZ_VERDICT_H

#include <stddef.h>

/*
 * 0 when /sys/kernel/debug/hyperbox/{vms,vcpus,mapped_pages,tdp_tables}
 * are all zero, 1 (with the values in @why) when not, -ENOENT without
 * debugfs. _settle retries for a while first.
 */
int verdict_counters_zero(char *why, size_t len);
int verdict_counters_settle(char *why, size_t len);

/* New kernel log records since the last call that look like a splat. */
void verdict_kmsg_open(void);
int verdict_kmsg_splat(char *why, size_t len);
/* After a finding: print every record not yet read (backtraces). */
void verdict_kmsg_dump_rest(void);

/* Where hyperbox.ko's text is (to read a hung vCPU's RIP from outside). */
void verdict_print_module_text(void);

/* A fresh VM runs a tiny real-mode guest to its port write and HLT. */
int verdict_sanity_run(char *why, size_t len);

#endif /* HB_FUZZ_VERDICT_H */
