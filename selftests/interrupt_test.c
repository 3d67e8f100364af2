// SPDX-License-Identifier: GPL-2.0
/*
 * Events into a guest: external interrupts (HB_INTERRUPT) wait for IF=1 and
 * for the end of an STI shadow, the interrupt window exit tells userspace
 * when the guest can take one, NMIs stay blocked until the handler's IRET,
 * the module's own exceptions (#GP for an unknown MSR, #UD for SVM, XSETBV
 * and MONITOR instructions) and userspace's (HB_SET_VCPU_EVENTS) reach the
 * guest's IDT with the right error code, RIP and CR2.
 */
#include "lib/hb_util.h"
#include "lib/idt.h"
#include "lib/vcpu_state.h"

#define IRQ_VECTOR	0x40
#define IRQ_VECTOR2	0xe1

/* What the guest's handlers saw. */
static volatile uint64_t irq_count, irq_vector, irq_rip, irq_rflags;
static volatile uint64_t nmi_count, nmi_rip[2];
static volatile uint64_t exc_count, exc_vector, exc_error, exc_rip, exc_cr2;

/* A handler's record, as the guest's copy of the program holds it. */
#define guest_value(vm, var) \
	(*(const uint64_t *)addr_gpa2hva(vm, (uint64_t)(uintptr_t)&(var)))

static void irq_handler(struct ex_regs *regs)
{
	irq_count++;
	irq_vector = regs->vector;
	irq_rip = regs->rip;
	irq_rflags = get_rflags();
}

static struct vm *vm_create_with_idt(void *guest_code, struct vcpu **vcpu)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);

	*vcpu = vm_vcpu_add(vm, 0, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	return vm;
}

/*
 * @irq: IRQ_VECTOR is queued, waiting for IF=1: "pending", not "injected"
 * (which is an interrupt whose delivery an exit cut short).
 */
static void expect_events(struct vcpu *vcpu, bool irq, bool nmi_pending,
			  bool nmi_masked)
{
	struct hb_vcpu_events ev;

	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT_EQ(ev.interrupt.pending, irq);
	TEST_ASSERT_EQ(ev.interrupt.injected, 0);
	if (irq)
		TEST_ASSERT_EQ(ev.interrupt.nr, IRQ_VECTOR);
	TEST_ASSERT_EQ(ev.nmi.pending, nmi_pending);
	TEST_ASSERT_EQ(ev.nmi.masked, nmi_masked);
}

/* ---- external interrupts and RFLAGS.IF ---------------------------- */

static void guest_irq_waits_for_if(void)
{
	GUEST_ASSERT(!(get_rflags() & X86_RFLAGS_IF));
	GUEST_SYNC(1);		/* the host queues IRQ_VECTOR now */
	GUEST_SYNC(2);		/* several entries with IF=0 */
	GUEST_SYNC(3);
	GUEST_ASSERT_EQ(irq_count, 0);

	sti();
	asm volatile("nop");
	cli();
	GUEST_ASSERT_EQ(irq_count, 1);
	GUEST_ASSERT_EQ(irq_vector, IRQ_VECTOR);
	/* An interrupt gate clears IF in the handler. */
	GUEST_ASSERT(!(irq_rflags & X86_RFLAGS_IF));
}

HB_TEST(interrupt_waits_until_the_guest_sets_if)
{
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_irq_waits_for_if, &vcpu);
	vm_install_exception_handler(vm, IRQ_VECTOR, irq_handler);

	vcpu_run_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(vcpu->run->if_flag, 0);
	TEST_ASSERT_EQ(vcpu->run->ready_for_interrupt_injection, 0);
	vcpu_interrupt(vcpu, IRQ_VECTOR);
	/* A pending interrupt survives exits: still there, still refused. */
	vcpu_run_expect_sync(vcpu, 2);
	expect_events(vcpu, true, false, false);
	TEST_ASSERT_ERRNO(_vcpu_interrupt(vcpu, IRQ_VECTOR2), EBUSY);
	vcpu_run_expect_sync(vcpu, 3);
	expect_events(vcpu, true, false, false);
	vcpu_run_expect_done(vcpu);
	expect_events(vcpu, false, false, false);
	vm_free(vm);
}

