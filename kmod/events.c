// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions, external interrupts and NMIs for a guest, and what userspace
 * sees of them (HB_INTERRUPT, HB_NMI, HB_GET/SET_VCPU_EVENTS, the
 * interrupt window). The policy is the core's; the backend only knows how
 * to inject one event and whether the guest can take one now.
 *
 * Priority on entry (SDM Vol. 3, 6.9): an event whose delivery an exit cut
 * short goes first, then a pending exception, then an NMI, then an
 * external interrupt. An interrupt waits, queued, until RFLAGS.IF is set
 * and no STI/MOV SS shadow is active; the backend arms an exit for that.
 */
#include <linux/uaccess.h>
#include "hb.h"

#define HB_RFLAGS_IF		BIT_ULL(9)
#define HB_OPCODE_HLT		0xf4

void hb_queue_exception(struct hb_vcpu *vcpu, u8 vector, bool has_error,
			u32 error_code)
{
	struct hb_exception *ex = &vcpu->exception;

	/* A second fault while delivering the first is a #DF (SDM 6.15). */
	if (ex->pending && ex->vector != X86_VEC_DF) {
		vector = X86_VEC_DF;
		has_error = true;
		error_code = 0;
	} else if (ex->pending) {
		/* ...and a third one shuts the guest down, like hardware. */
		vector = X86_VEC_DF;
	}
	ex->pending = true;
	ex->vector = vector;
	ex->has_error_code = has_error;
	ex->error_code = error_code;
	ex->has_payload = false;
}

void hb_queue_page_fault(struct hb_vcpu *vcpu, u64 addr, u32 error_code)
{
	hb_queue_exception(vcpu, X86_VEC_PF, true, error_code);
	if (vcpu->exception.vector == X86_VEC_PF) {
		vcpu->exception.has_payload = true;
		vcpu->exception.payload = addr;
	}
}

void hb_requeue_irq(struct hb_vcpu *vcpu, u8 vector)
{
	vcpu->irq.injected = true;
	vcpu->irq.vector = vector;
}

void hb_requeue_nmi(struct hb_vcpu *vcpu)
{
	vcpu->nmi.injected = true;
}

/*
 * Out of line: the kernel may zero every stack variable on entry
 * (INIT_STACK_ALL_ZERO), and the caller runs before every guest entry.
 */
static noinline bool hb_guest_in_ring0(struct hb_vcpu *vcpu)
{
	struct hb_sregs s;

	hb_ops->get_sregs(vcpu, &s);
	return !s.ss.dpl;
}

/*
 * hb_wake_hlt_for_interrupt(), an interrupt waiting: before an entry (it
 * may fault guest pages in: not with interrupts off). An interrupt about
 * to go in at a HLT: deliver it as if it had come while the guest was
 * halted, that is, skip the HLT first (RIP after it, the shadow over). For an interrupt from outside the guest both orders are
 * legal, and this one is what "sti; hlt" relies on: the interrupt that the
 * STI shadow held back must wake the HLT, not slip in before it and leave
 * it to sleep (SDM Vol. 3, 6.8.3).
 *
 * Without this the idiom depends on the CPU carrying the shadow across
 * #VMEXIT and VMRUN, which QEMU before 9.1 does not ("target/i386: fix
 * INHIBIT_IRQ/TF/RF handling for VMRUN"): an exit between the STI and
 * the HLT lost the guest its wake-up there.
 */
void __hb_exit_path hb_skip_hlt_for_interrupt(struct hb_vcpu *vcpu)
{
	u8 op;

	/* HLT outside ring 0 is a #GP, which the guest must see. */
	if (vcpu->irq.injected || vcpu->nmi.injected ||
	    vcpu->exception.pending || !(vcpu->rflags & HB_RFLAGS_IF) ||
	    hb_fetch_insn(vcpu, &op, 1) != 1 || op != HB_OPCODE_HLT ||
	    !hb_guest_in_ring0(vcpu))
		return;
	hb_skip_insn(vcpu, vcpu->rip + 1);
}

/* hb_inject_events() found something to do: on entry, interrupts off. */
void __hb_exit_path hb_deliver_events(struct hb_vcpu *vcpu)
{
	bool want_irq_window;

	/* An irqfd's vector takes the free slot; the rest wait their turn. */
	if (!vcpu->irq.queued && !vcpu->irq.injected) {
		int vector = hb_irqfd_take(vcpu);

		if (vector >= 0) {
			vcpu->irq.queued = true;
			vcpu->irq.vector = vector;
		}
	}
	want_irq_window = vcpu->irq.queued ||
			       READ_ONCE(vcpu->run->request_interrupt_window);

	if (vcpu->nmi.injected) {
		vcpu->nmi.injected = false;
		hb_op(inject_nmi)(vcpu);
	} else if (vcpu->irq.injected) {
		vcpu->irq.injected = false;
		hb_op(inject_irq)(vcpu, vcpu->irq.vector);
	} else if (vcpu->exception.pending) {
		vcpu->exception.pending = false;
		hb_op(inject_exception)(vcpu, &vcpu->exception);
	} else if (vcpu->nmi.pending && hb_op(nmi_allowed)(vcpu)) {
		vcpu->nmi.pending = false;
		hb_op(inject_nmi)(vcpu);
	} else if (vcpu->irq.queued && hb_op(interrupt_allowed)(vcpu)) {
		vcpu->irq.queued = false;
		want_irq_window = false;
		hb_op(inject_irq)(vcpu, vcpu->irq.vector);
	}

	if (vcpu->nmi.pending)
		hb_op(enable_nmi_window)(vcpu);
	if (want_irq_window)
		hb_op(enable_irq_window)(vcpu);
}

