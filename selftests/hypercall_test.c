// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: numbers below HB_HC_KERNEL_BASE exit to userspace with all six
 * arguments and take the return value back; HB_HC_PING is answered inside
 * the module without an exit.
 */
#include <errno.h>

#include "lib/hb_util.h"

#define HC_TEST		0x100
#define PING_ROUNDS	100

static void guest_hypercalls(void)
{
	uint64_t i, ret;

	for (i = 0; i < 4; i++) {
		ret = guest_hypercall(HC_TEST, i, i << 8, i << 16, i << 24,
				      i << 32, 0xffffffffffffff00ull | i);
		GUEST_ASSERT_EQ(ret, 0x1234567800000000ull + i);
	}
}

HB_TEST(args_reach_userspace_and_ret_reaches_the_guest)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_hypercalls);
	struct hb_run *run = vcpu->run;
	uint64_t i;

	for (i = 0; i < 4; i++) {
		vcpu_run(vcpu);
		TEST_ASSERT_EXIT(vcpu, HB_EXIT_HYPERCALL);
		TEST_ASSERT_EQ(run->hypercall.nr, HC_TEST);
		TEST_ASSERT_EQ(run->hypercall.args[0], i);
		TEST_ASSERT_EQ(run->hypercall.args[1], i << 8);
		TEST_ASSERT_EQ(run->hypercall.args[2], i << 16);
		TEST_ASSERT_EQ(run->hypercall.args[3], i << 24);
		TEST_ASSERT_EQ(run->hypercall.args[4], i << 32);
		TEST_ASSERT_EQ(run->hypercall.args[5], 0xffffffffffffff00ull | i);
		run->hypercall.ret = 0x1234567800000000ull + i;
	}
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_ping(void)
{
	uint64_t i;

	for (i = 0; i < PING_ROUNDS; i++)
		GUEST_ASSERT_EQ(guest_hypercall(HB_HC_PING, i * 3, 0, 0, 0, 0, 0),
				i * 3 + 1);
	GUEST_ASSERT_EQ(guest_hypercall(HB_HC_KERNEL_BASE + 0xfff, 0, 0, 0, 0, 0, 0),
			(uint64_t)-ENOSYS);
}

HB_TEST(ping_is_answered_in_kernel)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_ping);
	uint64_t before = 0, after = 0;
	int have_stats = !hb_debugfs_exits("hypercall_kernel", &before);

	/* No exit reaches us before the guest is done: every answer was in-kernel. */
	vcpu_run_expect_done(vcpu);
	if (have_stats) {
		TEST_ASSERT_OK(hb_debugfs_exits("hypercall_kernel", &after));
		TEST_ASSERT(after - before >= PING_ROUNDS + 1,
			    "only %llu in-kernel hypercalls counted",
			    (unsigned long long)(after - before));
	}
	vm_free(vm);
}

static void guest_unhandled_hypercall(void)
{
	GUEST_ASSERT_EQ(guest_hypercall(0x777, 0, 0, 0, 0, 0, 0), 0);
	GUEST_SYNC(0);
}

HB_TEST(ret_defaults_to_what_userspace_left)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_unhandled_hypercall);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_HYPERCALL);
	TEST_ASSERT_EQ(vcpu->run->hypercall.nr, 0x777);
	vcpu->run->hypercall.ret = 0;
	vcpu_run_expect_sync(vcpu, 0);
	vm_free(vm);
}

/* Both vendors' instructions, whichever backend runs: pings, then an exit. */
static void guest_both_instructions(void)
{
	uint64_t ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(HB_HC_PING), "D"(41ull)
		     : "memory");
	GUEST_ASSERT_EQ(ret, 42);
	asm volatile("vmmcall" : "=a"(ret) : "a"(HB_HC_PING), "D"(99ull)
		     : "memory");
	GUEST_ASSERT_EQ(ret, 100);
	/* Prefixed: on AMD the #UD path must skip the prefix too. */
	asm volatile(".byte 0x66; vmcall" : "=a"(ret) : "a"(HB_HC_PING),
		     "D"(7ull) : "memory");
	GUEST_ASSERT_EQ(ret, 8);
	asm volatile("vmcall" : "=a"(ret) : "a"(0x321ull), "D"(7ull)
		     : "memory");
	GUEST_ASSERT_EQ(ret, 8);
}

HB_TEST(vmcall_and_vmmcall_are_both_hypercalls)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_both_instructions);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_HYPERCALL);
	TEST_ASSERT_EQ(vcpu->run->hypercall.nr, 0x321);
	TEST_ASSERT_EQ(vcpu->run->hypercall.args[0], 7);
	vcpu->run->hypercall.ret = 8;
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * Code in an extra slot that the test replaces under the guest. Without
 * next-RIP save (QEMU) the in-kernel hypercall's fast path reads the
 * instruction to find where it ends, through a per-vCPU cache of guest
 * page mappings; once the slot is replaced it must read the new page:
 * the prefix there makes the VMMCALL one byte longer, and a stale read
 * would resume the guest inside it.
 */
#define SWAP_CODE_GPA	EXTRA_SLOT_GPA

static const uint8_t ping_code_plain[] = {
	0x48, 0x89, 0xf8,		/* mov %rdi, %rax: number */
	0x48, 0x89, 0xf7,		/* mov %rsi, %rdi: argument */
	0x0f, 0x01, 0xd9,		/* vmmcall */
	0xc3,				/* ret */
};

static const uint8_t ping_code_prefixed[] = {
	0x48, 0x89, 0xf8,
	0x48, 0x89, 0xf7,
	0x66, 0x0f, 0x01, 0xd9,		/* vmmcall, operand-size prefix */
	0xc3,
};

static void guest_call_swapped_code(void)
{
	uint64_t (*ping)(uint64_t nr, uint64_t arg) = (void *)SWAP_CODE_GPA;

	GUEST_ASSERT_EQ(ping(HB_HC_PING, 41), 42);
	GUEST_ASSERT_EQ(ping(HB_HC_PING, 42), 43);
	GUEST_SYNC(1);
	GUEST_ASSERT_EQ(ping(HB_HC_PING, 99), 100);
	GUEST_ASSERT_EQ(ping(HB_HC_PING, 100), 101);
}

HB_TEST(a_replaced_code_page_is_read_anew)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_call_swapped_code);
	void *code;

	code = vm_add_slot(vm, 1, 0, SWAP_CODE_GPA, 0x1000);
	memcpy(code, ping_code_plain, sizeof(ping_code_plain));
	vcpu_run_expect_sync(vcpu, 1);

	/* Re-defining slot 1 replaces it: unmapped, then the new pages. */
	code = vm_add_slot(vm, 1, 0, SWAP_CODE_GPA, 0x1000);
	memcpy(code, ping_code_prefixed, sizeof(ping_code_prefixed));
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}
