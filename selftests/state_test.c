// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU state for save/restore: the FPU image (HB_GET/SET_FPU) round-trips,
 * is validated, is what the guest's SSE registers hold, and never leaks
 * into the process that runs the guest; and a snapshot of a running guest
 * (regs, sregs, MSRs, events, FPU and memory) restored into a new vCPU of
 * a new VM continues exactly like the original.
 */
#include <sys/syscall.h>

#include "lib/hb_util.h"
#include "lib/idt.h"
#include "lib/vcpu_state.h"

/* struct hb_fpu's FXSAVE image (SDM Vol. 1, 10.5.1). */
#define FX_FCW		0
#define FX_MXCSR	24
#define FX_ST0		32
#define FX_XMM0		160
#define FX_XMM_END	416

#define MXCSR_DEFAULT	0x1f80
#define MXCSR_HOST	0x1f80		/* what the host thread itself uses */
#define MXCSR_SET	0x3f80		/* round down */
#define MXCSR_GUEST	0x7f80		/* round toward zero */
#define FCW_HOST	0x037f
#define FCW_GUEST	0x027f		/* 53-bit precision */

#define SEED_SET	0x11
#define SEED_GUEST	0x22
#define SEED_HOST	0x33

static uint64_t xmm_word(uint64_t seed, unsigned int reg, unsigned int half)
{
	return (seed << 56) | ((uint64_t)reg << 48) | ((uint64_t)half << 40) |
	       (0x0123456789ull * (reg + 1) + half);
}

static void fill_xmm(uint64_t buf[16][2], uint64_t seed)
{
	unsigned int r;

	for (r = 0; r < 16; r++) {
		buf[r][0] = xmm_word(seed, r, 0);
		buf[r][1] = xmm_word(seed, r, 1);
	}
}

#define XMM_ALL(op, fmt)						\
	op " " fmt(0) "\n\t" op " " fmt(1) "\n\t" op " " fmt(2) "\n\t"	\
	op " " fmt(3) "\n\t" op " " fmt(4) "\n\t" op " " fmt(5) "\n\t"	\
	op " " fmt(6) "\n\t" op " " fmt(7) "\n\t" op " " fmt(8) "\n\t"	\
	op " " fmt(9) "\n\t" op " " fmt(10) "\n\t" op " " fmt(11) "\n\t" \
	op " " fmt(12) "\n\t" op " " fmt(13) "\n\t" op " " fmt(14) "\n\t" \
	op " " fmt(15) "\n\t"
#define LOAD_FMT(n)	#n "*16(%[src]), %%xmm" #n
#define STORE_FMT(n)	"%%xmm" #n ", " #n "*16(%[dst])"

/* All 16 XMM registers from/to memory (SSE2, no compiler involvement). */
static inline void xmm_load_all(const uint64_t src[16][2])
{
	asm volatile(XMM_ALL("movdqu", LOAD_FMT) : : [src] "r"(src) : "memory");
}

static inline void xmm_store_all(uint64_t dst[16][2])
{
	asm volatile(XMM_ALL("movdqu", STORE_FMT) : : [dst] "r"(dst) : "memory");
}

/* ---- guest code --------------------------------------------------------- */

static uint64_t guest_xmm[16][2], guest_expect[16][2];

static void guest_fpu(void)
{
	uint32_t mxcsr;
	uint16_t fcw;
	unsigned int r;

	/* What the host put in with HB_SET_FPU. */
	xmm_store_all(guest_xmm);
	asm volatile("stmxcsr %0" : "=m"(mxcsr));
	fill_xmm(guest_expect, SEED_SET);
	for (r = 0; r < 16; r++) {
		GUEST_ASSERT_EQ(guest_xmm[r][0], guest_expect[r][0]);
		GUEST_ASSERT_EQ(guest_xmm[r][1], guest_expect[r][1]);
	}
	GUEST_ASSERT_EQ(mxcsr, MXCSR_SET);

	/* Now scribble over everything; the host must not see it. */
	fill_xmm(guest_xmm, SEED_GUEST);
	xmm_load_all(guest_xmm);
	mxcsr = MXCSR_GUEST;
	asm volatile("ldmxcsr %0" : : "m"(mxcsr));
	fcw = FCW_GUEST;
	asm volatile("fldcw %0" : : "m"(fcw));
	GUEST_SYNC(1);

	/* Across that exit the guest's own values stayed. */
	xmm_store_all(guest_xmm);
	fill_xmm(guest_expect, SEED_GUEST);
	for (r = 0; r < 16; r++) {
		GUEST_ASSERT_EQ(guest_xmm[r][0], guest_expect[r][0]);
		GUEST_ASSERT_EQ(guest_xmm[r][1], guest_expect[r][1]);
	}
	asm volatile("stmxcsr %0" : "=m"(mxcsr));
	GUEST_ASSERT_EQ(mxcsr, MXCSR_GUEST);
}

