/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU ioctls of the guest CPU contract (events, CPUID, MSRs, FPU),
 * wrapped like vcpu_regs_get(): the plain forms fail the test on error,
 * the _-prefixed forms return the ioctl's result or -errno.
 */
#ifndef HB_SELFTEST_VCPU_STATE_H
#define HB_SELFTEST_VCPU_STATE_H

#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "hb_util.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static inline long __hb_ioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

#define vcpu_ioctl(vcpu, cmd, arg)	__hb_ioctl((vcpu)->hb.fd, cmd, arg)
#define sys_ioctl(vm, cmd, arg)		__hb_ioctl((vm)->sys_fd, cmd, arg)

static inline int _vcpu_interrupt(struct vcpu *vcpu, uint32_t vector)
{
	struct hb_interrupt irq = { .irq = vector };

	return vcpu_ioctl(vcpu, HB_INTERRUPT, &irq);
}

static inline void vcpu_interrupt(struct vcpu *vcpu, uint32_t vector)
{
	TEST_ASSERT_OK(_vcpu_interrupt(vcpu, vector));
}

static inline void vcpu_nmi(struct vcpu *vcpu)
{
	TEST_ASSERT_OK(__hb_ioctl(vcpu->hb.fd, HB_NMI, NULL));
}

static inline void vcpu_events_get(struct vcpu *vcpu,
				   struct hb_vcpu_events *ev)
{
	TEST_ASSERT_OK(vcpu_ioctl(vcpu, HB_GET_VCPU_EVENTS, ev));
}

static inline void vcpu_events_set(struct vcpu *vcpu,
				   struct hb_vcpu_events *ev)
{
	TEST_ASSERT_OK(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, ev));
}

static inline void vcpu_fpu_get(struct vcpu *vcpu, struct hb_fpu *fpu)
{
	TEST_ASSERT_OK(vcpu_ioctl(vcpu, HB_GET_FPU, fpu));
}

static inline void vcpu_fpu_set(struct vcpu *vcpu, struct hb_fpu *fpu)
{
	TEST_ASSERT_OK(vcpu_ioctl(vcpu, HB_SET_FPU, fpu));
}

/* An hb_msrs with room for @n entries, zeroed. */
static inline struct hb_msrs *msrs_alloc(uint32_t n)
{
	struct hb_msrs *m = calloc(1, sizeof(*m) + n * sizeof(m->entries[0]));

	TEST_ASSERT(m, "out of memory");
	m->nmsrs = n;
	return m;
}

static inline long _vcpu_msr_get(struct vcpu *vcpu, uint32_t index,
				 uint64_t *data)
{
	struct {
		struct hb_msrs hdr;
		struct hb_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };
	long ret = vcpu_ioctl(vcpu, HB_GET_MSRS, &m);

	*data = m.e.data;
	return ret;
}

static inline long _vcpu_msr_set(struct vcpu *vcpu, uint32_t index,
				 uint64_t data)
{
	struct {
		struct hb_msrs hdr;
		struct hb_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index, .e.data = data };

	return vcpu_ioctl(vcpu, HB_SET_MSRS, &m);
}

static inline uint64_t vcpu_msr_get(struct vcpu *vcpu, uint32_t index)
{
	uint64_t data;
	long ret = _vcpu_msr_get(vcpu, index, &data);

	TEST_ASSERT(ret == 1, "HB_GET_MSRS(0x%x) returned %ld", index, ret);
	return data;
}

static inline void vcpu_msr_set(struct vcpu *vcpu, uint32_t index,
				uint64_t data)
{
	long ret = _vcpu_msr_set(vcpu, index, data);

	TEST_ASSERT(ret == 1, "HB_SET_MSRS(0x%x, 0x%llx) returned %ld", index,
		    (unsigned long long)data, ret);
}

/* The module's MSR list (malloc'ed); *n gets its length. */
static inline uint32_t *msr_index_list(struct vm *vm, uint32_t *n)
{
	struct hb_msr_list probe = { .nmsrs = 0 }, *list;

	TEST_ASSERT_ERRNO(sys_ioctl(vm, HB_GET_MSR_INDEX_LIST, &probe), E2BIG);
	TEST_ASSERT(probe.nmsrs > 0, "empty MSR index list");
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
	TEST_ASSERT(list, "out of memory");
	list->nmsrs = probe.nmsrs;
	TEST_ASSERT_OK(sys_ioctl(vm, HB_GET_MSR_INDEX_LIST, list));
	TEST_ASSERT_EQ(list->nmsrs, probe.nmsrs);
	*n = list->nmsrs;
	memmove(list, list->indices, *n * sizeof(uint32_t));
	return (uint32_t *)list;
}

/* HB_GET_SUPPORTED_CPUID into a table of HB_CPUID_MAX_ENTRIES (malloc'ed). */
static inline struct hb_cpuid *supported_cpuid(struct vm *vm)
{
	struct hb_cpuid *c = calloc(1, sizeof(*c) + HB_CPUID_MAX_ENTRIES *
				    sizeof(c->entries[0]));

	TEST_ASSERT(c, "out of memory");
	c->nent = HB_CPUID_MAX_ENTRIES;
	TEST_ASSERT_OK(sys_ioctl(vm, HB_GET_SUPPORTED_CPUID, c));
	return c;
}

#endif /* HB_SELFTEST_VCPU_STATE_H */