/* Saving and restoring the events must not change what they mean. */
HB_TEST(events_round_trip_keeps_a_queued_interrupt_waiting_for_if)
{
	struct hb_vcpu_events ev;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_irq_waits_for_if, &vcpu);
	vm_install_exception_handler(vm, IRQ_VECTOR, irq_handler);

	vcpu_run_expect_sync(vcpu, 1);
	vcpu_interrupt(vcpu, IRQ_VECTOR);
	vcpu_run_expect_sync(vcpu, 2);
	vcpu_events_get(vcpu, &ev);
	vcpu_events_set(vcpu, &ev);
	/* IF is still 0: the guest checks at sync 3 that nothing came. */
	vcpu_run_expect_sync(vcpu, 3);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * Through HB_SET_VCPU_EVENTS: a "pending" interrupt waits for IF=1 like
 * HB_INTERRUPT's; an "injected" one was already being delivered, so it
 * goes in on the next entry, before the guest's next instruction. (Only
 * a guest with IF=1 can have one in flight: VMX refuses the entry
 * otherwise, so the test keeps the state consistent.)
 */
static void guest_events_irqs(void)
{
	GUEST_SYNC(1);		/* the host sets IRQ_VECTOR pending */
	GUEST_SYNC(2);
	GUEST_ASSERT_EQ(irq_count, 0);
	sti();
	asm volatile("nop");
	GUEST_ASSERT_EQ(irq_count, 1);
	GUEST_ASSERT_EQ(irq_vector, IRQ_VECTOR);
	GUEST_SYNC(3);		/* IF=1: the host sets IRQ_VECTOR2 injected */
	cli();
	GUEST_ASSERT_EQ(irq_count, 2);
	GUEST_ASSERT_EQ(irq_vector, IRQ_VECTOR2);
}

static void set_irq_event(struct vcpu *vcpu, uint8_t vector, bool injected)
{
	struct hb_vcpu_events ev;

	vcpu_events_get(vcpu, &ev);
	ev.interrupt.nr = vector;
	ev.interrupt.injected = injected;
	ev.interrupt.pending = !injected;
	vcpu_events_set(vcpu, &ev);
}

HB_TEST(set_events_pending_irq_waits_for_if_injected_goes_in_at_once)
{
	struct hb_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_events_irqs, &vcpu);
	vm_install_exception_handler(vm, IRQ_VECTOR, irq_handler);
	vm_install_exception_handler(vm, IRQ_VECTOR2, irq_handler);

	vcpu_run_expect_sync(vcpu, 1);
	set_irq_event(vcpu, IRQ_VECTOR, false);
	/* HB_INTERRUPT sees the slot taken. */
	TEST_ASSERT_ERRNO(_vcpu_interrupt(vcpu, IRQ_VECTOR2), EBUSY);
	vcpu_run_expect_sync(vcpu, 2);
	expect_events(vcpu, true, false, false);

	vcpu_run_expect_sync(vcpu, 3);
	TEST_ASSERT_EQ(vcpu->run->if_flag, 1);
	set_irq_event(vcpu, IRQ_VECTOR2, true);
	vcpu_regs_get(vcpu, &regs);
	vcpu_run_expect_done(vcpu);
	/* Taken where the guest stood, before its cli. */
	TEST_ASSERT_EQ(guest_value(vm, irq_rip), regs.rip);
	vm_free(vm);
}

