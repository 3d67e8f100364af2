/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Demo guest for `hyperbox vm run --mode protected`: 32-bit code at 1 MiB
 * with the VMM's flat GDT. Prints a greeting on COM1 and exits with 0.
 */
#include "hypercall.h"
#include "serial.h"

	.code32
	.section .text
	.globl _start
_start:
	mov	$greeting, %esi
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
	.asciz "Hello from a 32-bit protected-mode hyperbox guest!\n"
