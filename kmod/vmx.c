// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: one VMCS per vCPU, EPT for guest memory, unrestricted
 * guest for real mode. This file sets up the VMCS, enters the guest and
 * gives the core the guest state it asks for; vmx_exit.c decodes exits,
 * vmx_cpu.c owns VMXON and VMCS migration, vmx_caps.c the controls.
 */
#define pr_fmt(fmt) "hyperbox: vmx: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fsgsbase.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include "vmx.h"

#define EFER_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)
#define PAT_DEFAULT	0x0007040600070406ULL
#define VMX_DR7_RESET	0x400

/* VMCS segment fields come in Sreg order, 2 apart (SDM Vol. 3, B.1.2). */
enum hb_vmx_seg {
	VSEG_ES, VSEG_CS, VSEG_SS, VSEG_DS, VSEG_FS, VSEG_GS, VSEG_LDTR,
	VSEG_TR,
};

#define SEG_SELECTOR(i)	(GUEST_ES_SELECTOR + 2 * (i))
#define SEG_LIMIT(i)	(GUEST_ES_LIMIT + 2 * (i))
#define SEG_AR(i)	(GUEST_ES_AR_BYTES + 2 * (i))
#define SEG_BASE(i)	(GUEST_ES_BASE + 2 * (i))

/* Access rights layout (SDM Vol. 3, Table 25-2). */
#define VMX_AR_S		BIT(4)
#define VMX_AR_P		BIT(7)
#define VMX_AR_AVL		BIT(12)
#define VMX_AR_L		BIT(13)
#define VMX_AR_DB		BIT(14)
#define VMX_AR_G		BIT(15)

#define SEG_TYPE_TSS16_BUSY	3
#define SEG_TYPE_TSS_BUSY	11
#define SEG_TYPE_LDT		2

/*
 * CR0 bits the host owns (guest reads see the shadow, writes that change
 * them exit): those VMX fixes to 1 outside real mode (NE; PE and PG are
 * free with unrestricted guest), and CD/NW, which the guest may set but
 * never gets: guest memory stays write-back, as for KVM.
 */
static u64 hb_vmx_cr0_host_bits(void)
{
	return (hb_vmx.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) |
	       X86_CR0_CD | X86_CR0_NW;
}

static u64 hb_vmx_cr0_hw(u64 cr0)
{
	return (cr0 & ~(X86_CR0_CD | X86_CR0_NW)) |
	       (hb_vmx.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG));
}

/* CR4.VMXE must be 1 in VMX non-root operation; the guest sees 0. */
static u64 hb_vmx_cr4_host_bits(void)
{
	return hb_vmx.cr4_fixed0;
}

/* The guest's view of CR0/CR4. The VMCS must be current. */
u64 hb_vmx_guest_cr0(void)
{
	u64 mask = hb_vmx_cr0_host_bits();

	return (vmcs_read(GUEST_CR0) & ~mask) |
	       (vmcs_read(CR0_READ_SHADOW) & mask);
}

u64 hb_vmx_guest_cr4(void)
{
	u64 mask = hb_vmx_cr4_host_bits();

	return (vmcs_read(GUEST_CR4) & ~mask) |
	       (vmcs_read(CR4_READ_SHADOW) & mask);
}

/* ---- VM --------------------------------------------------------------- */

static void hb_msr_passthrough(u8 *bitmap, u32 msr)
{
	unsigned long *read, *write;

	if (msr >= 0xc0000000) {
		msr -= 0xc0000000;
		read = (unsigned long *)(bitmap + 1024);
	} else {
		read = (unsigned long *)bitmap;
	}
	write = (unsigned long *)((u8 *)read + 2048);
	__clear_bit(msr, read);
	__clear_bit(msr, write);
}

static void hb_vmx_vm_destroy(struct hb_vm *vm)
{
	struct hb_vmx_vm *v = to_vmx_vm(vm);

	if (!v)
		return;
	if (v->io_bitmap)
		free_pages((unsigned long)v->io_bitmap, 1);
	if (v->msr_bitmap)
		free_page((unsigned long)v->msr_bitmap);
	free_cpumask_var(v->ept_fresh);
	kfree(v);
	vm->priv = NULL;
}

static int hb_vmx_vm_init(struct hb_vm *vm)
{
	struct hb_vmx_vm *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);

	if (!v)
		return -ENOMEM;
	vm->priv = v;
	v->io_bitmap = (void *)__get_free_pages(GFP_KERNEL_ACCOUNT, 1);
	v->msr_bitmap = (void *)__get_free_page(GFP_KERNEL_ACCOUNT);
	if (!v->io_bitmap || !v->msr_bitmap ||
	    !zalloc_cpumask_var(&v->ept_fresh, GFP_KERNEL_ACCOUNT)) {
		hb_vmx_vm_destroy(vm);
		return -ENOMEM;
	}
	/* Every port exits; every MSR exits unless the VMCS switches it. */
	memset(v->io_bitmap, 0xff, 2 * PAGE_SIZE);
	memset(v->msr_bitmap, 0xff, PAGE_SIZE);
	hb_msr_passthrough(v->msr_bitmap, MSR_FS_BASE);
	hb_msr_passthrough(v->msr_bitmap, MSR_GS_BASE);
	hb_msr_passthrough(v->msr_bitmap, MSR_IA32_SYSENTER_CS);
	hb_msr_passthrough(v->msr_bitmap, MSR_IA32_SYSENTER_ESP);
	hb_msr_passthrough(v->msr_bitmap, MSR_IA32_SYSENTER_EIP);
	return 0;
}

