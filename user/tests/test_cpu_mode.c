// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../vmm/cpu_mode.h"

#define MEM_SIZE	(16u << 20)

static uint8_t *mem;

static int alloc_mem(void **state)
{
	(void)state;
	mem = calloc(1, MEM_SIZE);
	return mem ? 0 : -1;
}

static int free_mem(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static uint64_t read_u64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, mem + gpa, sizeof(v));
	return v;
}

/* A software page walk (APM vol. 2, 5.3) over the tables the set-up wrote. */
static int translate(uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t pml4e = read_u64((cr3 & ~0xfffull) + ((va >> 39) & 511) * 8);
	uint64_t pdpte, pde;

	if (!(pml4e & X86_PTE_PRESENT))
		return -1;
	pdpte = read_u64((pml4e & ~0xfffull) + ((va >> 30) & 511) * 8);
	if (!(pdpte & X86_PTE_PRESENT) || (pdpte & X86_PTE_LARGE))
		return -1;
	pde = read_u64((pdpte & 0xffffffffff000ull) + ((va >> 21) & 511) * 8);
	if (!(pde & X86_PTE_PRESENT) || !(pde & X86_PTE_LARGE) ||
	    !(pde & X86_PTE_WRITE))
		return -1;
	*pa = (pde & 0xfffffffe00000ull) | (va & 0x1fffff);
	return 0;
}

static int setup(enum vmm_cpu_mode mode, uint64_t entry, struct hb_regs *regs,
		 struct hb_sregs *sregs)
{
	struct vmm_mode_setup s = {
		.mode = mode, .mem = mem, .mem_size = MEM_SIZE, .entry = entry,
	};
	struct hb_err err = { 0 };

	memset(sregs, 0xaa, sizeof(*sregs));
	return vmm_cpu_mode_setup(&s, regs, sregs, &err);
}

static void long_mode_identity_map(void **state)
{
	static const uint64_t addrs[] = {
		0, 0x1000, 0x100000, 0x1fffff, 0x200000, 0xfffffff,
		0x40000000, 0xc0001234, 0xffffffff,
	};
	struct hb_sregs sregs;
	struct hb_regs regs;
	uint64_t pa;
	unsigned int i;

	(void)state;
	assert_int_equal(setup(VMM_MODE_LONG, 0x100000, &regs, &sregs), 0);
	assert_int_equal(sregs.cr3, VMM_PML4_GPA);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		assert_int_equal(translate(sregs.cr3, addrs[i], &pa), 0);
		assert_int_equal(pa, addrs[i]);
	}
	/* Nothing above 4 GiB, nothing in the upper half. */
	assert_int_equal(translate(sregs.cr3, 1ull << 32, &pa), -1);
	assert_int_equal(translate(sregs.cr3, 0xffff800000000000ull, &pa), -1);
}

static void long_mode_registers(void **state)
{
	struct hb_sregs sregs;
	struct hb_regs regs;

	(void)state;
	assert_int_equal(setup(VMM_MODE_LONG, 0x100000, &regs, &sregs), 0);
	assert_true(sregs.cr0 & X86_CR0_PE);
	assert_true(sregs.cr0 & X86_CR0_PG);
	assert_true(sregs.cr4 & X86_CR4_PAE);
	assert_int_equal(sregs.efer & (X86_EFER_LME | X86_EFER_LMA),
			 X86_EFER_LME | X86_EFER_LMA);
	assert_int_equal(sregs.cs.l, 1);
	assert_int_equal(sregs.cs.db, 0);
	assert_int_equal(sregs.cs.selector, VMM_SEL_CODE);
	assert_int_equal(sregs.ss.selector, VMM_SEL_DATA);
	assert_int_equal(sregs.gdt.base, VMM_GDT_GPA);
	assert_int_equal(regs.rip, 0x100000);
	assert_int_equal(regs.rsp, MEM_SIZE);
	assert_int_equal(regs.rflags, 2);
	/* The in-memory 64-bit code descriptor: P, S, code, L (APM 4.8.1). */
	assert_int_equal(*(uint64_t *)(mem + VMM_GDT_GPA + 8),
			 0x00af9b000000ffffull);
	assert_int_equal(*(uint64_t *)(mem + VMM_GDT_GPA + 16),
			 0x00cf93000000ffffull);
}