static bool hb_ready_for_interrupt(struct hb_vcpu *vcpu)
{
	return !vcpu->irq.queued && !vcpu->irq.injected &&
	       !vcpu->exception.pending && !vcpu->nmi.injected &&
	       hb_op(interrupt_allowed)(vcpu);
}

/* Userspace asked to hear when it may inject: may it now? */
bool __hb_exit_path hb_irq_window_open(struct hb_vcpu *vcpu)
{
	if (!hb_ready_for_interrupt(vcpu))
		return false;
	vcpu->run->exit_reason = HB_EXIT_IRQ_WINDOW_OPEN;
	return true;
}

void __hb_exit_path hb_fill_run_state(struct hb_vcpu *vcpu)
{
	struct hb_run *run = vcpu->run;

	run->if_flag = !!(vcpu->rflags & HB_RFLAGS_IF);
	run->ready_for_interrupt_injection = hb_ready_for_interrupt(vcpu);
	run->apic_base = vcpu->apic_base;
}

/* HLT returns at once when something the guest will accept is queued. */
bool hb_hlt_wakes(struct hb_vcpu *vcpu)
{
	if (vcpu->nmi.pending || vcpu->exception.pending)
		return true;
	return (vcpu->irq.queued || hb_irqfd_pending(vcpu)) &&
	       (vcpu->rflags & HB_RFLAGS_IF);
}

static long hb_get_vcpu_events(struct hb_vcpu *vcpu,
			       struct hb_vcpu_events __user *argp)
{
	struct hb_vcpu_events ev;
	struct hb_exception *ex = &vcpu->exception;

	memset(&ev, 0, sizeof(ev));
	ev.exception.injected = ex->pending;
	ev.exception.nr = ex->vector;
	ev.exception.has_error_code = ex->has_error_code;
	ev.exception.error_code = ex->error_code;
	ev.exception.has_payload = ex->has_payload;
	ev.exception.payload = ex->payload;
	ev.interrupt.injected = vcpu->irq.injected;
	ev.interrupt.pending = vcpu->irq.queued;
	ev.interrupt.nr = vcpu->irq.vector;
	ev.interrupt.shadow = hb_ops->get_interrupt_shadow(vcpu);
	ev.nmi.injected = vcpu->nmi.injected;
	ev.nmi.pending = vcpu->nmi.pending;
	ev.nmi.masked = hb_ops->get_nmi_masked(vcpu);
	return copy_to_user(argp, &ev, sizeof(ev)) ? -EFAULT : 0;
}

static long hb_set_vcpu_events(struct hb_vcpu *vcpu,
			       struct hb_vcpu_events __user *argp)
{
	struct hb_vcpu_events ev;
	int i;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	if (ev.flags || ev.pad || ev.interrupt.pad2)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(ev.reserved); i++)
		if (ev.reserved[i])
			return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(ev.nmi.pad); i++)
		if (ev.nmi.pad[i])
			return -EINVAL;
	if (ev.exception.injected &&
	    (ev.exception.nr > 31 || ev.exception.nr == X86_VEC_NMI))
		return -EINVAL;
	if ((ev.interrupt.injected || ev.interrupt.pending) &&
	    ev.interrupt.nr < 32)
		return -EINVAL;
	if (ev.interrupt.injected && ev.interrupt.pending)
		return -EINVAL;
	if (ev.interrupt.shadow & ~(HB_SHADOW_STI | HB_SHADOW_MOV_SS))
		return -EINVAL;
	if (ev.exception.injected > 1 || ev.interrupt.injected > 1 ||
	    ev.interrupt.pending > 1 ||
	    ev.nmi.injected > 1 || ev.nmi.pending > 1 || ev.nmi.masked > 1 ||
	    ev.exception.has_error_code > 1 || ev.exception.has_payload > 1)
		return -EINVAL;

	vcpu->exception.pending = ev.exception.injected;
	vcpu->exception.vector = ev.exception.nr;
	vcpu->exception.has_error_code = ev.exception.has_error_code;
	vcpu->exception.error_code = ev.exception.error_code;
	vcpu->exception.has_payload = ev.exception.has_payload;
	vcpu->exception.payload = ev.exception.payload;
	vcpu->irq.queued = ev.interrupt.pending;
	vcpu->irq.injected = ev.interrupt.injected;
	vcpu->irq.vector = ev.interrupt.nr;
	hb_op(set_interrupt_shadow)(vcpu, ev.interrupt.shadow);
	vcpu->nmi.injected = ev.nmi.injected;
	vcpu->nmi.pending = ev.nmi.pending;
	hb_ops->set_nmi_masked(vcpu, ev.nmi.masked);
	return 0;
}

long hb_events_ioctl(struct hb_vcpu *vcpu, unsigned int cmd,
		     void __user *argp)
{
	switch (cmd) {
	case HB_INTERRUPT: {
		struct hb_interrupt irq;

		if (copy_from_user(&irq, argp, sizeof(irq)))
			return -EFAULT;
		if (irq.flags || irq.irq < 32 || irq.irq > 255)
			return -EINVAL;
		if (vcpu->irq.queued || vcpu->irq.injected)
			return -EBUSY;
		vcpu->irq.queued = true;
		vcpu->irq.vector = irq.irq;
		return 0;
	}
	case HB_NMI:
		vcpu->nmi.pending = true;
		return 0;
	case HB_GET_VCPU_EVENTS:
		return hb_get_vcpu_events(vcpu, argp);
	case HB_SET_VCPU_EVENTS:
		return hb_set_vcpu_events(vcpu, argp);
	default:
		return -ENOTTY;
	}
}
