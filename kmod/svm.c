// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend (AMD64 APM Vol. 2, chapter 15).
 *
 * One VMCB per vCPU, nested paging always on, every I/O port and every MSR
 * intercepted except the MSRs VMLOAD/VMSAVE switch. The guest's FS/GS/TR/
 * LDTR, KERNEL_GS_BASE and syscall MSRs are swapped by VMLOAD/VMSAVE in
 * svm_vmrun.S; everything VMRUN/#VMEXIT restores by itself stays there.
 */
#define pr_fmt(fmt) "hyperbox: svm: " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <asm/svm.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/debugreg.h>
#include <asm/hw_breakpoint.h>
#include "svm.h"

static DEFINE_PER_CPU(struct hb_svm_cpu, hb_svm_cpus);
static u32 hb_svm_max_asid;
static bool hb_svm_nrips;
static bool hb_svm_decode_assists;
static void *hb_svm_iopm;
static void *hb_svm_msrpm;


static inline void clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void stgi(void)
{
	asm volatile("stgi" ::: "memory");
}



/* ---- per-CPU enable ---------------------------------------------- */

static int hb_svm_cpu_enable(void)
{
	struct hb_svm_cpu *sd = this_cpu_ptr(&hb_svm_cpus);
	u64 efer, vm_cr;

	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVMDIS) {
		pr_err_once("SVM is disabled by the firmware (VM_CR.SVMDIS)\n");
		return -EOPNOTSUPP;
	}
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err_ratelimited("CPU%d already has EFER.SVME set: another hypervisor owns SVM; unload kvm_amd or boot with kvm.enable_virt_at_load=0\n",
				   smp_processor_id());
		return -EBUSY;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	/* Fresh ASIDs after enable: nothing is known about the TLB. */
	sd->asid_generation++;
	sd->next_asid = hb_svm_max_asid;
	sd->enabled = true;
	return 0;
}

static void hb_svm_cpu_disable(void)
{
	struct hb_svm_cpu *sd = this_cpu_ptr(&hb_svm_cpus);
	u64 efer;

	if (!sd->enabled)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sd->enabled = false;
}

static long hb_svm_check_extension(long cap)
{
	switch (cap) {
	case HB_CAP_SVM:
	case HB_CAP_NPT:
	case HB_CAP_UNRESTRICTED:
		return 1;
	default:
		return 0;
	}
}

/* ---- VMCB set-up ------------------------------------------------- */



static void hb_svm_seg_init(struct vmcb_seg *seg, u16 sel, u16 attrib)
{
	seg->selector = sel;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = 0;
}

/* Architectural reset state (APM Vol. 2, 14.1.3), plus our intercepts. */
static void hb_svm_init_vmcb(struct hb_vcpu *vcpu)
{
	static const unsigned int intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI,
		INTERCEPT_RDPMC, INTERCEPT_CPUID, INTERCEPT_RSM,
		INTERCEPT_INVD, INTERCEPT_HLT, INTERCEPT_INVLPGA,
		INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN,
		INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD,
		INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI,
		INTERCEPT_SKINIT, INTERCEPT_WBINVD, INTERCEPT_MONITOR,
		INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV,
		INTERCEPT_RDPRU,
	};
	struct hb_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_save_area *save = &vmcb->save;
	unsigned int i;

	memset(vmcb, 0, PAGE_SIZE);
	vcpu->fpu_trapped = false;
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		hb_svm_intercept(vmcb, intercepts[i]);
	/* #UD: VMCALL is the hypercall too (hb_exit_ud). */
	hb_svm_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_VEC_UD);
	for (i = 0; i < 4; i++) {
		hb_svm_intercept(vmcb, INTERCEPT_DR0_READ + i);
		hb_svm_intercept(vmcb, INTERCEPT_DR0_WRITE + i);
	}
	vmcb->control.iopm_base_pa = virt_to_phys(hb_svm_iopm);
	vmcb->control.msrpm_base_pa = virt_to_phys(hb_svm_msrpm);
	/* Guest RFLAGS.IF only masks virtual interrupts (APM 15.21.1). */
	vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	vmcb->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	vmcb->control.nested_cr3 = (u64)(unsigned long)vcpu->vm->priv;

	hb_svm_seg_init(&save->cs, 0xf000, 0x9b);
	save->cs.base = 0xffff0000;
	hb_svm_seg_init(&save->ds, 0, 0x93);
	hb_svm_seg_init(&save->es, 0, 0x93);
	hb_svm_seg_init(&save->fs, 0, 0x93);
	hb_svm_seg_init(&save->gs, 0, 0x93);
	hb_svm_seg_init(&save->ss, 0, 0x93);
	hb_svm_seg_init(&save->gdtr, 0, 0);
	hb_svm_seg_init(&save->idtr, 0, 0);
	hb_svm_seg_init(&save->ldtr, 0, 0x82);
	hb_svm_seg_init(&save->tr, 0, 0x8b);
	save->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	save->efer = EFER_SVME;
	save->dr6 = DR6_RESERVED;
	save->dr7 = SVM_DR7_RESET;
	save->g_pat = SVM_DEFAULT_PAT;

	/* A fresh VMCB must not be trusted to reuse any cached ASID state. */
	svm->asid_cpu = -1;
	svm->nmi_masked = false;
	svm->awaiting_iret = false;
	svm->nmi_singlestep = false;
	svm->guest_debugregs = false;
}

