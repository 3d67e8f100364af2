// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "cpu_mode.h"

#define PAGE_SIZE	4096ull
#define SZ_2M		(2ull << 20)
#define SZ_1G		(1ull << 30)
#define REAL_MODE_LIMIT	(1ull << 20)
#define NR_PDS		(VMM_IDENTITY_MAP_SIZE / SZ_1G)

/* Segment types (APM vol. 2, 4.7.2): the "accessed" bit is preset. */
#define SEG_TYPE_CODE_RX	0xb
#define SEG_TYPE_DATA_RW	0x3
#define SEG_TYPE_LDT		0x2
#define SEG_TYPE_TSS_BUSY	0xb

static const char *const mode_names[] = {
	[VMM_MODE_REAL] = "real",
	[VMM_MODE_PROTECTED] = "protected",
	[VMM_MODE_LONG] = "long",
};

int vmm_cpu_mode_parse(const char *name, enum vmm_cpu_mode *mode)
{
	unsigned int i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (name && !strcmp(name, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *vmm_cpu_mode_name(enum vmm_cpu_mode mode)
{
	if ((unsigned int)mode < sizeof(mode_names) / sizeof(mode_names[0]))
		return mode_names[mode];
	return "?";
}

uint64_t vmm_cpu_mode_default_entry(enum vmm_cpu_mode mode)
{
	/* Where a boot sector runs; 1 MiB is what multiboot-style loaders use. */
	return mode == VMM_MODE_REAL ? 0x7c00 : 0x100000;
}

void vmm_cpu_mode_reserved(enum vmm_cpu_mode mode, uint64_t *start,
			   uint64_t *end)
{
	*start = VMM_GDT_GPA;
	switch (mode) {
	case VMM_MODE_PROTECTED:
		*end = VMM_GDT_GPA + PAGE_SIZE;
		break;
	case VMM_MODE_LONG:
		*end = VMM_PD_GPA + NR_PDS * PAGE_SIZE;
		break;
	default:
		*end = *start;
		break;
	}
}

/* A legacy 8-byte segment descriptor (APM vol. 2, 4.7). */
static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access,
			  uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) |
	       (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 |
	       (uint64_t)(base >> 24) << 56;
}

static struct hb_segment segment(uint16_t selector, uint64_t base,
				 uint32_t limit, uint8_t type)
{
	struct hb_segment seg = {
		.base = base,
		.limit = limit,
		.selector = selector,
		.type = type,
		.present = 1,
		.s = 1,
	};

	return seg;
}

static void set_data_segments(struct hb_sregs *sregs, struct hb_segment data)
{
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;
}

/* TR and LDTR as after reset: SVM/VMX entry checks want them sane. */
static void set_system_segments(struct hb_sregs *sregs)
{
	sregs->tr = segment(0, 0, 0xffff, SEG_TYPE_TSS_BUSY);
	sregs->tr.s = 0;
	sregs->ldt = segment(0, 0, 0xffff, SEG_TYPE_LDT);
	sregs->ldt.s = 0;
}

static int setup_real(const struct vmm_mode_setup *setup,
		      struct hb_regs *regs, struct hb_sregs *sregs,
		      struct hb_err *err)
{
	/* Tiny model, like a .COM file: all segments are the entry's 64 KiB. */
	uint64_t base = setup->entry & ~0xffffull;
	struct hb_segment seg;

	if (setup->entry >= REAL_MODE_LIMIT)
		return hb_err_msg(err, EINVAL,
				  "real-mode entry 0x%llx is above 1 MiB",
				  (unsigned long long)setup->entry);
	seg = segment(base >> 4, base, 0xffff, SEG_TYPE_DATA_RW);
	set_data_segments(sregs, seg);
	seg.type = SEG_TYPE_CODE_RX;
	sregs->cs = seg;
	set_system_segments(sregs);
	sregs->tr.type = 0x3;	/* busy 16-bit TSS, the reset value */
	sregs->cr0 = X86_CR0_ET;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
	sregs->gdt = (struct hb_dtable){ .base = 0, .limit = 0xffff };
	sregs->idt = (struct hb_dtable){ .base = 0, .limit = 0x3ff };

	regs->rip = setup->entry - base;
	regs->rsp = setup->stack_top ? setup->stack_top - base : 0xfff0;
	return 0;
}

static void write_gdt(uint8_t *mem, int long_mode)
{
	uint64_t gdt[3] = {
		0,
		/* flags: G | D for 32-bit code, G | L for 64-bit code */
		gdt_entry(0, 0xfffff, 0x9b, long_mode ? 0xa : 0xc),
		gdt_entry(0, 0xfffff, 0x93, 0xc),
	};

	memcpy(mem + VMM_GDT_GPA, gdt, sizeof(gdt));
}

static void setup_flat_segments(struct hb_sregs *sregs, int long_mode)
{
	struct hb_segment seg = segment(VMM_SEL_DATA, 0, 0xffffffff,
					SEG_TYPE_DATA_RW);

	seg.g = 1;
	seg.db = 1;
	set_data_segments(sregs, seg);
	seg.selector = VMM_SEL_CODE;
	seg.type = SEG_TYPE_CODE_RX;
	if (long_mode) {
		seg.db = 0;	/* L=1 requires D=0 (APM vol. 2, 4.8.1) */
		seg.l = 1;
	}
	sregs->cs = seg;
	set_system_segments(sregs);
	sregs->gdt = (struct hb_dtable){ .base = VMM_GDT_GPA, .limit = 3 * 8 - 1 };
	sregs->idt = (struct hb_dtable){ .base = 0, .limit = 0 };
}

/* Identity map the first 4 GiB with 2 MiB pages. */
static void write_page_tables(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + VMM_PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(mem + VMM_PDPT_GPA);
	uint64_t *pd = (uint64_t *)(mem + VMM_PD_GPA);
	const uint64_t table = X86_PTE_PRESENT | X86_PTE_WRITE;
	uint64_t i;

	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	pml4[0] = VMM_PDPT_GPA | table;
	for (i = 0; i < NR_PDS; i++)
		pdpt[i] = (VMM_PD_GPA + i * PAGE_SIZE) | table;
	for (i = 0; i < NR_PDS * 512; i++)
		pd[i] = i * SZ_2M | table | X86_PTE_LARGE;
}

static int check_fits(const struct vmm_mode_setup *setup, struct hb_err *err)
{
	uint64_t start, end;

	vmm_cpu_mode_reserved(setup->mode, &start, &end);
	if (setup->mem_size < end)
		return hb_err_msg(err, EINVAL,
				  "%s mode needs at least 0x%llx bytes of guest memory",
				  vmm_cpu_mode_name(setup->mode),
				  (unsigned long long)end);
	return 0;
}

/* An explicit stack_top is the caller's business; the default is aligned. */
static uint64_t initial_stack_top(const struct vmm_mode_setup *setup)
{
	uint64_t top = setup->mem_size;

	if (setup->stack_top)
		return setup->stack_top;
	if (setup->mode == VMM_MODE_PROTECTED && top > (1ull << 32))
		top = 1ull << 32;
	return top & ~0xfull;
}

int vmm_cpu_mode_setup(const struct vmm_mode_setup *setup,
		       struct hb_regs *regs, struct hb_sregs *sregs,
		       struct hb_err *err)
{
	int long_mode = setup->mode == VMM_MODE_LONG;
	int ret;

	memset(regs, 0, sizeof(*regs));
	regs->rflags = 0x2;	/* bit 1 is reserved and reads as one */
	if (setup->mode == VMM_MODE_REAL)
		return setup_real(setup, regs, sregs, err);
	if (setup->mode != VMM_MODE_PROTECTED && !long_mode)
		return hb_err_msg(err, EINVAL, "unknown CPU mode %d", setup->mode);
	ret = check_fits(setup, err);
	if (ret)
		return ret;
	if (!long_mode && setup->entry >= (1ull << 32))
		return hb_err_msg(err, EINVAL,
				  "protected-mode entry 0x%llx is above 4 GiB",
				  (unsigned long long)setup->entry);

	write_gdt(setup->mem, long_mode);
	setup_flat_segments(sregs, long_mode);
	sregs->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
	if (long_mode) {
		write_page_tables(setup->mem);
		/* SSE on, so compiler-generated code in guests just works. */
		sregs->cr0 |= X86_CR0_MP | X86_CR0_WP | X86_CR0_PG;
		sregs->cr3 = VMM_PML4_GPA;
		sregs->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
		sregs->efer = X86_EFER_LME | X86_EFER_LMA;
	}
	regs->rip = setup->entry;
	regs->rsp = initial_stack_top(setup);
	return 0;
}