static void protected_mode_flat_gdt(void **state)
{
	struct hb_sregs sregs;
	struct hb_regs regs;

	(void)state;
	memset(mem + VMM_PML4_GPA, 0x5a, 4096);
	assert_int_equal(setup(VMM_MODE_PROTECTED, 0x100000, &regs, &sregs), 0);
	assert_int_equal(sregs.cr0 & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE);
	assert_int_equal(sregs.efer, 0);
	assert_int_equal(sregs.cs.db, 1);
	assert_int_equal(sregs.cs.l, 0);
	assert_int_equal(sregs.cs.g, 1);
	assert_int_equal(sregs.cs.limit, 0xffffffff);
	assert_int_equal(*(uint64_t *)(mem + VMM_GDT_GPA + 8),
			 0x00cf9b000000ffffull);
	/* Protected mode must not write page tables. */
	assert_int_equal(mem[VMM_PML4_GPA], 0x5a);
}

static void real_mode_segments(void **state)
{
	struct hb_sregs sregs;
	struct hb_regs regs;

	(void)state;
	assert_int_equal(setup(VMM_MODE_REAL, 0x7c00, &regs, &sregs), 0);
	assert_int_equal(sregs.cr0 & X86_CR0_PE, 0);
	assert_int_equal(sregs.cs.base, 0);
	assert_int_equal(sregs.cs.selector, 0);
	assert_int_equal(regs.rip, 0x7c00);

	assert_int_equal(setup(VMM_MODE_REAL, 0x12345, &regs, &sregs), 0);
	assert_int_equal(sregs.cs.base, 0x10000);
	assert_int_equal(sregs.cs.selector, 0x1000);
	assert_int_equal(sregs.ds.base, 0x10000);
	assert_int_equal(regs.rip, 0x2345);

	assert_int_equal(setup(VMM_MODE_REAL, 0x100000, &regs, &sregs),
			 -EINVAL);
}

static void too_little_memory(void **state)
{
	struct vmm_mode_setup s = {
		.mode = VMM_MODE_LONG, .mem = mem, .mem_size = 0x4000,
		.entry = 0x3000,
	};
	struct hb_err err = { 0 };
	struct hb_sregs sregs;
	struct hb_regs regs;

	(void)state;
	assert_int_equal(vmm_cpu_mode_setup(&s, &regs, &sregs, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "long mode needs"));
}

static void mode_names(void **state)
{
	enum vmm_cpu_mode mode;
	uint64_t start, end;

	(void)state;
	assert_int_equal(vmm_cpu_mode_parse("real", &mode), 0);
	assert_int_equal(mode, VMM_MODE_REAL);
	assert_int_equal(vmm_cpu_mode_parse("protected", &mode), 0);
	assert_int_equal(mode, VMM_MODE_PROTECTED);
	assert_int_equal(vmm_cpu_mode_parse("long", &mode), 0);
	assert_int_equal(mode, VMM_MODE_LONG);
	assert_int_equal(vmm_cpu_mode_parse("Long", &mode), -EINVAL);
	assert_string_equal(vmm_cpu_mode_name(VMM_MODE_PROTECTED), "protected");
	vmm_cpu_mode_reserved(VMM_MODE_REAL, &start, &end);
	assert_int_equal(start, end);
	vmm_cpu_mode_reserved(VMM_MODE_LONG, &start, &end);
	assert_int_equal(end, 0x8000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_mode_identity_map),
		cmocka_unit_test(long_mode_registers),
		cmocka_unit_test(protected_mode_flat_gdt),
		cmocka_unit_test(real_mode_segments),
		cmocka_unit_test(too_little_memory),
		cmocka_unit_test(mode_names),
	};

	return cmocka_run_group_tests(tests, alloc_mem, free_mem);
}