/* ---- VMCS setup --------------------------------------------------------- */

static void hb_vmx_write_seg(int i, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmcs_write(SEG_SELECTOR(i), sel);
	vmcs_write(SEG_BASE(i), base);
	vmcs_write(SEG_LIMIT(i), limit);
	vmcs_write(SEG_AR(i), ar);
}

/*
 * The architectural state after RESET (SDM Vol. 3, Table 10-1). Also what
 * a vCPU holds after a triple fault, as on SVM. The VMCS must be current.
 */
void hb_vmx_reset_guest(struct hb_vcpu *vcpu)
{
	const u32 data = 0x93, code = 0x9b;
	u64 cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	int i;

	hb_vmx_write_seg(VSEG_CS, 0xf000, 0xffff0000, 0xffff, code);
	for (i = VSEG_ES; i <= VSEG_GS; i++)
		if (i != VSEG_CS)
			hb_vmx_write_seg(i, 0, 0, 0xffff, data);
	hb_vmx_write_seg(VSEG_LDTR, 0, 0, 0xffff, VMX_AR_P | SEG_TYPE_LDT);
	hb_vmx_write_seg(VSEG_TR, 0, 0, 0xffff, VMX_AR_P | SEG_TYPE_TSS16_BUSY);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);

	vmcs_write(GUEST_CR0, hb_vmx_cr0_hw(cr0));
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_CR4, hb_vmx.cr4_fixed0);
	vmcs_write(CR4_READ_SHADOW, 0);
	hb_vmx_set_efer(0);
	vmcs_write(GUEST_DR7, VMX_DR7_RESET);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);

	vmcs_write(GUEST_RIP, vcpu->rip);
	vmcs_write(GUEST_RSP, vcpu->regs[HB_RSP]);
	vmcs_write(GUEST_RFLAGS, vcpu->rflags);
}

static void hb_vmx_vmcs_setup(struct hb_vmx_vcpu *vmx)
{
	struct hb_vcpu *vcpu = vmx->vcpu;
	struct hb_vmx_vm *v = to_vmx_vm(vcpu->vm);
	u32 proc2 = hb_vmx.proc2;
	u64 msr;

	vmcs_write(VMCS_LINK_POINTER, -1ULL);
	if (!vmx->vpid)
		proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, hb_vmx.pin);
	if (hb_vmx.preemption_timer_value)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE,
			   hb_vmx.preemption_timer_value);
	vmx->proc = vmx->proc_vmcs = hb_vmx.proc;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write(VM_EXIT_CONTROLS, hb_vmx.exit);
	vmcs_write(VM_ENTRY_CONTROLS, hb_vmx.entry);
	/*
	 * #AC and #DB are intercepted and reflected: delivering them could
	 * otherwise loop in microcode and hang the host CPU
	 * (CVE-2015-5307, CVE-2015-8104). #UD: see hb_vmx_exception().
	 */
	vmcs_write(EXCEPTION_BITMAP, BIT(X86_VEC_DB) | BIT(X86_VEC_AC) |
		   BIT(X86_VEC_UD));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(IO_BITMAP_A, __pa(v->io_bitmap));
	vmcs_write(IO_BITMAP_B, __pa(v->io_bitmap) + PAGE_SIZE);
	vmcs_write(MSR_BITMAP, __pa(v->msr_bitmap));
	vmcs_write(EPT_POINTER, v->eptp);
	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write(CR0_GUEST_HOST_MASK, hb_vmx_cr0_host_bits());
	vmcs_write(CR4_GUEST_HOST_MASK, hb_vmx_cr4_host_bits());
	vmcs_write(TSC_OFFSET, 0);

	/* Host state that is the same on every CPU (per-CPU: vmx_cpu.c). */
	vmcs_write(HOST_CR0, read_cr0());
	vmx->host_cr3 = __read_cr3();
	vmcs_write(HOST_CR3, vmx->host_cr3);
	vmx->host_cr4 = __read_cr4();
	vmcs_write(HOST_CR4, vmx->host_cr4);
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	/* DS, ES, FS, GS: null after the exit, reloaded by hand if needed. */
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmx->host_fs_base = 0;
	vmcs_write(HOST_FS_BASE, 0);
	rdmsrl(MSR_IA32_SYSENTER_CS, msr);
	vmcs_write(HOST_IA32_SYSENTER_CS, msr);
	rdmsrl(MSR_IA32_SYSENTER_EIP, msr);
	vmcs_write(HOST_IA32_SYSENTER_EIP, msr);
	vmcs_write(HOST_IA32_EFER, hb_vmx.host_efer);
	vmcs_write(HOST_RIP, (unsigned long)hb_vmx_vmexit);
	vmx->host_rsp = 0;

	hb_vmx_reset_guest(vcpu);
	vmx->intr_state = vmx->intr_state_vmcs = 0;
	vmx->vmcs_rip = vcpu->rip;
	vmx->vmcs_rsp = vcpu->regs[HB_RSP];
	vmx->vmcs_rflags = vcpu->rflags;
}

