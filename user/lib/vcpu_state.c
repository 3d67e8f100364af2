// SPDX-License-Identifier: GPL-2.0
/* libhyperbox: the guest CPU contract ioctls (events, CPUID, MSRs, FPU). */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "libhyperbox.h"

static int hb_ioctl_ptr(int fd, unsigned long req, const void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

struct hb_cpuid *hb_cpuid_alloc(uint32_t nent)
{
	struct hb_cpuid *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	if (c)
		c->nent = nent;
	return c;
}

struct hb_msrs *hb_msrs_alloc(uint32_t nmsrs)
{
	struct hb_msrs *m = calloc(1, sizeof(*m) + nmsrs * sizeof(m->entries[0]));

	if (m)
		m->nmsrs = nmsrs;
	return m;
}

struct hb_msr_list *hb_msr_list_alloc(uint32_t nmsrs)
{
	struct hb_msr_list *l = calloc(1, sizeof(*l) + nmsrs * sizeof(l->indices[0]));

	if (l)
		l->nmsrs = nmsrs;
	return l;
}

int hb_get_supported_cpuid(int sys_fd, struct hb_cpuid *cpuid)
{
	return hb_ioctl_ptr(sys_fd, HB_GET_SUPPORTED_CPUID, cpuid);
}

int hb_get_msr_index_list(int sys_fd, struct hb_msr_list *list)
{
	return hb_ioctl_ptr(sys_fd, HB_GET_MSR_INDEX_LIST, list);
}

int hb_vcpu_interrupt(struct hb_vcpu *vcpu, uint32_t vector)
{
	struct hb_interrupt irq = { .irq = vector };

	return hb_ioctl_ptr(vcpu->fd, HB_INTERRUPT, &irq);
}

int hb_vcpu_nmi(struct hb_vcpu *vcpu)
{
	return hb_ioctl_ptr(vcpu->fd, HB_NMI, NULL);
}

int hb_vcpu_get_events(struct hb_vcpu *vcpu, struct hb_vcpu_events *events)
{
	return hb_ioctl_ptr(vcpu->fd, HB_GET_VCPU_EVENTS, events);
}

int hb_vcpu_set_events(struct hb_vcpu *vcpu,
		       const struct hb_vcpu_events *events)
{
	return hb_ioctl_ptr(vcpu->fd, HB_SET_VCPU_EVENTS, events);
}

int hb_vcpu_set_cpuid(struct hb_vcpu *vcpu, const struct hb_cpuid *cpuid)
{
	return hb_ioctl_ptr(vcpu->fd, HB_SET_CPUID, cpuid);
}

int hb_vcpu_get_msrs(struct hb_vcpu *vcpu, struct hb_msrs *msrs)
{
	return hb_ioctl_ptr(vcpu->fd, HB_GET_MSRS, msrs);
}

int hb_vcpu_set_msrs(struct hb_vcpu *vcpu, const struct hb_msrs *msrs)
{
	return hb_ioctl_ptr(vcpu->fd, HB_SET_MSRS, msrs);
}

/* struct hb_msrs ends in a flexible array: a one-entry copy on the stack. */
struct hb_one_msr {
	struct hb_msrs hdr;
	struct hb_msr_entry entry;
};

int hb_vcpu_get_msr(struct hb_vcpu *vcpu, uint32_t index, uint64_t *data)
{
	struct hb_one_msr m = {
		.hdr.nmsrs = 1,
		.entry.index = index,
	};
	int ret = hb_vcpu_get_msrs(vcpu, &m.hdr);

	if (ret < 0)
		return ret;
	if (ret != 1)
		return -EINVAL;
	*data = m.entry.data;
	return 0;
}

int hb_vcpu_set_msr(struct hb_vcpu *vcpu, uint32_t index, uint64_t data)
{
	struct hb_one_msr m = {
		.hdr.nmsrs = 1,
		.entry.index = index,
		.entry.data = data,
	};
	int ret = hb_vcpu_set_msrs(vcpu, &m.hdr);

	if (ret < 0)
		return ret;
	return ret == 1 ? 0 : -EINVAL;
}

int hb_vcpu_get_fpu(struct hb_vcpu *vcpu, struct hb_fpu *fpu)
{
	return hb_ioctl_ptr(vcpu->fd, HB_GET_FPU, fpu);
}

int hb_vcpu_set_fpu(struct hb_vcpu *vcpu, const struct hb_fpu *fpu)
{
	return hb_ioctl_ptr(vcpu->fd, HB_SET_FPU, fpu);
}
