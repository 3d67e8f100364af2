// SPDX-License-Identifier: GPL-2.0
/* HLT and triple fault reach userspace as their own exit reasons. */
#include "lib/blob.h"
#include "lib/hb_util.h"

static void guest_hlt(void)
{
	halt();
	GUEST_SYNC(0x417);
}

HB_TEST(hlt_exits_and_resumes_after_it)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_hlt);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_HLT);
	vcpu_run_expect_sync(vcpu, 0x417);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* With an empty IDT, #UD cannot be delivered: #GP, #DF, then shutdown. */
static void guest_triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	asm volatile("lidt %0; ud2" : : "m"(idtr));
	GUEST_SYNC(0xbad);
}

HB_TEST(long_mode_triple_fault_is_shutdown)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_triple_fault);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_SHUTDOWN);
	vm_free(vm);
}

/*
 * What HB_GET_REGS shows after a triple fault. The VMCB is undefined after
 * SHUTDOWN (APM Vol. 2, 15.11) and QEMU has left the host's RIP and RSP in
 * it: SVM reports the registers of the last entry instead. VMX defines
 * the guest state at a triple fault: RIP stays on the INT3. The guest's
 * first instruction loads an empty IDT from its own code page, so every
 * entry before the shutdown (nested page faults) is at that instruction;
 * INT3 is not intercepted, so the fault comes one instruction later.
 */
void guest_lidt0_int3(void);
asm(".pushsection .text\n"
    ".global guest_lidt0_int3\n"
    "guest_lidt0_int3:\n\t"
    "lidt 1f(%rip)\n\t"
    "int3\n"
    "1: .word 0\n\t"
    ".quad 0\n"
    ".popsection");

HB_TEST(triple_fault_leaves_guest_registers)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_lidt0_int3);
	struct hb_regs entry, after;

	vcpu_regs_get(vcpu, &entry);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_SHUTDOWN);
	vcpu_regs_get(vcpu, &after);
	if (hb_check_extension(vm->sys_fd, HB_CAP_SVM) > 0) {
		TEST_ASSERT_EQ(after.rip, entry.rip);
		TEST_ASSERT_EQ(after.rsp, entry.rsp);
	} else {
		TEST_ASSERT(after.rip > entry.rip && after.rip < entry.rip + 16,
			    "RIP 0x%llx after the triple fault, entry 0x%llx",
			    (unsigned long long)after.rip,
			    (unsigned long long)entry.rip);
	}
	vm_free(vm);
}

/* The classic reboot trick: an IVT limit of 0 and a software interrupt. */
DECLARE_BLOB(real_triple_fault);
asm(BLOB_BEGIN(real_triple_fault, 16)
	"lidt %cs:(rtf_idtr - real_triple_fault_start)\n"
	"int3\n"
	BLOB_SYNC("%eax")
	"rtf_idtr: .word 0\n"
	".long 0\n"
	BLOB_END(real_triple_fault));

HB_TEST(real_mode_triple_fault_is_shutdown)
{
	struct vm *vm = vm_create(VMM_MODE_REAL);
	struct vcpu *vcpu = vm_vcpu_add_blob(vm, 0, real_triple_fault_start,
					     real_triple_fault_end);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_SHUTDOWN);
	vm_free(vm);
}
