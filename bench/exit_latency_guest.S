/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark guest, copied to GUEST_CODE_GPA: 16-bit loops started with
 * CS = 0, IP = <entry> - guest_blob_start + GUEST_CODE_GPA, and the same
 * loops as 64-bit code (guest64_*).
 *
 * guest_pio_loop: one OUT per iteration, forever: each HB_RUN/KVM_RUN is
 *   exactly one exit to userspace and back.
 * guest_hypercall_loop: ECX hypercalls with the number in EBX (placed in
 *   EAX each time: the return value overwrites it), then OUT to PORT_DONE.
 *   The hypervisor answers them in kernel, so userspace sees one exit.
 * guest_mmio_loop: one MOV to MMIO_GPA (ffff:0010, just past guest memory)
 *   per iteration, forever: an MMIO write exit each, decoded and completed.
 * guest64_*: the same loops for a 64-bit guest with paging on, started with
 *   RIP = <entry> - guest_blob_start + GUEST_CODE_GPA (identity mapping).
 */
#define PORT_PIO_LOOP	0xe0
#define PORT_DONE	0xe1
#define MMIO_SEG	0xffff
#define MMIO_OFF	0x10
#define MMIO_GPA	0x100000

	.section .rodata
	.code16
	.globl guest_blob_start, guest_blob_end
	.globl guest_pio_loop, guest_hypercall_loop, guest_hypercall_insn
	.globl guest_mmio_loop
	.globl guest64_pio_loop, guest64_hypercall_loop, guest64_hypercall_insn
	.globl guest64_mmio_loop
guest_blob_start:
guest_pio_loop:
	out	%al, $PORT_PIO_LOOP
	jmp	guest_pio_loop

guest_hypercall_loop:
	mov	%ebx, %eax
	xor	%edi, %edi
guest_hypercall_insn:		/* VMMCALL; hyperbox on Intel patches it */
	vmmcall
	dec	%ecx
	jnz	guest_hypercall_loop
	out	%al, $PORT_DONE
	hlt

guest_mmio_loop:
	mov	$MMIO_SEG, %dx
	mov	%dx, %ds
	mov	$MMIO_OFF, %bx
1:	mov	%al, (%bx)
	jmp	1b

	/* The same three loops for the 64-bit guest (identity-mapped). */
	.code64
guest64_pio_loop:
	out	%al, $PORT_PIO_LOOP
	jmp	guest64_pio_loop

guest64_hypercall_loop:
	mov	%ebx, %eax
	xor	%edi, %edi
guest64_hypercall_insn:
	vmmcall
	dec	%ecx
	jnz	guest64_hypercall_loop
	out	%al, $PORT_DONE
	hlt

guest64_mmio_loop:
	mov	$MMIO_GPA, %ebx
1:	mov	%al, (%rbx)
	jmp	1b
guest_blob_end:
	.section .note.GNU-stack, "", @progbits
