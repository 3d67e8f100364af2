/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Puts a vCPU into real, 32-bit protected or 64-bit long mode the way a boot
 * loader would have left it: for protected mode a flat GDT, for long mode
 * also identity-mapped page tables, both written into guest memory.
 *
 * Guest-physical layout used by the set-up (nothing is written in real mode):
 *   0x1000  GDT: 0 null, 0x08 code (32- or 64-bit), 0x10 data
 *   0x2000  PML4, 0x3000 PDPT, 0x4000.. 0x7fff four page directories
 *           mapping the first 4 GiB with 2 MiB pages
 */
#ifndef VMM_CPU_MODE_H
#define VMM_CPU_MODE_H

#include <stdint.h>
#include <linux/hyperbox.h>

#include "../lib/hb_error.h"

enum vmm_cpu_mode {
	VMM_MODE_REAL,
	VMM_MODE_PROTECTED,
	VMM_MODE_LONG,
};

#define VMM_GDT_GPA		0x1000ull
#define VMM_PML4_GPA		0x2000ull
#define VMM_PDPT_GPA		0x3000ull
#define VMM_PD_GPA		0x4000ull
#define VMM_IDENTITY_MAP_SIZE	(4ull << 30)
#define VMM_SEL_CODE		0x08
#define VMM_SEL_DATA		0x10

/* Control register and EFER bits the set-up uses (APM vol. 2, 3.1). */
#define X86_CR0_PE		(1ull << 0)
#define X86_CR0_MP		(1ull << 1)
#define X86_CR0_ET		(1ull << 4)
#define X86_CR0_NE		(1ull << 5)
#define X86_CR0_WP		(1ull << 16)
#define X86_CR0_PG		(1ull << 31)
#define X86_CR4_PAE		(1ull << 5)
#define X86_CR4_OSFXSR		(1ull << 9)
#define X86_CR4_OSXMMEXCPT	(1ull << 10)
#define X86_EFER_LME		(1ull << 8)
#define X86_EFER_LMA		(1ull << 10)

#define X86_PTE_PRESENT		(1ull << 0)
#define X86_PTE_WRITE		(1ull << 1)
#define X86_PTE_LARGE		(1ull << 7)

struct vmm_mode_setup {
	enum vmm_cpu_mode mode;
	void *mem;		/* guest memory, guest-physical 0 .. mem_size */
	uint64_t mem_size;
	uint64_t entry;		/* guest-physical address of the first insn */
	uint64_t stack_top;	/* initial RSP; 0: top of memory (real: 0xfff0) */
};

int vmm_cpu_mode_parse(const char *name, enum vmm_cpu_mode *mode);
const char *vmm_cpu_mode_name(enum vmm_cpu_mode mode);

/* The default load/entry address of a flat image in @mode. */
uint64_t vmm_cpu_mode_default_entry(enum vmm_cpu_mode mode);

/*
 * The guest-physical range [*start, *end) the set-up writes for @mode
 * (empty for real mode); images must not overlap it.
 */
void vmm_cpu_mode_reserved(enum vmm_cpu_mode mode, uint64_t *start,
			   uint64_t *end);

/*
 * Writes the GDT/page tables for @setup->mode into guest memory and fills
 * @regs and @sregs (which should hold the vCPU's current sregs, as returned
 * by HB_GET_SREGS, so fields this code does not own keep their values).
 */
int vmm_cpu_mode_setup(const struct vmm_mode_setup *setup,
		       struct hb_regs *regs, struct hb_sregs *sregs,
		       struct hb_err *err);

#endif /* VMM_CPU_MODE_H */
