// SPDX-License-Identifier: GPL-2.0
/*
 * A guest in each CPU mode: each reports CR0 and an arithmetic result whose
 * width only that mode produces; the host also checks the mode in SREGS.
 */
#include "lib/blob.h"
#include "lib/hb_util.h"

DECLARE_BLOB(real_mode);
asm(BLOB_BEGIN(real_mode, 16)
	"mov %cr0, %eax\n"
	BLOB_SYNC("%eax")
	/* 16-bit arithmetic wraps at 64 KiB. */
	"mov $0xffff, %ax\n"
	"add $0x11, %ax\n"
	"movzwl %ax, %eax\n"
	BLOB_SYNC("%eax")
	/* Segment arithmetic: CS << 4 is the blob's base. */
	"mov %cs, %ax\n"
	"movzwl %ax, %eax\n"
	"shl $4, %eax\n"
	BLOB_SYNC("%eax")
	BLOB_DONE
	BLOB_END(real_mode));

HB_TEST(real_mode_guest)
{
	struct vm *vm = vm_create(VMM_MODE_REAL);
	struct vcpu *vcpu = vm_vcpu_add_blob(vm, 0, real_mode_start, real_mode_end);
	struct hb_sregs sregs;
	struct ucall uc;

	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0] & X86_CR0_PE, 0);
	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT_EQ(sregs.cr0 & X86_CR0_PE, 0);
	TEST_ASSERT_EQ(sregs.cs.base, BLOB_GPA);
	vcpu_run_expect_sync(vcpu, 0x10);
	vcpu_run_expect_sync(vcpu, BLOB_GPA);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

DECLARE_BLOB(protected_mode);
asm(BLOB_BEGIN(protected_mode, 32)
	"mov %cr0, %eax\n"
	BLOB_SYNC("%eax")
	/* 32-bit arithmetic wraps at 4 GiB. */
	"mov $0xffffffff, %eax\n"
	"add $0x22, %eax\n"
	BLOB_SYNC("%eax")
	/* Flat segments: an absolute address reaches the blob's own data. */
	"mov (" XSTR(BLOB_GPA) " + pm_word - protected_mode_start), %eax\n"
	BLOB_SYNC("%eax")
	BLOB_DONE
	"pm_word: .long 0x32b17e5\n"
	BLOB_END(protected_mode));

HB_TEST(protected_mode_guest)
{
	struct vm *vm = vm_create(VMM_MODE_PROTECTED);
	struct vcpu *vcpu = vm_vcpu_add_blob(vm, 0, protected_mode_start,
					     protected_mode_end);
	struct hb_sregs sregs;
	struct ucall uc;

	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0] & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE);
	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT_EQ(sregs.cs.db, 1);
	TEST_ASSERT_EQ(sregs.cs.l, 0);
	TEST_ASSERT_EQ(sregs.efer & X86_EFER_LMA, 0);
	vcpu_run_expect_sync(vcpu, 0x21);
	vcpu_run_expect_sync(vcpu, 0x32b17e5);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_long_mode(void)
{
	volatile uint64_t wide = 0xffffffffull;

	GUEST_SYNC(get_cr0());
	GUEST_SYNC(get_cr4());
	/* 64-bit arithmetic does not wrap at 4 GiB. */
	GUEST_SYNC(wide + 0x33);
}

HB_TEST(long_mode_guest)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_long_mode);
	struct hb_sregs sregs;
	struct ucall uc;

	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0] & (X86_CR0_PE | X86_CR0_PG),
		       X86_CR0_PE | X86_CR0_PG);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] & X86_CR4_PAE, "CR4 0x%llx without PAE",
		    (unsigned long long)uc.args[0]);
	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT_EQ(sregs.efer & X86_EFER_LMA, X86_EFER_LMA);
	TEST_ASSERT_EQ(sregs.cs.l, 1);
	vcpu_run_expect_sync(vcpu, 0x100000032ull);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}