HB_TEST(bad_interrupt_requests_are_refused)
{
	struct hb_interrupt flags = { .irq = IRQ_VECTOR, .flags = 1 };
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_irq_waits_for_if, &vcpu);
	TEST_ASSERT_ERRNO(_vcpu_interrupt(vcpu, 0), EINVAL);
	TEST_ASSERT_ERRNO(_vcpu_interrupt(vcpu, X86_VEC_GP), EINVAL);
	TEST_ASSERT_ERRNO(_vcpu_interrupt(vcpu, 31), EINVAL);
	TEST_ASSERT_ERRNO(_vcpu_interrupt(vcpu, 256), EINVAL);
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_INTERRUPT, &flags), EINVAL);
	vcpu_interrupt(vcpu, 32);
	TEST_ASSERT_ERRNO(_vcpu_interrupt(vcpu, 255), EBUSY);
	vm_free(vm);
}

/* ---- the interrupt window ----------------------------------------- */

static void guest_opens_window(void)
{
	GUEST_SYNC(1);		/* IF=0: the host asks for the window */
	asm volatile("nop; nop; nop");
	sti();			/* the window opens here: exit */
	asm volatile("nop; nop; nop");
	cli();
	GUEST_SYNC(2);
	GUEST_ASSERT_EQ(irq_count, 1);
	GUEST_ASSERT_EQ(irq_vector, IRQ_VECTOR);
}

HB_TEST(interrupt_window_exit_when_the_guest_sets_if)
{
	struct hb_run *run;
	struct vcpu *vcpu;
	struct vm *vm;
	struct ucall uc;

	require_cap(HB_CAP_IRQ_WINDOW, "HB_CAP_IRQ_WINDOW");
	vm = vm_create_with_idt(guest_opens_window, &vcpu);
	vm_install_exception_handler(vm, IRQ_VECTOR, irq_handler);
	run = vcpu->run;

	vcpu_run_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(run->if_flag, 0);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 0);
	run->request_interrupt_window = 1;
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_NONE,
		    "ucall %llu instead of the window exit",
		    (unsigned long long)uc.cmd);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_IRQ_WINDOW_OPEN);
	TEST_ASSERT_EQ(run->if_flag, 1);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 1);

	run->request_interrupt_window = 0;
	vcpu_interrupt(vcpu, IRQ_VECTOR);
	vcpu_run_expect_sync(vcpu, 2);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* Asked for while IF is already 1, the window exit comes at once. */
static void guest_sti_then_sync(void)
{
	sti();
	asm volatile("nop");
	GUEST_SYNC(1);
	for (;;)
		asm volatile("pause");
}

HB_TEST(interrupt_window_already_open_exits_at_once)
{
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_IRQ_WINDOW, "HB_CAP_IRQ_WINDOW");
	vm = vm_create_with_idt(guest_sti_then_sync, &vcpu);
	vcpu_run_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(vcpu->run->if_flag, 1);
	TEST_ASSERT_EQ(vcpu->run->ready_for_interrupt_injection, 1);
	vcpu->run->request_interrupt_window = 1;
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_IRQ_WINDOW_OPEN);
	vm_free(vm);
}

/* ---- the STI shadow ------------------------------------------------ */

static void guest_sti_shadow(void)
{
	uint64_t after_shadow;

	GUEST_SYNC(1);		/* the host queues IRQ_VECTOR, IF=0 */
	asm volatile("sti\n\t"
		     "nop\n\t"		/* in the shadow: runs first */
		     "1: cli\n\t"
		     "lea 1b(%%rip), %0"
		     : "=r"(after_shadow) : : "memory");
	GUEST_ASSERT_EQ(irq_count, 1);
	/* Delivered at the first boundary after the shadowed instruction. */
	GUEST_ASSERT_EQ(irq_rip, after_shadow);
}

HB_TEST(sti_shadow_delays_the_interrupt_by_one_instruction)
{
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_sti_shadow, &vcpu);
	vm_install_exception_handler(vm, IRQ_VECTOR, irq_handler);
	vcpu_run_expect_sync(vcpu, 1);
	vcpu_interrupt(vcpu, IRQ_VECTOR);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * The idle idiom "sti; hlt": the shadow covers the HLT, so an interrupt
 * that is already queued or that arrives while halted wakes it, and is
 * delivered with RIP after the HLT, before the next instruction (cli).
 */
