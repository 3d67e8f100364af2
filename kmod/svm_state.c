// SPDX-License-Identifier: GPL-2.0
/*
 * SVM guest state: segment and control registers in the VMCB save area,
 * their validation against VMRUN's consistency checks, and the MSRs kept
 * in the VMCB.
 */
#include <linux/mm.h>
#include <asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include "svm.h"

static void hb_svm_seg_get(const struct vmcb_seg *v, struct hb_segment *s)
{
	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->type = v->attrib & SVM_SELECTOR_TYPE_MASK;
	s->s = !!(v->attrib & SVM_SELECTOR_S_MASK);
	s->dpl = (v->attrib & SVM_SELECTOR_DPL_MASK) >> SVM_SELECTOR_DPL_SHIFT;
	s->present = !!(v->attrib & SVM_SELECTOR_P_MASK);
	s->avl = !!(v->attrib & SVM_SELECTOR_AVL_MASK);
	s->l = !!(v->attrib & SVM_SELECTOR_L_MASK);
	s->db = !!(v->attrib & SVM_SELECTOR_DB_MASK);
	s->g = !!(v->attrib & SVM_SELECTOR_G_MASK);
	s->unusable = !s->present;
}

static void hb_svm_seg_set(struct vmcb_seg *v, const struct hb_segment *s)
{
	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	if (s->unusable) {
		v->attrib = 0;
		return;
	}
	v->attrib = (s->type & SVM_SELECTOR_TYPE_MASK) |
		    (s->s ? SVM_SELECTOR_S_MASK : 0) |
		    ((s->dpl & 3) << SVM_SELECTOR_DPL_SHIFT) |
		    (s->present ? SVM_SELECTOR_P_MASK : 0) |
		    (s->avl ? SVM_SELECTOR_AVL_MASK : 0) |
		    (s->l ? SVM_SELECTOR_L_MASK : 0) |
		    (s->db ? SVM_SELECTOR_DB_MASK : 0) |
		    (s->g ? SVM_SELECTOR_G_MASK : 0);
}

void hb_svm_get_sregs(struct hb_vcpu *vcpu, struct hb_sregs *s)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *save = &vmcb->save;

	hb_svm_seg_get(&save->cs, &s->cs);
	hb_svm_seg_get(&save->ds, &s->ds);
	hb_svm_seg_get(&save->es, &s->es);
	hb_svm_seg_get(&save->fs, &s->fs);
	hb_svm_seg_get(&save->gs, &s->gs);
	hb_svm_seg_get(&save->ss, &s->ss);
	hb_svm_seg_get(&save->tr, &s->tr);
	hb_svm_seg_get(&save->ldtr, &s->ldt);
	s->gdt.base = save->gdtr.base;
	s->gdt.limit = save->gdtr.limit;
	s->idt.base = save->idtr.base;
	s->idt.limit = save->idtr.limit;
	s->cr0 = hb_svm_guest_cr0(vcpu);
	s->cr2 = save->cr2;
	s->cr3 = save->cr3;
	s->cr4 = save->cr4;
	s->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
	s->efer = save->efer & ~EFER_SVME;
	s->apic_base = vcpu->apic_base;
}

/*
 * Refuse what VMRUN would refuse (APM 15.5.1 "Canonicalization and
 * Consistency Checks") so that userspace gets -EINVAL, not a failed entry.
 */
static int hb_svm_check_sregs(const struct hb_sregs *s)
{
	bool lme = s->efer & EFER_LME, pg = s->cr0 & X86_CR0_PG;

	if (s->efer & ~SVM_GUEST_EFER_MASK)
		return -EINVAL;
	if (s->cr0 >> 32 || s->cr3 >> 52 || s->cr8 > 15)
		return -EINVAL;
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return -EINVAL;
	if (pg && !(s->cr0 & X86_CR0_PE))
		return -EINVAL;
	if (s->cr4 & ~(u64)(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD |
			    X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE |
			    X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |
			    X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
			    X86_CR4_UMIP | X86_CR4_FSGSBASE |
			    X86_CR4_PCIDE | X86_CR4_OSXSAVE | X86_CR4_SMEP |
			    X86_CR4_SMAP))
		return -EINVAL;
	if (lme && pg && !(s->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if (!!(s->efer & EFER_LMA) != (lme && pg))
		return -EINVAL;
	if ((s->efer & EFER_LMA) && s->cs.l && s->cs.db)
		return -EINVAL;
	if ((s->cr4 & X86_CR4_PCIDE) && !(s->efer & EFER_LMA))
		return -EINVAL;
	if (s->apic_base && (s->apic_base & ~(u64)BIT(11)) !=
	    (0xfee00000ULL | (s->apic_base & BIT(8))))
		return -EINVAL;
	return 0;
}

int hb_svm_set_sregs(struct hb_vcpu *vcpu, const struct hb_sregs *s)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *save = &vmcb->save;
	int ret = hb_svm_check_sregs(s);

	if (ret)
		return ret;
	/* New CR0 and CR4: the next entry sets the FPU trap over them. */
	hb_svm_fpu_trap(vcpu, false);
	hb_svm_seg_set(&save->cs, &s->cs);
	hb_svm_seg_set(&save->ds, &s->ds);
	hb_svm_seg_set(&save->es, &s->es);
	hb_svm_seg_set(&save->fs, &s->fs);
	hb_svm_seg_set(&save->gs, &s->gs);
	hb_svm_seg_set(&save->ss, &s->ss);
	hb_svm_seg_set(&save->tr, &s->tr);
	hb_svm_seg_set(&save->ldtr, &s->ldt);
	save->gdtr.base = s->gdt.base;
	save->gdtr.limit = s->gdt.limit;
	save->idtr.base = s->idt.base;
	save->idtr.limit = s->idt.limit;
	save->cr0 = s->cr0;
	save->cr2 = s->cr2;
	save->cr3 = s->cr3;
	save->cr4 = s->cr4;
	save->efer = s->efer | EFER_SVME;
	/* CPL is the DPL of SS (APM 15.5.1); real mode is always 0. */
	save->cpl = (s->cr0 & X86_CR0_PE) ? s->ss.dpl : 0;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) |
				(s->cr8 & V_TPR_MASK);
	if (s->apic_base)
		vcpu->apic_base = s->apic_base;
	return 0;
}