/* ---- host code ---------------------------------------------------------- */

/*
 * HB_RUN as a raw syscall with the host thread's XMM registers, MXCSR and
 * x87 control word holding known values; returns what they hold after.
 * Nothing between the loads and the stores is compiled code.
 */
static long hb_run_with_host_fpu(struct vcpu *vcpu, const uint64_t in[16][2],
				 uint64_t out[16][2], uint32_t *mxcsr,
				 uint16_t *fcw)
{
	uint32_t mxcsr_saved, mxcsr_in = *mxcsr;
	uint16_t fcw_saved, fcw_in = *fcw;
	long ret;

	asm volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr_saved), "=m"(fcw_saved));
	asm volatile("ldmxcsr %[mxin]\n\t"
		     "fldcw %[fcwin]\n\t"
		     XMM_ALL("movdqu", LOAD_FMT)
		     "syscall\n\t"
		     XMM_ALL("movdqu", STORE_FMT)
		     "stmxcsr %[mxout]\n\t"
		     "fnstcw %[fcwout]\n\t"
		     : "=a"(ret), [mxout] "=m"(*mxcsr), [fcwout] "=m"(*fcw)
		     : "a"((long)SYS_ioctl), "D"((long)vcpu->hb.fd),
		       "S"((long)HB_RUN), "d"(0L), [src] "r"(in), [dst] "r"(out),
		       [mxin] "m"(mxcsr_in), [fcwin] "m"(fcw_in)
		     : "rcx", "r11", "memory");
	asm volatile("ldmxcsr %0; fldcw %1" : : "m"(mxcsr_saved), "m"(fcw_saved));
	return ret;
}

static void fpu_set_xmm(struct hb_fpu *fpu, uint64_t seed)
{
	uint64_t xmm[16][2];

	fill_xmm(xmm, seed);
	memcpy(fpu->fxsave + FX_XMM0, xmm, sizeof(xmm));
}

static void check_fpu_xmm(const struct hb_fpu *fpu, uint64_t seed)
{
	uint64_t xmm[16][2], want[16][2];
	unsigned int r;

	memcpy(xmm, fpu->fxsave + FX_XMM0, sizeof(xmm));
	fill_xmm(want, seed);
	for (r = 0; r < 16; r++)
		TEST_ASSERT(xmm[r][0] == want[r][0] && xmm[r][1] == want[r][1],
			    "xmm%u: 0x%016llx%016llx, expected 0x%016llx%016llx",
			    r, (unsigned long long)xmm[r][1],
			    (unsigned long long)xmm[r][0],
			    (unsigned long long)want[r][1],
			    (unsigned long long)want[r][0]);
}

static uint32_t fpu_mxcsr(const struct hb_fpu *fpu)
{
	uint32_t v;

	memcpy(&v, fpu->fxsave + FX_MXCSR, sizeof(v));
	return v;
}

static uint16_t fpu_fcw(const struct hb_fpu *fpu)
{
	uint16_t v;

	memcpy(&v, fpu->fxsave + FX_FCW, sizeof(v));
	return v;
}

static void fpu_set_mxcsr(struct hb_fpu *fpu, uint32_t v)
{
	memcpy(fpu->fxsave + FX_MXCSR, &v, sizeof(v));
}