static void guest_sti_hlt(void)
{
	uint64_t after_hlt;
	unsigned int i;

	for (i = 1; i <= 2; i++) {
		GUEST_SYNC(i);
		asm volatile("sti\n\t"
			     "hlt\n\t"
			     "1: cli\n\t"
			     "lea 1b(%%rip), %0"
			     : "=r"(after_hlt) : : "memory");
		GUEST_ASSERT_EQ(irq_count, i);
		GUEST_ASSERT_EQ(irq_vector, IRQ_VECTOR);
		GUEST_ASSERT_EQ(irq_rip, after_hlt);
	}
}

HB_TEST(sti_hlt_wakes_on_the_interrupt)
{
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_sti_hlt, &vcpu);
	vm_install_exception_handler(vm, IRQ_VECTOR, irq_handler);

	/* Queued before the HLT: the HLT must not stop the vCPU. */
	vcpu_run_expect_sync(vcpu, 1);
	vcpu_interrupt(vcpu, IRQ_VECTOR);
	vcpu_run_expect_sync(vcpu, 2);

	/* Nothing queued: HLT exits; the interrupt then wakes it. */
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_HLT);
	vcpu_interrupt(vcpu, IRQ_VECTOR);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * "sti; hlt" cut in two by an exit inside the shadow: the STI ends a page
 * and the HLT starts one the guest never touched, so fetching the HLT is a
 * nested page fault taken with the shadow active. The interrupt queued
 * meanwhile must still wake the HLT (RIP after it), not slip in before it
 * and leave the HLT to sleep: a lost wake-up (QEMU 7.2 drops the shadow
 * across VMRUN; the module must not depend on it).
 */
#define SPLIT_CODE_GPA	0xe00000ull	/* free: between the image and stacks */

static void guest_sti_hlt_split(void *sti_at, uint64_t after_hlt)
{
	GUEST_SYNC(1);		/* the host queues IRQ_VECTOR, IF=0 */
	((void (*)(void))sti_at)();
	GUEST_ASSERT_EQ(irq_count, 1);
	GUEST_ASSERT_EQ(irq_rip, after_hlt);
}

HB_TEST(sti_hlt_split_by_an_exit_in_the_shadow_still_wakes)
{
	uint8_t *code;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_sti_hlt_split, &vcpu);
	vm_install_exception_handler(vm, IRQ_VECTOR, irq_handler);
	code = addr_gpa2hva(vm, SPLIT_CODE_GPA);
	code[4095] = 0xfb;		/* sti, the last byte of its page */
	code[4096] = 0xf4;		/* hlt, first on a page not yet mapped */
	code[4097] = 0xfa;		/* cli */
	code[4098] = 0xc3;		/* ret */
	vcpu_args_set(vcpu, 2, SPLIT_CODE_GPA + 4095, SPLIT_CODE_GPA + 4097);
	vcpu_run_expect_sync(vcpu, 1);
	vcpu_interrupt(vcpu, IRQ_VECTOR);
	/* Not an HLT exit: the interrupt woke it, and the guest went on. */
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * The same shadow over an instruction the module completes itself (CPUID
 * is answered in the kernel): once it is done the shadow is over, and
 * the queued interrupt comes before the next instruction.
 */
static void guest_sti_cpuid(void)
{
	uint32_t a, b, c, d;
	uint64_t after_cpuid;

	GUEST_SYNC(1);		/* the host queues IRQ_VECTOR, IF=0 */
	asm volatile("sti\n\t"
		     "cpuid\n\t"
		     "1: cli\n\t"
		     "lea 1b(%%rip), %4"
		     : "=a"(a), "=b"(b), "=c"(c), "=d"(d), "=r"(after_cpuid)
		     : "a"(0), "c"(0) : "memory");
	GUEST_ASSERT_EQ(irq_count, 1);
	GUEST_ASSERT_EQ(irq_rip, after_cpuid);
}

