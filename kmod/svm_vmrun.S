/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hb_svm_vmrun(vmcb_pa, regs, host_state_pa, save_host): one trip into an
 * SVM guest; @save_host: VMSAVE the host's state first (the area keeps it
 * for re-entries that did not leave the interrupts-off region).
 *
 * Called with GIF=0 (CLGI) and interrupts off. VMRUN/#VMEXIT switch only
 * RAX, RSP, RIP, RFLAGS, CR0/3/4, EFER, GDTR/IDTR and ES/CS/SS/DS (APM
 * 15.5); every other general register is the guest's after #VMEXIT, so
 * they are loaded from and stored to @regs (indexed like enum hb_gpr)
 * here. VMSAVE/VMLOAD switch FS, GS, TR, LDTR, KERNEL_GS_BASE, STAR,
 * LSTAR, CSTAR, SFMASK and SYSENTER_*: between the guest VMLOAD and the
 * host VMLOAD, GS points at guest memory, so nothing here may touch
 * per-CPU data.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/frame.h>
#include <asm/nospec-branch.h>

#define REG(n)	((n) * 8)
#define RCX	REG(1)
#define RDX	REG(2)
#define RBX	REG(3)
#define RBP	REG(5)
#define RSI	REG(6)
#define RDI	REG(7)
#define R8	REG(8)
#define R9	REG(9)
#define R10	REG(10)
#define R11	REG(11)
#define R12	REG(12)
#define R13	REG(13)
#define R14	REG(14)
#define R15	REG(15)

	/* With the rest of the exit path (__hb_exit_path in hb.h). */
	.section .text.hb_exit_path, "ax"
SYM_FUNC_START(hb_svm_vmrun)
	push %rbp
	mov %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* 16(%rsp): host state area, 8(%rsp): regs, 0(%rsp): VMCB */
	push %rdx
	push %rsi
	push %rdi

	/* Host FS/GS/TR/syscall MSRs into the per-CPU area, unless there. */
	test %cl, %cl
	jz 1f
	mov 16(%rsp), %rax
	vmsave %rax
1:

	mov 8(%rsp), %rax
	mov RCX(%rax), %rcx
	mov RDX(%rax), %rdx
	mov RBX(%rax), %rbx
	mov RBP(%rax), %rbp
	mov RSI(%rax), %rsi
	mov RDI(%rax), %rdi
	mov R8(%rax),  %r8
	mov R9(%rax),  %r9
	mov R10(%rax), %r10
	mov R11(%rax), %r11
	mov R12(%rax), %r12
	mov R13(%rax), %r13
	mov R14(%rax), %r14
	mov R15(%rax), %r15

	mov (%rsp), %rax
	vmload %rax
	/* GIF=0 holds interrupts; IF=1 lets them cause #VMEXIT(INTR). */
	sti
	vmrun %rax
	/*
	 * Where #VMEXIT resumes the host: C compares a saved RIP with it
	 * (hb_svm_exit_forged), never jumps here.
	 */
SYM_INNER_LABEL(hb_svm_vmrun_resume, SYM_L_GLOBAL)
	ANNOTATE_NOENDBR
	cli
	vmsave %rax

	/* RAX is the VMCB address again; the guest's RAX is in the VMCB. */
	mov 8(%rsp), %rax
	mov %rcx, RCX(%rax)
	mov %rdx, RDX(%rax)
	mov %rbx, RBX(%rax)
	mov %rbp, RBP(%rax)
	mov %rsi, RSI(%rax)
	mov %rdi, RDI(%rax)
	mov %r8,  R8(%rax)
	mov %r9,  R9(%rax)
	mov %r10, R10(%rax)
	mov %r11, R11(%rax)
	mov %r12, R12(%rax)
	mov %r13, R13(%rax)
	mov %r14, R14(%rax)
	mov %r15, R15(%rax)

	mov 16(%rsp), %rax
	vmload %rax

	/*
	 * The guest may have filled the return stack buffer with its own
	 * targets: overwrite it before the first RET (SpectreRSB), when the
	 * kernel's Spectre v2 mitigation asks for it on VM exit, as KVM does.
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	/* Do not leave guest values around for speculation to find. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d

	add $24, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
SYM_FUNC_END(hb_svm_vmrun)
