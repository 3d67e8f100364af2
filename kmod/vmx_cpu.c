// SPDX-License-Identifier: GPL-2.0
/*
 * VMX operation per host CPU: VMXON/VMXOFF, and which VMCS is active on
 * which CPU. A VMCS may be active on one CPU only (SDM Vol. 3, 25.11.1):
 * before a vCPU runs on another CPU its VMCS is VMCLEARed on the old one
 * (an IPI), then VMPTRLDed on the new one. Each CPU keeps a list of the
 * VMCSs active on it so that VMXOFF never leaves one behind.
 */
#define pr_fmt(fmt) "hyperbox: vmx: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/desc.h>
#include <asm/cpu_entry_area.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include "vmx.h"

static DEFINE_PER_CPU(void *, hb_vmxon_region);
static DEFINE_PER_CPU(struct list_head, hb_vmcs_loaded);
static DEFINE_PER_CPU(struct hb_vmx_vcpu *, hb_vmcs_current);

#define HB_NR_VPIDS	(1 << 16)
static DECLARE_BITMAP(hb_vpids, HB_NR_VPIDS);
static DEFINE_SPINLOCK(hb_vpid_lock);

void hb_vmx_vmwrite_error(unsigned long field, u64 value)
{
	pr_err_ratelimited("VMWRITE %#lx = %#llx failed, VM-instruction error %llu\n",
			   field, value, vmcs_read(VM_INSTRUCTION_ERROR));
}

static bool hb_vmxon(u64 pa)
{
	asm goto("vmxon %0\n\t"
		 "jna %l[fail]"
		 : : "m"(pa) : "cc", "memory" : fail);
	return true;
fail:
	return false;
}

static void hb_vmclear(u64 pa)
{
	asm goto("vmclear %0\n\t"
		 "jna %l[fail]"
		 : : "m"(pa) : "cc", "memory" : fail);
	return;
fail:
	pr_err_ratelimited("VMCLEAR %#llx failed\n", pa);
}

static void hb_vmptrld(u64 pa)
{
	asm goto("vmptrld %0\n\t"
		 "jna %l[fail]"
		 : : "m"(pa) : "cc", "memory" : fail);
	return;
fail:
	pr_err_ratelimited("VMPTRLD %#llx failed\n", pa);
}

