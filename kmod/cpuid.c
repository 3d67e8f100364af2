// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID for guests: a default derived from the host, what the module can
 * offer (HB_GET_SUPPORTED_CPUID), and a per-vCPU table set by userspace
 * (HB_SET_CPUID) which, once set, is all the guest sees.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor.h>
#include "hb.h"

/*
 * The default guest CPU: the host's, minus what the module does not
 * virtualize (VMX/SVM, MONITOR/MWAIT, XSAVE and everything that needs it,
 * x2APIC and TSC deadline without an APIC model, performance counters),
 * plus the hypervisor bit so a guest knows where it runs.
 */
static void hb_default_cpuid(u32 apic_id, u32 leaf, u32 sub,
			     u32 *a, u32 *b, u32 *c, u32 *d)
{
	cpuid_count(leaf, sub, a, b, c, d);
	switch (leaf) {
	case 0x1:
		*b = (*b & 0x0000ffff) | (apic_id << 24) | (1 << 16);
		*c &= ~(BIT(3) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(21) |
			BIT(24) | BIT(26) | BIT(27) | BIT(28) | BIT(12) |
			BIT(29) | BIT(15));
		*c |= BIT(31);
		*d &= ~(BIT(22) | BIT(29) | BIT(27));
		break;
	case 0x7:
		if (sub == 0) {
			/* FSGSBASE BMI1 SMEP BMI2 ERMS RDSEED ADX SMAP CLFLUSHOPT */
			*b &= BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) |
			      BIT(18) | BIT(19) | BIT(20) | BIT(23);
			*a = 0;
			*c = 0;
			*d = 0;
		} else {
			*a = *b = *c = *d = 0;
		}
		break;
	case 0x5: case 0x6: case 0xa: case 0xb: case 0xd: case 0xf:
	case 0x10: case 0x12: case 0x14: case 0x1f:
		*a = *b = *c = *d = 0;
		break;
	case 0x40000000:
		*a = 0x40000000;
		memcpy(b, "Hype", 4);
		memcpy(c, "rbox", 4);
		memcpy(d, "HBox", 4);
		break;
	case 0x80000001:
		/* SVM, SKINIT, WDT, IBS, perf counter extensions */
		*c &= ~(BIT(2) | BIT(10) | BIT(12) | BIT(13) | BIT(23) |
			BIT(24));
		*d &= ~BIT(27);		/* RDTSCP: TSC_AUX is not virtualized */
		break;
	case 0x8000000a:
		*a = *b = *c = *d = 0;
		break;
	default:
		if (leaf >= 0x40000001 && leaf < 0x80000000)
			*a = *b = *c = *d = 0;
		break;
	}
}

/* Leaves whose sub-leaves differ; each sub-leaf is its own entry. */
static bool hb_cpuid_indexed(u32 leaf)
{
	return leaf == 0x4 || leaf == 0x7 || leaf == 0xb || leaf == 0xd ||
	       leaf == 0xf || leaf == 0x10 || leaf == 0x12 || leaf == 0x14 ||
	       leaf == 0x17 || leaf == 0x18 || leaf == 0x1f ||
	       leaf == 0x8000001d;
}

void hb_cpuid_lookup(struct hb_vcpu *vcpu, u32 leaf, u32 sub, u32 *a,
		     u32 *b, u32 *c, u32 *d)
{
	u32 i;

	if (!vcpu->cpuid) {
		hb_default_cpuid(vcpu->id, leaf, sub, a, b, c, d);
		return;
	}
	for (i = 0; i < vcpu->cpuid_nent; i++) {
		struct hb_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function != leaf)
			continue;
		if ((e->flags & HB_CPUID_FLAG_SIGNIFICANT_INDEX) &&
		    e->index != sub)
			continue;
		*a = e->eax;
		*b = e->ebx;
		*c = e->ecx;
		*d = e->edx;
		return;
	}
	/* A leaf the table does not list reads as zeros. */
	*a = *b = *c = *d = 0;
}

