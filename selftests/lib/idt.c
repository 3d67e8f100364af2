// SPDX-License-Identifier: GPL-2.0
/*
 * A guest IDT: 256 stubs push (a dummy error code and) the vector and share
 * one entry path that saves the GPRs and calls idt_dispatch(). The IDT,
 * the handler table and guest_fault are globals of the test program, so
 * the guest uses its own copy of them at the same addresses as the host.
 */
#include "hb_util.h"
#include "idt.h"

#define IDT_STUB_SIZE	16
#define IDT_GATE_INT64	0x8e	/* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset0;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset1;
	uint32_t offset2;
	uint32_t reserved;
};

struct idt_gate guest_idt[256] __attribute__((aligned(16)));
guest_handler_t guest_handlers[256];
struct guest_fault guest_fault;

extern char idt_stubs[];

/* Vectors for which the CPU pushes an error code (SDM Vol. 3, 6.13). */
asm(".pushsection .text\n"
	".align 16\n"
	".globl idt_stubs\n"
	"idt_stubs:\n"
	".set vec, 0\n"
	".rept 256\n"
	".align 16\n"
	".if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || "
	"(vec == 21) || (vec == 29) || (vec == 30)\n"
	".else\n"
	"pushq $0\n"
	".endif\n"
	"pushq $vec\n"
	"jmp idt_common\n"
	".set vec, vec + 1\n"
	".endr\n"
	"idt_common:\n"
	"push %r15; push %r14; push %r13; push %r12\n"
	"push %r11; push %r10; push %r9; push %r8\n"
	"push %rdi; push %rsi; push %rbp; push %rbx\n"
	"push %rdx; push %rcx; push %rax\n"
	"mov %rsp, %rdi\n"
	"mov %rsp, %rbx\n"
	"and $-16, %rsp\n"
	"call idt_dispatch\n"
	"mov %rbx, %rsp\n"
	"pop %rax; pop %rcx; pop %rdx; pop %rbx\n"
	"pop %rbp; pop %rsi; pop %rdi\n"
	"pop %r8; pop %r9; pop %r10; pop %r11\n"
	"pop %r12; pop %r13; pop %r14; pop %r15\n"
	"add $16, %rsp\n"
	"iretq\n"
	".popsection\n");

void idt_dispatch(struct ex_regs *regs);

/* Guest code. */
void idt_dispatch(struct ex_regs *regs)
{
	guest_handler_t handler = guest_handlers[regs->vector];

	if (handler) {
		handler(regs);
		return;
	}
	if (regs->vector < 32 && guest_fault.fixup_rip) {
		guest_fault.vector = regs->vector;
		guest_fault.error_code = regs->error_code;
		guest_fault.rip = regs->rip;
		if (regs->vector == X86_VEC_PF)
			guest_fault.cr2 = get_cr2();
		regs->rip = guest_fault.fixup_rip;
		guest_fault.fixup_rip = 0;
		return;
	}
	ucall(UCALL_ABORT, (uint64_t)__FILE__, __LINE__,
	      (uint64_t)"unexpected exception or interrupt (vector, rip)",
	      regs->vector, regs->rip);
}

/* Host code. */
void vm_init_descriptor_tables(struct vm *vm)
{
	struct idt_gate *idt = addr_gva2hva(vm, guest_idt);
	unsigned int i;

	for (i = 0; i < 256; i++) {
		uint64_t addr = (uint64_t)(uintptr_t)idt_stubs +
				i * IDT_STUB_SIZE;

		idt[i] = (struct idt_gate) {
			.offset0 = addr & 0xffff,
			.selector = VMM_SEL_CODE,
			.type_attr = IDT_GATE_INT64,
			.offset1 = (addr >> 16) & 0xffff,
			.offset2 = addr >> 32,
		};
	}
	memset(addr_gva2hva(vm, guest_handlers), 0, sizeof(guest_handlers));
	memset(addr_gva2hva(vm, &guest_fault), 0, sizeof(guest_fault));
}

void vcpu_init_descriptor_tables(struct vcpu *vcpu)
{
	struct hb_sregs sregs;

	vcpu_sregs_get(vcpu, &sregs);
	sregs.idt.base = (uint64_t)(uintptr_t)guest_idt;
	sregs.idt.limit = sizeof(guest_idt) - 1;
	vcpu_sregs_set(vcpu, &sregs);
}

void vm_install_exception_handler(struct vm *vm, uint8_t vector,
				  guest_handler_t handler)
{
	guest_handler_t *slot = addr_gva2hva(vm, &guest_handlers[vector]);

	*slot = handler;
}