HB_TEST(fpu_state_round_trips_and_starts_at_reset_values)
{
	struct hb_fpu fpu, back;
	struct vcpu *vcpu;
	struct vm *vm;
	unsigned int i;

	require_cap(HB_CAP_FPU, "HB_CAP_FPU");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_fpu);

	vcpu_fpu_get(vcpu, &fpu);
	TEST_ASSERT_EQ(fpu_fcw(&fpu), 0x37f);
	TEST_ASSERT_EQ(fpu_mxcsr(&fpu), MXCSR_DEFAULT);
	for (i = FX_XMM0; i < FX_XMM_END; i++)
		TEST_ASSERT(!fpu.fxsave[i], "xmm byte %u is 0x%x at reset", i,
			    fpu.fxsave[i]);
	for (i = 0; i < 8; i++)
		TEST_ASSERT_EQ(fpu.reserved[i], 0);

	fpu_set_xmm(&fpu, SEED_SET);
	fpu_set_mxcsr(&fpu, MXCSR_SET);
	memset(fpu.fxsave + FX_ST0, 0x3c, 8);	/* some x87 register bits */
	fpu.fxsave[FX_FCW] = 0x7f;
	fpu.fxsave[FX_FCW + 1] = 0x02;
	vcpu_fpu_set(vcpu, &fpu);
	vcpu_fpu_get(vcpu, &back);
	TEST_ASSERT(!memcmp(fpu.fxsave, back.fxsave, FX_XMM_END),
		    "the image changed between SET and GET");
	vm_free(vm);
}

HB_TEST(bad_fpu_state_is_refused)
{
	struct hb_fpu fpu, bad;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_FPU, "HB_CAP_FPU");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_fpu);
	vcpu_fpu_get(vcpu, &fpu);

	bad = fpu;
	fpu_set_mxcsr(&bad, 0x10000 | MXCSR_DEFAULT);	/* reserved bit 16 */
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_FPU, &bad), EINVAL);
	fpu_set_mxcsr(&bad, 0x80000000u | MXCSR_DEFAULT);
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_FPU, &bad), EINVAL);
	bad = fpu;
	bad.reserved[3] = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_FPU, &bad), EINVAL);

	/* Nothing of the refused images stuck. */
	vcpu_fpu_get(vcpu, &bad);
	TEST_ASSERT_EQ(fpu_mxcsr(&bad), MXCSR_DEFAULT);
	vm_free(vm);
}

HB_TEST(guest_sees_host_fpu_state_and_host_keeps_its_own)
{
	uint64_t host_in[16][2], host_out[16][2];
	uint32_t mxcsr = MXCSR_HOST;
	uint16_t fcw = FCW_HOST;
	struct hb_fpu fpu;
	struct vcpu *vcpu;
	struct vm *vm;
	struct ucall uc;
	unsigned int r;
	long ret;

	require_cap(HB_CAP_FPU, "HB_CAP_FPU");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_fpu);
	vcpu_fpu_get(vcpu, &fpu);
	fpu_set_xmm(&fpu, SEED_SET);
	fpu_set_mxcsr(&fpu, MXCSR_SET);
	vcpu_fpu_set(vcpu, &fpu);

	/* The guest checks SEED_SET/MXCSR_SET, then writes its own. */
	fill_xmm(host_in, SEED_HOST);
	memset(host_out, 0, sizeof(host_out));
	ret = hb_run_with_host_fpu(vcpu, host_in, host_out, &mxcsr, &fcw);
	TEST_ASSERT(!ret, "HB_RUN: %ld", ret);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC,
		    "expected the guest's sync, got %s", exit_describe(vcpu));
	if (uc.cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT(vcpu, &uc);
	for (r = 0; r < 16; r++)
		TEST_ASSERT(host_out[r][0] == host_in[r][0] &&
			    host_out[r][1] == host_in[r][1],
			    "host xmm%u became 0x%016llx%016llx", r,
			    (unsigned long long)host_out[r][1],
			    (unsigned long long)host_out[r][0]);
	TEST_ASSERT_EQ(mxcsr, MXCSR_HOST);
	TEST_ASSERT_EQ(fcw, FCW_HOST);

	/* The guest's writes are its state now. */
	vcpu_fpu_get(vcpu, &fpu);
	check_fpu_xmm(&fpu, SEED_GUEST);
	TEST_ASSERT_EQ(fpu_mxcsr(&fpu), MXCSR_GUEST);
	TEST_ASSERT_EQ(fpu_fcw(&fpu), FCW_GUEST);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- save/restore ------------------------------------------------------- */

#define HC_STEP		0x200
#define STEP_MMIO_GPA	0x40000000ull	/* no slot: every read exits */
#define STEPS		120
#define SNAPSHOT_STEP	50
#define STI_STEP	80
#define RESTORE_IRQ	0x40

static volatile uint64_t irq_sum;

static uint64_t guest_irq_sum(struct vm *vm)
{
	return *(const uint64_t *)addr_gpa2hva(vm, (uint64_t)(uintptr_t)&irq_sum);
}

static void step_irq_handler(struct ex_regs *regs)
{
	irq_sum += regs->vector * 1000;
}

/*
 * A computation whose state lives in GPRs, an XMM register, an MSR, the
 * stack and memory, with an MMIO read in every step (an exit) and a
 * hypercall reporting the step (another exit). Interrupts are only taken
 * in one window (STI_STEP).
 */
static void guest_steps(void)
{
	uint64_t a = 0x9e3779b97f4a7c15ull, b = 1, acc, kgs, i;

	asm volatile("pxor %%xmm1, %%xmm1" : : : "memory");
	for (i = 0; i < STEPS; i++) {
		a ^= a << 13;
		a ^= a >> 7;
		a ^= a << 17;
		b = b * 31 + a + irq_sum;
		b ^= *(volatile uint64_t *)STEP_MMIO_GPA;
		asm volatile("movq %1, %%xmm2\n\t"
			     "paddq %%xmm2, %%xmm1\n\t"
			     "movq %%xmm1, %0"
			     : "=r"(acc) : "r"(a));
		kgs = rdmsr(0xc0000102) + i;	/* KERNEL_GS_BASE */
		wrmsr(0xc0000102, kgs);
		if (i == STI_STEP) {
			sti();
			asm volatile("nop");
			cli();
		}
		b += guest_hypercall(HC_STEP, i, a, b, acc, kgs, irq_sum);
	}
}

struct step {
	uint64_t args[HB_HC_NR_ARGS];
};

static uint64_t step_mmio_value(unsigned int step)
{
	return 0x5bd1e995ull * (step + 1);
}

/* The MMIO read of step @i; the vCPU then owes the load's completion. */
static void run_to_step_mmio(struct vcpu *vcpu, unsigned int i)
{
	struct hb_run *run = vcpu->run;
	uint64_t v = step_mmio_value(i);

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == HB_EXIT_MMIO && !run->mmio.is_write &&
		    run->mmio.phys_addr == STEP_MMIO_GPA && run->mmio.len == 8,
		    "step %u: %s", i, exit_describe(vcpu));
	memcpy(run->mmio.data, &v, sizeof(v));
}

