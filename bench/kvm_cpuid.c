// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "kvm_cpuid.h"

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