/* INVEPT for @eptp (single context) or everything (all contexts). */
static void hb_invept_type(unsigned long type, u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

void hb_vmx_invept(u64 eptp)
{
	if (hb_vmx.invept_single)
		hb_invept_type(VMX_EPT_EXTENT_CONTEXT, eptp);
	else
		hb_invept_type(VMX_EPT_EXTENT_GLOBAL, 0);
}

/*
 * Enter VMX operation on this CPU. Runs with interrupts off (IPI) or in
 * the CPU's hotplug thread, hence GFP_ATOMIC for the VMXON region.
 */
int hb_vmx_cpu_enable(void)
{
	int cpu = raw_smp_processor_id();
	void *region;
	u64 feat;

	/* Since Linux 6.12 kvm_intel turns VMX on when it loads. */
	if (__read_cr4() & X86_CR4_VMXE) {
		pr_err("CPU %d is already in VMX operation (kvm_intel?): unload kvm_intel or boot with kvm.enable_virt_at_load=0\n",
		       cpu);
		return -EBUSY;
	}
	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("CPU %d: VMX disabled by IA32_FEATURE_CONTROL (%#llx): enable VT-x in the firmware\n",
		       cpu, feat);
		return -EOPNOTSUPP;
	}
	if ((read_cr0() & hb_vmx.cr0_fixed0) != hb_vmx.cr0_fixed0) {
		pr_err("CPU %d: CR0 %#lx lacks bits VMX needs (%#llx)\n",
		       cpu, read_cr0(), hb_vmx.cr0_fixed0);
		return -EOPNOTSUPP;
	}

	region = (void *)get_zeroed_page(GFP_ATOMIC);
	if (!region)
		return -ENOMEM;
	*(u32 *)region = hb_vmx.revision;

	INIT_LIST_HEAD(this_cpu_ptr(&hb_vmcs_loaded));
	this_cpu_write(hb_vmcs_current, NULL);
	cr4_set_bits(X86_CR4_VMXE);
	if (!hb_vmxon(__pa(region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		free_page((unsigned long)region);
		pr_err("CPU %d: VMXON failed\n", cpu);
		return -EIO;
	}
	this_cpu_write(hb_vmxon_region, region);
	/* Nothing cached from before VMXON may be trusted (SDM 28.3.3.1). */
	hb_invept_type(VMX_EPT_EXTENT_GLOBAL, 0);
	return 0;
}

/* Called on the CPU itself, interrupts off. */
static void hb_vmcs_clear_here(struct hb_vmx_vcpu *vmx)
{
	hb_vmclear(vmx->vmcs_pa);
	if (this_cpu_read(hb_vmcs_current) == vmx)
		this_cpu_write(hb_vmcs_current, NULL);
	list_del(&vmx->loaded_link);
	vmx->launched = false;
	/* The list update must be visible before another CPU may load it. */
	smp_wmb();
	WRITE_ONCE(vmx->loaded_cpu, -1);
}

void hb_vmx_cpu_disable(void)
{
	void *region = this_cpu_read(hb_vmxon_region);
	struct hb_vmx_vcpu *vmx, *tmp;
	unsigned long flags;

	if (!region)
		return;
	local_irq_save(flags);
	list_for_each_entry_safe(vmx, tmp, this_cpu_ptr(&hb_vmcs_loaded),
				 loaded_link)
		hb_vmcs_clear_here(vmx);
	asm volatile("vmxoff" : : : "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
	this_cpu_write(hb_vmxon_region, NULL);
	local_irq_restore(flags);
	free_page((unsigned long)region);
}

static void hb_vmcs_clear_ipi(void *arg)
{
	struct hb_vmx_vcpu *vmx = arg;

	/* It may have been cleared meanwhile (CPU going offline). */
	if (READ_ONCE(vmx->loaded_cpu) == smp_processor_id())
		hb_vmcs_clear_here(vmx);
}

/* Make sure the VMCS is active nowhere. Interrupts must be on. */
static void hb_vmcs_clear(struct hb_vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->loaded_cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, hb_vmcs_clear_ipi, vmx, 1);
}

/* Host state that differs between CPUs (SDM Vol. 3, 26.2.3). */
static void hb_vmx_set_cpu_host_state(int cpu)
{
	struct desc_ptr gdt, idt;
	u64 msr;

	native_store_gdt(&gdt);
	store_idt(&idt);
	vmcs_write(HOST_GDTR_BASE, gdt.address);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	rdmsrl(MSR_GS_BASE, msr);
	vmcs_write(HOST_GS_BASE, msr);
	rdmsrl(MSR_IA32_SYSENTER_ESP, msr);
	vmcs_write(HOST_IA32_SYSENTER_ESP, msr);
}

/*
 * Make the VMCS current on this CPU, interrupts off. Returns false when it
 * is still active on another CPU: the caller must hb_vmcs_clear() it with
 * interrupts on first.
 */
bool hb_vmx_vmcs_load_irqoff(struct hb_vmx_vcpu *vmx)
{
	int cpu = smp_processor_id();

	if (vmx->loaded_cpu == cpu) {
		if (this_cpu_read(hb_vmcs_current) != vmx) {
			hb_vmptrld(vmx->vmcs_pa);
			this_cpu_write(hb_vmcs_current, vmx);
		}
		return true;
	}
	if (vmx->loaded_cpu >= 0)
		return false;

	/* Pairs with the smp_wmb() in hb_vmcs_clear_here(). */
	smp_rmb();
	list_add(&vmx->loaded_link, this_cpu_ptr(&hb_vmcs_loaded));
	vmx->loaded_cpu = cpu;
	hb_vmptrld(vmx->vmcs_pa);
	this_cpu_write(hb_vmcs_current, vmx);
	hb_vmx_set_cpu_host_state(cpu);
	vmx->host_debugctl = 0;
	if (hb_vmx.has_debugctl)
		rdmsrl(MSR_IA32_DEBUGCTLMSR, vmx->host_debugctl);
	return true;
}

/*
 * Make the VMCS current here for VMREAD/VMWRITE from a preemptible hook.
 * Leaves preemption disabled until hb_vmx_vcpu_put().
 */
void hb_vmx_vcpu_get(struct hb_vmx_vcpu *vmx)
{
	bool ok;

	preempt_disable();
	for (;;) {
		local_irq_disable();
		ok = hb_vmx_vmcs_load_irqoff(vmx);
		local_irq_enable();
		if (ok)
			return;
		hb_vmcs_clear(vmx);
	}
}

void hb_vmx_vcpu_put(struct hb_vmx_vcpu *vmx)
{
	preempt_enable();
}

int hb_vmx_vmcs_alloc(struct hb_vmx_vcpu *vmx)
{
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs)
		return -ENOMEM;
	*(u32 *)vmx->vmcs = hb_vmx.revision;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->loaded_cpu = -1;
	vmx->last_cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	/* A fresh VMCS must be VMCLEARed before its first VMPTRLD. */
	preempt_disable();
	hb_vmclear(vmx->vmcs_pa);
	preempt_enable();
	return 0;
}

void hb_vmx_vmcs_free(struct hb_vmx_vcpu *vmx)
{
	if (!vmx->vmcs)
		return;
	hb_vmcs_clear(vmx);
	free_page((unsigned long)vmx->vmcs);
	vmx->vmcs = NULL;
}

int hb_vmx_vpid_alloc(void)
{
	int vpid;

	if (!hb_vmx.vpid)
		return 0;
	spin_lock(&hb_vpid_lock);
	/* VPID 0 is the host's. */
	vpid = find_next_zero_bit(hb_vpids, HB_NR_VPIDS, 1);
	if (vpid < HB_NR_VPIDS)
		__set_bit(vpid, hb_vpids);
	else
		vpid = 0;	/* run without VPID: every entry flushes */
	spin_unlock(&hb_vpid_lock);
	return vpid;
}

void hb_vmx_vpid_free(int vpid)
{
	if (!vpid)
		return;
	spin_lock(&hb_vpid_lock);
	__clear_bit(vpid, hb_vpids);
	spin_unlock(&hb_vpid_lock);
}
