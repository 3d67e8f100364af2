/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit for the VMX backend. VMLAUNCH/VMRESUME and the VM exit
 * switch only RSP, RIP, RFLAGS and the state in the VMCS: every other
 * general register is the guest's while it runs, so the callee-saved ones
 * are saved here and the guest's are stored in regs[] (enum hb_gpr order)
 * after the exit. The guest's RSP lives in the VMCS.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define GPR(n)		((n) * 8)
#define R_AX		GPR(0)
#define R_CX		GPR(1)
#define R_DX		GPR(2)
#define R_BX		GPR(3)
#define R_BP		GPR(5)
#define R_SI		GPR(6)
#define R_DI		GPR(7)
#define R_8		GPR(8)
#define R_9		GPR(9)
#define R_10		GPR(10)
#define R_11		GPR(11)
#define R_12		GPR(12)
#define R_13		GPR(13)
#define R_14		GPR(14)
#define R_15		GPR(15)

/* VMCS field encoding of HOST_RSP (SDM Vol. 3, B.4.4). */
#define VMCS_HOST_RSP	0x6c14

	.text
/*
 * int hb_vmx_vmenter(u64 *regs, unsigned long launched,
 *		      unsigned long *host_rsp)
 *
 * Returns 0 after a VM exit (the exit reason is in the VMCS) and 1 when
 * VMLAUNCH/VMRESUME failed without entering (VM-instruction error).
 * Interrupts must be off.
 */
SYM_FUNC_START(hb_vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* regs: found at 0(%rsp) again when the exit lands on HOST_RSP. */
	push	%rdi

	/* HOST_RSP changes only when the caller's stack depth does. */
	cmp	%rsp, (%rdx)
	je	1f
	mov	%rsp, (%rdx)
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
1:
	/* ZF from here selects VMLAUNCH; the MOVs below keep the flags. */
	test	%rsi, %rsi

	mov	R_AX(%rdi), %rax
	mov	R_CX(%rdi), %rcx
	mov	R_DX(%rdi), %rdx
	mov	R_BX(%rdi), %rbx
	mov	R_BP(%rdi), %rbp
	mov	R_SI(%rdi), %rsi
	mov	R_8(%rdi), %r8
	mov	R_9(%rdi), %r9
	mov	R_10(%rdi), %r10
	mov	R_11(%rdi), %r11
	mov	R_12(%rdi), %r12
	mov	R_13(%rdi), %r13
	mov	R_14(%rdi), %r14
	mov	R_15(%rdi), %r15
	mov	R_DI(%rdi), %rdi

	/* The exit lands with this very stack: tell objtool so. */
	UNWIND_HINT_SAVE
	jnz	.Lresume
	vmlaunch
	jmp	.Lfail
.Lresume:
	vmresume
.Lfail:
	/* Nothing was entered: the callee-saved registers are popped below. */
	mov	$1, %eax
	jmp	.Lout

SYM_INNER_LABEL(hb_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rax
	mov	8(%rsp), %rax
	mov	%rcx, R_CX(%rax)
	mov	%rdx, R_DX(%rax)
	mov	%rbx, R_BX(%rax)
	mov	%rbp, R_BP(%rax)
	mov	%rsi, R_SI(%rax)
	mov	%rdi, R_DI(%rax)
	mov	%r8, R_8(%rax)
	mov	%r9, R_9(%rax)
	mov	%r10, R_10(%rax)
	mov	%r11, R_11(%rax)
	mov	%r12, R_12(%rax)
	mov	%r13, R_13(%rax)
	mov	%r14, R_14(%rax)
	mov	%r15, R_15(%rax)
	popq	R_AX(%rax)

	/*
	 * Overwrite the return stack buffer the guest may have filled before
	 * the first RET (SpectreRSB; the lite form for eIBRS parts), when the
	 * kernel's Spectre v2 mitigation asks for it on VM exit, as KVM does.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	xor	%eax, %eax

.Lout:
	add	$8, %rsp
	/* Leave no guest value in a caller-clobbered register. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hb_vmx_vmenter)