enum hb_cpu_mode __hb_exit_path hb_svm_cpu_mode(struct hb_vcpu *vcpu)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	if (!(save->cr0 & X86_CR0_PE))
		return HB_MODE_REAL;
	if ((save->efer & EFER_LMA) && (save->cs.attrib & SVM_SELECTOR_L_MASK))
		return HB_MODE_LONG64;
	if (save->cs.attrib & SVM_SELECTOR_DB_MASK)
		return HB_MODE_PROT32;
	return HB_MODE_PROT16;
}

void __hb_exit_path hb_svm_get_paging(struct hb_vcpu *vcpu, u64 *cr0, u64 *cr3,
				      u64 *cr4, u64 *efer)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	*cr0 = save->cr0;
	*cr3 = save->cr3;
	*cr4 = save->cr4;
	*efer = save->efer;
}

u64 __hb_exit_path hb_svm_segment_base(struct hb_vcpu *vcpu, int seg)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	/* Indexed by HB_SEG_*, the SDM's Sreg order. */
	const struct vmcb_seg *segs[] = {
		&save->es, &save->cs, &save->ss, &save->ds, &save->fs, &save->gs,
	};

	return seg >= 0 && seg < ARRAY_SIZE(segs) ? segs[seg]->base : 0;
}

static bool hb_pat_valid(u64 pat)
{
	int i;

	/* Each byte one of UC, WC, WT, WP, WB, UC- (types 0,1,4,5,6,7). */
	for (i = 0; i < 8; i++) {
		u8 type = pat >> (8 * i);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/* MSRs that live in the VMCB save area, switched by VMLOAD/VMSAVE. */
static const struct {
	u32 index;
	u16 offset;
} hb_svm_vmcb_msrs[] = {
	{ MSR_STAR, offsetof(struct vmcb_save_area, star) },
	{ MSR_LSTAR, offsetof(struct vmcb_save_area, lstar) },
	{ MSR_CSTAR, offsetof(struct vmcb_save_area, cstar) },
	{ MSR_SYSCALL_MASK, offsetof(struct vmcb_save_area, sfmask) },
	{ MSR_KERNEL_GS_BASE, offsetof(struct vmcb_save_area, kernel_gs_base) },
	{ MSR_FS_BASE, offsetof(struct vmcb_save_area, fs.base) },
	{ MSR_GS_BASE, offsetof(struct vmcb_save_area, gs.base) },
	{ MSR_IA32_SYSENTER_CS, offsetof(struct vmcb_save_area, sysenter_cs) },
	{ MSR_IA32_SYSENTER_ESP, offsetof(struct vmcb_save_area, sysenter_esp) },
	{ MSR_IA32_SYSENTER_EIP, offsetof(struct vmcb_save_area, sysenter_eip) },
};

static u64 *hb_svm_vmcb_msr(struct hb_vcpu *vcpu, u32 index)
{
	u8 *save = (u8 *)&to_svm(vcpu)->vmcb->save;
	int i;

	for (i = 0; i < ARRAY_SIZE(hb_svm_vmcb_msrs); i++)
		if (hb_svm_vmcb_msrs[i].index == index)
			return (u64 *)(save + hb_svm_vmcb_msrs[i].offset);
	return NULL;
}

int hb_svm_get_msr(struct hb_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	u64 *field = hb_svm_vmcb_msr(vcpu, index);

	if (field) {
		*data = *field;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = save->efer & ~EFER_SVME;
		return 0;
	case MSR_IA32_CR_PAT:
		*data = save->g_pat;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = 0;
		return 0;
	default:
		return -ENOENT;
	}
}

int hb_svm_set_msr(struct hb_vcpu *vcpu, u32 index, u64 data)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	u64 *field = hb_svm_vmcb_msr(vcpu, index);

	if (field) {
		*field = data;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		if (data & ~SVM_GUEST_EFER_MASK)
			return -EINVAL;
		/* LMA is read-only; LME may not change while paging is on. */
		if ((save->cr0 & X86_CR0_PG) &&
		    ((data ^ save->efer) & EFER_LME))
			return -EINVAL;
		save->efer = (data & ~EFER_LMA) | (save->efer & EFER_LMA) |
			     EFER_SVME;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!hb_pat_valid(data))
			return -EINVAL;
		save->g_pat = data;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* Branch tracing would leak host branches: accept only 0. */
		return data ? -EINVAL : 0;
	default:
		return -ENOENT;
	}
}