static void hb_vmx_vcpu_free(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx)
		return;
	hb_vmx_vmcs_free(vmx);
	hb_vmx_vpid_free(vmx->vpid);
	kfree(vmx);
	vcpu->priv = NULL;
}

static int hb_vmx_vcpu_create(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	int ret;

	if (!vmx)
		return -ENOMEM;
	vmx->vcpu = vcpu;
	vcpu->priv = vmx;
	ret = hb_vmx_vmcs_alloc(vmx);
	if (ret) {
		kfree(vmx);
		vcpu->priv = NULL;
		return ret;
	}
	vmx->vpid = hb_vmx_vpid_alloc();
	vmx->pat = PAT_DEFAULT;
	vmx->dr6 = DR6_RESERVED;

	hb_vmx_vcpu_get(vmx);
	hb_vmx_vmcs_setup(vmx);
	hb_vmx_vcpu_put(vmx);
	return 0;
}

/* ---- entering the guest ------------------------------------------------- */

/* Host state VM exit does not restore (SDM Vol. 3, 28.5): ours to keep. */
struct hb_vmx_host {
	u16 ds, es, fs, gs;
	unsigned long fs_base;
	u64 kernel_gs_base;
	u64 star, lstar, cstar, sfmask;
	struct desc_ptr gdt, idt;
};

