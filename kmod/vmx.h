/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private interface of the Intel VMX backend (vmx*.c). The core never
 * includes this file: it only sees the hb_backend_ops table.
 */
#ifndef HB_VMX_H
#define HB_VMX_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/cpumask.h>
#include <asm/vmx.h>
#include "hb.h"

/* What the capability MSRs allow and what the backend chose (vmx_caps.c). */
struct hb_vmx_caps {
	u32 revision;			/* VMCS revision identifier */
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
	u64 ept_vpid;
	bool ept_ad;			/* EPT accessed/dirty flags */
	bool vpid;
	bool invept_single;
	bool ins_outs_info;		/* exit instruction info for INS/OUTS */
	bool has_debugctl;		/* Bochs has no IA32_DEBUGCTL */
	u32 preemption_timer_value;	/* 0: no VMX-preemption timer */
	u64 host_efer;
};

extern struct hb_vmx_caps hb_vmx;

/* Longest uninterrupted stay in the guest (vmx_caps.c). */
#define HB_VMX_SLICE_US		4000

/* Per-VM backend state (vm->priv). */
struct hb_vmx_vm {
	u64 eptp;
	/* CPUs that dropped stale EPT translations for this EPTP. */
	cpumask_var_t ept_fresh;
	void *io_bitmap;		/* A and B, 2 pages: every port exits */
	void *msr_bitmap;		/* 1 page */
};

/* Per-vCPU backend state (vcpu->priv). */
struct hb_vmx_vcpu {
	struct hb_vcpu *vcpu;
	void *vmcs;
	u64 vmcs_pa;
	/* CPU on which the VMCS is active (VMPTRLDed, not cleared), or -1. */
	int loaded_cpu;
	int last_cpu;			/* CPU of the last entry */
	bool flush_pending;		/* INVEPT owed before the next entry */
	struct list_head loaded_link;	/* on that CPU's list */
	bool launched;
	u16 vpid;

	/* Host state cached in the VMCS, rewritten only when it changes. */
	unsigned long host_rsp, host_cr3, host_cr4, host_fs_base;
	/* Host IA32_DEBUGCTL, read when the VMCS comes to a CPU (as KVM). */
	u64 host_debugctl;
	/* Guest state in the VMCS, cached to skip VMWRITEs. */
	u64 vmcs_rip, vmcs_rsp, vmcs_rflags;

	/* Guest state VMX does not switch: kept here. */
	u64 cr2;
	u64 kernel_gs_base;
	u64 star, lstar, cstar, sfmask;
	bool syscall_msrs;		/* guest wrote one: switch them */
	u64 pat;
	u64 dr6;
	bool dr_active;			/* guest touched DRs: swap them */
	u8 cr8;

	/* Primary controls wanted for the next entry / in the VMCS. */
	u32 proc, proc_vmcs;
	/* Interruptibility (STI/MOV SS shadow, NMI blocking). */
	u32 intr_state, intr_state_vmcs;
	u64 intr_state_rip;		/* the shadow covers this RIP only */
	/* The event the core asked to inject on the next entry. */
	u32 event_info;
	u32 event_error;

	/* The last exit, read while the VMCS was current. */
	bool entered;			/* false: vcpu_enter did not enter */
	bool vmfail;			/* VMLAUNCH/VMRESUME itself failed */
	u32 insn_error;
	u32 exit_reason;
	u64 exit_qual;
	u32 exit_len;
	u32 intr_info;
	u32 intr_error;
	u32 idt_info;			/* event the exit cut short */
	u32 idt_error;
	u64 exit_gpa;
	u32 insn_info;
};

static inline struct hb_vmx_vcpu *to_vmx(struct hb_vcpu *vcpu)
{
	return vcpu->priv;
}

static inline struct hb_vmx_vm *to_vmx_vm(struct hb_vm *vm)
{
	return vm->priv;
}