HB_TEST(sti_shadow_ends_with_an_instruction_the_module_emulates)
{
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_sti_cpuid, &vcpu);
	vm_install_exception_handler(vm, IRQ_VECTOR, irq_handler);
	vcpu_run_expect_sync(vcpu, 1);
	vcpu_interrupt(vcpu, IRQ_VECTOR);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- NMI ------------------------------------------------------------ */

static void nmi_handler(struct ex_regs *regs)
{
	uint64_t n = ++nmi_count;

	nmi_rip[n - 1] = regs->rip;
	if (n == 1) {
		/* The host queues a second NMI: it must wait for IRET. */
		GUEST_SYNC(2);
		GUEST_SYNC(3);
		GUEST_ASSERT_EQ(nmi_count, 1);
	}
}

#define NMI_SPIN	50000000ul

static void guest_nmi(void)
{
	unsigned long spin;

	GUEST_ASSERT(!(get_rflags() & X86_RFLAGS_IF));
	GUEST_SYNC(1);		/* the host sends an NMI; IF=0 does not matter */
	/* The second NMI comes right after the first handler's IRET. */
	for (spin = 0; spin < NMI_SPIN && nmi_count < 2; spin++)
		asm volatile("pause");
	GUEST_ASSERT_EQ(nmi_count, 2);
	GUEST_SYNC2(4, spin);
}

/* Two NMIs, the second sent while the first one's handler runs. */
static struct vm *run_two_nmis(struct vcpu **vcpu, uint64_t *spins)
{
	struct vm *vm = vm_create_with_idt(guest_nmi, vcpu);
	struct ucall uc;

	vm_install_exception_handler(vm, X86_VEC_NMI, nmi_handler);
	vcpu_run_expect_sync(*vcpu, 1);
	vcpu_nmi(*vcpu);
	vcpu_run_expect_sync(*vcpu, 2);		/* in the handler */
	expect_events(*vcpu, false, false, true);
	vcpu_nmi(*vcpu);
	expect_events(*vcpu, false, true, true);
	vcpu_run_expect_sync(*vcpu, 3);		/* still in it, still blocked */
	expect_events(*vcpu, false, true, true);

	TEST_ASSERT(vcpu_run_ucall(*vcpu, &uc) == UCALL_SYNC && uc.args[0] == 4,
		    "expected sync 4");
	*spins = uc.args[1];
	expect_events(*vcpu, false, false, false);
	return vm;
}