static void hb_vmx_save_host(struct hb_vmx_vcpu *vmx, struct hb_vmx_host *h)
{
	unsigned long cr3 = __read_cr3(), cr4 = __read_cr4();

	/* CR3 carries a per-CPU PCID; CR4 may change (e.g. TSD). */
	if (unlikely(cr3 != vmx->host_cr3)) {
		vmcs_write(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (unlikely(cr4 != vmx->host_cr4)) {
		vmcs_write(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	h->fs_base = x86_fsbase_read_cpu();
	if (h->fs_base != vmx->host_fs_base) {
		vmcs_write(HOST_FS_BASE, h->fs_base);
		vmx->host_fs_base = h->fs_base;
	}
	native_store_gdt(&h->gdt);
	store_idt(&h->idt);

	/* SWAPGS in the guest changes KERNEL_GS_BASE without an exit. */
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	if (vmx->syscall_msrs) {
		rdmsrl(MSR_STAR, h->star);
		rdmsrl(MSR_LSTAR, h->lstar);
		rdmsrl(MSR_CSTAR, h->cstar);
		rdmsrl(MSR_SYSCALL_MASK, h->sfmask);
		wrmsrl(MSR_STAR, vmx->star);
		wrmsrl(MSR_LSTAR, vmx->lstar);
		wrmsrl(MSR_CSTAR, vmx->cstar);
		wrmsrl(MSR_SYSCALL_MASK, vmx->sfmask);
	}
}

static void hb_vmx_restore_host(struct hb_vmx_vcpu *vmx,
				struct hb_vmx_host *h)
{
	/* Before load_gs_index(), which rewrites KERNEL_GS_BASE. */
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		x86_fsbase_write_cpu(h->fs_base);
	}
	if (h->gs)
		load_gs_index(h->gs);
	/* VM exit sets the GDTR/IDTR limits to 0xffff and TR's to 0x67. */
	native_load_gdt(&h->gdt);
	load_idt(&h->idt);
	invalidate_tss_limit();

	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	if (vmx->syscall_msrs) {
		wrmsrl(MSR_STAR, h->star);
		wrmsrl(MSR_LSTAR, h->lstar);
		wrmsrl(MSR_CSTAR, h->cstar);
		wrmsrl(MSR_SYSCALL_MASK, h->sfmask);
	}
	/* VM exit clears DEBUGCTL and sets DR7 to 0x400. */
	if (vmx->host_debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, vmx->host_debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

static void hb_vmx_sync_guest(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 state = hb_vmx_intr_state(vcpu);
	u32 proc = vmx->proc;

	if (vcpu->rip != vmx->vmcs_rip)
		vmcs_write(GUEST_RIP, vcpu->rip);
	if (vcpu->regs[HB_RSP] != vmx->vmcs_rsp)
		vmcs_write(GUEST_RSP, vcpu->regs[HB_RSP]);
	if (vcpu->rflags != vmx->vmcs_rflags)
		vmcs_write(GUEST_RFLAGS, vcpu->rflags);
	if (state != vmx->intr_state_vmcs) {
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, state);
		vmx->intr_state_vmcs = state;
	}
	if (vmx->dr_active)
		proc &= ~CPU_BASED_MOV_DR_EXITING;
	if (proc != vmx->proc_vmcs) {
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
		vmx->proc_vmcs = proc;
	}

	if (vmx->event_info) {
		u32 info = vmx->event_info;

		/* Real mode pushes no error code (SDM Vol. 3, 26.2.1.3). */
		if ((info & INTR_INFO_DELIVER_CODE_MASK) &&
		    !(vmcs_read(GUEST_CR0) & X86_CR0_PE))
			info &= ~INTR_INFO_DELIVER_CODE_MASK;
		else if (info & INTR_INFO_DELIVER_CODE_MASK)
			vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
				   vmx->event_error);
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
	}
}

/* Guest DR0-3 and DR6 are not in the VMCS; DR7 is. */
static void hb_vmx_load_guest_dr(struct hb_vmx_vcpu *vmx,
				 unsigned long host_dr[5])
{
	struct hb_vcpu *vcpu = vmx->vcpu;

	host_dr[0] = native_get_debugreg(0);
	host_dr[1] = native_get_debugreg(1);
	host_dr[2] = native_get_debugreg(2);
	host_dr[3] = native_get_debugreg(3);
	host_dr[4] = native_get_debugreg(6);
	native_set_debugreg(0, vcpu->dr[0]);
	native_set_debugreg(1, vcpu->dr[1]);
	native_set_debugreg(2, vcpu->dr[2]);
	native_set_debugreg(3, vcpu->dr[3]);
	native_set_debugreg(6, vmx->dr6);
}

static void hb_vmx_put_guest_dr(struct hb_vmx_vcpu *vmx,
				const unsigned long host_dr[5])
{
	struct hb_vcpu *vcpu = vmx->vcpu;

	vcpu->dr[0] = native_get_debugreg(0);
	vcpu->dr[1] = native_get_debugreg(1);
	vcpu->dr[2] = native_get_debugreg(2);
	vcpu->dr[3] = native_get_debugreg(3);
	vmx->dr6 = native_get_debugreg(6);
	native_set_debugreg(0, host_dr[0]);
	native_set_debugreg(1, host_dr[1]);
	native_set_debugreg(2, host_dr[2]);
	native_set_debugreg(3, host_dr[3]);
	native_set_debugreg(6, host_dr[4]);
}

static void hb_vmx_read_exit(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 reason = vmcs_read(VM_EXIT_REASON);

	vmx->exit_reason = reason;
	if (!(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		vmx->launched = true;
	vcpu->rip = vmx->vmcs_rip = vmcs_read(GUEST_RIP);
	vcpu->regs[HB_RSP] = vmx->vmcs_rsp = vmcs_read(GUEST_RSP);
	vcpu->rflags = vmx->vmcs_rflags = vmcs_read(GUEST_RFLAGS);
	vmx->intr_state = vmx->intr_state_vmcs =
		vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	vmx->intr_state_rip = vcpu->rip;
	vmx->exit_qual = vmcs_read(EXIT_QUALIFICATION);
	vmx->exit_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	vmx->idt_info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	if (vmx->idt_info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmx->idt_error = vmcs_read(IDT_VECTORING_ERROR_CODE);

	switch (reason & 0xffff) {
	case EXIT_REASON_EXCEPTION_NMI:
		vmx->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
		if (vmx->intr_info & INTR_INFO_DELIVER_CODE_MASK)
			vmx->intr_error = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
		/*
		 * A host NMI arrived while the guest ran: hand it to the
		 * host's handler now, interrupts still off. The exit left
		 * NMIs blocked; the handler's IRET unblocks them.
		 */
		if ((vmx->intr_info & INTR_INFO_INTR_TYPE_MASK) ==
		    INTR_TYPE_NMI_INTR)
			asm volatile("int $2");
		break;
	case EXIT_REASON_EPT_VIOLATION:
		vmx->exit_gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		if (hb_vmx.ins_outs_info)
			vmx->insn_info = vmcs_read(VMX_INSTRUCTION_INFO);
		break;
	}
}

/* Interrupts and preemption are off (core's hb_vcpu_run_once()). */
static void hb_vmx_vcpu_enter(struct hb_vcpu *vcpu, unsigned int flags)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	struct hb_vmx_vm *v = to_vmx_vm(vcpu->vm);
	int cpu = smp_processor_id();
	unsigned long host_dr[5];
	struct hb_vmx_host host;
	int failed;

	vmx->entered = false;
	vmx->flush_pending |= !!(flags & HB_ENTER_FLUSH_TDP);
	/* Still active on the CPU we last ran on: handle_exit moves it. */
	if (!hb_vmx_vmcs_load_irqoff(vmx))
		return;
	vcpu->cpu = cpu;

	/*
	 * Translations of this EPTP may be stale here: the table changed
	 * (HB_ENTER_FLUSH_TDP), we ran elsewhere since this CPU last saw
	 * it, or the EPTP's page served another VM before.
	 */
	if (vmx->flush_pending || cpu != vmx->last_cpu ||
	    !cpumask_test_cpu(cpu, v->ept_fresh)) {
		cpumask_set_cpu(cpu, v->ept_fresh);
		hb_vmx_invept(v->eptp);
		vmx->flush_pending = false;
		vmx->last_cpu = cpu;
	}

	hb_vmx_sync_guest(vcpu);
	hb_vmx_save_host(vmx, &host);
	if (vmx->dr_active)
		hb_vmx_load_guest_dr(vmx, host_dr);
	/* CR2 is not in the VMCS: the guest's lives in the register. */
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);

	failed = hb_vmx_vmenter(vcpu->regs, vmx->launched, &vmx->host_rsp);

	vmx->cr2 = native_read_cr2();
	if (vmx->dr_active)
		hb_vmx_put_guest_dr(vmx, host_dr);
	hb_vmx_restore_host(vmx, &host);
	/* Delivered, cut short (IDT-vectoring info) or refused: done. */
	vmx->event_info = 0;
	vmx->proc &= ~(CPU_BASED_INTR_WINDOW_EXITING |
		       CPU_BASED_NMI_WINDOW_EXITING);
	vmx->entered = true;
	vmx->vmfail = failed;
	if (failed) {
		vmx->insn_error = vmcs_read(VM_INSTRUCTION_ERROR);
		return;
	}
	hb_vmx_read_exit(vcpu);
}

/* ---- guest state for the core ------------------------------------------- */

static void hb_vmx_get_seg(int i, struct hb_segment *s)
{
	u32 ar = vmcs_read(SEG_AR(i));

	memset(s, 0, sizeof(*s));
	s->selector = vmcs_read(SEG_SELECTOR(i));
	s->base = vmcs_read(SEG_BASE(i));
	s->limit = vmcs_read(SEG_LIMIT(i));
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	s->type = ar & 0xf;
	s->s = !!(ar & VMX_AR_S);
	s->dpl = (ar >> 5) & 3;
	s->present = !s->unusable && (ar & VMX_AR_P);
	s->avl = !!(ar & VMX_AR_AVL);
	s->l = !!(ar & VMX_AR_L);
	s->db = !!(ar & VMX_AR_DB);
	s->g = !!(ar & VMX_AR_G);
}

/*
 * The VMCS wants what hardware would have loaded from a descriptor
 * (SDM Vol. 3, 27.3.1.2): accessed code/data segments, G consistent with
 * the limit, a busy TSS in TR. Fill those in rather than fail the entry.
 */
static void hb_vmx_set_seg(int i, const struct hb_segment *s)
{
	u32 limit = s->limit, ar;
	u8 type = s->type & 0xf;
	bool g = s->g;

	if (i == VSEG_TR) {
		if (type != SEG_TYPE_TSS16_BUSY && type != SEG_TYPE_TSS_BUSY)
			type = SEG_TYPE_TSS_BUSY;
		ar = type | VMX_AR_P;
	} else if (s->unusable || !s->present) {
		ar = VMX_AR_UNUSABLE_MASK;
	} else {
		if (s->s)
			type |= 1;
		ar = type | VMX_AR_P | (s->s ? VMX_AR_S : 0) | (s->dpl & 3) << 5 |
		     (s->avl ? VMX_AR_AVL : 0) | (s->l ? VMX_AR_L : 0) |
		     (s->db ? VMX_AR_DB : 0);
	}
	if (limit > 0xfffff)
		g = true;
	else if ((limit & 0xfff) != 0xfff)
		g = false;
	if (g && !(ar & VMX_AR_UNUSABLE_MASK))
		ar |= VMX_AR_G;
	hb_vmx_write_seg(i, s->selector, s->base, limit, ar);
}

static void hb_vmx_get_sregs(struct hb_vcpu *vcpu, struct hb_sregs *s)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	hb_vmx_vcpu_get(vmx);
	hb_vmx_get_seg(VSEG_CS, &s->cs);
	hb_vmx_get_seg(VSEG_DS, &s->ds);
	hb_vmx_get_seg(VSEG_ES, &s->es);
	hb_vmx_get_seg(VSEG_FS, &s->fs);
	hb_vmx_get_seg(VSEG_GS, &s->gs);
	hb_vmx_get_seg(VSEG_SS, &s->ss);
	hb_vmx_get_seg(VSEG_TR, &s->tr);
	hb_vmx_get_seg(VSEG_LDTR, &s->ldt);
	s->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	s->cr0 = hb_vmx_guest_cr0();
	s->cr3 = vmcs_read(GUEST_CR3);
	s->cr4 = hb_vmx_guest_cr4();
	s->efer = vmcs_read(GUEST_IA32_EFER);
	hb_vmx_vcpu_put(vmx);
	s->cr2 = vmx->cr2;
	s->cr8 = vmx->cr8;
	s->apic_base = vcpu->apic_base;
}

/* PAE paging without long mode: VM entry loads the PDPTEs from the VMCS. */
static bool hb_vmx_pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) &&
	       !(efer & EFER_LMA);
}

/* Read the four PDPTEs at @cr3 (may sleep: call before hb_vmx_vcpu_get). */
int hb_vmx_read_pdptrs(struct hb_vcpu *vcpu, u64 cr3, u64 pdptr[4])
{
	int ret = hb_read_guest_phys(vcpu->vm, cr3 & 0xffffffe0ULL, pdptr,
				     4 * sizeof(u64));

	if (ret)
		memset(pdptr, 0, 4 * sizeof(u64));
	return ret;
}

void hb_vmx_write_pdptrs(const u64 pdptr[4])
{
	vmcs_write(GUEST_PDPTR0, pdptr[0]);
	vmcs_write(GUEST_PDPTR1, pdptr[1]);
	vmcs_write(GUEST_PDPTR2, pdptr[2]);
	vmcs_write(GUEST_PDPTR3, pdptr[3]);
}

/* CR0/CR4/EFER combinations a guest could reach (or VM entry accepts). */
static int hb_vmx_check_control_regs(u64 cr0, u64 cr4, u64 efer)
{
	if (cr0 >> 32 || cr4 >> 32 || (efer & ~EFER_VALID))
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return -EINVAL;
	/* Bits the CPU cannot set in VMX operation; VMXE is ours. */
	if ((cr4 & ~hb_vmx.cr4_fixed1) || (cr4 & X86_CR4_VMXE))
		return -EINVAL;
	if ((efer & EFER_NX) && !boot_cpu_has(X86_FEATURE_NX))
		return -EINVAL;
	if ((efer & EFER_LMA) && !(cr4 & X86_CR4_PAE))
		return -EINVAL;
	if ((cr4 & X86_CR4_PCIDE) && !(efer & EFER_LMA))
		return -EINVAL;
	return 0;
}

/* Load EFER and let the "IA-32e mode guest" entry control follow LMA. */
void hb_vmx_set_efer(u64 efer)
{
	u64 entry = vmcs_read(VM_ENTRY_CONTROLS);

	if (efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	else
		entry &= ~(u64)VM_ENTRY_IA32E_MODE;
	vmcs_write(VM_ENTRY_CONTROLS, entry);
	vmcs_write(GUEST_IA32_EFER, efer);
}

static int hb_vmx_set_sregs(struct hb_vcpu *vcpu, const struct hb_sregs *s)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 efer = s->efer, pdptr[4];
	int ret;

	/* Paging with LME set means long mode: LMA follows (as KVM's does). */
	if ((efer & EFER_LME) && (s->cr0 & X86_CR0_PG))
		efer |= EFER_LMA;
	else
		efer &= ~EFER_LMA;
	ret = hb_vmx_check_control_regs(s->cr0, s->cr4, efer);
	if (ret)
		return ret;
	/* What VM entry would refuse anyway (SDM Vol. 3, 26.3.1.2). */
	if (s->cr8 > 15 || ((efer & EFER_LMA) && s->cs.l && s->cs.db))
		return -EINVAL;
	if (s->apic_base && s->apic_base != vcpu->apic_base) {
		if ((s->apic_base ^ vcpu->apic_base) & ~BIT_ULL(11))
			return -EINVAL;
		vcpu->apic_base = s->apic_base;
	}
	if (hb_vmx_pae_paging(s->cr0, s->cr4, efer))
		hb_vmx_read_pdptrs(vcpu, s->cr3, pdptr);

	hb_vmx_vcpu_get(vmx);
	hb_vmx_set_seg(VSEG_CS, &s->cs);
	hb_vmx_set_seg(VSEG_DS, &s->ds);
	hb_vmx_set_seg(VSEG_ES, &s->es);
	hb_vmx_set_seg(VSEG_FS, &s->fs);
	hb_vmx_set_seg(VSEG_GS, &s->gs);
	hb_vmx_set_seg(VSEG_SS, &s->ss);
	hb_vmx_set_seg(VSEG_TR, &s->tr);
	hb_vmx_set_seg(VSEG_LDTR, &s->ldt);
	vmcs_write(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, s->idt.limit);
	vmcs_write(GUEST_CR0, hb_vmx_cr0_hw(s->cr0));
	vmcs_write(CR0_READ_SHADOW, s->cr0);
	vmcs_write(GUEST_CR3, s->cr3);
	vmcs_write(GUEST_CR4, s->cr4 | hb_vmx.cr4_fixed0);
	vmcs_write(CR4_READ_SHADOW, s->cr4);
	hb_vmx_set_efer(efer);
	if (hb_vmx_pae_paging(s->cr0, s->cr4, efer))
		hb_vmx_write_pdptrs(pdptr);
	hb_vmx_vcpu_put(vmx);

	vmx->cr2 = s->cr2;
	vmx->cr8 = s->cr8;
	return 0;
}

static enum hb_cpu_mode hb_vmx_cpu_mode(struct hb_vcpu *vcpu)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 cr0, efer;
	u32 cs_ar;

	hb_vmx_vcpu_get(vmx);
	cr0 = vmcs_read(GUEST_CR0);
	efer = vmcs_read(GUEST_IA32_EFER);
	cs_ar = vmcs_read(GUEST_CS_AR_BYTES);
	hb_vmx_vcpu_put(vmx);

	if (!(cr0 & X86_CR0_PE))
		return HB_MODE_REAL;
	if ((efer & EFER_LMA) && (cs_ar & VMX_AR_L))
		return HB_MODE_LONG64;
	return (cs_ar & VMX_AR_DB) ? HB_MODE_PROT32 : HB_MODE_PROT16;
}

