/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Demo guest for `hyperbox vm run --mode long` (the default): 64-bit code
 * at 1 MiB on the VMM's identity-mapped page tables. Prints a greeting on
 * COM1 and exits with status 0.
 */
#include "hypercall.h"
#include "serial.h"

	.code64
	.section .text
	.globl _start
_start:
	lea	greeting(%rip), %rsi
next_char:
	lodsb
	test	%al, %al
	jz	done
	mov	%al, %bl
	mov	$COM1_LSR, %dx
wait_thre:
	in	%dx, %al
	test	$LSR_THRE, %al
	jz	wait_thre
	mov	$COM1_THR, %dx
	mov	%bl, %al
	out	%al, %dx
	jmp	next_char
done:
	hypercall_exit 0
	hlt

greeting:
	.asciz "Hello from a 64-bit long-mode hyperbox guest!\n"
