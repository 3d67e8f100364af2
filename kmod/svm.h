/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM backend's private interface: its per-CPU and per-vCPU state and
 * what its files (svm.c: enable, VMCB, running and exits; svm_events.c:
 * event injection; svm_state.c: registers and MSRs) share.
 */
#ifndef HB_SVM_H
#define HB_SVM_H

#include <linux/types.h>
#include <asm/svm.h>
#include "hb.h"

#define SVM_CPUID_FEATURES	0x8000000a
#define SVM_FEATURE_NPT		BIT(0)
#define SVM_FEATURE_NRIPS	BIT(3)
#define SVM_FEATURE_DECODE_ASSISTS	BIT(7)
#define SVM_VM_CR_SVMDIS	BIT(4)
#define SVM_IOPM_ORDER		2	/* 12 KiB used */
#define SVM_MSRPM_ORDER		1	/* 8 KiB */
#define SVM_IRQ_WINDOW_BITS	(V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK)
#define SVM_DR7_RESET		0x400
#define SVM_DEFAULT_PAT		0x0007040600070406ULL

/* NPT entries: present, writable, user (required at every level). */
#define NPT_P			BIT_ULL(0)
#define NPT_RW			BIT_ULL(1)
#define NPT_US			BIT_ULL(2)
#define NPT_NX			BIT_ULL(63)

/* EFER bits a guest may set (SCE, LME, LMA, NXE); SVME is ours. */
#define SVM_GUEST_EFER_MASK	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

struct hb_svm_cpu {
	struct page *hsave;		/* VM_HSAVE_PA: owned by the CPU */
	struct page *host_state;	/* VMSAVE area for host FS/GS/TR... */
	u64 asid_generation;
	u32 next_asid;
	bool enabled;
};

struct hb_svm_vcpu {
	struct vmcb *vmcb;
	phys_addr_t vmcb_pa;
	u32 asid;
	u64 asid_generation;
	int asid_cpu;
	/*
	 * Without vNMI the CPU does not say when the guest's NMI handler is
	 * done: IRET is intercepted, and NMIs stay blocked until RIP has
	 * moved past that IRET (the same scheme as KVM).
	 */
	bool nmi_masked;
	bool awaiting_iret;
	u64 iret_rip;
	/* Single-stepping over that IRET to open the NMI window at once. */
	bool nmi_singlestep;
	u64 nmi_singlestep_rflags;	/* the guest's own TF and RF */
	/*
	 * DR0-3 are not in the VMCB. Their accesses are intercepted until the
	 * guest first touches one; from then on they are switched on every
	 * entry (the same lazy scheme as KVM).
	 */
	bool guest_debugregs;
	/*
	 * While the FPU trap (fpu.c, vcpu->fpu_trapped) is set in the VMCB:
	 * the guest's own CR0.TS and MP, and TR as it was when it was set.
	 */
	u64 fpu_guest_cr0;
	u16 fpu_tr_selector;
	u64 fpu_tr_base;
	/* The last exit saved the host's own state: hb_svm_exit_forged(). */
	bool exit_forged;
	/* Not forged, and #VMEXIT wrote the guest's state there. */
	bool exit_trusted;
};

static inline struct hb_svm_vcpu *to_svm(struct hb_vcpu *vcpu)
{
	return vcpu->priv;
}

static inline void hb_svm_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
}

static inline void hb_svm_unintercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

#define HB_SVM_CR0_FPU		(X86_CR0_TS | X86_CR0_MP)

/*
 * The guest's own CR0.TS and MP under the FPU trap. A task switch sets TS
 * (SDM Vol. 3, 8.3); LTR is intercepted meanwhile, so a new TR means one
 * happened, whether or not the CPU also took its intercept (QEMU does not).
 */
static inline u64 hb_svm_fpu_guest_bits(const struct hb_svm_vcpu *svm)
{
	const struct vmcb_save_area *save = &svm->vmcb->save;

	if (save->tr.selector != svm->fpu_tr_selector ||
	    save->tr.base != svm->fpu_tr_base)
		return svm->fpu_guest_cr0 | X86_CR0_TS;
	return svm->fpu_guest_cr0;
}