/*
 * Step @i from wherever the vCPU is (before or after its MMIO read) to its
 * hypercall, which must be HC_STEP; the answer depends on the args.
 */
static void run_step(struct vcpu *vcpu, unsigned int i, bool mmio_done,
		     struct step *s)
{
	struct hb_run *run = vcpu->run;

	if (!mmio_done)
		run_to_step_mmio(vcpu, i);
	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == HB_EXIT_HYPERCALL &&
		    run->hypercall.nr == HC_STEP, "vCPU %p: %s", (void *)vcpu,
		    exit_describe(vcpu));
	memcpy(s->args, run->hypercall.args, sizeof(s->args));
	run->hypercall.ret = run->hypercall.args[1] ^ run->hypercall.args[0];
}

struct snapshot {
	struct hb_regs regs;
	struct hb_sregs sregs;
	struct hb_vcpu_events events;
	struct hb_fpu fpu;
	struct hb_msrs *msrs;
	void *mem;
};

/*
 * Lets the module finish the pending exit (RAX of the hypercall, the
 * register of the MMIO load) first, as for KVM.
 */
static void complete_pending_exit(struct vcpu *vcpu)
{
	require_cap(HB_CAP_IMMEDIATE_EXIT, "HB_CAP_IMMEDIATE_EXIT");
	vcpu->run->immediate_exit = 1;
	TEST_ASSERT_ERRNO(_vcpu_run(vcpu), EINTR);
	vcpu->run->immediate_exit = 0;
}

static void snapshot_save(struct vcpu *vcpu, struct snapshot *s)
{
	uint32_t *list, n, i;
	long ret;

	complete_pending_exit(vcpu);
	vcpu_regs_get(vcpu, &s->regs);
	vcpu_sregs_get(vcpu, &s->sregs);
	vcpu_events_get(vcpu, &s->events);
	vcpu_fpu_get(vcpu, &s->fpu);
	list = msr_index_list(vcpu->vm, &n);
	TEST_ASSERT(n <= HB_MAX_MSR_ENTRIES, "%u MSRs", n);
	s->msrs = msrs_alloc(n);
	for (i = 0; i < n; i++)
		s->msrs->entries[i].index = list[i];
	ret = vcpu_ioctl(vcpu, HB_GET_MSRS, s->msrs);
	TEST_ASSERT(ret == n, "HB_GET_MSRS: %ld of %u", ret, n);
	free(list);
	s->mem = malloc(vcpu->vm->mem_size);
	TEST_ASSERT(s->mem, "out of memory");
	memcpy(s->mem, vcpu->vm->mem, vcpu->vm->mem_size);
}

