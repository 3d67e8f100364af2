// SPDX-License-Identifier: GPL-2.0
/*
 * Guest x87/SSE/AVX state. The guest runs on the host's FPU registers, so
 * before the guest's state is loaded the user task's is saved by
 * kernel_fpu_begin() (it is restored lazily on return to userspace), and
 * after the exit the guest image is saved again. The guest can therefore
 * never see or corrupt the state of the process that runs it.
 *
 * Those four saves and restores are the largest single cost of an exit to
 * userspace, and most such exits (port I/O, MMIO, halts) come from guests
 * that did not touch the FPU in between. Where the backend can trap the
 * guest's first FPU instruction (hb_backend_ops.fpu_trap), an entry leaves
 * the process's registers in place, unreachable to the guest, and the trap
 * loads the image and runs the instruction again. A guest that trapped
 * gets its image loaded at once for the next HB_FPU_EAGER_RUNS entries, so
 * one that keeps using the FPU (an OS with eager switching) pays one trap
 * per that many entries.
 *
 * The image uses the host's XCR0 (minus AMX tiles, whose use is gated by
 * XFD): the guest cannot enable more (XSETBV is intercepted) and whatever
 * subset it uses is covered.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include "hb.h"

#define HB_FXSAVE_SIZE		512
#define HB_XFEATURE_XTILE	(BIT_ULL(17) | BIT_ULL(18))
#define HB_MXCSR_DEFAULT	0x1f80
#define HB_FCW_DEFAULT		0x37f
/*
 * Entries that load the image at once after a trap. An eager guest then
 * pays one extra exit per 17 entries; a guest that stopped using the FPU
 * is trapped again after 16.
 */
#define HB_FPU_EAGER_RUNS	16

static bool hb_fpu_use_xsave(void)
{
	return boot_cpu_has(X86_FEATURE_XSAVE) &&
	       boot_cpu_has(X86_FEATURE_OSXSAVE);
}

static u64 hb_fpu_xsave_mask(void)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (((u64)hi << 32) | lo) & ~HB_XFEATURE_XTILE;
}

static unsigned int hb_fpu_size(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!hb_fpu_use_xsave())
		return HB_FXSAVE_SIZE;
	cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx);
	return max_t(unsigned int, ebx, HB_FXSAVE_SIZE + 64);
}

int hb_fpu_alloc(struct hb_vcpu *vcpu)
{
	u8 *image;

	/* Page allocations are 64-byte aligned, as XSAVE requires. */
	image = (u8 *)__get_free_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO,
				       get_order(hb_fpu_size()));
	if (!image)
		return -ENOMEM;
	/* The architectural reset values (SDM Vol. 1, 8.1.5 and 10.2.3). */
	*(u16 *)image = HB_FCW_DEFAULT;
	*(u32 *)(image + 24) = HB_MXCSR_DEFAULT;
	vcpu->fpu = image;
	return 0;
}

void hb_fpu_free(struct hb_vcpu *vcpu)
{
	if (vcpu->fpu)
		free_pages((unsigned long)vcpu->fpu, get_order(hb_fpu_size()));
	vcpu->fpu = NULL;
}

/* Preemption is off: kernel_fpu_begin() keeps it so until put_guest. */
void __hb_exit_path hb_fpu_load_guest(struct hb_vcpu *vcpu)
{
	kernel_fpu_begin();
	vcpu->fpu_loaded = true;
	atomic64_inc(&hb_stat_fpu_loads);
	if (hb_fpu_use_xsave()) {
		u64 mask = hb_fpu_xsave_mask();

		asm volatile("xrstor64 %0"
			     : : "m"(*(u8 *)vcpu->fpu), "a"((u32)mask),
			       "d"((u32)(mask >> 32))
			     : "memory");
	} else {
		asm volatile("fxrstor64 %0" : : "m"(*(u8 *)vcpu->fpu));
	}
}

void __hb_exit_path hb_fpu_put_guest(struct hb_vcpu *vcpu)
{
	if (hb_fpu_use_xsave()) {
		u64 mask = hb_fpu_xsave_mask();

		asm volatile("xsave64 %0"
			     : "+m"(*(u8 *)vcpu->fpu)
			     : "a"((u32)mask), "d"((u32)(mask >> 32))
			     : "memory");
	} else {
		asm volatile("fxsave64 %0" : "+m"(*(u8 *)vcpu->fpu));
	}
	kernel_fpu_end();
	vcpu->fpu_loaded = false;
}

