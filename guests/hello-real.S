/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Demo guest for `hyperbox vm run --mode real`: 16-bit code loaded at 0x7c00
 * with CS = DS = 0. Prints a greeting on COM1 and exits with status 0.
 */
#include "hypercall.h"
#include "serial.h"

	.code16
	.section .text
	.globl _start
_start:
	mov	$greeting, %si
next_char:
	lodsb
	test	%al, %al
	jz	done
	mov	%al, %bl
	mov	$COM1_LSR, %dx
wait_thre:			/* poll like a real driver would */
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
	.asciz "Hello from a real-mode hyperbox guest!\n"
