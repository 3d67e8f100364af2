// SPDX-License-Identifier: GPL-2.0
/*
 * VMX exit decoding: turn a VMCS exit reason and qualification into the
 * core's backend-neutral exit handlers (exit.c). Runs preemptible, from
 * what hb_vmx_vcpu_enter() read while the VMCS was current.
 */
#define pr_fmt(fmt) "hyperbox: vmx: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include "vmx.h"

#define EXIT_REASON_GETSEC	11

/* Debugging under Bochs: log the first vmx_trace exits. */
static int vmx_trace;
module_param(vmx_trace, int, 0644);
MODULE_PARM_DESC(vmx_trace, "log this many VMX exits (debugging)");

/* Exit qualification for control-register accesses (SDM Vol. 3, 28.2.1). */
#define CR_QUAL_NR(q)		((q) & 0xf)
#define CR_QUAL_TYPE(q)		(((q) >> 4) & 3)
#define CR_QUAL_GPR(q)		(((q) >> 8) & 0xf)
#define CR_QUAL_LMSW_DATA(q)	(((q) >> 16) & 0xffff)
#define CR_TYPE_MOV_TO		0
#define CR_TYPE_MOV_FROM	1
#define CR_TYPE_CLTS		2
#define CR_TYPE_LMSW		3

/* ... for I/O instructions */
#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_REP		BIT(5)
#define IO_QUAL_PORT(q)		((q) >> 16)

/* EPT violation: bit 1 = the access was a write (SDM Vol. 3, 28.2.1). */
#define EPT_QUAL_WRITE		BIT(1)

static u64 hb_vmx_next_rip(struct hb_vcpu *vcpu)
{
	return vcpu->rip + to_vmx(vcpu)->exit_len;
}

static int hb_vmx_inject_ud(struct hb_vcpu *vcpu)
{
	hb_queue_exception(vcpu, X86_VEC_UD, false, 0);
	return 1;
}

static int hb_vmx_inject_gp(struct hb_vcpu *vcpu)
{
	hb_queue_exception(vcpu, X86_VEC_GP, true, 0);
	return 1;
}

static u64 hb_vmx_operand_mask(struct hb_vcpu *vcpu)
{
	return hb_op(cpu_mode)(vcpu) == HB_MODE_LONG64 ? ~0ULL : 0xffffffffULL;
}

static int hb_vmx_unexpected(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 data[3] = { vmx->exit_reason, vmx->exit_qual, vcpu->rip };

	hb_stat_exit(HB_STAT_EXIT_OTHER);
	pr_warn_ratelimited("unexpected exit %u (qualification %#llx) at rip %#llx\n",
			    vmx->exit_reason, vmx->exit_qual, vcpu->rip);
	return hb_exit_internal(vcpu, HB_INTERNAL_ERROR_UNEXPECTED_EXIT,
				ARRAY_SIZE(data), data);
}

/* The guest state VM entry refused: worth a log line when debugging. */
static void hb_vmx_dump_guest(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	hb_vmx_vcpu_get(vmx);
	pr_warn_ratelimited("entry failed (reason %#x, qualification %#llx): cr0 %#llx cr4 %#llx efer %#llx entry-ctl %#llx cs %#llx/%#llx ss %#llx tr %#llx rip %#llx rflags %#llx\n",
			    vmx->exit_reason, vmx->exit_qual,
			    vmcs_read(GUEST_CR0), vmcs_read(GUEST_CR4),
			    vmcs_read(GUEST_IA32_EFER),
			    vmcs_read(VM_ENTRY_CONTROLS),
			    vmcs_read(GUEST_CS_SELECTOR),
			    vmcs_read(GUEST_CS_AR_BYTES),
			    vmcs_read(GUEST_SS_AR_BYTES),
			    vmcs_read(GUEST_TR_AR_BYTES),
			    vmcs_read(GUEST_RIP), vmcs_read(GUEST_RFLAGS));
	hb_vmx_vcpu_put(vmx);
}

