// SPDX-License-Identifier: GPL-2.0
/*
 * Lazy FPU switching (kmod/fpu.c): where the backend traps the guest's
 * first FPU instruction, a guest that never touches the FPU never has its
 * image loaded, and one that does keeps its registers across every exit,
 * trapping once per eager window rather than once per entry. The trap is
 * invisible on both backends: CR0 (MOV and SMSW) shows the guest's own TS
 * and MP, and the #NM that the guest's own TS asks for reaches its IDT.
 */
#include "lib/hb_util.h"
#include "lib/idt.h"

#define RUNS		200
#define CR0_MP		(1ull << 1)
#define CR0_TS		(1ull << 3)
/* More exits than fpu.c's eager window: the next entry is trapped again. */
#define IDLE_EXITS	40
#define IDLE		0x1d1e
#define NM_VECTOR	7

static bool backend_traps_fpu(struct vm *vm)
{
	return hb_check_extension(vm->sys_fd, HB_CAP_SVM) > 0;
}

static uint64_t exits_fpu(void)
{
	return require_counter_line("exits", "fpu");
}

static uint64_t fpu_loads(void)
{
	return require_counter_line("fpu_stats", "loads");
}

static void guest_no_fpu(void)
{
	uint64_t i;

	for (i = 0; i < RUNS; i++)
		GUEST_SYNC(i);
}

HB_TEST(a_guest_that_never_touches_the_fpu_never_has_it_loaded)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_no_fpu);
	uint64_t loads, i;

	if (!backend_traps_fpu(vm))
		test_skip("VMX loads the guest FPU on every entry: Intel CPUs speculate past #NM (LazyFP, CVE-2018-3665)");
	loads = fpu_loads();
	for (i = 0; i < RUNS; i++)
		vcpu_run_expect_sync(vcpu, i);
	vcpu_run_expect_done(vcpu);
	TEST_ASSERT_EQ(fpu_loads() - loads, 0);
	vm_free(vm);
}

/* xmm1 accumulates 1 + 2 + ... across one exit per addition. */
static void guest_fpu_every_run(void)
{
	uint64_t i, sum;

	asm volatile("pxor %%xmm1, %%xmm1" : : : "memory");
	for (i = 1; i <= RUNS; i++) {
		asm volatile("movq %1, %%xmm2\n\t"
			     "paddq %%xmm2, %%xmm1\n\t"
			     "movq %%xmm1, %0"
			     : "=r"(sum) : "r"(i) : "memory");
		GUEST_SYNC(sum);
	}
}

HB_TEST(fpu_registers_survive_every_exit_and_trap_once_per_window)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_fpu_every_run);
	uint64_t traps = exits_fpu(), loads = fpu_loads();
	uint64_t i;

	for (i = 1; i <= RUNS; i++)
		vcpu_run_expect_sync(vcpu, i * (i + 1) / 2);
	vcpu_run_expect_done(vcpu);
	traps = exits_fpu() - traps;
	loads = fpu_loads() - loads;
	if (backend_traps_fpu(vm)) {
		/* At least the first entry, then once per window at most. */
		TEST_ASSERT(traps >= 1 && traps <= RUNS / 8,
			    "%llu FPU traps in %d entries that all use it",
			    (unsigned long long)traps, RUNS);
	} else {
		TEST_ASSERT_EQ(traps, 0);
	}
	TEST_ASSERT(loads >= RUNS, "the image was loaded %llu times in %d entries",
		    (unsigned long long)loads, RUNS);
	vm_free(vm);
}

static void idle(void)
{
	int i;

	for (i = 0; i < IDLE_EXITS; i++)
		GUEST_SYNC(IDLE);
}

static void set_cr0(uint64_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static uint64_t smsw(void)
{
	uint64_t v;

	asm volatile("smsw %0" : "=r"(v));
	return v;
}

/* Each report comes on an entry that began with the FPU not loaded. */
static void guest_cr0_view(void)
{
	uint64_t cr0 = get_cr0();

	GUEST_SYNC(cr0);
	idle();
	set_cr0(cr0 | CR0_TS);
	idle();
	GUEST_SYNC(get_cr0());
	idle();
	/* The guest's own TS: its #NM, not the hypervisor's. */
	GUEST_SYNC(guest_asm_safe("movdqa %%xmm0, %%xmm1", "i"(0)));
	asm volatile("clts" : : : "memory");
	idle();
	GUEST_SYNC(get_cr0());
	idle();
	GUEST_SYNC(smsw() & 0xffff);
	idle();
	GUEST_SYNC(guest_asm_safe("movdqa %%xmm0, %%xmm1", "i"(0)));
	idle();
	set_cr0(cr0 & ~CR0_MP);
	idle();
	GUEST_SYNC(get_cr0());
	idle();
	/* Userspace set TS meanwhile (HB_SET_SREGS). */
	GUEST_SYNC(get_cr0());
}

static void run_idle(struct vcpu *vcpu)
{
	int i;

	for (i = 0; i < IDLE_EXITS; i++)
		vcpu_run_expect_sync(vcpu, IDLE);
}

static void expect_sregs_cr0(struct vcpu *vcpu, uint64_t cr0)
{
	struct hb_sregs sregs;

	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT(sregs.cr0 == cr0, "HB_GET_SREGS: CR0 0x%llx, the guest's 0x%llx",
		    (unsigned long long)sregs.cr0, (unsigned long long)cr0);
}

/*
 * The guest reports @cr0, and userspace reads the same from the vCPU,
 * right after the guest's access and after entries without FPU use (the
 * trap set again).
 */
static void expect_cr0(struct vcpu *vcpu, uint64_t cr0)
{
	vcpu_run_expect_sync(vcpu, cr0);
	expect_sregs_cr0(vcpu, cr0);
	run_idle(vcpu);
	expect_sregs_cr0(vcpu, cr0);
}

HB_TEST(the_guest_sees_its_own_cr0_ts_and_mp_and_gets_its_own_nm)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_cr0_view);
	struct hb_sregs sregs;
	uint64_t cr0, traps = exits_fpu();

	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	cr0 = sregs.cr0;
	TEST_ASSERT(!(cr0 & CR0_TS) && (cr0 & CR0_MP),
		    "the test expects a guest CR0 with MP and without TS: 0x%llx",
		    (unsigned long long)cr0);

	expect_cr0(vcpu, cr0);
	run_idle(vcpu);
	expect_cr0(vcpu, cr0 | CR0_TS);
	vcpu_run_expect_sync(vcpu, NM_VECTOR);
	run_idle(vcpu);
	expect_cr0(vcpu, cr0);
	vcpu_run_expect_sync(vcpu, cr0 & 0xffff);		/* SMSW */
	run_idle(vcpu);
	vcpu_run_expect_sync(vcpu, GUEST_NO_FAULT);
	run_idle(vcpu);
	run_idle(vcpu);
	expect_cr0(vcpu, cr0 & ~CR0_MP);

	vcpu_sregs_get(vcpu, &sregs);
	sregs.cr0 |= CR0_TS;
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_run_expect_sync(vcpu, (cr0 & ~CR0_MP) | CR0_TS);
	vcpu_run_expect_done(vcpu);

	/*
	 * Each of the guest's 6 CR0 reads, 2 CR0 writes and 2 SSE moves came
	 * on an entry without the FPU loaded: it went through the trap.
	 */
	if (backend_traps_fpu(vm))
		TEST_ASSERT(exits_fpu() - traps >= 10, "only %llu FPU traps",
			    (unsigned long long)(exits_fpu() - traps));
	vm_free(vm);
}