static int hb_svm_vm_init(struct hb_vm *vm)
{
	return 0;
}

static void hb_svm_vm_destroy(struct hb_vm *vm)
{
}

static void hb_svm_tdp_set_root(struct hb_vm *vm, phys_addr_t root)
{
	vm->priv = (void *)(unsigned long)root;
}

static u64 hb_svm_tdp_leaf(phys_addr_t pa, unsigned int perm)
{
	u64 pte = pa | NPT_P | NPT_US;

	if (perm & HB_TDP_WRITE)
		pte |= NPT_RW;
	return pte;
}

static u64 hb_svm_tdp_table(phys_addr_t pa)
{
	return pa | NPT_P | NPT_RW | NPT_US;
}

static bool __hb_exit_path hb_svm_tdp_present(u64 pte)
{
	return pte & NPT_P;
}

static int hb_svm_vcpu_create(struct hb_vcpu *vcpu)
{
	struct hb_svm_vcpu *svm;
	struct page *page;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	vcpu->priv = svm;
	hb_svm_init_vmcb(vcpu);
	return 0;
}

static void hb_svm_vcpu_free(struct hb_vcpu *vcpu)
{
	struct hb_svm_vcpu *svm = to_svm(vcpu);

	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	vcpu->priv = NULL;
}

/* ---- running ------------------------------------------------------ */

/*
 * ASIDs are handed out per CPU and never reused within a generation; when
 * they run out the generation moves on and the whole TLB is flushed. So a
 * new ASID never finds stale translations of another (maybe dead) VM.
 */