long hb_cpuid_set(struct hb_vcpu *vcpu, struct hb_cpuid __user *uc)
{
	struct hb_cpuid_entry *entries;
	struct hb_cpuid hdr;
	u32 i;

	if (copy_from_user(&hdr, uc, sizeof(hdr)))
		return -EFAULT;
	if (hdr.padding || hdr.nent > HB_CPUID_MAX_ENTRIES)
		return -EINVAL;
	entries = NULL;
	if (hdr.nent) {
		entries = memdup_user(uc->entries,
				      array_size(hdr.nent, sizeof(*entries)));
		if (IS_ERR(entries))
			return PTR_ERR(entries);
	}
	for (i = 0; i < hdr.nent; i++) {
		if ((entries[i].flags & ~HB_CPUID_FLAG_SIGNIFICANT_INDEX) ||
		    entries[i].padding) {
			kfree(entries);
			return -EINVAL;
		}
	}
	kfree(vcpu->cpuid);
	vcpu->cpuid = entries;
	vcpu->cpuid_nent = hdr.nent;
	return 0;
}

void hb_cpuid_free(struct hb_vcpu *vcpu)
{
	kfree(vcpu->cpuid);
	vcpu->cpuid = NULL;
}

static u32 hb_cpuid_add(struct hb_cpuid_entry *out, u32 n, u32 leaf,
			u32 sub, bool indexed)
{
	struct hb_cpuid_entry *e;

	if (n >= HB_CPUID_MAX_ENTRIES)
		return n;
	e = &out[n];
	memset(e, 0, sizeof(*e));
	e->function = leaf;
	e->index = sub;
	e->flags = indexed ? HB_CPUID_FLAG_SIGNIFICANT_INDEX : 0;
	hb_default_cpuid(0, leaf, sub, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return n + 1;
}

static u32 hb_cpuid_add_leaf(struct hb_cpuid_entry *out, u32 n, u32 leaf)
{
	u32 a, b, c, d, sub;

	if (!hb_cpuid_indexed(leaf))
		return hb_cpuid_add(out, n, leaf, 0, false);
	n = hb_cpuid_add(out, n, leaf, 0, true);
	for (sub = 1; sub < 64; sub++) {
		hb_default_cpuid(0, leaf, sub, &a, &b, &c, &d);
		if (!a && !b && !c && !d)
			break;
		n = hb_cpuid_add(out, n, leaf, sub, true);
	}
	return n;
}

long hb_cpuid_get_supported(struct hb_cpuid __user *uc)
{
	struct hb_cpuid_entry *out;
	struct hb_cpuid hdr;
	u32 n = 0, leaf, max, b, c, d;
	long ret = 0;

	if (copy_from_user(&hdr, uc, sizeof(hdr)))
		return -EFAULT;
	if (hdr.padding)
		return -EINVAL;
	out = kcalloc(HB_CPUID_MAX_ENTRIES, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;

	cpuid(0, &max, &b, &c, &d);
	for (leaf = 0; leaf <= min_t(u32, max, 0x1f); leaf++)
		n = hb_cpuid_add_leaf(out, n, leaf);
	n = hb_cpuid_add_leaf(out, n, 0x40000000);
	cpuid(0x80000000, &max, &b, &c, &d);
	for (leaf = 0x80000000; leaf <= min_t(u32, max, 0x80000021); leaf++)
		n = hb_cpuid_add_leaf(out, n, leaf);

	if (hdr.nent < n) {
		ret = -E2BIG;
	} else if (copy_to_user(uc->entries, out, n * sizeof(*out))) {
		ret = -EFAULT;
		goto free;
	}
	hdr.nent = n;
	if (copy_to_user(uc, &hdr, sizeof(hdr)))
		ret = -EFAULT;
free:
	kfree(out);
	return ret;
}
