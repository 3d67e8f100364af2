// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests (issue 7): a guest executing the hypervisor's own
 * instructions gets #UD, whatever the backend, and nothing happens to the
 * host. If VMLOAD/VMSAVE/STGI/CLGI/INVLPGA/SKINIT were not intercepted on
 * SVM they would run on the real CPU (CLGI would block the host's
 * interrupts, VMLOAD would load host MSRs from guest memory); INVD would
 * throw away the host's dirty cache lines.
 */
#include <unistd.h>

#include "lib/hb_util.h"
#include "lib/idt.h"

/* RAX = a harmless guest page for the ones that take an address. */
#define SAFE(n, text)							\
	static uint8_t try_##n(void)					\
	{								\
		asm volatile(ASM_SAFE(text)				\
			     : : "a"(0x300000ull), "c"(0ull), "d"(0ull)	\
			     : "r11", "memory");			\
		return guest_fault.vector;				\
	}

SAFE(vmrun, "vmrun")
SAFE(vmload, "vmload")
SAFE(vmsave, "vmsave")
SAFE(stgi, "stgi")
SAFE(clgi, "clgi")
SAFE(skinit, "skinit")
SAFE(invlpga, "invlpga")
SAFE(vmxon, "vmxon (%%rax)")
SAFE(vmxoff, "vmxoff")
SAFE(vmclear, "vmclear (%%rax)")
SAFE(vmptrld, "vmptrld (%%rax)")
SAFE(vmptrst, "vmptrst (%%rax)")
SAFE(vmlaunch, "vmlaunch")
SAFE(vmresume, "vmresume")
SAFE(vmread, "vmread %%rax, %%rcx")
SAFE(vmwrite, "vmwrite %%rax, %%rcx")
SAFE(invept, "invept (%%rax), %%rcx")
SAFE(invvpid, "invvpid (%%rax), %%rcx")
SAFE(vmfunc, "vmfunc")
SAFE(vmcall, "vmcall")
SAFE(vmmcall_bad_nr, "vmmcall")

#define ENTRY(n, svm, vmx) { #n, try_##n, svm, vmx }

static const struct {
	const char *name;
	uint8_t (*fn)(void);
	uint8_t skip_on_svm, skip_on_vmx;
} insns[] = {
	ENTRY(vmrun, 0, 0), ENTRY(vmload, 0, 0), ENTRY(vmsave, 0, 0),
	ENTRY(stgi, 0, 0), ENTRY(clgi, 0, 0), ENTRY(skinit, 0, 0),
	ENTRY(invlpga, 0, 0), ENTRY(vmxon, 0, 0), ENTRY(vmxoff, 0, 0),
	ENTRY(vmclear, 0, 0), ENTRY(vmptrld, 0, 0), ENTRY(vmptrst, 0, 0),
	ENTRY(vmlaunch, 0, 0), ENTRY(vmresume, 0, 0), ENTRY(vmread, 0, 0),
	ENTRY(vmwrite, 0, 0), ENTRY(invept, 0, 0), ENTRY(invvpid, 0, 0),
	ENTRY(vmfunc, 0, 0),
	/*
	 * Both vendors' hypercall instructions are hypercalls on either
	 * backend (hypercall_test.c), so neither may raise #UD here.
	 */
	ENTRY(vmcall, 1, 1), ENTRY(vmmcall_bad_nr, 1, 1),
};

#define NR_INSNS	(sizeof(insns) / sizeof(insns[0]))

static void guest_try_all(void)
{
	unsigned int i;

	for (i = 0; i < NR_INSNS; i++) {
		if (guest_use_vmcall ? insns[i].skip_on_vmx : insns[i].skip_on_svm)
			continue;
		GUEST_SYNC2(i, insns[i].fn());
	}
	GUEST_DONE();
}

static struct vm *vm_with_idt(void (*guest)(void), struct vcpu **vcpu)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);

	*vcpu = vm_vcpu_add(vm, 0, guest);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	return vm;
}

static void guest_ping(void)
{
	GUEST_SYNC(0x600d);
}

/* The host can still run an ordinary guest afterwards. */
static void second_vm_runs(void)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_ping);

	vcpu_run_expect_sync(vcpu, 0x600d);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

HB_TEST(virtualization_instructions_raise_ud)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_with_idt(guest_try_all, &vcpu);
	struct ucall uc;
	unsigned int seen = 0, bad = 0;

	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC) {
		unsigned int i = uc.args[0];

		TEST_ASSERT(i < NR_INSNS, "bad index %u", i);
		seen++;
		if (uc.args[1] != X86_VEC_UD) {
			test_log("%s: vector %llu, expected #UD (6)%s",
				 insns[i].name, (unsigned long long)uc.args[1],
				 uc.args[1] == GUEST_NO_FAULT ? " (it ran!)" : "");
			bad++;
		}
	}
	TEST_ASSERT_EQ(uc.cmd, UCALL_DONE);
	TEST_ASSERT(seen == NR_INSNS - 2, "only %u instructions reported", seen);
	TEST_ASSERT(!bad, "%u instruction(s) did not raise #UD", bad);
	vm_free(vm);
	second_vm_runs();
}