static void hb_vmx_get_paging(struct hb_vcpu *vcpu, u64 *cr0, u64 *cr3,
			      u64 *cr4, u64 *efer)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	hb_vmx_vcpu_get(vmx);
	*cr0 = hb_vmx_guest_cr0();
	*cr3 = vmcs_read(GUEST_CR3);
	*cr4 = hb_vmx_guest_cr4();
	*efer = vmcs_read(GUEST_IA32_EFER);
	hb_vmx_vcpu_put(vmx);
}

static u64 hb_vmx_segment_base(struct hb_vcpu *vcpu, int seg)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 base;

	if (seg < HB_SEG_ES || seg > HB_SEG_GS)
		return 0;
	hb_vmx_vcpu_get(vmx);
	base = vmcs_read(SEG_BASE(seg));	/* HB_SEG_* is Sreg order too */
	hb_vmx_vcpu_put(vmx);
	return base;
}

/* ---- MSRs the backend owns ---------------------------------------------- */

static bool hb_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		/* UC, WC, WT, WP, WB, UC- (SDM Vol. 3, 13.12.2) */
		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

/* MSRs the guest reads and writes directly: their VMCS guest fields. */
static unsigned long hb_vmx_msr_field(u32 index)
{
	switch (index) {
	case MSR_FS_BASE:		return GUEST_FS_BASE;
	case MSR_GS_BASE:		return GUEST_GS_BASE;
	case MSR_IA32_SYSENTER_CS:	return GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:	return GUEST_SYSENTER_ESP;
	default:			return GUEST_SYSENTER_EIP;
	}
}

