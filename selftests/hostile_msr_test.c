// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests (issue 7): wild MSR reads and writes. The virtualization
 * MSRs (EFER.SVME, VM_CR, VM_HSAVE_PA, IA32_FEATURE_CONTROL, the VMX
 * capability MSRs) must never reach the real CPU: a guest writing the
 * host save area address or clearing SVME would take the host down at the
 * next VMRUN. Each access either faults (#GP) or is emulated; the guest
 * survives to report it, and the host (its syscalls, a second VM) works.
 */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/hb_util.h"
#include "lib/idt.h"

#define MSR_FEATURE_CONTROL	0x3a
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_VM_CR		0xc0010114
#define MSR_IGNNE		0xc0010115
#define MSR_SMM_CTL		0xc0010116
#define MSR_VM_HSAVE_PA		0xc0010117
#define EFER_SVME		(1ull << 12)
#define NONCANONICAL		0x8000000000000000ull

static void guest_virt_msrs(void)
{
	static const uint32_t msrs[] = {
		MSR_VM_CR, MSR_IGNNE, MSR_SMM_CTL, MSR_VM_HSAVE_PA,
		MSR_FEATURE_CONTROL,
	};
	uint64_t v, efer;
	unsigned int i;

	for (i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		GUEST_SYNC2(msrs[i], rdmsr_safe(msrs[i], &v));
		GUEST_SYNC2(msrs[i], wrmsr_safe(msrs[i], 0));
		GUEST_SYNC2(msrs[i], wrmsr_safe(msrs[i], ~0ull));
		GUEST_SYNC2(msrs[i], wrmsr_safe(msrs[i], 0x1000));
	}
	/* The VMX capability MSRs and their neighbours. */
	for (i = 0x480; i <= 0x492; i++) {
		GUEST_SYNC2(i, rdmsr_safe(i, &v));
		GUEST_SYNC2(i, wrmsr_safe(i, v));
	}
	/* EFER: the guest never sees SVME; setting it faults or sticks out. */
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_EFER, &efer), GUEST_NO_FAULT);
	GUEST_ASSERT(!(efer & EFER_SVME));
	GUEST_SYNC2(MSR_EFER, wrmsr_safe(MSR_EFER, efer | EFER_SVME));
	GUEST_SYNC2(MSR_EFER, wrmsr_safe(MSR_EFER, efer & ~EFER_SVME));
	GUEST_SYNC2(MSR_EFER, wrmsr_safe(MSR_EFER, efer | (1ull << 63)));
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_EFER, &v), GUEST_NO_FAULT);
	GUEST_ASSERT(!(v & (1ull << 63)));
	GUEST_DONE();
}

/* A ucall per access: the host sees every vector. */
static unsigned int drain(struct vcpu *vcpu, const char *what)
{
	struct ucall uc;
	unsigned int n = 0;

	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC) {
		uint64_t v = uc.args[1];

		TEST_ASSERT(v == GUEST_NO_FAULT || v == X86_VEC_GP,
			    "%s: MSR 0x%llx: vector %llu (expected none or #GP)",
			    what, (unsigned long long)uc.args[0],
			    (unsigned long long)v);
		n++;
	}
	TEST_ASSERT_EQ(uc.cmd, UCALL_DONE);
	return n;
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

/* Syscalls on every host CPU, then a second VM: the host is fine. */
static void host_still_works(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct vcpu *vcpu;
	struct vm *vm;
	cpu_set_t set;
	long c;

	for (c = 0; c < ncpu; c++) {
		CPU_ZERO(&set);
		CPU_SET(c, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			continue;
		TEST_ASSERT(syscall(SYS_getpid) == getpid(), "syscall on CPU %ld", c);
		vm = vm_create(VMM_MODE_LONG);
		vcpu = vm_vcpu_add(vm, 0, guest_ping);
		vcpu_run_expect_sync(vcpu, 0x600d);
		vm_free(vm);
	}
	CPU_ZERO(&set);
	for (c = 0; c < ncpu; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

HB_TEST(virtualization_msrs_fault_or_are_emulated)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_with_idt(guest_virt_msrs, &vcpu);

	test_log("%u accesses", drain(vcpu, "virt"));
	vm_free(vm);
	host_still_works();
}

/* Syscall/sysenter entry points and segment bases with weird values. */
static void guest_entry_msrs(void)
{
	static const uint32_t msrs[] = {
		MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_STAR,
		MSR_LSTAR, MSR_CSTAR, MSR_FS_BASE, MSR_GS_BASE,
		MSR_KERNEL_GS_BASE,
	};
	static const uint64_t vals[] = {
		0, ~0ull, NONCANONICAL, 0x0000800000000000ull,
		0xffffffff81000000ull, 1,
	};
	unsigned int i, j;

	for (i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++)
		for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++)
			GUEST_SYNC2(msrs[i], wrmsr_safe(msrs[i], vals[j]));
	/* Leave LSTAR and SYSENTER at 0: the host must not inherit them. */
	wrmsr(MSR_LSTAR, 0);
	wrmsr(MSR_SYSENTER_EIP, 0);
	wrmsr(MSR_SYSENTER_CS, 0);
	GUEST_DONE();
}

HB_TEST(syscall_entry_msrs_with_weird_values)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_with_idt(guest_entry_msrs, &vcpu);

	test_log("%u accesses", drain(vcpu, "entry"));
	/* The thread that ran the guest makes syscalls right away. */
	TEST_ASSERT(syscall(SYS_getpid) == getpid(), "syscall after the guest");
	vm_free(vm);
	host_still_works();
}

/* RDMSR/WRMSR sweeps over the architectural and AMD ranges. */
static void guest_sweep(uint32_t base, uint32_t count, uint32_t stride)
{
	uint64_t v;
	uint32_t i;

	for (i = 0; i < count; i += stride) {
		uint8_t rd = rdmsr_safe(base + i, &v);
		/* Writing back what was read, or 0 when the read faulted. */
		uint8_t wr = wrmsr_safe(base + i, rd == GUEST_NO_FAULT ? v : 0);

		GUEST_ASSERT(rd == GUEST_NO_FAULT || rd == X86_VEC_GP);
		GUEST_ASSERT(wr == GUEST_NO_FAULT || wr == X86_VEC_GP);
	}
	GUEST_DONE();
}

HB_TEST(msr_sweep_faults_or_emulates)
{
	static const uint32_t ranges[][3] = {
		{ 0, 0x2000, 7 }, { 0x40000000, 0x200, 1 },
		{ 0xc0000000, 0x2000, 7 }, { 0xc0010000, 0x2000, 7 },
		{ 0xfffffff0, 0x10, 1 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		struct vcpu *vcpu;
		struct vm *vm = vm_with_idt((void (*)(void))guest_sweep, &vcpu);

		vcpu_args_set(vcpu, 3, (uint64_t)ranges[i][0],
			      (uint64_t)ranges[i][1], (uint64_t)ranges[i][2]);
		vcpu_run_expect_done(vcpu);
		vm_free(vm);
	}
	host_still_works();
}
