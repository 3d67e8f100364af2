// SPDX-License-Identifier: GPL-2.0
/*
 * SVM event injection: exceptions, external interrupts and NMIs through
 * EVENTINJ, the interrupt window through a virtual interrupt (VINTR), and
 * NMI blocking tracked with the IRET intercept plus a single step over
 * that IRET, since CPUs without vNMI do not report when it ends.
 */
#include <linux/mm.h>
#include <asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include "svm.h"

void hb_svm_inject_exception(struct hb_vcpu *vcpu,
				    const struct hb_exception *ex)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (ex->vector == X86_VEC_PF && ex->has_payload)
		vmcb->save.cr2 = ex->payload;
	vmcb->control.event_inj = ex->vector | SVM_EVTINJ_TYPE_EXEPT |
				  SVM_EVTINJ_VALID |
				  (ex->has_error_code ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = ex->error_code;
}

void hb_svm_inject_irq(struct hb_vcpu *vcpu, u8 vector)
{
	to_svm(vcpu)->vmcb->control.event_inj = vector | SVM_EVTINJ_TYPE_INTR |
						SVM_EVTINJ_VALID;
}

void hb_svm_inject_nmi(struct hb_vcpu *vcpu)
{
	struct hb_svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->control.event_inj = X86_VEC_NMI | SVM_EVTINJ_TYPE_NMI |
				       SVM_EVTINJ_VALID;
	svm->nmi_masked = true;
	svm->awaiting_iret = false;
	hb_svm_intercept(svm->vmcb, INTERCEPT_IRET);
}

static bool hb_svm_event_busy(struct vmcb *vmcb)
{
	return (vmcb->control.event_inj & SVM_EVTINJ_VALID) ||
	       (vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
}

bool __hb_exit_path hb_svm_interrupt_allowed(struct hb_vcpu *vcpu)
{
	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       !hb_svm_event_busy(to_svm(vcpu)->vmcb);
}

bool hb_svm_nmi_allowed(struct hb_vcpu *vcpu)
{
	struct hb_svm_vcpu *svm = to_svm(vcpu);

	if (svm->awaiting_iret && vcpu->rip != svm->iret_rip) {
		svm->awaiting_iret = false;
		svm->nmi_masked = false;
	}
	return !svm->nmi_masked && !hb_svm_event_busy(svm->vmcb);
}

/* A virtual interrupt the guest can never take, only to get VINTR. */
void hb_svm_enable_irq_window(struct hb_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	vmcb->control.int_ctl |= SVM_IRQ_WINDOW_BITS;
	vmcb->control.int_vector = 0;
	hb_svm_intercept(vmcb, INTERCEPT_VINTR);
}

/*
 * NMIs stay blocked until the handler's IRET has run. Its intercept fires
 * before it executes, so single-step over it (TF, #DB intercepted) to get
 * an exit right after, as KVM does on CPUs without vNMI.
 */
void hb_svm_enable_nmi_window(struct hb_vcpu *vcpu)
{
	struct hb_svm_vcpu *svm = to_svm(vcpu);

	if (!svm->awaiting_iret || svm->nmi_singlestep)
		return;
	svm->nmi_singlestep = true;
	svm->nmi_singlestep_rflags = vcpu->rflags &
				     (X86_EFLAGS_TF | X86_EFLAGS_RF);
	vcpu->rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
	hb_svm_intercept(svm->vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_VEC_DB);
}

int hb_svm_handle_db(struct hb_vcpu *vcpu, struct vmcb *vmcb)
{
	struct hb_svm_vcpu *svm = to_svm(vcpu);

	if (!svm->nmi_singlestep) {
		hb_queue_exception(vcpu, X86_VEC_DB, false, 0);
		return 1;
	}
	svm->nmi_singlestep = false;
	hb_svm_unintercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_VEC_DB);
	/* The step is ours: the guest must not see it in DR6. */
	vmcb->save.dr6 &= ~DR_STEP;
	if (vcpu->rip == svm->iret_rip) {
		/* IRET did not complete (it faulted): undo our TF/RF. */
		vcpu->rflags = (vcpu->rflags & ~(X86_EFLAGS_TF | X86_EFLAGS_RF)) |
			       svm->nmi_singlestep_rflags;
		return 1;
	}
	svm->awaiting_iret = false;
	svm->nmi_masked = false;
	return 1;
}

u32 hb_svm_get_interrupt_shadow(struct hb_vcpu *vcpu)
{
	return (to_svm(vcpu)->vmcb->control.int_state &
		SVM_INTERRUPT_SHADOW_MASK) ? HB_SHADOW_STI : 0;
}

void __hb_exit_path hb_svm_set_interrupt_shadow(struct hb_vcpu *vcpu,
						u32 shadow)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (shadow)
		vmcb->control.int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

bool hb_svm_get_nmi_masked(struct hb_vcpu *vcpu)
{
	struct hb_svm_vcpu *svm = to_svm(vcpu);

	/* Past the handler's IRET the guest no longer blocks NMIs. */
	if (svm->awaiting_iret && vcpu->rip != svm->iret_rip)
		return false;
	return svm->nmi_masked;
}

void hb_svm_set_nmi_masked(struct hb_vcpu *vcpu, bool masked)
{
	struct hb_svm_vcpu *svm = to_svm(vcpu);

	svm->nmi_masked = masked;
	svm->awaiting_iret = false;
	if (masked)
		hb_svm_intercept(svm->vmcb, INTERCEPT_IRET);
	else
		hb_svm_unintercept(svm->vmcb, INTERCEPT_IRET);
}