static int hb_vmx_get_msr(struct hb_vcpu *vcpu, u32 index, u64 *data)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	switch (index) {
	case MSR_EFER:
		hb_vmx_vcpu_get(vmx);
		*data = vmcs_read(GUEST_IA32_EFER);
		hb_vmx_vcpu_put(vmx);
		return 0;
	case MSR_IA32_CR_PAT:
		*data = vmx->pat;
		return 0;
	case MSR_KERNEL_GS_BASE:
		*data = vmx->kernel_gs_base;
		return 0;
	case MSR_STAR:
		*data = vmx->star;
		return 0;
	case MSR_LSTAR:
		*data = vmx->lstar;
		return 0;
	case MSR_CSTAR:
		*data = vmx->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*data = vmx->sfmask;
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		hb_vmx_vcpu_get(vmx);
		*data = vmcs_read(hb_vmx_msr_field(index));
		hb_vmx_vcpu_put(vmx);
		return 0;
	case MSR_IA32_FEAT_CTL:
		/* Locked, VMX off: the guest sees no VMX to enable. */
		*data = FEAT_CTL_LOCKED;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = 0;
		return 0;
	default:
		return -ENOENT;
	}
}

static int hb_vmx_set_efer_msr(struct hb_vmx_vcpu *vmx, u64 data)
{
	u64 efer, cr0;

	hb_vmx_vcpu_get(vmx);
	efer = vmcs_read(GUEST_IA32_EFER);
	cr0 = vmcs_read(GUEST_CR0);
	/* LMA is read-only; LME may not change while paging is on. */
	data = (data & ~EFER_LMA) | (efer & EFER_LMA);
	if ((data & ~EFER_VALID) ||
	    ((data & EFER_NX) && !boot_cpu_has(X86_FEATURE_NX)) ||
	    ((cr0 & X86_CR0_PG) && ((data ^ efer) & EFER_LME))) {
		hb_vmx_vcpu_put(vmx);
		return -EINVAL;
	}
	hb_vmx_set_efer(data);
	hb_vmx_vcpu_put(vmx);
	return 0;
}