/* INVD and WBINVD: the guest goes on (nop or a fault it can handle). */
static void guest_cache_insns(void)
{
	GUEST_SYNC2(1, guest_asm_safe("wbinvd"));
	GUEST_SYNC2(2, guest_asm_safe("invd"));
	GUEST_DONE();
}

HB_TEST(invd_and_wbinvd_are_contained)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_with_idt(guest_cache_insns, &vcpu);
	struct ucall uc;

	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC) {
		uint64_t v = uc.args[1];

		test_log("case %llu: vector %llu", (unsigned long long)uc.args[0],
			 (unsigned long long)v);
		TEST_ASSERT(v == GUEST_NO_FAULT || v == X86_VEC_UD ||
			    v == X86_VEC_GP, "case %llu: unexpected vector %llu",
			    (unsigned long long)uc.args[0], (unsigned long long)v);
	}
	TEST_ASSERT_EQ(uc.cmd, UCALL_DONE);
	vm_free(vm);
	second_vm_runs();
}

/* MONITOR/MWAIT/XSETBV/RDPMC with junk: a fault, never a hung host. */
static void guest_misc_insns(void)
{
	GUEST_SYNC2(1, guest_asm_safe("xor %%eax, %%eax; xor %%ecx, %%ecx; xor %%edx, %%edx; xsetbv"));
	GUEST_SYNC2(2, guest_asm_safe("mov $0x300000, %%eax; xor %%ecx, %%ecx; xor %%edx, %%edx; monitor"));
	GUEST_SYNC2(3, guest_asm_safe("xor %%eax, %%eax; xor %%ecx, %%ecx; mwait"));
	GUEST_SYNC2(4, guest_asm_safe("mov $0x40000000, %%ecx; rdpmc"));
	GUEST_SYNC2(5, guest_asm_safe("rsm"));
	GUEST_DONE();
}

HB_TEST(monitor_mwait_xsetbv_rdpmc_rsm_are_contained)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_with_idt(guest_misc_insns, &vcpu);
	struct ucall uc;

	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC)
		test_log("case %llu: vector %llu", (unsigned long long)uc.args[0],
			 (unsigned long long)uc.args[1]);
	TEST_ASSERT_EQ(uc.cmd, UCALL_DONE);
	vm_free(vm);
	second_vm_runs();
}

/*
 * Intercepted instructions with prefixes: without next-RIP saving the
 * module must find the instruction's real length, not assume the bare
 * opcode's (else the guest resumes inside the instruction). Each one is
 * followed by a marker the guest checks it reached in order.
 */
static volatile uint64_t prefixed_step;

static void guest_prefixed_insns(void)
{
	uint32_t a, b, c, d;

	GUEST_SYNC2(1, guest_asm_safe("wbnoinvd"));		/* f3 0f 09 */
	GUEST_SYNC2(2, guest_asm_safe(".byte 0x2e; wbinvd"));
	asm volatile(".byte 0x66; cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
		     : "a"(0), "c"(0));
	prefixed_step = 3;
	GUEST_SYNC2(3, a);
	asm volatile(".byte 0x3e; hlt");
	prefixed_step = 4;
	GUEST_SYNC2(4, 0);
	GUEST_DONE();
}

HB_TEST(prefixed_intercepted_insns_resume_after_them)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_with_idt(guest_prefixed_insns, &vcpu);
	struct ucall uc;
	uint64_t expect = 1;
	unsigned int hlts = 0;

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == HB_EXIT_HLT) {
			/* One HLT; a second means RIP landed on its opcode. */
			TEST_ASSERT(++hlts == 1, "ds-prefixed HLT executed %u times", hlts);
			continue;
		}
		if (get_ucall(vcpu, &uc) != UCALL_SYNC)
			break;
		TEST_ASSERT(uc.args[0] == expect, "step %llu, expected %llu",
			    (unsigned long long)uc.args[0],
			    (unsigned long long)expect);
		if (expect <= 2)
			TEST_ASSERT(uc.args[1] == GUEST_NO_FAULT,
				    "step %llu: vector %llu: the guest resumed inside the instruction",
				    (unsigned long long)expect,
				    (unsigned long long)uc.args[1]);
		expect++;
	}
	TEST_ASSERT(uc.cmd == UCALL_DONE && expect == 5,
		    "stopped at step %llu: %s", (unsigned long long)expect,
		    exit_describe(vcpu));
	vm_free(vm);
}
