/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exceptions and interrupts inside long-mode test guests.
 *
 * The host side gives a VM an IDT (vm_init_descriptor_tables) whose 256
 * gates all lead to one dispatcher in the guest, and points a vCPU's IDTR
 * at it (vcpu_init_descriptor_tables). The dispatcher calls the handler
 * installed for the vector (vm_install_exception_handler). Without one, an
 * exception raised by an instruction wrapped in ASM_SAFE() is recorded in
 * guest_fault and execution resumes after that instruction; anything else
 * is reported to the test as a guest assertion failure.
 *
 * Interrupts arrive on the stack the guest is using (no IST), so guest
 * code must be built without a red zone (see GUEST_CFLAGS).
 */
#ifndef HB_SELFTEST_IDT_H
#define HB_SELFTEST_IDT_H

#include <stdint.h>

#define X86_VEC_DE	0
#define X86_VEC_NMI	2
#define X86_VEC_BP	3
#define X86_VEC_UD	6
#define X86_VEC_NM	7
#define X86_VEC_DF	8
#define X86_VEC_GP	13
#define X86_VEC_PF	14

#define X86_RFLAGS_IF	(1ull << 9)

/* What the dispatcher sees: the stub's pushes, then the CPU's frame. */
struct ex_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector;
	uint64_t error_code;	/* 0 for vectors without one */
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*guest_handler_t)(struct ex_regs *regs);

/* The last exception caught by ASM_SAFE(). */
struct guest_fault {
	uint64_t fixup_rip;	/* armed: resume here (0: not armed) */
	uint64_t insn_rip;	/* the instruction ASM_SAFE() wrapped */
	uint64_t vector;	/* GUEST_NO_FAULT if it did not fault */
	uint64_t error_code;
	uint64_t rip;		/* RIP pushed by the exception */
	uint64_t cr2;
};

#define GUEST_NO_FAULT	0xffu

extern struct guest_fault guest_fault;

/*
 * Runs @insn with the fault catcher armed; clobbers r11. For use in asm
 * statements such as guest_asm_safe() and rdmsr_safe() below.
 */
#define ASM_SAFE(insn)							\
	"movq $" __stringify(GUEST_NO_FAULT) ", guest_fault+16(%%rip)\n\t" \
	"lea 1f(%%rip), %%r11\n\t"					\
	"mov %%r11, guest_fault(%%rip)\n\t"				\
	"lea 0f(%%rip), %%r11\n\t"					\
	"mov %%r11, guest_fault+8(%%rip)\n\t"				\
	"0: " insn "\n\t"						\
	"1: movq $0, guest_fault(%%rip)\n\t"

#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)

/*
 * The vector @insn raised, or GUEST_NO_FAULT; the rest are asm input
 * operands, e.g. guest_asm_safe("vmload", "a"(gpa)) or "i"(0) for none.
 */
#define guest_asm_safe(insn, inputs...)					\
	({								\
		asm volatile(ASM_SAFE(insn) : : inputs : "r11", "memory"); \
		(uint8_t)guest_fault.vector;				\
	})

static inline uint8_t rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	asm volatile(ASM_SAFE("rdmsr")
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "r11", "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return guest_fault.vector;
}

static inline uint8_t wrmsr_safe(uint32_t msr, uint64_t val)
{
	asm volatile(ASM_SAFE("wrmsr")
		     : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "r11", "memory");
	return guest_fault.vector;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
		     : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t get_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t get_rflags(void)
{
	uint64_t v;

	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

/* STI's shadow covers the HLT: an interrupt can only wake the HLT. */
static inline void safe_halt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

struct vm;
struct vcpu;

/* Host side. */
void vm_init_descriptor_tables(struct vm *vm);
void vcpu_init_descriptor_tables(struct vcpu *vcpu);
void vm_install_exception_handler(struct vm *vm, uint8_t vector,
				  guest_handler_t handler);

#endif /* HB_SELFTEST_IDT_H */
