/* SPDX-License-Identifier: GPL-2.0 */
/* What both benchmarks' KVM peers share. */
#ifndef BENCH_KVM_UTIL_H
#define BENCH_KVM_UTIL_H

#include <linux/hyperbox.h>
#include <linux/kvm.h>

/*
 * A KVM vCPU starts with an empty CPUID, and KVM refuses EFER.LME to a
 * guest without long mode in it (CPUID.80000001h:EDX.LM): give the vCPU
 * everything KVM supports, as VMMs do. Returns 0 or -errno.
 */
int bench_kvm_set_supported_cpuid(int sys_fd, int vcpu_fd);

/*
 * struct hb_sregs is laid out as struct kvm_sregs up to apic_base, on
 * purpose: user/vmm/cpu_mode.c, written for hyperbox, sets KVM's vCPUs
 * up through these two.
 */
void bench_hb_sregs_from_kvm(struct hb_sregs *hs, const struct kvm_sregs *ks);
void bench_kvm_sregs_from_hb(struct kvm_sregs *ks, const struct hb_sregs *hs);

#endif /* BENCH_KVM_UTIL_H */