static void hb_svm_new_asid(struct hb_svm_vcpu *svm, struct hb_svm_cpu *sd)
{
	if (sd->next_asid >= hb_svm_max_asid) {
		sd->asid_generation++;
		sd->next_asid = 1;
		svm->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	svm->asid = sd->next_asid++;
	svm->asid_generation = sd->asid_generation;
	svm->vmcb->control.asid = svm->asid;
}

static void __hb_exit_path hb_svm_vcpu_enter(struct hb_vcpu *vcpu,
					     unsigned int flags)
{
	struct hb_svm_cpu *sd = this_cpu_ptr(&hb_svm_cpus);
	struct hb_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	int cpu = smp_processor_id();

	if (svm->asid_cpu != cpu || svm->asid_generation != sd->asid_generation) {
		hb_svm_new_asid(svm, sd);
		svm->asid_cpu = cpu;
	}
	/* No flush-by-ASID on every CPU (not under QEMU): flush it all. */
	if (flags & HB_ENTER_FLUSH_TDP)
		vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	vcpu->cpu = cpu;

	vmcb->save.rax = vcpu->regs[HB_RAX];
	vmcb->save.rsp = vcpu->regs[HB_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;

	if (svm->guest_debugregs) {
		native_set_debugreg(0, vcpu->dr[0]);
		native_set_debugreg(1, vcpu->dr[1]);
		native_set_debugreg(2, vcpu->dr[2]);
		native_set_debugreg(3, vcpu->dr[3]);
	}

	clgi();
	/* The host's state is in the area since the first entry of the run. */
	hb_svm_vmrun(svm->vmcb_pa, vcpu->regs, page_to_phys(sd->host_state),
		     !(flags & HB_ENTER_AGAIN));
	svm->exit_forged = hb_svm_exit_forged(vmcb);
	svm->exit_trusted = !svm->exit_forged && hb_svm_exit_saved_guest(vmcb);

	if (svm->guest_debugregs) {
		vcpu->dr[0] = native_get_debugreg(0);
		vcpu->dr[1] = native_get_debugreg(1);
		vcpu->dr[2] = native_get_debugreg(2);
		vcpu->dr[3] = native_get_debugreg(3);
	}
	/* #VMEXIT leaves DR7 disabled (APM 15.7.2): give the host its own. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	stgi();

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	/* An undelivered event comes back through exit_int_info. */
	vmcb->control.event_inj = 0;
	vmcb->control.int_ctl &= ~SVM_IRQ_WINDOW_BITS;
	hb_svm_unintercept(vmcb, INTERCEPT_VINTR);
	/*
	 * A save area #VMEXIT did not write may hold host values: keep the
	 * registers as they were before the entry, and handle_exit()
	 * rebuilds the VMCB, so nothing of the host leaks.
	 */
	if (!svm->exit_trusted)
		return;
	vcpu->regs[HB_RAX] = vmcb->save.rax;
	vcpu->regs[HB_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
}

/*
 * Where the intercepted instruction of @len opcode bytes ends. With
 * next-RIP save the CPU says; without it (QEMU) prefixes must be counted
 * in the instruction itself, or a prefixed CPUID/HLT/... would resume
 * inside its own opcode. @atomic: called from the fast path.
 */
static bool __hb_exit_path hb_svm_next_rip(struct hb_vcpu *vcpu,
					   unsigned int len, bool atomic,
					   u64 *next)
{
	u8 insn[HB_INSN_MAX_LEN];
	int n, prefixes;

	if (hb_svm_nrips) {
		*next = to_svm(vcpu)->vmcb->control.next_rip;
		return true;
	}
	n = atomic ? hb_fetch_insn_atomic(vcpu, insn, sizeof(insn)) :
		     hb_fetch_insn(vcpu, insn, sizeof(insn));
	prefixes = n > 0 ? hb_insn_prefix_len(insn, n, hb_svm_cpu_mode(vcpu)) :
			   -1;
	if (prefixes < 0 || prefixes + len > n)
		return false;
	*next = vcpu->rip + prefixes + len;
	return true;
}

/* For the slow path: an unreadable instruction gets the plain length. */
static u64 hb_svm_skip(struct hb_vcpu *vcpu, unsigned int len)
{
	u64 next;

	if (!hb_svm_next_rip(vcpu, len, false, &next))
		next = vcpu->rip + len;
	return next;
}

/* An event cut short by the exit must be delivered on the next entry. */
static void hb_svm_requeue_event(struct hb_vcpu *vcpu, struct vmcb *vmcb)
{
	u32 info = vmcb->control.exit_int_info;

	u8 vector = info & SVM_EXITINTINFO_VEC_MASK;

	if (!(info & SVM_EXITINTINFO_VALID))
		return;
	switch (info & SVM_EXITINTINFO_TYPE_MASK) {
	case SVM_EXITINTINFO_TYPE_INTR:
		hb_requeue_irq(vcpu, vector);
		break;
	case SVM_EXITINTINFO_TYPE_NMI:
		hb_requeue_nmi(vcpu);
		break;
	case SVM_EXITINTINFO_TYPE_EXEPT:
		/* INT3/INTO: RIP is still on the instruction, which re-runs. */
		if (vector == X86_VEC_BP || vector == 4)
			break;
		hb_queue_exception(vcpu, vector,
				   info & SVM_EXITINTINFO_VALID_ERR,
				   vmcb->control.exit_int_info_err);
		break;
	default:
		/* INTn: likewise re-executed from the same RIP. */
		break;
	}
}

static int __hb_exit_path hb_svm_handle_ioio(struct hb_vcpu *vcpu,
					     struct vmcb *vmcb)
{
	u64 info = vmcb->control.exit_info_1;
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	u8 asize = (info & SVM_IOIO_ASIZE_MASK) >> SVM_IOIO_ASIZE_SHIFT;

	/* SZ8/16/32 and A16/32/64 are one-hot fields: 1, 2, 4 -> bytes. */
	size = size == 4 ? 4 : size;
	asize = asize == 4 ? 8 : asize * 2;
	return hb_exit_pio(vcpu, info >> 16, size,
			   info & SVM_IOIO_TYPE_MASK, info & SVM_IOIO_STR_MASK,
			   info & SVM_IOIO_REP_MASK, asize,
			   vmcb->control.exit_info_2);
}

/* First guest use of DR0-3: let it have them and re-run the access. */
static void hb_svm_debugregs_to_guest(struct hb_vcpu *vcpu, struct vmcb *vmcb)
{
	int i;

	to_svm(vcpu)->guest_debugregs = true;
	for (i = 0; i < 4; i++) {
		hb_svm_unintercept(vmcb, INTERCEPT_DR0_READ + i);
		hb_svm_unintercept(vmcb, INTERCEPT_DR0_WRITE + i);
	}
}

/*
 * DecodeAssists (APM vol. 2, "Decode Assists"): a nested page fault exit
 * carries up to 15 bytes fetched at the guest's RIP; none when that fetch
 * failed, or (erratum 1096) on a SMAP violation: then mmio.c reads them.
 */
static int __hb_exit_path hb_svm_exit_insn_bytes(struct hb_vcpu *vcpu, u8 *buf,
						 int len)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	int n;

	if (!hb_svm_decode_assists || vmcb->control.exit_code != SVM_EXIT_NPF)
		return 0;
	n = min_t(int, vmcb->control.insn_len, len);
	n = min_t(int, n, sizeof(vmcb->control.insn_bytes));
	memcpy(buf, vmcb->control.insn_bytes, n);
	return n;
}

/*
 * The FPU trap (fpu.c): CR0.TS and MP set behind the guest's back make its
 * first x87, MMX, SSE or WAIT instruction raise #NM. Meanwhile its CR0
 * reads and writes (CLTS, LMSW and SMSW too) are intercepted so that it
 * never sees or changes the forced bits, and CR4 writes so that it cannot
 * turn on PKE or OSXSAVE, behind which WRPKRU and XGETBV(1) reach register
 * state without checking TS. A task switch sets CR0.TS, which the guest
 * must then see: task switches are intercepted, and LTR, so that a new TR
 * also tells of a switch where that intercept is missing (QEMU). Each of
 * these exits is completed by running the instruction (or the event
 * delivery) again with the guest's image loaded: nothing is emulated.
 * AMD CPUs do not speculate past #NM with the previous owner's registers
 * (LazyFP, CVE-2018-3665), which makes this safe here.
 */
/* Its intercepts, as bits of three words of vmcb_control_area.intercepts. */
#define HB_SVM_FPU_CR_TRAPS	(BIT(INTERCEPT_CR0_READ) | \
				 BIT(INTERCEPT_CR0_WRITE) | \
				 BIT(INTERCEPT_CR4_WRITE))
#define HB_SVM_FPU_EXC_TRAPS	BIT(X86_VEC_NM)
#define HB_SVM_FPU_WORD3_TRAPS	(BIT(INTERCEPT_LOAD_TR - 96) | \
				 BIT(INTERCEPT_TASK_SWITCH - 96))

