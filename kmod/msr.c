// SPDX-License-Identifier: GPL-2.0
/*
 * Model-specific registers. A guest reaches only the MSRs listed here (or
 * kept by the backend in its control structure); every other RDMSR/WRMSR
 * gets #GP. Userspace saves and restores the same set with HB_GET_MSRS /
 * HB_SET_MSRS, whose index list is HB_GET_MSR_INDEX_LIST.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/msr.h>
#include "hb.h"

static const u32 hb_saved_msrs[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_CR_PAT, MSR_IA32_TSC, MSR_IA32_APICBASE,
	MSR_IA32_MISC_ENABLE, MSR_MTRRdefType,
};

/* What a guest may keep in MISC_ENABLE: fast strings only. */
#define HB_MISC_ENABLE_VALID	MSR_IA32_MISC_ENABLE_FAST_STRING
#define HB_MTRR_DEF_TYPE_VALID	(0xffULL | BIT_ULL(10) | BIT_ULL(11))

int hb_msr_get(struct hb_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	if (!hb_op(get_msr)(vcpu, index, data))
		return 0;

	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc();
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_MTRRdefType:
		*data = vcpu->mtrr_def_type;
		return 0;
	case MSR_MTRRcap:
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_UCODE_REV:
		*data = 0;
		return 0;
	default:
		return -ENOENT;
	}
}

int hb_msr_set(struct hb_vcpu *vcpu, u32 index, u64 data, bool host)
{
	int ret = hb_op(set_msr)(vcpu, index, data);

	if (ret != -ENOENT)
		return ret;

	switch (index) {
	case MSR_IA32_APICBASE:
		/* Only the BSP flag and the enable bit; no relocation. */
		if ((data & ~(BIT_ULL(8) | BIT_ULL(11))) != 0xfee00000ULL)
			return -EINVAL;
		if (!host && ((data ^ vcpu->apic_base) & BIT_ULL(8)))
			return -EINVAL;
		vcpu->apic_base = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		if (data & ~HB_MISC_ENABLE_VALID)
			return -EINVAL;
		vcpu->misc_enable = data;
		return 0;
	case MSR_MTRRdefType:
		if (data & ~HB_MTRR_DEF_TYPE_VALID)
			return -EINVAL;
		vcpu->mtrr_def_type = data;
		return 0;
	case MSR_IA32_UCODE_REV:	/* the "trigger CPUID 1" idiom */
		return 0;
	case MSR_IA32_TSC:
		/* The guest TSC is the host's: accept the write, keep time. */
		return 0;
	default:
		return -ENOENT;
	}
}

static bool hb_msr_saved(u32 index)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(hb_saved_msrs); i++)
		if (hb_saved_msrs[i] == index)
			return true;
	return false;
}

long hb_msrs_ioctl(struct hb_vcpu *vcpu, unsigned int cmd,
		   void __user *argp)
{
	struct hb_msrs __user *um = argp;
	struct hb_msr_entry *e;
	struct hb_msrs hdr;
	bool set = cmd == HB_SET_MSRS;
	long ret;
	u32 i;

	if (copy_from_user(&hdr, um, sizeof(hdr)))
		return -EFAULT;
	if (hdr.pad || hdr.nmsrs > HB_MAX_MSR_ENTRIES)
		return -EINVAL;
	if (!hdr.nmsrs)
		return 0;
	e = memdup_user(um->entries, array_size(hdr.nmsrs, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);

	for (i = 0; i < hdr.nmsrs; i++) {
		if (e[i].reserved || !hb_msr_saved(e[i].index))
			break;
		if (set ? hb_msr_set(vcpu, e[i].index, e[i].data, true) :
			  hb_msr_get(vcpu, e[i].index, &e[i].data, true))
			break;
	}
	ret = i;
	if (!set && copy_to_user(um->entries, e, i * sizeof(*e)))
		ret = -EFAULT;
	kfree(e);
	return ret;
}

long hb_msr_index_list(struct hb_msr_list __user *ul)
{
	u32 n = ARRAY_SIZE(hb_saved_msrs), cap;

	if (get_user(cap, &ul->nmsrs))
		return -EFAULT;
	if (put_user(n, &ul->nmsrs))
		return -EFAULT;
	if (cap < n)
		return -E2BIG;
	if (copy_to_user(ul->indices, hb_saved_msrs, sizeof(hb_saved_msrs)))
		return -EFAULT;
	return 0;
}