static int hb_vmx_set_msr(struct hb_vcpu *vcpu, u32 index, u64 data)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);

	switch (index) {
	case MSR_EFER:
		return hb_vmx_set_efer_msr(vmx, data);
	case MSR_IA32_CR_PAT:
		if (!hb_pat_valid(data))
			return -EINVAL;
		vmx->pat = data;
		return 0;
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
		if (!__is_canonical_address(data, 48))
			return -EINVAL;
		if (index == MSR_KERNEL_GS_BASE)
			vmx->kernel_gs_base = data;
		else if (index == MSR_LSTAR)
			vmx->lstar = data;
		else
			vmx->cstar = data;
		vmx->syscall_msrs |= index != MSR_KERNEL_GS_BASE;
		return 0;
	case MSR_STAR:
		vmx->star = data;
		vmx->syscall_msrs = true;
		return 0;
	case MSR_SYSCALL_MASK:
		vmx->sfmask = data & 0xffffffffULL;
		vmx->syscall_msrs = true;
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!__is_canonical_address(data, 48))
			return -EINVAL;
		fallthrough;
	case MSR_IA32_SYSENTER_CS:
		hb_vmx_vcpu_get(vmx);
		vmcs_write(hb_vmx_msr_field(index), data);
		hb_vmx_vcpu_put(vmx);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* Branch tracing would record host branches: only 0. */
		return data ? -EINVAL : 0;
	case MSR_IA32_FEAT_CTL:
		return -EINVAL;
	default:
		return -ENOENT;
	}
}