static struct vcpu *snapshot_restore(struct vm *vm, const struct snapshot *s,
				     void *guest_code)
{
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_code);
	struct hb_sregs sregs;
	struct hb_regs regs;
	long ret;

	memcpy(vm->mem, s->mem, vm->mem_size);
	vcpu_sregs_set(vcpu, &s->sregs);
	ret = vcpu_ioctl(vcpu, HB_SET_MSRS, s->msrs);
	TEST_ASSERT(ret == s->msrs->nmsrs, "HB_SET_MSRS: %ld of %u", ret,
		    s->msrs->nmsrs);
	vcpu_regs_set(vcpu, &s->regs);
	vcpu_fpu_set(vcpu, (struct hb_fpu *)&s->fpu);
	vcpu_events_set(vcpu, (struct hb_vcpu_events *)&s->events);

	/* What went in comes out. */
	vcpu_regs_get(vcpu, &regs);
	TEST_ASSERT(!memcmp(&regs, &s->regs, sizeof(regs)), "regs differ");
	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT(!memcmp(&sregs, &s->sregs, sizeof(sregs)), "sregs differ");
	return vcpu;
}

static void check_same_steps(struct vcpu *orig, struct vcpu *copy,
			     unsigned int from, bool mmio_done)
{
	struct step a, b;
	unsigned int i, j;

	for (i = from; i < STEPS; i++) {
		run_step(orig, i, mmio_done && i == from, &a);
		run_step(copy, i, mmio_done && i == from, &b);
		TEST_ASSERT_EQ(a.args[0], i);
		for (j = 0; j < HB_HC_NR_ARGS; j++)
			TEST_ASSERT(a.args[j] == b.args[j],
				    "step %u arg %u: original 0x%llx, restored 0x%llx",
				    i, j, (unsigned long long)a.args[j],
				    (unsigned long long)b.args[j]);
	}
	vcpu_run_expect_done(orig);
	vcpu_run_expect_done(copy);
}

static void test_save_restore(bool pending_irq, bool at_mmio_read)
{
	struct vcpu *orig, *copy;
	struct vm *vm, *vm2;
	struct snapshot snap;
	struct step s;
	unsigned int i;

	require_cap(HB_CAP_VCPU_EVENTS, "HB_CAP_VCPU_EVENTS");
	require_cap(HB_CAP_MSRS, "HB_CAP_MSRS");
	require_cap(HB_CAP_FPU, "HB_CAP_FPU");
	vm = vm_create(VMM_MODE_LONG);
	orig = vm_vcpu_add(vm, 0, guest_steps);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(orig);
	vm_install_exception_handler(vm, RESTORE_IRQ, step_irq_handler);

	for (i = 0; i < SNAPSHOT_STEP; i++) {
		run_step(orig, i, false, &s);
		TEST_ASSERT_EQ(s.args[0], i);
	}
	/* Stop in the middle of a step: at its MMIO load. */
	if (at_mmio_read)
		run_to_step_mmio(orig, SNAPSHOT_STEP);
	/* IF=0 here: the interrupt stays pending until STI_STEP. */
	if (pending_irq)
		vcpu_interrupt(orig, RESTORE_IRQ);
	snapshot_save(orig, &snap);

	vm2 = vm_create(VMM_MODE_LONG);
	copy = snapshot_restore(vm2, &snap, guest_steps);
	check_same_steps(orig, copy, SNAPSHOT_STEP, at_mmio_read);
	/* The pending interrupt was taken once, in the STI window, by both. */
	TEST_ASSERT_EQ(guest_irq_sum(vm), pending_irq ? RESTORE_IRQ * 1000 : 0);
	TEST_ASSERT_EQ(guest_irq_sum(vm2), pending_irq ? RESTORE_IRQ * 1000 : 0);
	free(snap.msrs);
	free(snap.mem);
	vm_free(vm2);
	vm_free(vm);
}

HB_TEST(restored_vcpu_continues_identically)
{
	test_save_restore(false, false);
}

HB_TEST(restored_vcpu_keeps_a_pending_interrupt_pending)
{
	test_save_restore(true, false);
}

HB_TEST(snapshot_at_an_mmio_read_completes_the_load_first)
{
	require_cap(HB_CAP_MMIO, "HB_CAP_MMIO");
	test_save_restore(false, true);
}