/* CR0 as the guest set it: without the FPU trap's TS and MP. */
static inline u64 hb_svm_guest_cr0(struct hb_vcpu *vcpu)
{
	const struct hb_svm_vcpu *svm = to_svm(vcpu);
	u64 cr0 = svm->vmcb->save.cr0;

	if (vcpu->fpu_trapped)
		cr0 = (cr0 & ~HB_SVM_CR0_FPU) | hb_svm_fpu_guest_bits(svm);
	return cr0;
}

bool hb_svm_fpu_trap(struct hb_vcpu *vcpu, bool on);

/* svm_vmrun.S */
void hb_svm_vmrun(unsigned long vmcb_pa, u64 *regs,
		  unsigned long host_state_pa, bool save_host);
extern const char hb_svm_vmrun_resume[];

/*
 * The saved RIP is the host's own resume point in hb_svm_vmrun: the save
 * area holds the host's state. QEMU 7.2 now and then reports such an exit
 * (an NPF, SHUTDOWN or code 0, with the host's RIP, RSP and CR3), and
 * userspace must never get to read it: a KASLR leak. A guest running at
 * that very address could only have come there knowing the host's
 * layout; it gets an internal error exit.
 */
static inline bool hb_svm_exit_forged(const struct vmcb *vmcb)
{
	return vmcb->save.rip == (unsigned long)hb_svm_vmrun_resume;
}

/*
 * Whether an exit that is not forged stored the guest's state in the save
 * area. Not after VMEXIT_INVALID (QEMU leaves host state there), not after
 * SHUTDOWN (the VMCB is undefined then, APM Vol. 2, 15.11), and not for an
 * exit code whose intercept is clear (no ordinary #VMEXIT wrote that).
 * Evaluate before the exit handling changes any intercept.
 */
static inline bool hb_svm_exit_saved_guest(const struct vmcb *vmcb)
{
	u32 code = vmcb->control.exit_code;

	if (code == SVM_EXIT_NPF)
		return vmcb->control.nested_ctl & SVM_NESTED_CTL_NP_ENABLE;
	if (code == SVM_EXIT_SHUTDOWN || code >= MAX_INTERCEPT * 32)
		return false;
	return vmcb->control.intercepts[code / 32] & BIT(code % 32);
}

/* svm_events.c */
void hb_svm_inject_exception(struct hb_vcpu *vcpu,
				    const struct hb_exception *ex);
void hb_svm_inject_irq(struct hb_vcpu *vcpu, u8 vector);
void hb_svm_inject_nmi(struct hb_vcpu *vcpu);
bool hb_svm_interrupt_allowed(struct hb_vcpu *vcpu);
bool hb_svm_nmi_allowed(struct hb_vcpu *vcpu);
void hb_svm_enable_irq_window(struct hb_vcpu *vcpu);
void hb_svm_enable_nmi_window(struct hb_vcpu *vcpu);
int hb_svm_handle_db(struct hb_vcpu *vcpu, struct vmcb *vmcb);
u32 hb_svm_get_interrupt_shadow(struct hb_vcpu *vcpu);
void hb_svm_set_interrupt_shadow(struct hb_vcpu *vcpu, u32 shadow);
bool hb_svm_get_nmi_masked(struct hb_vcpu *vcpu);
void hb_svm_set_nmi_masked(struct hb_vcpu *vcpu, bool masked);

/* svm_state.c */
void hb_svm_get_sregs(struct hb_vcpu *vcpu, struct hb_sregs *s);
int hb_svm_set_sregs(struct hb_vcpu *vcpu, const struct hb_sregs *s);
enum hb_cpu_mode hb_svm_cpu_mode(struct hb_vcpu *vcpu);
void hb_svm_get_paging(struct hb_vcpu *vcpu, u64 *cr0, u64 *cr3,
			      u64 *cr4, u64 *efer);
u64 hb_svm_segment_base(struct hb_vcpu *vcpu, int seg);
int hb_svm_get_msr(struct hb_vcpu *vcpu, u32 index, u64 *data);
int hb_svm_set_msr(struct hb_vcpu *vcpu, u32 index, u64 data);

#endif /* HB_SVM_H */
