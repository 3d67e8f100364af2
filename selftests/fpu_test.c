// SPDX-License-Identifier: GPL-2.0
/*
 * Lazy FPU switching (kmod/fpu.c): where the backend traps the guest's
 * first FPU instruction, a guest that never touches the FPU never has its
 * image loaded, and one that does keeps its registers across every exit,
 * trapping once per eager window rather than once per entry. The trap is
 * invisible on both backends: CR0 (MOV and SMSW) shows the guest's own TS
 * and MP, the #NM that the guest's own TS asks for reaches its IDT, and a
 * hardware task switch leaves TS set as it must.
 */
#include <string.h>

#include "lib/blob.h"
#include "lib/hb_util.h"
#include "lib/idt.h"

#define RUNS		200
#define X86_CR0_TS	(1ull << 3)	/* the other CR0 bits: user/vmm/cpu_mode.h */
/* More exits than fpu.c's eager window: the next entry is trapped again. */
#define IDLE_EXITS	40
#define IDLE		0x1d1e

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
	set_cr0(cr0 | X86_CR0_TS);
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
	set_cr0(cr0 & ~X86_CR0_MP);
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
	TEST_ASSERT(!(cr0 & X86_CR0_TS) && (cr0 & X86_CR0_MP),
		    "the test expects a guest CR0 with MP and without TS: 0x%llx",
		    (unsigned long long)cr0);

	expect_cr0(vcpu, cr0);
	run_idle(vcpu);
	expect_cr0(vcpu, cr0 | X86_CR0_TS);
	vcpu_run_expect_sync(vcpu, X86_VEC_NM);
	run_idle(vcpu);
	expect_cr0(vcpu, cr0);
	vcpu_run_expect_sync(vcpu, cr0 & 0xffff);		/* SMSW */
	run_idle(vcpu);
	vcpu_run_expect_sync(vcpu, GUEST_NO_FAULT);
	run_idle(vcpu);
	run_idle(vcpu);
	expect_cr0(vcpu, cr0 & ~X86_CR0_MP);

	vcpu_sregs_get(vcpu, &sregs);
	sregs.cr0 |= X86_CR0_TS;
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_run_expect_sync(vcpu, (cr0 & ~X86_CR0_MP) | X86_CR0_TS);
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

/* ---- a hardware task switch (32-bit protected mode, SVM) ---------------- */

#define SEL_TSS_A	0x18
#define SEL_TSS_B	0x20
#define SEL_TSS_C	0x28
#define TSS_A_GPA	0x6000u
#define TSS_B_GPA	0x6100u
#define TSS_C_GPA	0x6200u
#define TSS_LIMIT	0x67u		/* a 32-bit TSS without I/O bitmap */
#define TASK_B_STACK	0x8000u
#define TSS_EIP		(0x20 / 4)	/* dword indices (SDM Vol. 3, 8.2.1) */
#define TSS_EFLAGS	(0x24 / 4)
#define TSS_ESP		(0x38 / 4)
#define TSS_ES		(0x48 / 4)	/* then CS, SS, DS, FS, GS */
#define TSS_IOMAP	(0x64 / 4)

/*
 * LTR of TSS C, which must leave TS alone; then, with the trap set again,
 * a jump to task B, which reports CR0: the switch has set TS.
 */
DECLARE_BLOB(task_switch);
extern const char task_switch_b[];
asm(BLOB_BEGIN(task_switch, 32)
	"mov $" XSTR(SEL_TSS_C) ", %ax\n"
	"ltr %ax\n"
	"mov %cr0, %eax\n"
	BLOB_SYNC("%eax")
	"mov $" XSTR(IDLE_EXITS) ", %ebx\n"
	"1: mov $" XSTR(IDLE) ", %eax\n"
	BLOB_SYNC("%eax")
	"dec %ebx\n"
	"jnz 1b\n"
	"ljmp $" XSTR(SEL_TSS_B) ", $0\n"
	".globl task_switch_b\n"
	"task_switch_b:\n"
	"mov %cr0, %eax\n"
	BLOB_SYNC("%eax")
	BLOB_DONE
	BLOB_END(task_switch));

static uint64_t tss_descriptor(uint32_t base, uint8_t type)
{
	return TSS_LIMIT | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)(0x80 | type) << 40 | (uint64_t)(base >> 24) << 56;
}

HB_TEST(a_task_switch_sets_the_guests_ts)
{
	struct vm *vm = vm_create(VMM_MODE_PROTECTED);
	uint64_t traps = exits_fpu(), *gdt;
	struct hb_sregs sregs;
	struct vcpu *vcpu;
	uint32_t *tss;
	int i;

	if (!backend_traps_fpu(vm))
		test_skip("VMX exits on every task switch, and hyperbox does not emulate them");
	vcpu = vm_vcpu_add_blob(vm, 0, task_switch_start, task_switch_end);

	gdt = addr_gpa2hva(vm, VMM_GDT_GPA);
	gdt[SEL_TSS_A / 8] = tss_descriptor(TSS_A_GPA, 0xb);	/* busy */
	gdt[SEL_TSS_B / 8] = tss_descriptor(TSS_B_GPA, 0x9);	/* available */
	gdt[SEL_TSS_C / 8] = tss_descriptor(TSS_C_GPA, 0x9);
	tss = addr_gpa2hva(vm, TSS_B_GPA);
	memset(tss, 0, TSS_LIMIT + 1);
	tss[TSS_EIP] = BLOB_GPA + (task_switch_b - task_switch_start);
	tss[TSS_EFLAGS] = 2;
	tss[TSS_ESP] = TASK_B_STACK;
	for (i = 0; i < 6; i++)
		tss[TSS_ES + i] = i == 1 ? VMM_SEL_CODE : VMM_SEL_DATA;
	tss[TSS_IOMAP] = (TSS_LIMIT + 1) << 16;

	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT(!(sregs.cr0 & X86_CR0_TS), "TS set before the switch: CR0 0x%llx",
		    (unsigned long long)sregs.cr0);
	sregs.gdt.limit = SEL_TSS_C + 7;
	sregs.tr = (struct hb_segment){ .base = TSS_A_GPA, .limit = TSS_LIMIT,
					.selector = SEL_TSS_A, .type = 0xb,
					.present = 1 };
	vcpu_sregs_set(vcpu, &sregs);

	vcpu_run_expect_sync(vcpu, (uint32_t)sregs.cr0);	/* after LTR */
	run_idle(vcpu);
	vcpu_run_expect_sync(vcpu, (uint32_t)(sregs.cr0 | X86_CR0_TS));
	vcpu_run_expect_done(vcpu);
	TEST_ASSERT(exits_fpu() > traps, "the task switch was not trapped");
	vm_free(vm);
}
