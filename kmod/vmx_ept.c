// SPDX-License-Identifier: GPL-2.0
/*
 * EPT entry encoding for the core's two-dimensional page table (tdp.c
 * walks and fills the table; only the bits are ours). SDM Vol. 3, 29.3.
 */
#include <linux/mm.h>
#include "vmx.h"

#define EPT_R			BIT_ULL(0)
#define EPT_W			BIT_ULL(1)
#define EPT_X			BIT_ULL(2)
/* Leaf memory type (bits 5:3) and "ignore guest PAT" (bit 6). */
#define EPT_MT_WB		(6ULL << 3)
#define EPT_IPAT		BIT_ULL(6)
#define EPT_ADDR_MASK		GENMASK_ULL(51, 12)

/* EPTP (SDM 25.6.11): memory type WB, walk length 4 - 1, A/D enable. */
#define EPTP_MT_WB		6ULL
#define EPTP_WALK4		(3ULL << 3)
#define EPTP_AD			BIT_ULL(6)

/*
 * Guest memory is ordinary host RAM: always write-back, whatever the
 * guest's PAT or MTRRs say, as for a host mapping of the same page.
 */
u64 hb_vmx_tdp_leaf(phys_addr_t pa, unsigned int perm)
{
	u64 pte = (pa & EPT_ADDR_MASK) | EPT_MT_WB | EPT_IPAT;

	if (perm & HB_TDP_READ)
		pte |= EPT_R;
	if (perm & HB_TDP_WRITE)
		pte |= EPT_W;
	if (perm & HB_TDP_EXEC)
		pte |= EPT_X;
	return pte;
}

/* Non-leaf entries allow everything: the leaf decides. */
u64 hb_vmx_tdp_table(phys_addr_t pa)
{
	return (pa & EPT_ADDR_MASK) | EPT_R | EPT_W | EPT_X;
}

/* An entry with none of R/W/X is not present (SDM 29.3.2). */
bool hb_vmx_tdp_present(u64 pte)
{
	return pte & (EPT_R | EPT_W | EPT_X);
}

void hb_vmx_tdp_set_root(struct hb_vm *vm, phys_addr_t root)
{
	struct hb_vmx_vm *v = to_vmx_vm(vm);

	v->eptp = (root & EPT_ADDR_MASK) | EPTP_MT_WB | EPTP_WALK4;
	if (hb_vmx.ept_ad)
		v->eptp |= EPTP_AD;
}