/* ---- control register writes that exit (vmx_exit.c) --------------------- */

/* MOV to CR0 changing a host-owned bit (NE, CD, NW). 0 or -EINVAL (#GP). */
int hb_vmx_mov_to_cr0(struct hb_vcpu *vcpu, u64 val)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 old, cr4, efer, pdptr[4], cr3;
	bool pae_now;
	int ret = 0;

	hb_vmx_vcpu_get(vmx);
	old = hb_vmx_guest_cr0();
	cr4 = hb_vmx_guest_cr4();
	cr3 = vmcs_read(GUEST_CR3);
	efer = vmcs_read(GUEST_IA32_EFER);
	hb_vmx_vcpu_put(vmx);

	/* Paging switched on or off by this write: LMA follows LME. */
	if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) && (efer & EFER_LME))
		efer |= EFER_LMA;
	if ((old & X86_CR0_PG) && !(val & X86_CR0_PG))
		efer &= ~EFER_LMA;
	ret = hb_vmx_check_control_regs(val, cr4, efer);
	if (ret)
		return ret;
	pae_now = hb_vmx_pae_paging(val, cr4, efer) &&
		  !hb_vmx_pae_paging(old, cr4, efer);
	if (pae_now)
		hb_vmx_read_pdptrs(vcpu, cr3, pdptr);

	hb_vmx_vcpu_get(vmx);
	vmcs_write(GUEST_CR0, hb_vmx_cr0_hw(val));
	vmcs_write(CR0_READ_SHADOW, val);
	hb_vmx_set_efer(efer);
	if (pae_now)
		hb_vmx_write_pdptrs(pdptr);
	hb_vmx_vcpu_put(vmx);
	return 0;
}

/* MOV to CR4 changing a host-owned bit: only VMXE is, and it is refused. */
int hb_vmx_mov_to_cr4(struct hb_vcpu *vcpu, u64 val)
{
	struct hb_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 cr0, efer;
	int ret;

	hb_vmx_vcpu_get(vmx);
	cr0 = hb_vmx_guest_cr0();
	efer = vmcs_read(GUEST_IA32_EFER);
	ret = hb_vmx_check_control_regs(cr0, val, efer);
	if (!ret) {
		vmcs_write(GUEST_CR4, val | hb_vmx.cr4_fixed0);
		vmcs_write(CR4_READ_SHADOW, val);
	}
	hb_vmx_vcpu_put(vmx);
	return ret;
}

/* ---- backend ------------------------------------------------------------ */

/* Nothing global to free: VMXON regions go with VMXOFF, the rest per VM. */
static void hb_vmx_unload(void)
{
}

static const struct hb_backend_ops hb_vmx_ops = {
	.name = "vmx",
	.cpu_enable = hb_vmx_cpu_enable,
	.cpu_disable = hb_vmx_cpu_disable,
	.check_extension = hb_vmx_check_extension,
	.vm_init = hb_vmx_vm_init,
	.vm_destroy = hb_vmx_vm_destroy,
	.vcpu_create = hb_vmx_vcpu_create,
	.vcpu_free = hb_vmx_vcpu_free,
	.vcpu_enter = hb_vmx_vcpu_enter,
	.handle_exit = hb_vmx_handle_exit,
	.get_sregs = hb_vmx_get_sregs,
	.set_sregs = hb_vmx_set_sregs,
	.cpu_mode = hb_vmx_cpu_mode,
	.get_paging = hb_vmx_get_paging,
	.segment_base = hb_vmx_segment_base,
	.get_msr = hb_vmx_get_msr,
	.set_msr = hb_vmx_set_msr,
	.tdp_leaf = hb_vmx_tdp_leaf,
	.tdp_table = hb_vmx_tdp_table,
	.tdp_present = hb_vmx_tdp_present,
	.tdp_set_root = hb_vmx_tdp_set_root,
	.inject_exception = hb_vmx_inject_exception,
	.inject_irq = hb_vmx_inject_irq,
	.inject_nmi = hb_vmx_inject_nmi,
	.interrupt_allowed = hb_vmx_interrupt_allowed,
	.nmi_allowed = hb_vmx_nmi_allowed,
	.enable_irq_window = hb_vmx_enable_irq_window,
	.enable_nmi_window = hb_vmx_enable_nmi_window,
	.get_interrupt_shadow = hb_vmx_get_interrupt_shadow,
	.set_interrupt_shadow = hb_vmx_set_interrupt_shadow,
	.get_nmi_masked = hb_vmx_get_nmi_masked,
	.set_nmi_masked = hb_vmx_set_nmi_masked,
	.unload = hb_vmx_unload,
};

const struct hb_backend_ops *hb_vmx_probe(void)
{
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_CENTAUR &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_ZHAOXIN)
		return NULL;
	if (!(cpuid_ecx(1) & BIT(5))) {
		pr_info("CPU has no VMX\n");
		return NULL;
	}
	if (hb_vmx_caps_init())
		return NULL;
	return &hb_vmx_ops;
}