HB_TEST(nmi_is_delivered_and_blocked_until_iret)
{
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t spins;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = run_two_nmis(&vcpu, &spins);
	test_log("second NMI after %llu spins past the first IRET",
		 (unsigned long long)spins);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * IRET unblocks NMIs, and a pending one is taken at once: before the
 * instruction the IRET returns to (SDM Vol. 3, 6.7.1), not whenever the
 * vCPU happens to exit next.
 */
HB_TEST(second_nmi_comes_right_after_the_first_iret)
{
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t spins;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = run_two_nmis(&vcpu, &spins);
	TEST_ASSERT(guest_value(vm, nmi_rip[1]) == guest_value(vm, nmi_rip[0]),
		    "second NMI at rip 0x%llx after %llu spins, not at the IRET's target 0x%llx",
		    (unsigned long long)guest_value(vm, nmi_rip[1]),
		    (unsigned long long)spins,
		    (unsigned long long)guest_value(vm, nmi_rip[0]));
	TEST_ASSERT_EQ(spins, 0);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- exceptions raised by the module --------------------------------- */

static const uint32_t unknown_msrs[] = {
	0xdeadbeef, 0x179 /* MCG_CAP */, 0x0 /* P5_MC_ADDR */,
	0xc0010015 /* HWCR */, 0x40000000, 0xc0000103 /* TSC_AUX */,
};

static void guest_unknown_msrs(void)
{
	unsigned int i;
	uint64_t val;

	for (i = 0; i < ARRAY_SIZE(unknown_msrs); i++) {
		val = 0x1234;
		GUEST_ASSERT_EQ(rdmsr_safe(unknown_msrs[i], &val), X86_VEC_GP);
		GUEST_ASSERT_EQ(guest_fault.error_code, 0);
		GUEST_ASSERT_EQ(guest_fault.rip, guest_fault.insn_rip);
		GUEST_ASSERT_EQ(val, 0);	/* EDX:EAX untouched (were 0) */

		GUEST_ASSERT_EQ(wrmsr_safe(unknown_msrs[i], 1), X86_VEC_GP);
		GUEST_ASSERT_EQ(guest_fault.error_code, 0);
		GUEST_ASSERT_EQ(guest_fault.rip, guest_fault.insn_rip);
	}
	/* A known MSR for contrast: no fault. */
	GUEST_ASSERT_EQ(rdmsr_safe(0xc0000080 /* EFER */, &val), GUEST_NO_FAULT);
}

HB_TEST(unknown_msr_raises_gp_in_the_guest)
{
	struct vcpu *vcpu;
	struct vm *vm;

	vm = vm_create_with_idt(guest_unknown_msrs, &vcpu);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* The fault catcher resumes after the instruction and records the #UD. */
#define EXPECT_UD(insn, inputs...)					\
	do {								\
		GUEST_ASSERT_EQ(guest_asm_safe(insn, inputs), X86_VEC_UD); \
		GUEST_ASSERT_EQ(guest_fault.rip, guest_fault.insn_rip);	\
	} while (0)

/* RAX holds a plausible page address for those that take one. */
static void guest_virt_insns(uint64_t page)
{
	EXPECT_UD("vmrun", "a"(page));
	EXPECT_UD("vmload", "a"(page));
	EXPECT_UD("vmsave", "a"(page));
	EXPECT_UD("stgi", "i"(0));
	EXPECT_UD("clgi", "i"(0));
	EXPECT_UD("skinit", "a"(page));
	EXPECT_UD("invlpga", "a"(page), "c"(0));
	/* XSETBV with ECX=0, EDX:EAX=1 (x87 only, a valid XCR0). */
	EXPECT_UD("xsetbv", "a"(1), "c"(0), "d"(0));
	EXPECT_UD("monitor", "a"(page), "c"(0), "d"(0));
	EXPECT_UD("mwait", "a"(0), "c"(0));
}

HB_TEST(svm_xsetbv_and_monitor_instructions_raise_ud)
{
	struct vcpu *vcpu;
	struct vm *vm;

	vm = vm_create_with_idt(guest_virt_insns, &vcpu);
	vcpu_args_set(vcpu, 1, BLOB_GPA);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * With CR4.OSXSAVE clear the CPU itself raises #UD for XSETBV; with it
 * set, only the module's policy (XSAVE is not offered) can.
 */
static void guest_xsetbv(void)
{
	GUEST_ASSERT(get_cr4() & (1ull << 18));
	EXPECT_UD("xsetbv", "a"(1), "c"(0), "d"(0));
	EXPECT_UD("xsetbv", "a"(3), "c"(0), "d"(0));
}

HB_TEST(xsetbv_raises_ud_even_with_cr4_osxsave)
{
	uint32_t a, b, c, d;
	struct hb_sregs sregs;
	struct vcpu *vcpu;
	struct vm *vm;

	cpuid_count(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 26)))
		test_skip("this CPU has no XSAVE: CR4.OSXSAVE cannot be set");
	vm = vm_create_with_idt(guest_xsetbv, &vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cr4 |= 1ull << 18;	/* OSXSAVE */
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- exceptions injected by userspace --------------------------------- */

static void exc_handler(struct ex_regs *regs)
{
	exc_count++;
	exc_vector = regs->vector;
	exc_error = regs->error_code;
	exc_rip = regs->rip;
	exc_cr2 = get_cr2();
}

#define PF_ADDR		0xdead0000f00dull
#define PF_ERROR	0x6	/* write, user */
#define GP_ERROR	0x18

static void guest_injected_exceptions(void)
{
	GUEST_SYNC(1);		/* the host injects #PF with CR2 */
	GUEST_ASSERT_EQ(exc_count, 1);
	GUEST_ASSERT_EQ(exc_vector, X86_VEC_PF);
	GUEST_ASSERT_EQ(exc_error, PF_ERROR);
	GUEST_ASSERT_EQ(exc_cr2, PF_ADDR);
	GUEST_ASSERT_EQ(get_cr2(), PF_ADDR);
	GUEST_SYNC(2);		/* #GP with an error code */
	GUEST_ASSERT_EQ(exc_count, 2);
	GUEST_ASSERT_EQ(exc_vector, X86_VEC_GP);
	GUEST_ASSERT_EQ(exc_error, GP_ERROR);
	GUEST_SYNC(3);		/* #UD: no error code */
	GUEST_ASSERT_EQ(exc_count, 3);
	GUEST_ASSERT_EQ(exc_vector, X86_VEC_UD);
	GUEST_ASSERT_EQ(exc_error, 0);
}

static void inject_exception(struct vcpu *vcpu, uint8_t nr, bool has_error,
			     uint32_t error, bool has_payload, uint64_t payload)
{
	struct hb_vcpu_events ev;

	vcpu_events_get(vcpu, &ev);
	ev.exception.injected = 1;
	ev.exception.nr = nr;
	ev.exception.has_error_code = has_error;
	ev.exception.error_code = error;
	ev.exception.has_payload = has_payload;
	ev.exception.payload = payload;
	vcpu_events_set(vcpu, &ev);
	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT_EQ(ev.exception.injected, 1);
	TEST_ASSERT_EQ(ev.exception.nr, nr);
	TEST_ASSERT_EQ(ev.exception.error_code, error);
	TEST_ASSERT_EQ(ev.exception.payload, payload);
}

HB_TEST(userspace_injects_exceptions_with_error_code_and_cr2)
{
	struct hb_vcpu_events ev;
	struct hb_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	unsigned int v;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_injected_exceptions, &vcpu);
	for (v = 0; v < 32; v++)
		vm_install_exception_handler(vm, v, exc_handler);

	vcpu_run_expect_sync(vcpu, 1);
	inject_exception(vcpu, X86_VEC_PF, true, PF_ERROR, true, PF_ADDR);
	vcpu_regs_get(vcpu, &regs);
	vcpu_run_expect_sync(vcpu, 2);
	/* The frame's RIP was where the guest stood: after the ucall. */
	TEST_ASSERT_EQ(guest_value(vm, exc_rip), regs.rip);
	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT_EQ(ev.exception.injected, 0);

	inject_exception(vcpu, X86_VEC_GP, true, GP_ERROR, false, 0);
	vcpu_run_expect_sync(vcpu, 3);
	inject_exception(vcpu, X86_VEC_UD, false, 0, false, 0);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

HB_TEST(bad_vcpu_events_are_refused)
{
	struct hb_vcpu_events ev, bad;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	vm = vm_create_with_idt(guest_injected_exceptions, &vcpu);
	vcpu_events_get(vcpu, &ev);

	bad = ev;
	bad.flags = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.reserved[7] = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.exception.injected = 1;
	bad.exception.nr = X86_VEC_NMI;		/* NMIs have their own field */
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad.exception.nr = 32;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.interrupt.injected = 1;
	bad.interrupt.nr = 31;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad.interrupt.injected = 0;
	bad.interrupt.pending = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad.interrupt.nr = IRQ_VECTOR;
	bad.interrupt.pending = 2;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	/* In flight and waiting at once: one interrupt cannot be both. */
	bad.interrupt.pending = 1;
	bad.interrupt.injected = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.interrupt.pad2 = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.interrupt.shadow = 4;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.nmi.pending = 2;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_VCPU_EVENTS, &bad), EINVAL);
	/* And what GET returned goes back in unchanged. */
	vcpu_events_set(vcpu, &ev);
	vm_free(vm);
}
