// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_util.h"

_Static_assert(sizeof(struct hb_segment) == sizeof(struct kvm_segment), "segment");
_Static_assert(sizeof(struct hb_dtable) == sizeof(struct kvm_dtable), "dtable");
_Static_assert(offsetof(struct hb_sregs, apic_base) ==
	       offsetof(struct kvm_sregs, apic_base), "sregs");

#define MAX_ENTRIES	128

int bench_kvm_set_supported_cpuid(int sys_fd, int vcpu_fd)
{
	struct kvm_cpuid2 *cpuid;
	int ret;

	cpuid = calloc(1, sizeof(*cpuid) +
			  MAX_ENTRIES * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return -ENOMEM;
	cpuid->nent = MAX_ENTRIES;
	ret = ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	if (!ret)
		ret = ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	return ret < 0 ? -errno : 0;
}

void bench_hb_sregs_from_kvm(struct hb_sregs *hs, const struct kvm_sregs *ks)
{
	memset(hs, 0, sizeof(*hs));
	memcpy(hs, ks, offsetof(struct kvm_sregs, apic_base) + 8);
}

void bench_kvm_sregs_from_hb(struct kvm_sregs *ks, const struct hb_sregs *hs)
{
	memcpy(ks, hs, offsetof(struct kvm_sregs, apic_base));
}
