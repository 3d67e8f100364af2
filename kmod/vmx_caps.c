// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capability discovery: which execution controls this CPU allows
 * (SDM Vol. 3, Appendix A), and the controls the backend runs with. Every
 * feature hyperbox cannot do without is checked here, once, so a missing
 * one is a clear line in the kernel log instead of a failed VM entry.
 */
#define pr_fmt(fmt) "hyperbox: vmx: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>
#include "vmx.h"

/* IA32_VMX_BASIC (SDM Vol. 3, A.1) */
#define VMX_BASIC_REVISION(v)	((u32)(v) & 0x7fffffff)
#define VMX_BASIC_SIZE(v)	(((v) >> 32) & 0x1fff)
#define VMX_BASIC_ADDR32	BIT_ULL(48)
#define VMX_BASIC_MEMTYPE(v)	(((v) >> 50) & 0xf)
#define VMX_BASIC_INS_OUTS	BIT_ULL(54)
#define VMX_BASIC_TRUE		BIT_ULL(55)
#define VMX_MEMTYPE_WB		6

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3, A.10) */
#define EPT_CAP_WALK4		BIT_ULL(6)
#define EPT_CAP_WB		BIT_ULL(14)
#define EPT_CAP_INVEPT		BIT_ULL(20)
#define EPT_CAP_AD		BIT_ULL(21)
#define EPT_CAP_INVEPT_SINGLE	BIT_ULL(25)
#define EPT_CAP_INVEPT_ALL	BIT_ULL(26)

struct hb_vmx_caps hb_vmx;

/*
 * Combine what we want with a control capability MSR: bits 31:0 are the
 * allowed 0-settings (1 = must be 1), bits 63:32 the allowed 1-settings.
 * Returns false (and logs) when a required bit cannot be set.
 */
static bool hb_vmx_adjust(const char *what, u32 msr, u32 required,
			  u32 optional, u32 *result)
{
	u64 cap;
	u32 must1, may1;

	rdmsrl(msr, cap);
	must1 = (u32)cap;
	may1 = cap >> 32;
	if (required & ~may1) {
		pr_err("CPU lacks %s controls %#x (MSR %#x allows %#x): not using VMX\n",
		       what, required & ~may1, msr, may1);
		return false;
	}
	*result = (required | (optional & may1) | must1) & may1;
	return true;
}

/* IA32_VMX_MISC[4:0] (SDM Vol. 3, A.6): 6.12's headers lack 6.1's name. */
#define HB_VMX_MISC_TIMER_RATE	GENMASK_ULL(4, 0)

/*
 * The VMX-preemption timer bounds every stay in the guest to a slice
 * (HB_VMX_SLICE_US): a backstop behind external-interrupt exiting, so
 * that the host regains its CPU even where that fails. Bochs 2.7 is such
 * a place: a guest entered with IF=0 that never changes IF (cli; jmp .)
 * keeps the host's interrupts masked for good (its event mask is only
 * recomputed on an IF change), and the host froze. The timer counts TSC
 * ticks >> IA32_VMX_MISC[4:0] and restarts from the VMCS field at every
 * entry, so it costs one exit per slice of uninterrupted guest time.
 */
static void hb_vmx_preemption_timer_init(void)
{
	u64 misc, ticks;

	hb_vmx.preemption_timer_value = 0;
	if (!(hb_vmx.pin & PIN_BASED_VMX_PREEMPTION_TIMER))
		return;
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	ticks = (u64)(tsc_khz ? tsc_khz : 1000000) * HB_VMX_SLICE_US / 1000;
	ticks >>= misc & HB_VMX_MISC_TIMER_RATE;
	hb_vmx.preemption_timer_value = clamp_t(u64, ticks, 1, U32_MAX);
}

