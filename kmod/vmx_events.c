// SPDX-License-Identifier: GPL-2.0
/*
 * Event injection for the VMX backend. The core (events.c) decides what
 * to inject and when; here are the VMX mechanics: the VM-entry
 * interruption-information field, the guest interruptibility state, and
 * interrupt/NMI-window exiting (SDM Vol. 3, 25.8.3, 26.6, 27.2.4).
 *
 * The inject_* hooks run before vcpu_enter, when the VMCS may not be
 * current on this CPU yet: they only record the event, and
 * hb_vmx_vcpu_enter() writes it.
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>
#include "vmx.h"

#define SHADOW_BITS	(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)

/*
 * The interruptibility the next entry must load. An STI or MOV SS shadow
 * covers only the instruction after it: once the core has moved RIP
 * (an emulated instruction was skipped) the shadow is over.
 */
u32 hb_vmx_intr_state(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 state = vmx->intr_state;

	if (vcpu->rip != vmx->intr_state_rip)
		state &= ~SHADOW_BITS;
	return state;
}

void hb_vmx_inject_exception(struct hb_vcpu *vcpu,
			     const struct hb_exception *ex)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	if (ex->vector == X86_VEC_PF && ex->has_payload)
		vmx->cr2 = ex->payload;
	vmx->event_info = ex->vector | INTR_TYPE_HARD_EXCEPTION |
			  INTR_INFO_VALID_MASK;
	if (ex->has_error_code) {
		vmx->event_info |= INTR_INFO_DELIVER_CODE_MASK;
		vmx->event_error = ex->error_code;
	}
}

void hb_vmx_inject_irq(struct hb_vcpu *vcpu, u8 vector)
{
	to_vmx(vcpu)->event_info = vector | INTR_TYPE_EXT_INTR |
				   INTR_INFO_VALID_MASK;
}

void hb_vmx_inject_nmi(struct hb_vcpu *vcpu)
{
	to_vmx(vcpu)->event_info = X86_VEC_NMI | INTR_TYPE_NMI_INTR |
				   INTR_INFO_VALID_MASK;
}

bool hb_vmx_interrupt_allowed(struct hb_vcpu *vcpu)
{
	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       !(hb_vmx_intr_state(vcpu) & SHADOW_BITS) &&
	       !to_vmx(vcpu)->event_info;
}

bool hb_vmx_nmi_allowed(struct hb_vcpu *vcpu)
{
	return !(hb_vmx_intr_state(vcpu) &
		 (SHADOW_BITS | GUEST_INTR_STATE_NMI)) &&
	       !to_vmx(vcpu)->event_info;
}

void hb_vmx_enable_irq_window(struct hb_vcpu *vcpu)
{
	to_vmx(vcpu)->proc |= CPU_BASED_INTR_WINDOW_EXITING;
}

/* Needs virtual NMIs: the CPU then tracks the guest's NMI blocking. */
void hb_vmx_enable_nmi_window(struct hb_vcpu *vcpu)
{
	to_vmx(vcpu)->proc |= CPU_BASED_NMI_WINDOW_EXITING;
}

u32 hb_vmx_get_interrupt_shadow(struct hb_vcpu *vcpu)
{
	u32 state = hb_vmx_intr_state(vcpu);

	return ((state & GUEST_INTR_STATE_STI) ? HB_SHADOW_STI : 0) |
	       ((state & GUEST_INTR_STATE_MOV_SS) ? HB_SHADOW_MOV_SS : 0);
}

void hb_vmx_set_interrupt_shadow(struct hb_vcpu *vcpu, u32 shadow)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->intr_state &= ~SHADOW_BITS;
	if (shadow & HB_SHADOW_STI)
		vmx->intr_state |= GUEST_INTR_STATE_STI;
	if (shadow & HB_SHADOW_MOV_SS)
		vmx->intr_state |= GUEST_INTR_STATE_MOV_SS;
	vmx->intr_state_rip = vcpu->rip;
}

bool hb_vmx_get_nmi_masked(struct hb_vcpu *vcpu)
{
	return to_vmx(vcpu)->intr_state & GUEST_INTR_STATE_NMI;
}

void hb_vmx_set_nmi_masked(struct hb_vcpu *vcpu, bool masked)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	if (masked)
		vmx->intr_state |= GUEST_INTR_STATE_NMI;
	else
		vmx->intr_state &= ~GUEST_INTR_STATE_NMI;
}

/*
 * An exit in the middle of delivering an event (IDT-vectoring info): hand
 * it back to the core, which delivers it first on the next entry.
 * Software interrupts and exceptions (INT n, INT3, INTO, INT1) are not:
 * RIP still points at the instruction, which simply runs again.
 */
void hb_vmx_requeue_event(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->idt_info;
	u8 vector = info & VECTORING_INFO_VECTOR_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_EXT_INTR:
		hb_requeue_irq(vcpu, vector);
		break;
	case INTR_TYPE_NMI_INTR:
		/* Not delivered, so not blocking further NMIs either. */
		vmx->intr_state &= ~GUEST_INTR_STATE_NMI;
		hb_requeue_nmi(vcpu);
		break;
	case INTR_TYPE_HARD_EXCEPTION:
		hb_queue_exception(vcpu, vector,
				   info & VECTORING_INFO_DELIVER_CODE_MASK,
				   vmx->idt_error);
		break;
	default:
		break;
	}
}
