/* SPDX-License-Identifier: GPL-2.0 */
/* What both benchmarks' KVM peers need before a 64-bit guest can run. */
#ifndef BENCH_KVM_CPUID_H
#define BENCH_KVM_CPUID_H

/*
 * A KVM vCPU starts with an empty CPUID, and KVM refuses EFER.LME to a
 * guest without long mode in it (CPUID.80000001h:EDX.LM): give the vCPU
 * everything KVM supports, as VMMs do. Returns 0 or -errno.
 */
int bench_kvm_set_supported_cpuid(int sys_fd, int vcpu_fd);

#endif /* BENCH_KVM_CPUID_H */