static int hb_vmx_exception(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->intr_info;
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		hb_stat_exit(HB_STAT_EXIT_NMI);	/* handled in vcpu_enter */
		return 1;
	}
	hb_stat_exit(HB_STAT_EXIT_EXCEPTION);
	switch (vector) {
	case X86_VEC_DB:
		/* The qualification holds the DR6 bits of this #DB. */
		vmx->dr6 = (vmx->dr6 & ~(u64)(DR_TRAP_BITS | DR_STEP)) |
			   (vmx->exit_qual & (DR_TRAP_BITS | DR_STEP));
		hb_queue_exception(vcpu, X86_VEC_DB, false, 0);
		return 1;
	case X86_VEC_AC:
		hb_queue_exception(vcpu, X86_VEC_AC, true, vmx->intr_error);
		return 1;
	case X86_VEC_UD:
		/* VMMCALL faults here: taken as the hypercall it means. */
		return hb_exit_ud(vcpu);
	default:
		return hb_vmx_unexpected(vcpu);
	}
}

static int hb_vmx_cr_access(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 q = vmx->exit_qual, mask = hb_vmx_operand_mask(vcpu);
	int reg = CR_QUAL_GPR(q), ret = 0;
	u64 val = vcpu->regs[reg] & mask, cr0;

	switch (CR_QUAL_TYPE(q)) {
	case CR_TYPE_MOV_TO:
		switch (CR_QUAL_NR(q)) {
		case 0:
			ret = hb_vmx_mov_to_cr0(vcpu, val);
			break;
		case 3:		/* only if the CPU forces CR3 exiting */
			hb_vmx_vcpu_get(vmx);
			vmcs_write(GUEST_CR3, val);
			hb_vmx_vcpu_put(vmx);
			break;
		case 4:
			ret = hb_vmx_mov_to_cr4(vcpu, val);
			break;
		case 8:
			if (val > 15)
				ret = -EINVAL;
			else
				vmx->cr8 = val;
			break;
		default:
			return hb_vmx_unexpected(vcpu);
		}
		break;
	case CR_TYPE_MOV_FROM:
		switch (CR_QUAL_NR(q)) {
		case 3:
			hb_vmx_vcpu_get(vmx);
			val = vmcs_read(GUEST_CR3);
			hb_vmx_vcpu_put(vmx);
			break;
		case 8:
			val = vmx->cr8;
			break;
		default:
			return hb_vmx_unexpected(vcpu);
		}
		vcpu->regs[reg] = val & mask;
		break;
	case CR_TYPE_CLTS:
	case CR_TYPE_LMSW:
		hb_vmx_vcpu_get(vmx);
		cr0 = hb_vmx_guest_cr0();
		hb_vmx_vcpu_put(vmx);
		if (CR_QUAL_TYPE(q) == CR_TYPE_CLTS)
			val = cr0 & ~(u64)X86_CR0_TS;
		else	/* LMSW sets PE but never clears it */
			val = (cr0 & ~0xeULL) | (CR_QUAL_LMSW_DATA(q) & 0xf);
		ret = hb_vmx_mov_to_cr0(vcpu, val);
		break;
	}
	if (ret)
		return hb_vmx_inject_gp(vcpu);
	hb_skip_insn(vcpu, hb_vmx_next_rip(vcpu));
	return 1;
}

/*
 * The first MOV DR: from now on the guest's DR0-3/DR6 are loaded around
 * every entry (DR7 is in the VMCS) and MOV DR runs without exiting. The
 * instruction is not skipped: it runs again, natively.
 */
static int hb_vmx_dr_access(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->dr_active = true;
	hb_stat_exit(HB_STAT_EXIT_OTHER);
	return 1;
}

static int hb_vmx_io(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 q = vmx->exit_qual;
	bool string = q & IO_QUAL_STRING;
	u8 addr_bytes = 0;

	if (string) {
		if (hb_vmx.ins_outs_info) {
			/* Bits 9:7: address size 0/1/2 = 16/32/64 bits. */
			addr_bytes = 2 << ((vmx->insn_info >> 7) & 3);
		} else {
			switch (hb_op(cpu_mode)(vcpu)) {
			case HB_MODE_LONG64:
				addr_bytes = 8;
				break;
			case HB_MODE_PROT32:
				addr_bytes = 4;
				break;
			default:
				addr_bytes = 2;
			}
		}
	}
	return hb_exit_pio(vcpu, IO_QUAL_PORT(q), IO_QUAL_SIZE(q),
			   q & IO_QUAL_IN, string, q & IO_QUAL_REP, addr_bytes,
			   hb_vmx_next_rip(vcpu));
}