bool __hb_exit_path hb_svm_fpu_trap(struct hb_vcpu *vcpu, bool on)
{
	struct hb_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *ctl = &svm->vmcb->control;
	struct vmcb_save_area *save = &svm->vmcb->save;

	if (on == vcpu->fpu_trapped)
		return true;
	if (on) {
		if (save->cr4 & (X86_CR4_PKE | X86_CR4_OSXSAVE))
			return false;
		svm->fpu_guest_cr0 = save->cr0 & HB_SVM_CR0_FPU;
		svm->fpu_tr_selector = save->tr.selector;
		svm->fpu_tr_base = save->tr.base;
		save->cr0 |= HB_SVM_CR0_FPU;
		ctl->intercepts[INTERCEPT_CR] |= HB_SVM_FPU_CR_TRAPS;
		ctl->intercepts[INTERCEPT_EXCEPTION] |= HB_SVM_FPU_EXC_TRAPS;
		ctl->intercepts[INTERCEPT_WORD3] |= HB_SVM_FPU_WORD3_TRAPS;
	} else {
		save->cr0 = hb_svm_guest_cr0(vcpu);
		ctl->intercepts[INTERCEPT_CR] &= ~HB_SVM_FPU_CR_TRAPS;
		ctl->intercepts[INTERCEPT_EXCEPTION] &= ~HB_SVM_FPU_EXC_TRAPS;
		ctl->intercepts[INTERCEPT_WORD3] &= ~HB_SVM_FPU_WORD3_TRAPS;
	}
	vcpu->fpu_trapped = on;
	return true;
}