/* VMREAD/VMWRITE on the current VMCS. */
static __always_inline u64 vmcs_read(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

void hb_vmx_vmwrite_error(unsigned long field, u64 value);

static __always_inline void vmcs_write(unsigned long field, u64 value)
{
	asm goto("vmwrite %1, %0\n\t"
		 "jna %l[fail]"
		 : : "r"(field), "rm"((unsigned long)value) : "cc" : fail);
	return;
fail:
	hb_vmx_vmwrite_error(field, value);
}

/* vmx_caps.c */
int hb_vmx_caps_init(void);
long hb_vmx_check_extension(long cap);

/* vmx_cpu.c: VMXON, VMCS loading and migration, TLB invalidation */
int hb_vmx_cpu_enable(void);
void hb_vmx_cpu_disable(void);
int hb_vmx_vmcs_alloc(struct hb_vmx_vcpu *vmx);
void hb_vmx_vmcs_free(struct hb_vmx_vcpu *vmx);
bool hb_vmx_vmcs_load_irqoff(struct hb_vmx_vcpu *vmx);
void hb_vmx_vcpu_get(struct hb_vmx_vcpu *vmx);
void hb_vmx_vcpu_put(struct hb_vmx_vcpu *vmx);
void hb_vmx_invept(u64 eptp);
int hb_vmx_vpid_alloc(void);
void hb_vmx_vpid_free(int vpid);

/* vmx_ept.c */
u64 hb_vmx_tdp_leaf(phys_addr_t pa, unsigned int perm);
u64 hb_vmx_tdp_table(phys_addr_t pa);
bool hb_vmx_tdp_present(u64 pte);
void hb_vmx_tdp_set_root(struct hb_vm *vm, phys_addr_t root);

/* vmx_exit.c */
int hb_vmx_handle_exit(struct hb_vcpu *vcpu);

/* vmx_events.c */
u32 hb_vmx_intr_state(struct hb_vcpu *vcpu);
void hb_vmx_inject_exception(struct hb_vcpu *vcpu,
			     const struct hb_exception *ex);
void hb_vmx_inject_irq(struct hb_vcpu *vcpu, u8 vector);
void hb_vmx_inject_nmi(struct hb_vcpu *vcpu);
bool hb_vmx_interrupt_allowed(struct hb_vcpu *vcpu);
bool hb_vmx_nmi_allowed(struct hb_vcpu *vcpu);
void hb_vmx_enable_irq_window(struct hb_vcpu *vcpu);
void hb_vmx_enable_nmi_window(struct hb_vcpu *vcpu);
u32 hb_vmx_get_interrupt_shadow(struct hb_vcpu *vcpu);
void hb_vmx_set_interrupt_shadow(struct hb_vcpu *vcpu, u32 shadow);
bool hb_vmx_get_nmi_masked(struct hb_vcpu *vcpu);
void hb_vmx_set_nmi_masked(struct hb_vcpu *vcpu, bool masked);
void hb_vmx_requeue_event(struct hb_vcpu *vcpu);

/* vmx.c */
int hb_vmx_read_pdptrs(struct hb_vcpu *vcpu, u64 cr3, u64 pdptr[4]);
void hb_vmx_write_pdptrs(const u64 pdptr[4]);
void hb_vmx_set_efer(u64 efer);
void hb_vmx_reset_guest(struct hb_vcpu *vcpu);
int hb_vmx_mov_to_cr0(struct hb_vcpu *vcpu, u64 val);
int hb_vmx_mov_to_cr4(struct hb_vcpu *vcpu, u64 val);
u64 hb_vmx_guest_cr0(void);
u64 hb_vmx_guest_cr4(void);

/* vmx_vmenter.S: 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed. */
int hb_vmx_vmenter(u64 *regs, unsigned long launched,
		   unsigned long *host_rsp);
extern const char hb_vmx_vmexit[];

#endif /* HB_VMX_H */