int hb_vmx_handle_exit(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 reason;

	if (!vmx->entered) {
		/* VMCS still active on another CPU: clear it there, load here. */
		hb_vmx_vcpu_get(vmx);
		hb_vmx_vcpu_put(vmx);
		return 1;
	}
	if (vmx->vmfail) {
		pr_err_ratelimited("VMLAUNCH/VMRESUME failed: VM-instruction error %u\n",
				   vmx->insn_error);
		return hb_exit_fail_entry(vcpu, vmx->insn_error);
	}
	reason = vmx->exit_reason;
	if (unlikely(vmx_trace > 0)) {
		vmx_trace--;
		pr_info("exit %#x qual %#llx rip %#llx len %u gpa %#llx intr %#x idt %#x\n",
			reason, vmx->exit_qual, vcpu->rip, vmx->exit_len,
			vmx->exit_gpa, vmx->intr_info, vmx->idt_info);
	}
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		hb_vmx_dump_guest(vcpu);
		return hb_exit_fail_entry(vcpu, reason);
	}
	hb_vmx_requeue_event(vcpu);

	switch (reason & 0xffff) {
	case EXIT_REASON_EXCEPTION_NMI:
		return hb_vmx_exception(vcpu);
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		/* Not acknowledged: the host takes it when IRQs come back on. */
		hb_stat_exit(HB_STAT_EXIT_INTR);
		return 1;
	case EXIT_REASON_PREEMPTION_TIMER:
		/* The slice is over: the host looks at its own work first. */
		hb_stat_exit(HB_STAT_EXIT_INTR);
		return 1;
	case EXIT_REASON_INTERRUPT_WINDOW:
	case EXIT_REASON_NMI_WINDOW:
		/* The window is open: the next entry injects (or exits). */
		return 1;
	case EXIT_REASON_TRIPLE_FAULT:
		/* Like SVM's VMCB: the vCPU starts over from RESET state. */
		hb_vmx_vcpu_get(vmx);
		hb_vmx_reset_guest(vcpu);
		hb_vmx_vcpu_put(vmx);
		vmx->intr_state = vmx->intr_state_vmcs = 0;
		vmx->vmcs_rip = vcpu->rip;
		vmx->vmcs_rsp = vcpu->regs[HB_RSP];
		vmx->vmcs_rflags = vcpu->rflags;
		return hb_exit_shutdown(vcpu);
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_SIPI_SIGNAL:
		hb_stat_exit(HB_STAT_EXIT_OTHER);
		return 1;
	case EXIT_REASON_CPUID:
		return hb_exit_cpuid(vcpu, hb_vmx_next_rip(vcpu));
	case EXIT_REASON_HLT:
		return hb_exit_hlt(vcpu, hb_vmx_next_rip(vcpu));
	case EXIT_REASON_VMCALL:
		return hb_exit_hypercall(vcpu, hb_vmx_next_rip(vcpu));
	case EXIT_REASON_IO_INSTRUCTION:
		return hb_vmx_io(vcpu);
	case EXIT_REASON_MSR_READ:
		return hb_exit_rdmsr(vcpu, hb_vmx_next_rip(vcpu));
	case EXIT_REASON_MSR_WRITE:
		return hb_exit_wrmsr(vcpu, hb_vmx_next_rip(vcpu));
	case EXIT_REASON_CR_ACCESS:
		return hb_vmx_cr_access(vcpu);
	case EXIT_REASON_DR_ACCESS:
		return hb_vmx_dr_access(vcpu);
	case EXIT_REASON_EPT_VIOLATION:
		return hb_exit_tdp_fault(vcpu, vmx->exit_gpa,
					 vmx->exit_qual & EPT_QUAL_WRITE);
	case EXIT_REASON_INVD:
	case EXIT_REASON_WBINVD:
		/* Guest memory is write-back and coherent: nothing to do. */
		hb_stat_exit(HB_STAT_EXIT_OTHER);
		hb_skip_insn(vcpu, hb_vmx_next_rip(vcpu));
		return 1;
	case EXIT_REASON_RDPMC:
		/* No performance counters are offered (CPUID leaf 0xa is 0). */
		return hb_vmx_inject_gp(vcpu);
	/*
	 * No nested VMX, no SMX, no MONITOR/MWAIT, no XSAVE (CPUID hides it,
	 * whatever CR4.OSXSAVE says; as on SVM): the guest gets #UD.
	 */
	case EXIT_REASON_XSETBV:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_GETSEC:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
		hb_stat_exit(HB_STAT_EXIT_OTHER);
		return hb_vmx_inject_ud(vcpu);
	default:
		return hb_vmx_unexpected(vcpu);
	}
}