static bool hb_vmx_controls_init(u64 basic)
{
	bool true_ctls = basic & VMX_BASIC_TRUE;
	u32 pin_msr = true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				  MSR_IA32_VMX_PINBASED_CTLS;
	u32 proc_msr = true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				   MSR_IA32_VMX_PROCBASED_CTLS;
	u32 exit_msr = true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				   MSR_IA32_VMX_EXIT_CTLS;
	u32 entry_msr = true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				    MSR_IA32_VMX_ENTRY_CTLS;
	u64 cap;

	/* Host interrupts and NMIs always leave the guest. */
	if (!hb_vmx_adjust("pin-based", pin_msr,
			   PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			   PIN_BASED_VIRTUAL_NMIS |
			   PIN_BASED_VMX_PREEMPTION_TIMER, &hb_vmx.pin))
		return false;
	hb_vmx_preemption_timer_init();
	/*
	 * CR8 accesses must exit: without a TPR shadow a guest MOV to CR8
	 * would write the host's task priority. MOV DR exits because the
	 * guest's debug registers are emulated, never loaded.
	 */
	if (!hb_vmx_adjust("processor-based", proc_msr,
			   CPU_BASED_HLT_EXITING |
			   CPU_BASED_CR8_LOAD_EXITING |
			   CPU_BASED_CR8_STORE_EXITING |
			   CPU_BASED_MOV_DR_EXITING |
			   CPU_BASED_USE_IO_BITMAPS |
			   CPU_BASED_USE_MSR_BITMAPS,
			   CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
			   CPU_BASED_MWAIT_EXITING |
			   CPU_BASED_MONITOR_EXITING |
			   CPU_BASED_RDPMC_EXITING, &hb_vmx.proc))
		return false;
	if (!(hb_vmx.proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)) {
		pr_err("CPU has no secondary processor-based controls, so no EPT: not using VMX\n");
		return false;
	}
	if (!(hb_vmx_adjust("secondary (EPT)", MSR_IA32_VMX_PROCBASED_CTLS2,
			    SECONDARY_EXEC_ENABLE_EPT, 0, &hb_vmx.proc2)))
		return false;
	if (!hb_vmx_adjust("secondary (unrestricted guest)",
			   MSR_IA32_VMX_PROCBASED_CTLS2,
			   SECONDARY_EXEC_ENABLE_EPT |
			   SECONDARY_EXEC_UNRESTRICTED_GUEST,
			   SECONDARY_EXEC_ENABLE_VPID, &hb_vmx.proc2)) {
		pr_err("unrestricted guest is needed to run real-mode and unpaged guests\n");
		return false;
	}
	hb_vmx.vpid = hb_vmx.proc2 & SECONDARY_EXEC_ENABLE_VPID;

	/* Injected NMIs need the CPU to track the guest's NMI blocking. */
	rdmsrl(proc_msr, cap);
	if (!(hb_vmx.pin & PIN_BASED_VIRTUAL_NMIS) ||
	    !((cap >> 32) & CPU_BASED_NMI_WINDOW_EXITING) ||
	    !((cap >> 32) & CPU_BASED_INTR_WINDOW_EXITING)) {
		pr_err("CPU lacks virtual NMIs or interrupt/NMI-window exiting: not using VMX\n");
		return false;
	}

	/*
	 * EFER is switched by the VMCS; DR7/DEBUGCTL are loaded from the
	 * VMCS so that no host breakpoint is armed while the guest runs.
	 * No "acknowledge interrupt on exit": a host interrupt stays pending
	 * and is taken by the host as soon as the core enables interrupts.
	 */
	if (!hb_vmx_adjust("VM-exit", exit_msr,
			   VM_EXIT_HOST_ADDR_SPACE_SIZE |
			   VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_EFER,
			   VM_EXIT_SAVE_DEBUG_CONTROLS, &hb_vmx.exit))
		return false;
	if (!hb_vmx_adjust("VM-entry", entry_msr,
			   VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_DEBUG_CONTROLS,
			   0, &hb_vmx.entry))
		return false;
	/* Set per vCPU from the guest's EFER.LMA. */
	hb_vmx.entry &= ~VM_ENTRY_IA32E_MODE;
	hb_vmx.exit &= ~VM_EXIT_ACK_INTR_ON_EXIT;
	return true;
}

static bool hb_vmx_ept_init(void)
{
	u64 cap = hb_vmx.ept_vpid;

	if (!(cap & EPT_CAP_WALK4) || !(cap & EPT_CAP_WB) ||
	    !(cap & EPT_CAP_INVEPT) ||
	    !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
		pr_err("EPT lacks 4-level walks, write-back tables or INVEPT (EPT/VPID cap %#llx): not using VMX\n",
		       cap);
		return false;
	}
	hb_vmx.ept_ad = cap & EPT_CAP_AD;
	hb_vmx.invept_single = cap & EPT_CAP_INVEPT_SINGLE;
	return true;
}

/* Called once at module load, on any CPU; logs why VMX is unusable. */
int hb_vmx_caps_init(void)
{
	u64 basic, feat;

	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL=%#llx): enable VT-x in the BIOS setup\n",
		       feat);
		return -EOPNOTSUPP;
	}

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	if (VMX_BASIC_SIZE(basic) > PAGE_SIZE || (basic & VMX_BASIC_ADDR32) ||
	    VMX_BASIC_MEMTYPE(basic) != VMX_MEMTYPE_WB) {
		pr_err("unsupported VMCS layout (IA32_VMX_BASIC=%#llx)\n", basic);
		return -EOPNOTSUPP;
	}
	hb_vmx.revision = VMX_BASIC_REVISION(basic);
	hb_vmx.ins_outs_info = basic & VMX_BASIC_INS_OUTS;

	if (!hb_vmx_controls_init(basic))
		return -EOPNOTSUPP;
	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, hb_vmx.ept_vpid);
	if (!hb_vmx_ept_init())
		return -EOPNOTSUPP;

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, hb_vmx.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, hb_vmx.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, hb_vmx.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, hb_vmx.cr4_fixed1);
	rdmsrl(MSR_EFER, hb_vmx.host_efer);
	/* Bochs has none (and may read it as 0 without a fault). */
	hb_vmx.has_debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &feat);

	pr_info("VMCS revision %#x, EPT%s, VPID %s, unrestricted guest, %s controls\n",
		hb_vmx.revision, hb_vmx.ept_ad ? " with A/D" : "",
		hb_vmx.vpid ? "on" : "off",
		(basic & VMX_BASIC_TRUE) ? "true" : "default");
	return 0;
}

long hb_vmx_check_extension(long cap)
{
	switch (cap) {
	case HB_CAP_VMX:
	case HB_CAP_EPT:
	case HB_CAP_UNRESTRICTED:
		return 1;
	default:
		return 0;
	}
}
