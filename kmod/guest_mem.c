// SPDX-License-Identifier: GPL-2.0
/*
 * Access to guest memory from the module: guest physical addresses through
 * the memory slots (copy_from/to_user on the owner's mapping, so a bad
 * slot can only ever produce -EFAULT), and guest virtual addresses through
 * a walk of the guest's own page tables (for string I/O and for fetching
 * the instruction behind an exit when the CPU gives no decode assist).
 */
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include "hb.h"

#define HB_EFER_LMA		BIT_ULL(10)
#define HB_PTE_P		BIT_ULL(0)
#define HB_PTE_PS		BIT_ULL(7)
#define HB_PTE_ADDR		GENMASK_ULL(51, 12)

static int hb_guest_phys_access(struct hb_vm *vm, u64 gpa, void *buf,
				size_t len, bool write)
{
	int ret = 0;

	mutex_lock(&vm->slots_lock);
	while (len) {
		struct hb_memslot *s = hb_memslot_find(vm, gpa >> PAGE_SHIFT);
		size_t chunk = min_t(size_t, len,
				     PAGE_SIZE - offset_in_page(gpa));
		void __user *hva;

		if (!s || (write && (s->flags & HB_MEM_READONLY))) {
			ret = -EFAULT;
			break;
		}
		hva = (void __user *)(s->uaddr +
				      (gpa - (s->base_gfn << PAGE_SHIFT)));
		if (write ? copy_to_user(hva, buf, chunk) :
			    copy_from_user(buf, hva, chunk)) {
			ret = -EFAULT;
			break;
		}
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	mutex_unlock(&vm->slots_lock);
	return ret;
}

int hb_read_guest_phys(struct hb_vm *vm, u64 gpa, void *buf, size_t len)
{
	return hb_guest_phys_access(vm, gpa, buf, len, false);
}

static int __hb_exit_path hb_read_phys(struct hb_vcpu *vcpu, bool atomic,
				       u64 gpa, void *buf, size_t len)
{
	if (atomic)
		return hb_tdp_read_atomic(vcpu, gpa, buf, len);
	return hb_read_guest_phys(vcpu->vm, gpa, buf, len);
}

int hb_write_guest_phys(struct hb_vm *vm, u64 gpa, const void *buf,
			size_t len)
{
	return hb_guest_phys_access(vm, gpa, (void *)buf, len, true);
}

/*
 * Walk the guest's page tables for @gva: 2-level 32-bit (with PSE),
 * 3-level PAE or 4-level long mode, as CR0/CR4/EFER say (SDM Vol. 3,
 * 4.3-4.5). Permissions are not checked: callers only translate addresses
 * the guest itself just used.
 */
static int __hb_exit_path hb_walk(struct hb_vcpu *vcpu, u64 gva, u64 *gpa,
				  bool atomic)
{
	u64 cr0, cr3, cr4, efer, table, pte = 0;
	int level, ret;

	hb_op(get_paging)(vcpu, &cr0, &cr3, &cr4, &efer);
	if (!(cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffffULL;
		return 0;
	}

	if (efer & HB_EFER_LMA) {
		if (cr4 & X86_CR4_LA57)
			return -EOPNOTSUPP;
		table = cr3 & HB_PTE_ADDR;
		level = 4;
	} else if (cr4 & X86_CR4_PAE) {
		gva &= 0xffffffffULL;
		ret = hb_read_phys(vcpu, atomic,
				   (cr3 & 0xffffffe0ULL) + 8 * (gva >> 30),
				   &pte, 8);
		if (ret)
			return ret;
		if (!(pte & HB_PTE_P))
			return -EFAULT;
		table = pte & HB_PTE_ADDR;
		level = 2;
	} else {
		u32 e32 = 0;

		gva &= 0xffffffffULL;
		ret = hb_read_phys(vcpu, atomic, (cr3 & 0xfffff000ULL) +
				   4 * (gva >> 22), &e32, 4);
		if (ret)
			return ret;
		if (!(e32 & HB_PTE_P))
			return -EFAULT;
		if ((e32 & HB_PTE_PS) && (cr4 & X86_CR4_PSE)) {
			/* 4 MiB page: bits 20:13 are physical bits 39:32. */
			*gpa = (e32 & 0xffc00000ULL) |
			       ((u64)(e32 >> 13) & 0xff) << 32 |
			       (gva & 0x3fffff);
			return 0;
		}
		ret = hb_read_phys(vcpu, atomic, (e32 & 0xfffff000ULL) +
				   4 * ((gva >> 12) & 0x3ff), &e32, 4);
		if (ret)
			return ret;
		if (!(e32 & HB_PTE_P))
			return -EFAULT;
		*gpa = (e32 & 0xfffff000ULL) | (gva & 0xfff);
		return 0;
	}

	for (; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		ret = hb_read_phys(vcpu, atomic,
				   table + 8 * ((gva >> shift) & 511), &pte, 8);
		if (ret)
			return ret;
		if (!(pte & HB_PTE_P))
			return -EFAULT;
		if (level > 1 && level < 4 && (pte & HB_PTE_PS)) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = (pte & HB_PTE_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = pte & HB_PTE_ADDR;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

int hb_gva_to_gpa(struct hb_vcpu *vcpu, u64 gva, u64 *gpa)
{
	return hb_walk(vcpu, gva, gpa, false);
}

static int hb_guest_virt_access(struct hb_vcpu *vcpu, u64 gva, void *buf,
				size_t len, bool write)
{
	while (len) {
		size_t chunk = min_t(size_t, len,
				     PAGE_SIZE - offset_in_page(gva));
		u64 gpa;
		int ret = hb_gva_to_gpa(vcpu, gva, &gpa);

		if (!ret)
			ret = hb_guest_phys_access(vcpu->vm, gpa, buf, chunk,
						   write);
		if (ret)
			return ret;
		gva += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int hb_read_guest_virt(struct hb_vcpu *vcpu, u64 gva, void *buf, size_t len)
{
	return hb_guest_virt_access(vcpu, gva, buf, len, false);
}

int hb_write_guest_virt(struct hb_vcpu *vcpu, u64 gva, const void *buf,
			size_t len)
{
	return hb_guest_virt_access(vcpu, gva, (void *)buf, len, true);
}

static u64 __hb_exit_path hb_insn_linear(struct hb_vcpu *vcpu)
{
	enum hb_cpu_mode mode = hb_op(cpu_mode)(vcpu);
	u64 linear = vcpu->rip;

	if (mode == HB_MODE_REAL || mode == HB_MODE_PROT16)
		linear &= 0xffff;
	if (mode != HB_MODE_LONG64)
		linear = (hb_op(segment_base)(vcpu, HB_SEG_CS) + linear) &
			 0xffffffffULL;
	return linear;
}

/*
 * hb_fetch_insn() - read up to @len bytes at CS:RIP.
 *
 * Return: the number of bytes read (fewer when the instruction ends right
 * before an unmapped page), or a negative errno if not even one was.
 */
int hb_fetch_insn(struct hb_vcpu *vcpu, u8 *buf, size_t len)
{
	u64 linear = hb_insn_linear(vcpu);
	size_t first;

	first = min_t(size_t, len, PAGE_SIZE - offset_in_page(linear));
	if (hb_read_guest_virt(vcpu, linear, buf, first))
		return -EFAULT;
	if (first < len &&
	    hb_read_guest_virt(vcpu, linear + first, buf + first, len - first))
		return first;
	return len;
}

/*
 * hb_fetch_insn_atomic() - the same from the exit fast path, interrupts
 * off: guest pages are read through the nested page table, which cannot
 * lose a page before this vCPU has left the guest-mode region. Only the
 * bytes up to the end of RIP's page are read; 0 if anything is missing.
 */
int __hb_exit_path hb_fetch_insn_atomic(struct hb_vcpu *vcpu, u8 *buf,
					size_t len)
{
	u64 linear = hb_insn_linear(vcpu), gpa;

	len = min_t(size_t, len, PAGE_SIZE - offset_in_page(linear));
	if (hb_walk(vcpu, linear, &gpa, true) ||
	    hb_tdp_read_atomic(vcpu, gpa, buf, len))
		return 0;
	return len;
}
