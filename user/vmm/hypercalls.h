/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercall numbers that the hyperbox VMM handles in userspace.
 *
 * The ABI comes from uapi/linux/hyperbox.h: VMMCALL (VMCALL on Intel) with
 * the number in RAX and arguments in RDI, RSI, RDX, R10, R8, R9; the value
 * userspace stores in run->hypercall.ret lands in RAX. Numbers at or above
 * HB_HC_KERNEL_BASE are handled inside the module; everything below exits
 * to userspace and is defined here. Plain #defines: guests written in
 * assembly include this file too.
 */
#ifndef HB_USER_HYPERCALLS_H
#define HB_USER_HYPERCALLS_H

/* Stop the VM; arg0 is the exit status of `hyperbox vm run`. */
#define HB_HC_EXIT		1
/*
 * Selftest messages from guest to host ("ucall"): arg0 is the UCALL_* type,
 * arg1.. its payload. See selftests/lib/ucall.h.
 */
#define HB_HC_UCALL		2

/* Returned in RAX for a hypercall number nobody handles. */
#define HB_HC_RET_ENOSYS	(-38)

#endif /* HB_USER_HYPERCALLS_H */