/*
 * handle_exit() of a trapped FPU access: the trap comes off, the next
 * entry loads the image and the instruction runs again. (The fast path
 * does not load it: kernel_fpu_begin() with interrupts off and
 * kernel_fpu_end() with them on do not pair up on every kernel.)
 */
int hb_fpu_trapped(struct hb_vcpu *vcpu)
{
	hb_op(fpu_trap)(vcpu, false);
	hb_stat_exit(HB_STAT_EXIT_FPU);
	vcpu->fpu_eager_runs = HB_FPU_EAGER_RUNS;
	return 1;
}

#define HB_FX_MXCSR		24
#define HB_FX_MXCSR_MASK	28
#define HB_XSTATE_BV		512
#define HB_XFEATURE_X87		BIT_ULL(0)
#define HB_XFEATURE_SSE		BIT_ULL(1)
#define HB_FX_X87_END		160	/* FCW .. ST7 */
#define HB_FX_XMM_END		416	/* XMM0 .. XMM15 */

/* The MXCSR bits this CPU accepts; anything else makes FXRSTOR fault. */
static u32 hb_fpu_mxcsr_mask(void)
{
	static u32 mask;
	u8 buf[512] __aligned(16);

	if (mask)
		return mask;
	kernel_fpu_begin();
	asm volatile("fxsave64 %0" : "=m"(buf));
	kernel_fpu_end();
	mask = *(u32 *)(buf + HB_FX_MXCSR_MASK);
	if (!mask)		/* SDM Vol. 1, 11.6.6: zero means 0xffbf */
		mask = 0xffbf;
	return mask;
}

static void hb_fpu_get(struct hb_vcpu *vcpu, struct hb_fpu *out)
{
	u8 *image = vcpu->fpu;

	memset(out, 0, sizeof(*out));
	memcpy(out->fxsave, image, sizeof(out->fxsave));
	if (!hb_fpu_use_xsave())
		return;
	/* Components in their init state are not written by XSAVE. */
	if (!(*(u64 *)(image + HB_XSTATE_BV) & HB_XFEATURE_X87)) {
		memset(out->fxsave, 0, 24);
		memset(out->fxsave + 32, 0, HB_FX_X87_END - 32);
		*(u16 *)out->fxsave = HB_FCW_DEFAULT;
	}
	if (!(*(u64 *)(image + HB_XSTATE_BV) & HB_XFEATURE_SSE))
		memset(out->fxsave + HB_FX_X87_END, 0,
		       HB_FX_XMM_END - HB_FX_X87_END);
}

static int hb_fpu_set(struct hb_vcpu *vcpu, const struct hb_fpu *in)
{
	u8 *image = vcpu->fpu;
	int i;

	for (i = 0; i < ARRAY_SIZE(in->reserved); i++)
		if (in->reserved[i])
			return -EINVAL;
	if (*(u32 *)(in->fxsave + HB_FX_MXCSR) & ~hb_fpu_mxcsr_mask())
		return -EINVAL;
	memcpy(image, in->fxsave, sizeof(in->fxsave));
	if (hb_fpu_use_xsave())
		*(u64 *)(image + HB_XSTATE_BV) |= HB_XFEATURE_X87 |
						  HB_XFEATURE_SSE;
	return 0;
}

long hb_fpu_ioctl(struct hb_vcpu *vcpu, unsigned int cmd, void __user *argp)
{
	struct hb_fpu *fpu;
	long ret;

	fpu = kmalloc(sizeof(*fpu), GFP_KERNEL);
	if (!fpu)
		return -ENOMEM;
	if (cmd == HB_GET_FPU) {
		hb_fpu_get(vcpu, fpu);
		ret = copy_to_user(argp, fpu, sizeof(*fpu)) ? -EFAULT : 0;
	} else if (copy_from_user(fpu, argp, sizeof(*fpu))) {
		ret = -EFAULT;
	} else {
		ret = hb_fpu_set(vcpu, fpu);
	}
	kfree(fpu);
	return ret;
}