/* Exits completed without leaving the interrupts-off region. */
static int __hb_exit_path hb_svm_fastpath(struct hb_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 info = vmcb->control.exit_info_1;
	u64 next;

	if (!to_svm(vcpu)->exit_trusted ||
	    (vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID))
		return HB_FAST_NONE;

	switch (vmcb->control.exit_code) {
	case SVM_EXIT_VMMCALL:
		if (!hb_hypercall_in_kernel(vcpu) ||
		    !hb_svm_next_rip(vcpu, 3, true, &next))
			return HB_FAST_NONE;
		hb_exit_hypercall(vcpu, next);
		return HB_FAST_REENTER;
	case SVM_EXIT_CPUID:
		if (!hb_svm_next_rip(vcpu, 2, true, &next))
			return HB_FAST_NONE;
		hb_exit_cpuid(vcpu, next);
		return HB_FAST_REENTER;
	case SVM_EXIT_MSR:
		if (!hb_svm_next_rip(vcpu, 2, true, &next))
			return HB_FAST_NONE;
		if (info)
			hb_exit_wrmsr(vcpu, next);
		else
			hb_exit_rdmsr(vcpu, next);
		return HB_FAST_REENTER;
	case SVM_EXIT_IOIO:
		/*
		 * A doorbell is signalled and the guest goes straight back;
		 * any other port's exit is ready for userspace from here.
		 * String I/O reads guest memory: the slow path.
		 */
		if (info & SVM_IOIO_STR_MASK)
			return HB_FAST_NONE;
		return hb_svm_handle_ioio(vcpu, vmcb) ? HB_FAST_REENTER :
							HB_FAST_USER;
	case SVM_EXIT_NPF: {
		u64 gpa = vmcb->control.exit_info_2;
		int ret;

		/* MMIO: no slot at all; protection faults take the slow path. */
		if ((info & BIT(0)) ||
		    hb_memslot_any_racy(vcpu->vm, gpa >> PAGE_SHIFT))
			return HB_FAST_NONE;
		ret = hb_exit_mmio_atomic(vcpu, gpa, info & BIT(1));
		if (ret < 0)
			return HB_FAST_NONE;
		return ret ? HB_FAST_REENTER : HB_FAST_USER;
	}
	default:
		/* VINTR too: userspace may be waiting for the window. */
		return HB_FAST_NONE;
	}
}

