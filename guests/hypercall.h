/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit hypercall for the demo guests, as an assembler macro usable in
 * 16-, 32- and 64-bit code: VMCALL on Intel, VMMCALL elsewhere. CPUID
 * leaf 0 names the vendor ("GenuineIntel": EBX = "Genu").
 */
#ifndef GUESTS_HYPERCALL_H
#define GUESTS_HYPERCALL_H

#include "../user/vmm/hypercalls.h"

#define CPUID_EBX_GENU	0x756e6547

.macro hypercall_exit status
	xor	%eax, %eax
	cpuid
	mov	$HB_HC_EXIT, %eax
	mov	$\status, %edi
	cmp	$CPUID_EBX_GENU, %ebx
	jne	.Lamd\@
	vmcall
	jmp	.Ldone\@
.Lamd\@:
	vmmcall
.Ldone\@:
.endm

#endif /* GUESTS_HYPERCALL_H */