static int __hb_exit_path hb_svm_handle_exit(struct hb_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u32 code = vmcb->control.exit_code;
	u64 data;

	/*
	 * A save area #VMEXIT did not write is not the guest's: start over
	 * from a fresh VMCB (the registers are the ones of the entry).
	 */
	if (to_svm(vcpu)->exit_forged ||
	    (!to_svm(vcpu)->exit_trusted && code != SVM_EXIT_SHUTDOWN &&
	     code != (u32)SVM_EXIT_ERR)) {
		hb_stat_exit(HB_STAT_EXIT_OTHER);
		hb_svm_init_vmcb(vcpu);
		data = code;
		return hb_exit_internal(vcpu, HB_INTERNAL_ERROR_BAD_EXIT_STATE,
					1, &data);
	}
	/* A shut-down CPU has no event in flight. */
	if (code != SVM_EXIT_SHUTDOWN)
		hb_svm_requeue_event(vcpu, vmcb);

	switch (code) {
	case SVM_EXIT_INTR:
		hb_stat_exit(HB_STAT_EXIT_INTR);
		return 1;
	case SVM_EXIT_NMI:
		hb_stat_exit(HB_STAT_EXIT_NMI);
		return 1;
	case SVM_EXIT_SMI:
		return 1;
	case SVM_EXIT_VINTR:
		/* The window is open; the next entry injects or exits. */
		return 1;
	case SVM_EXIT_EXCP_BASE + X86_VEC_UD:
		return hb_exit_ud(vcpu);
	case SVM_EXIT_EXCP_BASE + X86_VEC_DB:
		return hb_svm_handle_db(vcpu, vmcb);
	case SVM_EXIT_EXCP_BASE + X86_VEC_NM:
	case SVM_EXIT_READ_CR0:
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR4:
	case SVM_EXIT_TR_WRITE:
	case SVM_EXIT_TASK_SWITCH:
		return hb_fpu_trapped(vcpu);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR3:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR3:
		hb_svm_debugregs_to_guest(vcpu, vmcb);
		return 1;
	case SVM_EXIT_IRET:
		to_svm(vcpu)->awaiting_iret = true;
		to_svm(vcpu)->iret_rip = vcpu->rip;
		hb_svm_unintercept(vmcb, INTERCEPT_IRET);
		return 1;
	case SVM_EXIT_IOIO:
		return hb_svm_handle_ioio(vcpu, vmcb);
	case SVM_EXIT_VMMCALL:
		return hb_exit_hypercall(vcpu, hb_svm_skip(vcpu, 3));
	case SVM_EXIT_HLT:
		return hb_exit_hlt(vcpu, hb_svm_skip(vcpu, 1));
	case SVM_EXIT_CPUID:
		return hb_exit_cpuid(vcpu, hb_svm_skip(vcpu, 2));
	case SVM_EXIT_MSR:
		if (vmcb->control.exit_info_1)
			return hb_exit_wrmsr(vcpu, hb_svm_skip(vcpu, 2));
		return hb_exit_rdmsr(vcpu, hb_svm_skip(vcpu, 2));
	case SVM_EXIT_NPF:
		return hb_exit_tdp_fault(vcpu, vmcb->control.exit_info_2,
					 vmcb->control.exit_info_1 & BIT(1));
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		/* Never let a guest drop or flush the host's caches. */
		hb_skip_insn(vcpu, hb_svm_skip(vcpu, 2));
		return 1;
	case SVM_EXIT_SHUTDOWN:
		/* The VMCB is undefined after a shutdown (APM 15.11). */
		hb_svm_init_vmcb(vcpu);
		return hb_exit_shutdown(vcpu);
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_XSETBV:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_RSM:
	case SVM_EXIT_RDPMC:
		/* The guest CPU has no SVM, MONITOR, XSAVE or counters. */
		hb_stat_exit(HB_STAT_EXIT_EXCEPTION);
		hb_queue_exception(vcpu, X86_VEC_UD, false, 0);
		return 1;
	case SVM_EXIT_ERR:
		/* QEMU leaves a half-loaded save area behind: start over. */
		hb_svm_init_vmcb(vcpu);
		return hb_exit_fail_entry(vcpu, (u64)-1);
	default:
		hb_stat_exit(HB_STAT_EXIT_OTHER);
		data = code;
		return hb_exit_internal(vcpu, HB_INTERNAL_ERROR_UNEXPECTED_EXIT,
					1, &data);
	}
}

/* ---- probe -------------------------------------------------------- */

/* Let the guest access an MSR directly (APM 15.11: 2 bits per MSR). */
static void hb_svm_msr_passthrough(u32 msr)
{
	static const u32 bases[] = { 0, 0xc0000000, 0xc0010000 };
	u8 *map = hb_svm_msrpm;
	int i;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		if (msr - bases[i] < 0x2000) {
			u32 bit = 2 * (msr - bases[i]);

			map[i * 0x800 + bit / 8] &= ~(3 << (bit % 8));
			return;
		}
	}
}


static void hb_svm_free_percpu(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hb_svm_cpu *sd = per_cpu_ptr(&hb_svm_cpus, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_state)
			__free_page(sd->host_state);
		sd->hsave = NULL;
		sd->host_state = NULL;
	}
}

static void hb_svm_free(void)
{
	hb_svm_free_percpu();
	if (hb_svm_iopm)
		free_pages((unsigned long)hb_svm_iopm, SVM_IOPM_ORDER);
	if (hb_svm_msrpm)
		free_pages((unsigned long)hb_svm_msrpm, SVM_MSRPM_ORDER);
	hb_svm_iopm = NULL;
	hb_svm_msrpm = NULL;
}

static const struct hb_backend_ops hb_svm_ops = {
	.name = "svm",
	.cpu_enable = hb_svm_cpu_enable,
	.cpu_disable = hb_svm_cpu_disable,
	.check_extension = hb_svm_check_extension,
	.vm_init = hb_svm_vm_init,
	.vm_destroy = hb_svm_vm_destroy,
	.vcpu_create = hb_svm_vcpu_create,
	.vcpu_free = hb_svm_vcpu_free,
	.vcpu_enter = hb_svm_vcpu_enter,
	.fastpath = hb_svm_fastpath,
	.fpu_trap = hb_svm_fpu_trap,
	.handle_exit = hb_svm_handle_exit,
	.get_sregs = hb_svm_get_sregs,
	.set_sregs = hb_svm_set_sregs,
	.cpu_mode = hb_svm_cpu_mode,
	.get_paging = hb_svm_get_paging,
	.segment_base = hb_svm_segment_base,
	.exit_insn_bytes = hb_svm_exit_insn_bytes,
	.get_msr = hb_svm_get_msr,
	.set_msr = hb_svm_set_msr,
	.tdp_leaf = hb_svm_tdp_leaf,
	.tdp_table = hb_svm_tdp_table,
	.tdp_present = hb_svm_tdp_present,
	.tdp_set_root = hb_svm_tdp_set_root,
	.inject_exception = hb_svm_inject_exception,
	.inject_irq = hb_svm_inject_irq,
	.inject_nmi = hb_svm_inject_nmi,
	.interrupt_allowed = hb_svm_interrupt_allowed,
	.nmi_allowed = hb_svm_nmi_allowed,
	.enable_irq_window = hb_svm_enable_irq_window,
	.enable_nmi_window = hb_svm_enable_nmi_window,
	.get_interrupt_shadow = hb_svm_get_interrupt_shadow,
	.set_interrupt_shadow = hb_svm_set_interrupt_shadow,
	.get_nmi_masked = hb_svm_get_nmi_masked,
	.set_nmi_masked = hb_svm_set_nmi_masked,
	.unload = hb_svm_free,
};

static const u32 hb_svm_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
	MSR_CSTAR, MSR_SYSCALL_MASK, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

const struct hb_backend_ops *hb_svm_probe(void)
{
	unsigned int eax, ebx, ecx, edx;
	int cpu, i;

	if (!boot_cpu_has(X86_FEATURE_SVM))
		return NULL;
	cpuid(SVM_CPUID_FEATURES, &eax, &ebx, &ecx, &edx);
	if (!(edx & SVM_FEATURE_NPT)) {
		pr_err("the CPU has SVM but no nested paging (NPT)\n");
		return NULL;
	}
	hb_svm_nrips = edx & SVM_FEATURE_NRIPS;
	hb_svm_decode_assists = edx & SVM_FEATURE_DECODE_ASSISTS;
	hb_svm_max_asid = ebx;
	if (hb_svm_max_asid < 2) {
		pr_err("the CPU reports no usable ASID\n");
		return NULL;
	}

	for_each_possible_cpu(cpu) {
		struct hb_svm_cpu *sd = per_cpu_ptr(&hb_svm_cpus, cpu);

		sd->hsave = alloc_pages_node(cpu_to_node(cpu),
					     GFP_KERNEL | __GFP_ZERO, 0);
		sd->host_state = alloc_pages_node(cpu_to_node(cpu),
						  GFP_KERNEL | __GFP_ZERO, 0);
		if (!sd->hsave || !sd->host_state)
			goto fail;
	}
	hb_svm_iopm = (void *)__get_free_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	hb_svm_msrpm = (void *)__get_free_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!hb_svm_iopm || !hb_svm_msrpm)
		goto fail;
	/* Every port and every MSR exits unless listed below. */
	memset(hb_svm_iopm, 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(hb_svm_msrpm, 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	/* These live in the VMCB and are switched by VMLOAD/VMSAVE. */
	for (i = 0; i < ARRAY_SIZE(hb_svm_passthrough_msrs); i++)
		hb_svm_msr_passthrough(hb_svm_passthrough_msrs[i]);

	pr_info("NPT, %u ASIDs, next-RIP %s, decode assists %s\n",
		hb_svm_max_asid, hb_svm_nrips ? "yes" : "no",
		hb_svm_decode_assists ? "yes" : "no");
	return &hb_svm_ops;
fail:
	hb_svm_free();
	return NULL;
}

