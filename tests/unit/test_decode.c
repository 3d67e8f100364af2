// SPDX-License-Identifier: GPL-2.0
/*
 * cmocka tests for kmod/emulate/decode.c.
 *
 * The expected values in the tables below are written by hand from the SDM
 * encoding rules (Vol. 2 tables 2-1 to 2-3, 2.2.1 REX); each row's text is
 * what `objdump -D -b binary -m <arch>` prints for its bytes, so the bytes
 * can be re-checked against an independent disassembler.  The sweeps model
 * the ModRM/SIB rules separately from the decoder and add totality checks:
 * every encoding, every truncation, never a read past the given length
 * (buffers are exact-size heap blocks, so ASan catches over-reads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
       R8, R9, R10, R11, R12, R13, R14, R15, NONE = HB_REG_NONE };
/* High-byte registers are bits 15:8 of these, flagged with .high8. */
enum { AH = RAX, CH = RCX, DH = RDX, BH = RBX };

#define R	HB_MODE_REAL
#define P16	HB_MODE_PROT16
#define P32	HB_MODE_PROT32
#define L64	HB_MODE_LONG64

struct dec_case {
	const char *text;		/* objdump's AT&T rendering of @bytes */
	enum hb_cpu_mode mode;
	u8 bytes[HB_INSN_MAX_LEN + 1];
	u8 nbytes;
	enum hb_insn_op op;
	u8 size;			/* memory access size */
	u8 reg;
	u8 reg_size;
	bool high8;
	u8 asz;				/* 0: the mode's default */
	s8 base;
	s8 index;
	u8 scale;
	bool rip;
	u64 disp;
	bool seg_set;			/* false: DS expected */
	u8 seg;
	bool seg_ovr;
	u64 imm;
};

#define BYTES(...)	.bytes = { __VA_ARGS__ }, .nbytes = sizeof((u8[]){ __VA_ARGS__ })
#define LD(sz, r)	.op = HB_OP_LOAD, .size = (sz), .reg = (r), .reg_size = (sz)
#define LDH(r)		LD(1, r), .high8 = true
#define ST(sz, r)	.op = HB_OP_STORE, .size = (sz), .reg = (r), .reg_size = (sz)
#define STH(r)		ST(1, r), .high8 = true
#define IMM(sz, v)	.op = HB_OP_STORE_IMM, .size = (sz), .imm = (u64)(v)
#define ZX(src, dst, r)	.op = HB_OP_LOAD_ZX, .size = (src), .reg = (r), .reg_size = (dst)
#define SX(src, dst, r)	.op = HB_OP_LOAD_SX, .size = (src), .reg = (r), .reg_size = (dst)
#define M(b, i, s, d)	.base = (b), .index = (i), .scale = (s), .disp = (u64)(s64)(d)
#define ABS(d)		M(NONE, NONE, 1, d)
#define RIPREL(d)	M(NONE, NONE, 1, d), .rip = true
#define MOFFS(d)	.base = NONE, .index = NONE, .scale = 1, .disp = (d)
#define SEG(s)		.seg_set = true, .seg = (s)
#define OVR(s)		SEG(s), .seg_ovr = true
/* An ES/CS/SS/DS override in 64-bit mode: recorded, but has no effect. */
#define OVR_NOP		.seg_ovr = true

static const struct dec_case cases[] = {
	/* ---- 64-bit mode: MOV load, every operand size ---- */
	{ "mov (%rdi),%eax", L64, BYTES(0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%rax", L64, BYTES(0x48, 0x8b, 0x07), LD(8, RAX), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%ax", L64, BYTES(0x66, 0x8b, 0x07), LD(2, RAX), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%al", L64, BYTES(0x8a, 0x07), LD(1, RAX), M(RDI, NONE, 1, 0) },
	{ "mov (%rsi),%edx", L64, BYTES(0x8b, 0x16), LD(4, RDX), M(RSI, NONE, 1, 0) },
	{ "mov (%rdi),%r9", L64, BYTES(0x4c, 0x8b, 0x0f), LD(8, R9), M(RDI, NONE, 1, 0) },
	{ "mov (%r9),%rcx", L64, BYTES(0x49, 0x8b, 0x09), LD(8, RCX), M(R9, NONE, 1, 0) },
	{ "mov (%r15),%r15d", L64, BYTES(0x45, 0x8b, 0x3f), LD(4, R15), M(R15, NONE, 1, 0) },
	{ "mov (%r8),%r10w", L64, BYTES(0x66, 0x45, 0x8b, 0x10), LD(2, R10), M(R8, NONE, 1, 0) },
	/* byte registers: AH..BH without REX, SPL..DIL and R8B.. with it */
	{ "mov (%rdi),%ah", L64, BYTES(0x8a, 0x27), LDH(AH), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%ch", L64, BYTES(0x8a, 0x2f), LDH(CH), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%dh", L64, BYTES(0x8a, 0x37), LDH(DH), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%bh", L64, BYTES(0x8a, 0x3f), LDH(BH), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%bl", L64, BYTES(0x8a, 0x1f), LD(1, RBX), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%spl", L64, BYTES(0x40, 0x8a, 0x27), LD(1, RSP), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%bpl", L64, BYTES(0x40, 0x8a, 0x2f), LD(1, RBP), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%sil", L64, BYTES(0x40, 0x8a, 0x37), LD(1, RSI), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%dil", L64, BYTES(0x40, 0x8a, 0x3f), LD(1, RDI), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%r8b", L64, BYTES(0x44, 0x8a, 0x07), LD(1, R8), M(RDI, NONE, 1, 0) },
	{ "mov (%rdi),%r12b", L64, BYTES(0x44, 0x8a, 0x27), LD(1, R12), M(RDI, NONE, 1, 0) },
	{ "mov (%r8),%spl", L64, BYTES(0x41, 0x8a, 0x20), LD(1, RSP), M(R8, NONE, 1, 0) },
	/* ---- 64-bit mode: MOV store ---- */
	{ "mov %eax,(%rdi)", L64, BYTES(0x89, 0x07), ST(4, RAX), M(RDI, NONE, 1, 0) },
	{ "mov %rax,(%rdi)", L64, BYTES(0x48, 0x89, 0x07), ST(8, RAX), M(RDI, NONE, 1, 0) },
	{ "mov %ax,(%rdi)", L64, BYTES(0x66, 0x89, 0x07), ST(2, RAX), M(RDI, NONE, 1, 0) },
	{ "mov %al,(%rdi)", L64, BYTES(0x88, 0x07), ST(1, RAX), M(RDI, NONE, 1, 0) },
	{ "mov %ah,(%rdi)", L64, BYTES(0x88, 0x27), STH(AH), M(RDI, NONE, 1, 0) },
	{ "mov %ch,(%rdi)", L64, BYTES(0x88, 0x2f), STH(CH), M(RDI, NONE, 1, 0) },
	{ "mov %dh,(%rdi)", L64, BYTES(0x88, 0x37), STH(DH), M(RDI, NONE, 1, 0) },
	{ "mov %bh,(%rdi)", L64, BYTES(0x88, 0x3f), STH(BH), M(RDI, NONE, 1, 0) },
	{ "mov %sil,(%rdi)", L64, BYTES(0x40, 0x88, 0x37), ST(1, RSI), M(RDI, NONE, 1, 0) },
	{ "mov %r13b,(%rdi)", L64, BYTES(0x44, 0x88, 0x2f), ST(1, R13), M(RDI, NONE, 1, 0) },
	{ "mov %r15,(%rdi)", L64, BYTES(0x4c, 0x89, 0x3f), ST(8, R15), M(RDI, NONE, 1, 0) },
	{ "mov %r15d,(%r15)", L64, BYTES(0x45, 0x89, 0x3f), ST(4, R15), M(R15, NONE, 1, 0) },
	{ "mov %r11w,0x10(%r10)", L64, BYTES(0x66, 0x45, 0x89, 0x5a, 0x10), ST(2, R11), M(R10, NONE, 1, 0x10) },
	/* 66 and REX.W do not widen byte operations; REX still selects SPL.. */
	{ "data16 mov %al,(%rdi)", L64, BYTES(0x66, 0x88, 0x07), ST(1, RAX), M(RDI, NONE, 1, 0) },
	{ "rex.W mov %spl,(%rdi)", L64, BYTES(0x48, 0x88, 0x27), ST(1, RSP), M(RDI, NONE, 1, 0) },
	{ "rex.W mov (%rdi),%dil", L64, BYTES(0x48, 0x8a, 0x3f), LD(1, RDI), M(RDI, NONE, 1, 0) },
	/* ---- 64-bit mode: addressing forms ---- */
	{ "mov (%r12),%eax", L64, BYTES(0x41, 0x8b, 0x04, 0x24), LD(4, RAX), M(R12, NONE, 1, 0) },
	{ "mov 0x0(%r13),%eax", L64, BYTES(0x41, 0x8b, 0x45, 0x00), LD(4, RAX), M(R13, NONE, 1, 0) },
	{ "mov (%rsp),%eax", L64, BYTES(0x8b, 0x04, 0x24), LD(4, RAX), M(RSP, NONE, 1, 0), SEG(HB_SEG_SS) },
	{ "mov 0x8(%rbp),%eax", L64, BYTES(0x8b, 0x45, 0x08), LD(4, RAX), M(RBP, NONE, 1, 8), SEG(HB_SEG_SS) },
	{ "mov -0x8(%rbp),%eax", L64, BYTES(0x8b, 0x45, 0xf8), LD(4, RAX), M(RBP, NONE, 1, -8), SEG(HB_SEG_SS) },
	{ "mov 0x10(%rsp),%eax", L64, BYTES(0x8b, 0x44, 0x24, 0x10), LD(4, RAX), M(RSP, NONE, 1, 0x10), SEG(HB_SEG_SS) },
	{ "mov 0x100(%rax),%eax", L64, BYTES(0x8b, 0x80, 0x00, 0x01, 0x00, 0x00), LD(4, RAX), M(RAX, NONE, 1, 0x100) },
	{ "mov -0x80000000(%rax),%eax", L64, BYTES(0x8b, 0x80, 0x00, 0x00, 0x00, 0x80), LD(4, RAX), M(RAX, NONE, 1, -0x80000000LL) },
	{ "mov -0x80(%rcx),%edx", L64, BYTES(0x8b, 0x51, 0x80), LD(4, RDX), M(RCX, NONE, 1, -0x80) },
	{ "mov 0x7f(%rbx),%esi", L64, BYTES(0x8b, 0x73, 0x7f), LD(4, RSI), M(RBX, NONE, 1, 0x7f) },
	{ "mov 0x10(%rip),%eax", L64, BYTES(0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), LD(4, RAX), RIPREL(0x10) },
	{ "mov -0x10(%rip),%eax", L64, BYTES(0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff), LD(4, RAX), RIPREL(-0x10) },
	{ "mov 0x12345678(%rip),%r14", L64, BYTES(0x4c, 0x8b, 0x35, 0x78, 0x56, 0x34, 0x12), LD(8, R14), RIPREL(0x12345678) },
	/* REX.B does not turn mod=00 rm=101 into [r13] */
	{ "mov 0x10(%rip),%eax", L64, BYTES(0x41, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), LD(4, RAX), RIPREL(0x10) },
	{ "mov 0x12345678,%eax", L64, BYTES(0x8b, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12), LD(4, RAX), ABS(0x12345678) },
	/* SIB base=101 mod=00 is disp32 only, with REX.B too */
	{ "mov 0xfffffffffffffff0,%eax", L64, BYTES(0x41, 0x8b, 0x04, 0x25, 0xf0, 0xff, 0xff, 0xff), LD(4, RAX), ABS(-0x10) },
	{ "mov 0x1000(,%rcx,4),%eax", L64, BYTES(0x8b, 0x04, 0x8d, 0x00, 0x10, 0x00, 0x00), LD(4, RAX), M(NONE, RCX, 4, 0x1000) },
	{ "mov 0x1000(,%rax,1),%eax", L64, BYTES(0x8b, 0x04, 0x05, 0x00, 0x10, 0x00, 0x00), LD(4, RAX), M(NONE, RAX, 1, 0x1000) },
	{ "mov 0x0(,%r9,2),%eax", L64, BYTES(0x42, 0x8b, 0x04, 0x4d, 0x00, 0x00, 0x00, 0x00), LD(4, RAX), M(NONE, R9, 2, 0) },
	{ "mov (%rax,%rcx,8),%eax", L64, BYTES(0x8b, 0x04, 0xc8), LD(4, RAX), M(RAX, RCX, 8, 0) },
	{ "mov (%rax,%rdx,2),%eax", L64, BYTES(0x8b, 0x04, 0x50), LD(4, RAX), M(RAX, RDX, 2, 0) },
	{ "mov (%rax,%r12,1),%eax", L64, BYTES(0x42, 0x8b, 0x04, 0x20), LD(4, RAX), M(RAX, R12, 1, 0) },
	{ "mov (%rax,%riz,1),%eax", L64, BYTES(0x8b, 0x04, 0x20), LD(4, RAX), M(RAX, NONE, 1, 0) },
	{ "mov (%rax,%riz,4),%eax", L64, BYTES(0x8b, 0x04, 0xa0), LD(4, RAX), M(RAX, NONE, 1, 0) },
	{ "mov 0x7f(%r13,%r12,4),%eax", L64, BYTES(0x43, 0x8b, 0x44, 0xa5, 0x7f), LD(4, RAX), M(R13, R12, 4, 0x7f) },
	{ "mov (%r12,%rbp,1),%eax", L64, BYTES(0x41, 0x8b, 0x04, 0x2c), LD(4, RAX), M(R12, RBP, 1, 0) },
	{ "mov -0x4(%rcx,%rdx,4),%ecx", L64, BYTES(0x8b, 0x4c, 0x91, 0xfc), LD(4, RCX), M(RCX, RDX, 4, -4) },
	{ "mov 0x0(%rbp,%rax,1),%eax", L64, BYTES(0x8b, 0x44, 0x05, 0x00), LD(4, RAX), M(RBP, RAX, 1, 0), SEG(HB_SEG_SS) },
	{ "mov 0x0(%r13,%rax,1),%eax", L64, BYTES(0x41, 0x8b, 0x44, 0x05, 0x00), LD(4, RAX), M(R13, RAX, 1, 0) },
	{ "mov 0x11223344(%r11,%r10,8),%r9", L64, BYTES(0x4f, 0x8b, 0x8c, 0xd3, 0x44, 0x33, 0x22, 0x11), LD(8, R9), M(R11, R10, 8, 0x11223344) },
	{ "mov (%rsp,%rbx,2),%eax", L64, BYTES(0x8b, 0x04, 0x5c), LD(4, RAX), M(RSP, RBX, 2, 0), SEG(HB_SEG_SS) },
	/* ---- 64-bit mode: address size 32 ---- */
	{ "mov (%edi),%eax", L64, BYTES(0x67, 0x8b, 0x07), LD(4, RAX), .asz = 4, M(RDI, NONE, 1, 0) },
	{ "mov 0x10(%eip),%eax", L64, BYTES(0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), LD(4, RAX), .asz = 4, RIPREL(0x10) },
	{ "mov 0x4(%r8d,%ecx,2),%rdx", L64, BYTES(0x67, 0x49, 0x8b, 0x54, 0x48, 0x04), LD(8, RDX), .asz = 4, M(R8, RCX, 2, 4) },
	/* ---- 64-bit mode: segment overrides ---- */
	{ "mov %gs:0x28,%rax", L64, BYTES(0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00), LD(8, RAX), ABS(0x28), OVR(HB_SEG_GS) },
	{ "mov %fs:(%rdi),%eax", L64, BYTES(0x64, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR(HB_SEG_FS) },
	{ "mov %fs:0x0(%rbp),%eax", L64, BYTES(0x64, 0x8b, 0x45, 0x00), LD(4, RAX), M(RBP, NONE, 1, 0), OVR(HB_SEG_FS) },
	{ "cs mov (%rdi),%eax", L64, BYTES(0x2e, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR_NOP },
	{ "ss mov (%rdi),%eax", L64, BYTES(0x36, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR_NOP },
	{ "es mov 0x0(%rbp),%eax", L64, BYTES(0x26, 0x8b, 0x45, 0x00), LD(4, RAX), M(RBP, NONE, 1, 0), SEG(HB_SEG_SS), OVR_NOP },
	{ "ds mov (%rdi),%eax", L64, BYTES(0x3e, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR_NOP },
	{ "fs mov %gs:(%rdi),%eax", L64, BYTES(0x64, 0x65, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR(HB_SEG_GS) },
	{ "cs mov %gs:(%rdi),%eax", L64, BYTES(0x2e, 0x65, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR(HB_SEG_GS) },
	/* ---- 64-bit mode: MOV immediate ---- */
	{ "movl $0x12345678,(%rdi)", L64, BYTES(0xc7, 0x07, 0x78, 0x56, 0x34, 0x12), IMM(4, 0x12345678), M(RDI, NONE, 1, 0) },
	{ "movl $0xffffffff,(%rdi)", L64, BYTES(0xc7, 0x07, 0xff, 0xff, 0xff, 0xff), IMM(4, 0xffffffff), M(RDI, NONE, 1, 0) },
	{ "movq $0xffffffffffffffff,(%rdi)", L64, BYTES(0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff), IMM(8, 0xffffffffffffffffULL), M(RDI, NONE, 1, 0) },
	{ "movq $0xffffffff80000000,(%rdi)", L64, BYTES(0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80), IMM(8, 0xffffffff80000000ULL), M(RDI, NONE, 1, 0) },
	{ "movq $0x7fffffff,(%rdi)", L64, BYTES(0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0x7f), IMM(8, 0x7fffffff), M(RDI, NONE, 1, 0) },
	{ "movw $0x1234,(%rdi)", L64, BYTES(0x66, 0xc7, 0x07, 0x34, 0x12), IMM(2, 0x1234), M(RDI, NONE, 1, 0) },
	{ "movw $0x8000,(%rdi)", L64, BYTES(0x66, 0xc7, 0x07, 0x00, 0x80), IMM(2, 0x8000), M(RDI, NONE, 1, 0) },
	{ "movb $0xab,(%rdi)", L64, BYTES(0xc6, 0x07, 0xab), IMM(1, 0xab), M(RDI, NONE, 1, 0) },
	{ "movb $0xff,0x8(%rsp)", L64, BYTES(0xc6, 0x44, 0x24, 0x08, 0xff), IMM(1, 0xff), M(RSP, NONE, 1, 8), SEG(HB_SEG_SS) },
	{ "movb $0x1,(%r9)", L64, BYTES(0x41, 0xc6, 0x01, 0x01), IMM(1, 1), M(R9, NONE, 1, 0) },
	{ "movq $0x1,-0x10(%rip)", L64, BYTES(0x48, 0xc7, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00), IMM(8, 1), RIPREL(-0x10) },
	{ "movl $0x11223344,0x100(%rax,%rcx,4)", L64, BYTES(0xc7, 0x84, 0x88, 0x00, 0x01, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11), IMM(4, 0x11223344), M(RAX, RCX, 4, 0x100) },
	{ "data16 movb $0x1,(%rdi)", L64, BYTES(0x66, 0xc6, 0x07, 0x01), IMM(1, 1), M(RDI, NONE, 1, 0) },
	{ "rex.W movb $0x80,(%rdi)", L64, BYTES(0x48, 0xc6, 0x07, 0x80), IMM(1, 0x80), M(RDI, NONE, 1, 0) },
	/* REX.R does not extend the /0 opcode extension */
	{ "rex.R movl $0x1,(%rax)", L64, BYTES(0x44, 0xc7, 0x00, 0x01, 0x00, 0x00, 0x00), IMM(4, 1), M(RAX, NONE, 1, 0) },
	/* 66 with REX.W: REX.W wins, so imm32 sign-extended, not imm16 */
	{ "data16 movq $0xffffffffffffffff,(%rdi)", L64, BYTES(0x66, 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff), IMM(8, 0xffffffffffffffffULL), M(RDI, NONE, 1, 0) },
	/* ---- 64-bit mode: MOVZX / MOVSX / MOVSXD ---- */
	{ "movzbl (%rdi),%eax", L64, BYTES(0x0f, 0xb6, 0x07), ZX(1, 4, RAX), M(RDI, NONE, 1, 0) },
	{ "movzwl (%rdi),%eax", L64, BYTES(0x0f, 0xb7, 0x07), ZX(2, 4, RAX), M(RDI, NONE, 1, 0) },
	{ "movzbq (%rdi),%rax", L64, BYTES(0x48, 0x0f, 0xb6, 0x07), ZX(1, 8, RAX), M(RDI, NONE, 1, 0) },
	{ "movzwq (%rdi),%rax", L64, BYTES(0x48, 0x0f, 0xb7, 0x07), ZX(2, 8, RAX), M(RDI, NONE, 1, 0) },
	{ "movzbw (%rdi),%ax", L64, BYTES(0x66, 0x0f, 0xb6, 0x07), ZX(1, 2, RAX), M(RDI, NONE, 1, 0) },
	{ "movzww (%rdi),%ax", L64, BYTES(0x66, 0x0f, 0xb7, 0x07), ZX(2, 2, RAX), M(RDI, NONE, 1, 0) },
	{ "movzwl (%rdi),%r15d", L64, BYTES(0x44, 0x0f, 0xb7, 0x3f), ZX(2, 4, R15), M(RDI, NONE, 1, 0) },
	/* reg field 4 names ESP here: the destination is not a byte register */
	{ "movzbl (%rdi),%esp", L64, BYTES(0x0f, 0xb6, 0x27), ZX(1, 4, RSP), M(RDI, NONE, 1, 0) },
	{ "movzbl 0x8(%rsi),%edi", L64, BYTES(0x0f, 0xb6, 0x7e, 0x08), ZX(1, 4, RDI), M(RSI, NONE, 1, 8) },
	{ "movsbl (%rdi),%eax", L64, BYTES(0x0f, 0xbe, 0x07), SX(1, 4, RAX), M(RDI, NONE, 1, 0) },
	{ "movswl (%rdi),%eax", L64, BYTES(0x0f, 0xbf, 0x07), SX(2, 4, RAX), M(RDI, NONE, 1, 0) },
	{ "movsbq (%rdi),%rax", L64, BYTES(0x48, 0x0f, 0xbe, 0x07), SX(1, 8, RAX), M(RDI, NONE, 1, 0) },
	{ "movswq (%rdi),%rax", L64, BYTES(0x48, 0x0f, 0xbf, 0x07), SX(2, 8, RAX), M(RDI, NONE, 1, 0) },
	{ "movsbw (%rdi),%ax", L64, BYTES(0x66, 0x0f, 0xbe, 0x07), SX(1, 2, RAX), M(RDI, NONE, 1, 0) },
	{ "movsww (%rdi),%ax", L64, BYTES(0x66, 0x0f, 0xbf, 0x07), SX(2, 2, RAX), M(RDI, NONE, 1, 0) },
	{ "movsbq 0x10(%rip),%r8", L64, BYTES(0x4c, 0x0f, 0xbe, 0x05, 0x10, 0x00, 0x00, 0x00), SX(1, 8, R8), RIPREL(0x10) },
	{ "movslq (%rdi),%rax", L64, BYTES(0x48, 0x63, 0x07), SX(4, 8, RAX), M(RDI, NONE, 1, 0) },
	{ "movslq 0x8(%r9),%r15", L64, BYTES(0x4d, 0x63, 0x79, 0x08), SX(4, 8, R15), M(R9, NONE, 1, 8) },
	/* ---- 64-bit mode: moffs ---- */
	{ "movabs 0x1122334455667788,%eax", L64, BYTES(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), LD(4, RAX), MOFFS(0x1122334455667788ULL) },
	{ "movabs 0x8877665544332211,%rax", L64, BYTES(0x48, 0xa1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88), LD(8, RAX), MOFFS(0x8877665544332211ULL) },
	{ "movabs 0x1122334455667788,%al", L64, BYTES(0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), LD(1, RAX), MOFFS(0x1122334455667788ULL) },
	{ "movabs 0x1122334455667788,%ax", L64, BYTES(0x66, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), LD(2, RAX), MOFFS(0x1122334455667788ULL) },
	{ "movabs %rax,0x1122334455667788", L64, BYTES(0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), ST(8, RAX), MOFFS(0x1122334455667788ULL) },
	{ "movabs %al,0x1122334455667788", L64, BYTES(0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), ST(1, RAX), MOFFS(0x1122334455667788ULL) },
	{ "movabs %eax,0xfedcba9876543210", L64, BYTES(0xa3, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe), ST(4, RAX), MOFFS(0xfedcba9876543210ULL) },
	{ "addr32 mov 0x80000000,%eax", L64, BYTES(0x67, 0xa1, 0x00, 0x00, 0x00, 0x80), LD(4, RAX), .asz = 4, MOFFS(0x80000000ULL) },
	{ "movabs %gs:0x10,%rax", L64, BYTES(0x65, 0x48, 0xa1, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), LD(8, RAX), MOFFS(0x10), OVR(HB_SEG_GS) },
	/* REX.B never redirects the accumulator; AL with REX is still AL */
	{ "rex.B movabs 0x1122334455667788,%eax", L64, BYTES(0x41, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), LD(4, RAX), MOFFS(0x1122334455667788ULL) },
	{ "rex movabs 0x1122334455667788,%al", L64, BYTES(0x40, 0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), LD(1, RAX), MOFFS(0x1122334455667788ULL) },
	/* ---- 64-bit mode: prefix order and misplaced REX ---- */
	{ "mov (%edi),%ax", L64, BYTES(0x66, 0x67, 0x8b, 0x07), LD(2, RAX), .asz = 4, M(RDI, NONE, 1, 0) },
	{ "mov (%edi),%ax", L64, BYTES(0x67, 0x66, 0x8b, 0x07), LD(2, RAX), .asz = 4, M(RDI, NONE, 1, 0) },
	{ "data16 mov (%rdi),%rax", L64, BYTES(0x66, 0x48, 0x8b, 0x07), LD(8, RAX), M(RDI, NONE, 1, 0) },
	/* a REX followed by another prefix is ignored (SDM 2.2.1) */
	{ "rex.W mov (%rdi),%ax", L64, BYTES(0x48, 0x66, 0x8b, 0x07), LD(2, RAX), M(RDI, NONE, 1, 0) },
	{ "rex.R data16 mov (%rdi),%ah", L64, BYTES(0x44, 0x66, 0x8a, 0x27), LDH(AH), M(RDI, NONE, 1, 0) },
	{ "rex.WB mov %gs:(%rdi),%eax", L64, BYTES(0x49, 0x65, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR(HB_SEG_GS) },
	{ "rex.B rex mov (%rdi),%eax", L64, BYTES(0x41, 0x40, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0) },
	{ "rex.W mov (%r15),%r8d", L64, BYTES(0x48, 0x45, 0x8b, 0x07), LD(4, R8), M(R15, NONE, 1, 0) },
	{ "rex mov (%rdi),%eax", L64, BYTES(0x40, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0) },
	/* exactly 15 bytes: the longest legal instruction */
	{ "cs movq $0x11223344,%gs:0x100(%eax,%ecx,4)", L64,
	  BYTES(0x2e, 0x65, 0x67, 0x48, 0xc7, 0x84, 0x88, 0x00, 0x01, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11),
	  IMM(8, 0x11223344), .asz = 4, M(RAX, RCX, 4, 0x100), OVR(HB_SEG_GS) },

	/* ---- 32-bit protected mode ---- */
	{ "mov (%edi),%eax", P32, BYTES(0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0) },
	{ "mov (%edi),%ax", P32, BYTES(0x66, 0x8b, 0x07), LD(2, RAX), M(RDI, NONE, 1, 0) },
	{ "mov (%edi),%al", P32, BYTES(0x8a, 0x07), LD(1, RAX), M(RDI, NONE, 1, 0) },
	{ "mov (%edi),%ah", P32, BYTES(0x8a, 0x27), LDH(AH), M(RDI, NONE, 1, 0) },
	{ "mov %bh,(%esi)", P32, BYTES(0x88, 0x3e), STH(BH), M(RSI, NONE, 1, 0) },
	{ "mov %edx,0x10(%ebx)", P32, BYTES(0x89, 0x53, 0x10), ST(4, RDX), M(RBX, NONE, 1, 0x10) },
	{ "mov %cx,(%eax)", P32, BYTES(0x66, 0x89, 0x08), ST(2, RCX), M(RAX, NONE, 1, 0) },
	{ "mov 0x12345678,%eax", P32, BYTES(0x8b, 0x05, 0x78, 0x56, 0x34, 0x12), LD(4, RAX), ABS(0x12345678) },
	{ "mov 0xfee00020,%ecx", P32, BYTES(0x8b, 0x0d, 0x20, 0x00, 0xe0, 0xfe), LD(4, RCX), ABS(-0x11fffe0) },
	{ "mov 0x1000(,%ecx,4),%eax", P32, BYTES(0x8b, 0x04, 0x8d, 0x00, 0x10, 0x00, 0x00), LD(4, RAX), M(NONE, RCX, 4, 0x1000) },
	{ "mov -0x4(%ebp),%eax", P32, BYTES(0x8b, 0x45, 0xfc), LD(4, RAX), M(RBP, NONE, 1, -4), SEG(HB_SEG_SS) },
	{ "mov 0x4(%esp),%eax", P32, BYTES(0x8b, 0x44, 0x24, 0x04), LD(4, RAX), M(RSP, NONE, 1, 4), SEG(HB_SEG_SS) },
	{ "mov (%ebx,%esi,2),%edi", P32, BYTES(0x8b, 0x3c, 0x73), LD(4, RDI), M(RBX, RSI, 2, 0), },
	{ "mov (%eax,%eiz,1),%eax", P32, BYTES(0x8b, 0x04, 0x20), LD(4, RAX), M(RAX, NONE, 1, 0) },
	{ "movl $0x1,0xfe0e0000", P32, BYTES(0xc7, 0x05, 0x00, 0x00, 0x0e, 0xfe, 0x01, 0x00, 0x00, 0x00), IMM(4, 1), ABS(-0x1f20000) },
	{ "movw $0x1234,(%eax)", P32, BYTES(0x66, 0xc7, 0x00, 0x34, 0x12), IMM(2, 0x1234), M(RAX, NONE, 1, 0) },
	{ "movb $0xab,0x12345678", P32, BYTES(0xc6, 0x05, 0x78, 0x56, 0x34, 0x12, 0xab), IMM(1, 0xab), ABS(0x12345678) },
	{ "movzbl (%edi),%eax", P32, BYTES(0x0f, 0xb6, 0x07), ZX(1, 4, RAX), M(RDI, NONE, 1, 0) },
	{ "movzbw (%edi),%ax", P32, BYTES(0x66, 0x0f, 0xb6, 0x07), ZX(1, 2, RAX), M(RDI, NONE, 1, 0) },
	{ "movzwl (%edi),%ebx", P32, BYTES(0x0f, 0xb7, 0x1f), ZX(2, 4, RBX), M(RDI, NONE, 1, 0) },
	{ "movswl (%edi),%eax", P32, BYTES(0x0f, 0xbf, 0x07), SX(2, 4, RAX), M(RDI, NONE, 1, 0) },
	{ "movsbl (%edi),%ebp", P32, BYTES(0x0f, 0xbe, 0x2f), SX(1, 4, RBP), M(RDI, NONE, 1, 0) },
	{ "mov (%bx),%eax", P32, BYTES(0x67, 0x8b, 0x07), LD(4, RAX), .asz = 2, M(RBX, NONE, 1, 0) },
	{ "mov 0x1234,%eax", P32, BYTES(0x67, 0x8b, 0x06, 0x34, 0x12), LD(4, RAX), .asz = 2, ABS(0x1234) },
	{ "mov 0x12345678,%eax", P32, BYTES(0xa1, 0x78, 0x56, 0x34, 0x12), LD(4, RAX), MOFFS(0x12345678) },
	{ "mov %al,0xfee00000", P32, BYTES(0xa2, 0x00, 0x00, 0xe0, 0xfe), ST(1, RAX), MOFFS(0xfee00000) },
	{ "addr16 mov 0x1234,%ax", P32, BYTES(0x66, 0x67, 0xa1, 0x34, 0x12), LD(2, RAX), .asz = 2, MOFFS(0x1234) },
	{ "mov %ds:0x0(%ebp),%eax", P32, BYTES(0x3e, 0x8b, 0x45, 0x00), LD(4, RAX), M(RBP, NONE, 1, 0), OVR(HB_SEG_DS) },
	{ "mov %eax,%es:(%edi)", P32, BYTES(0x26, 0x89, 0x07), ST(4, RAX), M(RDI, NONE, 1, 0), OVR(HB_SEG_ES) },
	{ "mov %cs:(%edi),%eax", P32, BYTES(0x2e, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR(HB_SEG_CS) },
	{ "mov %ss:(%edi),%eax", P32, BYTES(0x36, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR(HB_SEG_SS) },
	{ "mov %fs:0x0,%ecx", P32, BYTES(0x64, 0x8b, 0x0d, 0x00, 0x00, 0x00, 0x00), LD(4, RCX), ABS(0), OVR(HB_SEG_FS) },
	{ "mov %gs:0x14,%eax", P32, BYTES(0x65, 0xa1, 0x14, 0x00, 0x00, 0x00), LD(4, RAX), MOFFS(0x14), OVR(HB_SEG_GS) },
	{ "es mov %fs:(%edi),%eax", P32, BYTES(0x26, 0x64, 0x8b, 0x07), LD(4, RAX), M(RDI, NONE, 1, 0), OVR(HB_SEG_FS) },

	/* ---- 16-bit: real mode and 16-bit protected mode ---- */
	{ "mov (%bx,%si),%ax", R, BYTES(0x8b, 0x00), LD(2, RAX), M(RBX, RSI, 1, 0) },
	{ "mov (%bx,%di),%ax", R, BYTES(0x8b, 0x01), LD(2, RAX), M(RBX, RDI, 1, 0) },
	{ "mov (%bp,%si),%ax", R, BYTES(0x8b, 0x02), LD(2, RAX), M(RBP, RSI, 1, 0), SEG(HB_SEG_SS) },
	{ "mov (%bp,%di),%ax", R, BYTES(0x8b, 0x03), LD(2, RAX), M(RBP, RDI, 1, 0), SEG(HB_SEG_SS) },
	{ "mov (%si),%ax", R, BYTES(0x8b, 0x04), LD(2, RAX), M(RSI, NONE, 1, 0) },
	{ "mov (%di),%ax", R, BYTES(0x8b, 0x05), LD(2, RAX), M(RDI, NONE, 1, 0) },
	{ "mov 0x1234,%ax", R, BYTES(0x8b, 0x06, 0x34, 0x12), LD(2, RAX), ABS(0x1234) },
	{ "mov -0x8000,%ax", R, BYTES(0x8b, 0x06, 0x00, 0x80), LD(2, RAX), ABS(-0x8000) },
	{ "mov (%bx),%ax", R, BYTES(0x8b, 0x07), LD(2, RAX), M(RBX, NONE, 1, 0) },
	{ "mov 0x5(%bx,%si),%ax", R, BYTES(0x8b, 0x40, 0x05), LD(2, RAX), M(RBX, RSI, 1, 5) },
	{ "mov -0x2(%bp),%ax", R, BYTES(0x8b, 0x46, 0xfe), LD(2, RAX), M(RBP, NONE, 1, -2), SEG(HB_SEG_SS) },
	{ "mov 0x0(%bp),%cx", R, BYTES(0x8b, 0x4e, 0x00), LD(2, RCX), M(RBP, NONE, 1, 0), SEG(HB_SEG_SS) },
	{ "mov -0x8000(%bp),%ax", R, BYTES(0x8b, 0x86, 0x00, 0x80), LD(2, RAX), M(RBP, NONE, 1, -0x8000), SEG(HB_SEG_SS) },
	{ "mov 0x1234(%bp,%di),%dx", R, BYTES(0x8b, 0x93, 0x34, 0x12), LD(2, RDX), M(RBP, RDI, 1, 0x1234), SEG(HB_SEG_SS) },
	{ "mov 0x7fff(%di),%sp", R, BYTES(0x8b, 0xa5, 0xff, 0x7f), LD(2, RSP), M(RDI, NONE, 1, 0x7fff) },
	{ "mov -0x1(%bx),%di", R, BYTES(0x8b, 0x7f, 0xff), LD(2, RDI), M(RBX, NONE, 1, -1) },
	{ "mov (%bx),%eax", R, BYTES(0x66, 0x8b, 0x07), LD(4, RAX), M(RBX, NONE, 1, 0) },
	{ "mov (%edi),%ax", R, BYTES(0x67, 0x8b, 0x07), LD(2, RAX), .asz = 4, M(RDI, NONE, 1, 0) },
	{ "mov 0x1000(,%ecx,4),%ax", R, BYTES(0x67, 0x8b, 0x04, 0x8d, 0x00, 0x10, 0x00, 0x00), LD(2, RAX), .asz = 4, M(NONE, RCX, 4, 0x1000) },
	{ "addr32 mov 0x12345678,%ax", R, BYTES(0x67, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12), LD(2, RAX), .asz = 4, ABS(0x12345678) },
	{ "addr32 mov 0x12345678,%eax", R, BYTES(0x66, 0x67, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12), LD(4, RAX), .asz = 4, ABS(0x12345678) },
	{ "mov (%bx),%al", R, BYTES(0x8a, 0x07), LD(1, RAX), M(RBX, NONE, 1, 0) },
	{ "mov 0x1000,%ah", R, BYTES(0x8a, 0x26, 0x00, 0x10), LDH(AH), ABS(0x1000) },
	{ "mov %bh,0x1000", R, BYTES(0x88, 0x3e, 0x00, 0x10), STH(BH), ABS(0x1000) },
	{ "mov %dx,(%si)", R, BYTES(0x89, 0x14), ST(2, RDX), M(RSI, NONE, 1, 0) },
	{ "mov %esi,0x10(%bx,%di)", R, BYTES(0x66, 0x89, 0x71, 0x10), ST(4, RSI), M(RBX, RDI, 1, 0x10) },
	{ "movw $0x1234,(%bx)", R, BYTES(0xc7, 0x07, 0x34, 0x12), IMM(2, 0x1234), M(RBX, NONE, 1, 0) },
	{ "movl $0x12345678,(%bx)", R, BYTES(0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12), IMM(4, 0x12345678), M(RBX, NONE, 1, 0) },
	{ "movb $0xff,0x1000", R, BYTES(0xc6, 0x06, 0x00, 0x10, 0xff), IMM(1, 0xff), ABS(0x1000) },
	{ "movw $0xffff,0x2(%bp)", R, BYTES(0xc7, 0x46, 0x02, 0xff, 0xff), IMM(2, 0xffff), M(RBP, NONE, 1, 2), SEG(HB_SEG_SS) },
	{ "movzbw (%bx),%ax", R, BYTES(0x0f, 0xb6, 0x07), ZX(1, 2, RAX), M(RBX, NONE, 1, 0) },
	{ "movzbl (%bx),%eax", R, BYTES(0x66, 0x0f, 0xb6, 0x07), ZX(1, 4, RAX), M(RBX, NONE, 1, 0) },
	{ "movzww (%bx),%ax", R, BYTES(0x0f, 0xb7, 0x07), ZX(2, 2, RAX), M(RBX, NONE, 1, 0) },
	{ "movsbw (%bx),%ax", R, BYTES(0x0f, 0xbe, 0x07), SX(1, 2, RAX), M(RBX, NONE, 1, 0) },
	{ "movswl (%bx),%eax", R, BYTES(0x66, 0x0f, 0xbf, 0x07), SX(2, 4, RAX), M(RBX, NONE, 1, 0) },
	{ "mov 0x1234,%ax", R, BYTES(0xa1, 0x34, 0x12), LD(2, RAX), MOFFS(0x1234) },
	{ "mov 0x1234,%al", R, BYTES(0xa0, 0x34, 0x12), LD(1, RAX), MOFFS(0x1234) },
	{ "mov %eax,0x1234", R, BYTES(0x66, 0xa3, 0x34, 0x12), ST(4, RAX), MOFFS(0x1234) },
	{ "addr32 mov 0x12345678,%ax", R, BYTES(0x67, 0xa1, 0x78, 0x56, 0x34, 0x12), LD(2, RAX), .asz = 4, MOFFS(0x12345678) },
	{ "mov %es:(%bx),%ax", R, BYTES(0x26, 0x8b, 0x07), LD(2, RAX), M(RBX, NONE, 1, 0), OVR(HB_SEG_ES) },
	{ "mov %fs:0x10,%eax", R, BYTES(0x64, 0x66, 0xa1, 0x10, 0x00), LD(4, RAX), MOFFS(0x10), OVR(HB_SEG_FS) },
	{ "mov (%bx,%si),%ax", P16, BYTES(0x8b, 0x00), LD(2, RAX), M(RBX, RSI, 1, 0) },
	{ "mov %ds:0x0(%bp),%ax", P16, BYTES(0x3e, 0x8b, 0x46, 0x00), LD(2, RAX), M(RBP, NONE, 1, 0), OVR(HB_SEG_DS) },
	{ "mov (%edi),%eax", P16, BYTES(0x66, 0x67, 0x8b, 0x07), LD(4, RAX), .asz = 4, M(RDI, NONE, 1, 0) },
	{ "movl $0x1,(%bx)", P16, BYTES(0x66, 0xc7, 0x07, 0x01, 0x00, 0x00, 0x00), IMM(4, 1), M(RBX, NONE, 1, 0) },
	{ "movzbw 0x1000,%cx", P16, BYTES(0x0f, 0xb6, 0x0e, 0x00, 0x10), ZX(1, 2, RCX), ABS(0x1000) },
	/* 40-4F are INC/DEC, not REX, outside 64-bit mode; see test_malformed */
};

/*
 * Copy into a heap block that ends exactly at @len so ASan flags any read
 * beyond it.  ASan does not flag reads of a malloc(0) block, so an empty
 * input is passed as the end of a one-byte block instead.
 */
static int decode_exact(const u8 *bytes, unsigned int len,
			enum hb_cpu_mode mode, struct hb_insn *out)
{
	u8 *buf = malloc(len ? len : 1);
	int ret;

	assert_non_null(buf);
	memcpy(buf, bytes, len);
	ret = hb_decode(len ? buf : buf + 1, len, mode, out);
	free(buf);
	return ret;
}

static u8 default_asz(enum hb_cpu_mode mode)
{
	return mode == HB_MODE_LONG64 ? 8 : mode == HB_MODE_PROT32 ? 4 : 2;
}

static void check_case(const struct dec_case *c)
{
	unsigned int n = c->nbytes, k;
	struct hb_insn insn;

	assert_int_equal(decode_exact(c->bytes, n, c->mode, &insn), 0);
	assert_int_equal(insn.len, n);
	assert_int_equal(insn.op, c->op);
	assert_int_equal(insn.access_size, c->size);
	assert_int_equal(insn.reg, c->reg);
	assert_int_equal(insn.reg_size, c->reg_size);
	assert_int_equal(insn.reg_high8, c->high8);
	assert_int_equal(insn.addr_size, c->asz ? c->asz : default_asz(c->mode));
	assert_int_equal(insn.mem.base, c->base);
	assert_int_equal(insn.mem.index, c->index);
	assert_int_equal(insn.mem.scale, c->scale);
	assert_int_equal(insn.mem.rip_relative, c->rip);
	assert_int_equal(insn.mem.disp, c->disp);
	assert_int_equal(insn.seg, c->seg_set ? c->seg : HB_SEG_DS);
	assert_int_equal(insn.seg_override, c->seg_ovr);
	assert_int_equal(insn.imm, c->imm);
	assert_int_equal(hb_insn_is_write(&insn),
			 c->op == HB_OP_STORE || c->op == HB_OP_STORE_IMM);

	/* Every proper prefix of a valid encoding is a truncation. */
	for (k = 0; k < n; k++)
		assert_int_equal(decode_exact(c->bytes, k, c->mode, &insn),
				 HB_DECODE_TRUNCATED);

	/* Trailing bytes beyond the instruction change nothing. */
	{
		u8 big[32];

		memset(big, 0x8b, sizeof(big));
		memcpy(big, c->bytes, n);
		assert_int_equal(decode_exact(big, sizeof(big), c->mode, &insn), 0);
		assert_int_equal(insn.len, n);
	}
}

static void test_table_row(void **state)
{
	check_case(*state);
}

/* ---- malformed and unsupported encodings ---- */

struct bad_case {
	const char *why;
	enum hb_cpu_mode mode;
	u8 bytes[HB_INSN_MAX_LEN + 4];
	u8 nbytes;
	int err;
};

#define UNSUP	HB_DECODE_UNSUPPORTED
#define TRUNC	HB_DECODE_TRUNCATED

static const struct bad_case bad_cases[] = {
	{ "lock mov store", L64, BYTES(0xf0, 0x89, 0x07), UNSUP },
	{ "lock after 66", L64, BYTES(0x66, 0xf0, 0x89, 0x07), UNSUP },
	{ "lock mov imm", P32, BYTES(0xf0, 0xc7, 0x00, 0x01, 0x00, 0x00, 0x00), UNSUP },
	{ "rep mov", L64, BYTES(0xf3, 0x89, 0x07), UNSUP },
	{ "repne mov", L64, BYTES(0xf2, 0x8b, 0x07), UNSUP },
	{ "xrelease movb imm", L64, BYTES(0xf3, 0xc6, 0x07, 0x00), UNSUP },
	{ "register mov 89 c0", L64, BYTES(0x89, 0xc0), UNSUP },
	{ "register mov 8b c1", P32, BYTES(0x8b, 0xc1), UNSUP },
	{ "register mov 8a e0", R, BYTES(0x8a, 0xe0), UNSUP },
	{ "register mov 88 c4", L64, BYTES(0x88, 0xc4), UNSUP },
	{ "register movq imm", L64, BYTES(0x48, 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00), UNSUP },
	{ "register movb imm", L64, BYTES(0xc6, 0xc0, 0x01), UNSUP },
	{ "register movzx", L64, BYTES(0x0f, 0xb6, 0xc0), UNSUP },
	{ "register movsx", L64, BYTES(0x0f, 0xbf, 0xc8), UNSUP },
	{ "register movsxd", L64, BYTES(0x48, 0x63, 0xc0), UNSUP },
	{ "xbegin (c7 f8)", L64, BYTES(0xc7, 0xf8, 0x00, 0x00, 0x00, 0x00), UNSUP },
	{ "xabort (c6 f8)", L64, BYTES(0xc6, 0xf8, 0x00), UNSUP },
	{ "c7 /1", L64, BYTES(0xc7, 0x08, 0x00, 0x00, 0x00, 0x00), UNSUP },
	{ "c6 /7", P32, BYTES(0xc6, 0x38, 0x00), UNSUP },
	{ "movsxd without REX.W", L64, BYTES(0x63, 0x07), UNSUP },
	{ "movsxd with only 66", L64, BYTES(0x66, 0x63, 0x07), UNSUP },
	{ "arpl in 32-bit mode", P32, BYTES(0x63, 0x07), UNSUP },
	{ "REX.W is dec eax in 32-bit mode", P32, BYTES(0x48, 0x8b, 0x07), UNSUP },
	{ "REX is inc eax in 32-bit mode", P32, BYTES(0x40, 0x8b, 0x07), UNSUP },
	{ "REX is inc ax in real mode", R, BYTES(0x41, 0x8b, 0x07), UNSUP },
	{ "mov to sreg", L64, BYTES(0x8e, 0x07), UNSUP },
	{ "mov from sreg", L64, BYTES(0x8c, 0x07), UNSUP },
	{ "movs", L64, BYTES(0xa5), UNSUP },
	{ "stos", L64, BYTES(0xab), UNSUP },
	{ "add", L64, BYTES(0x01, 0x07), UNSUP },
	{ "or to memory", L64, BYTES(0x09, 0x07), UNSUP },
	{ "movnti", L64, BYTES(0x0f, 0xc3, 0x07), UNSUP },
	{ "movbe", L64, BYTES(0x0f, 0x38, 0xf0, 0x07), UNSUP },
	{ "cmpxchg", L64, BYTES(0x0f, 0xb1, 0x0f), UNSUP },
	{ "vex vmovdqu", L64, BYTES(0xc5, 0xfe, 0x6f, 0x07), UNSUP },
	{ "sse movdqa", L64, BYTES(0x66, 0x0f, 0x6f, 0x07), UNSUP },
	{ "xchg", L64, BYTES(0x87, 0x07), UNSUP },
	{ "empty", L64, { 0 }, 0, TRUNC },
	{ "only prefixes", L64, BYTES(0x66, 0x67, 0x65, 0x48), TRUNC },
	{ "only escape", L64, BYTES(0x0f), TRUNC },
	/* 16 bytes: one prefix too many */
	{ "16-byte movq imm", L64,
	  BYTES(0x2e, 0x2e, 0x65, 0x67, 0x48, 0xc7, 0x84, 0x88, 0x00, 0x01, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11),
	  UNSUP },
	/* the limit is checked before the buffer end: never report truncation */
	{ "14 prefixes, opcode, end", L64,
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x8b),
	  UNSUP },
	{ "15 prefixes", P32,
	  BYTES(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e),
	  UNSUP },
	{ "15 REX prefixes then mov", L64,
	  BYTES(0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x8b, 0x07),
	  UNSUP },
	{ "13 prefixes, mov, modrm, disp8 cut", L64,
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x8b, 0x47, 0x10),
	  UNSUP },
};

static void test_bad_cases(void **state)
{
	size_t i;
	struct hb_insn insn;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		int ret = decode_exact(b->bytes, b->nbytes, b->mode, &insn);

		if (ret != b->err)
			fail_msg("%s: got %d, want %d", b->why, ret, b->err);
	}
}

/* The 16-byte row, given 20 bytes of buffer, still fails. */
static void test_over_15_in_long_buffer(void **state)
{
	u8 buf[20];
	struct hb_insn insn;
	unsigned int i;

	(void)state;
	memset(buf, 0x2e, sizeof(buf));
	buf[15] = 0x8b;
	buf[16] = 0x07;
	assert_int_equal(decode_exact(buf, sizeof(buf), P32, &insn), UNSUP);
	/* 13 prefixes + 8b 07 = exactly 15 is fine, whatever follows */
	for (i = 0; i < 13; i++)
		buf[i] = 0x2e;
	buf[13] = 0x8b;
	buf[14] = 0x07;
	assert_int_equal(decode_exact(buf, sizeof(buf), P32, &insn), 0);
	assert_int_equal(insn.len, 15);
	assert_int_equal(insn.seg, HB_SEG_CS);
}

/* Invalid mode values are refused rather than guessed. */
static void test_bad_mode(void **state)
{
	static const u8 mov[] = { 0x8b, 0x07 };
	struct hb_insn insn;

	(void)state;
	assert_int_equal(hb_decode(mov, sizeof(mov), (enum hb_cpu_mode)7, &insn), UNSUP);
}

/*
 * Every one-byte opcode and every 0F xx opcode, followed by a ModRM of 00
 * (a memory form with no displacement) and filler: exactly the listed
 * opcodes decode, everything else is refused.
 */
static bool one_byte_ok(u8 op)
{
	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
	case 0xc6: case 0xc7:
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		return true;
	}
	return false;
}

static void test_opcode_sweep(void **state)
{
	static const enum hb_cpu_mode modes[] = { R, P16, P32, L64 };
	struct hb_insn insn;
	unsigned int m, op;
	u8 buf[12];
	int ret;

	(void)state;
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		for (op = 0; op < 256; op++) {
			memset(buf, 0, sizeof(buf));
			buf[0] = op;
			ret = decode_exact(buf, sizeof(buf), modes[m], &insn);
			if ((ret == 0) != one_byte_ok(op))
				fail_msg("mode %u opcode %02x: %d", m, op, ret);

			buf[0] = 0x0f;
			buf[1] = op;
			ret = decode_exact(buf, sizeof(buf), modes[m], &insn);
			if ((ret == 0) != (op == 0xb6 || op == 0xb7 ||
					   op == 0xbe || op == 0xbf))
				fail_msg("mode %u opcode 0f %02x: %d", m, op, ret);

			/* with REX.W in 64-bit mode 63 joins the set */
			buf[0] = 0x48;
			buf[1] = op;
			ret = decode_exact(buf, sizeof(buf), modes[m], &insn);
			if (modes[m] == L64 &&
			    (ret == 0) != (one_byte_ok(op) || op == 0x63))
				fail_msg("REX.W opcode %02x: %d", op, ret);
		}
	}
}

/* Each ModRM opcode with every mod=11 ModRM byte and every /r != 0 for C6/C7. */
static void test_modrm_reg_forms(void **state)
{
	static const u8 ops[][2] = {
		{ 0x88 }, { 0x89 }, { 0x8a }, { 0x8b }, { 0xc6 }, { 0xc7 },
		{ 0x0f, 0xb6 }, { 0x0f, 0xb7 }, { 0x0f, 0xbe }, { 0x0f, 0xbf },
	};
	struct hb_insn insn;
	unsigned int i, modrm, n;
	u8 buf[12];

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		for (modrm = 0; modrm < 256; modrm++) {
			bool reg_form = modrm >= 0xc0;
			bool bad_ext = ops[i][0] >= 0xc6 && ops[i][0] <= 0xc7 &&
				       ((modrm >> 3) & 7) != 0;

			memset(buf, 0, sizeof(buf));
			n = 0;
			buf[n++] = ops[i][0];
			if (ops[i][1])
				buf[n++] = ops[i][1];
			buf[n] = modrm;
			if ((decode_exact(buf, sizeof(buf), L64, &insn) == 0) ==
			    (reg_form || bad_ext))
				fail_msg("op %02x %02x modrm %02x", ops[i][0],
					 ops[i][1], modrm);
		}
	}
}

/*
 * ModRM/SIB sweep: MOV load with every mod (00-10), reg, rm, SIB byte and,
 * in 64-bit mode, every REX, in every address size.  The expectation is a
 * direct transcription of SDM tables 2-1 (16-bit), 2-2 (32-bit) and 2-3
 * (SIB) with the 2.2.1 REX and RIP-relative rules.
 */
struct expect_mem {
	s8 base, index;
	u8 scale;
	bool rip;
	unsigned int disp_bytes;
	bool ss;
};

/* Table 2-1, rows by rm; mod 00 rm 110 is the disp16 special case. */
static const struct { s8 base, index; } sdm_table_2_1[8] = {
	{ RBX, RSI }, { RBX, RDI }, { RBP, RSI }, { RBP, RDI },
	{ RSI, NONE }, { RDI, NONE }, { RBP, NONE }, { RBX, NONE },
};

static struct expect_mem expect16(u8 mod, u8 rm)
{
	struct expect_mem e = { .scale = 1 };

	e.base = sdm_table_2_1[rm].base;
	e.index = sdm_table_2_1[rm].index;
	e.disp_bytes = mod == 0 ? 0 : mod == 1 ? 1 : 2;
	if (mod == 0 && rm == 6) {
		e.base = NONE;
		e.disp_bytes = 2;
	}
	e.ss = e.base == RBP;
	return e;
}

static struct expect_mem expect32(bool long_mode, u8 rex, u8 mod, u8 rm, u8 sib)
{
	struct expect_mem e = { .scale = 1, .index = NONE };
	u8 ss = sib >> 6, idx = (sib >> 3) & 7, b = sib & 7;

	e.disp_bytes = mod == 0 ? 0 : mod == 1 ? 1 : 4;
	if (rm == 4) {
		if (idx != 4 || (rex & 2)) {
			e.index = idx + ((rex & 2) ? 8 : 0);
			e.scale = 1 << ss;
		}
		if (b == 5 && mod == 0) {
			e.base = NONE;
			e.disp_bytes = 4;
		} else {
			e.base = b + ((rex & 1) ? 8 : 0);
		}
	} else if (rm == 5 && mod == 0) {
		e.base = NONE;
		e.rip = long_mode;
		e.disp_bytes = 4;
	} else {
		e.base = rm + ((rex & 1) ? 8 : 0);
	}
	e.ss = e.base == RSP || e.base == RBP;
	return e;
}

/* Displacement bytes with the sign bit set, so sign extension shows. */
static const u8 disp_pattern[4] = { 0x81, 0x92, 0xa3, 0xb4 };

static u64 pattern_disp(unsigned int n)
{
	switch (n) {
	case 0:
		return 0;
	case 1:
		return 0xffffffffffffff81ULL;
	case 2:
		return 0xffffffffffff9281ULL;
	default:
		return 0xffffffffb4a39281ULL;
	}
}

static unsigned long sweep_count;

static void sweep_one(enum hb_cpu_mode mode, bool p66, bool p67, int rex,
		      u8 modrm, int sib, const struct expect_mem *e,
		      u8 opsize, u8 asz)
{
	u8 buf[HB_INSN_MAX_LEN];
	unsigned int n = 0, i, k;
	struct hb_insn insn;
	u8 reg = (modrm >> 3) & 7;

	if (p66)
		buf[n++] = 0x66;
	if (p67)
		buf[n++] = 0x67;
	if (rex >= 0)
		buf[n++] = rex;
	buf[n++] = 0x8b;
	buf[n++] = modrm;
	if (sib >= 0)
		buf[n++] = sib;
	for (i = 0; i < e->disp_bytes; i++)
		buf[n++] = disp_pattern[i];

	sweep_count++;
	if (decode_exact(buf, n, mode, &insn) != 0)
		fail_msg("mode %d rex %x modrm %02x sib %x: refused", mode, rex, modrm, sib);
	if (insn.len != n || insn.op != HB_OP_LOAD || insn.access_size != opsize ||
	    insn.reg_size != opsize || insn.addr_size != asz ||
	    insn.reg != reg + (rex > 0 && (rex & 4) ? 8 : 0) || insn.reg_high8 ||
	    insn.mem.base != e->base || insn.mem.index != e->index ||
	    insn.mem.scale != e->scale || insn.mem.rip_relative != e->rip ||
	    insn.mem.disp != pattern_disp(e->disp_bytes) ||
	    insn.seg != (e->ss ? HB_SEG_SS : HB_SEG_DS) || insn.seg_override)
		fail_msg("mode %d rex %x modrm %02x sib %x: len %u reg %u base %d index %d scale %u rip %d disp %llx seg %d",
			 mode, rex, modrm, sib, insn.len, insn.reg, insn.mem.base,
			 insn.mem.index, insn.mem.scale, insn.mem.rip_relative,
			 (unsigned long long)insn.mem.disp, insn.seg);
	for (k = 0; k < n; k++)
		if (decode_exact(buf, k, mode, &insn) != HB_DECODE_TRUNCATED)
			fail_msg("mode %d modrm %02x sib %x: cut at %u not truncated",
				 mode, modrm, sib, k);
}

static void sweep_mode(enum hb_cpu_mode mode, bool p66, bool p67, int rex)
{
	bool def16 = mode == R || mode == P16;
	u8 opsize = (rex >= 0 && (rex & 8)) ? 8 : (def16 != p66) ? 2 : 4;
	u8 asz = mode == L64 ? (p67 ? 4 : 8) : (def16 != p67) ? 2 : 4;
	struct expect_mem e;
	unsigned int mod, reg, rm, sib;
	u8 modrm;

	for (mod = 0; mod < 3; mod++) {
		for (reg = 0; reg < 8; reg++) {
			for (rm = 0; rm < 8; rm++) {
				modrm = mod << 6 | reg << 3 | rm;
				if (asz == 2) {
					e = expect16(mod, rm);
					sweep_one(mode, p66, p67, rex, modrm, -1, &e, opsize, asz);
				} else if (rm != 4) {
					e = expect32(mode == L64, rex < 0 ? 0 : rex, mod, rm, 0);
					sweep_one(mode, p66, p67, rex, modrm, -1, &e, opsize, asz);
				} else {
					for (sib = 0; sib < 256; sib++) {
						e = expect32(mode == L64, rex < 0 ? 0 : rex, mod, rm, sib);
						sweep_one(mode, p66, p67, rex, modrm, sib, &e, opsize, asz);
					}
				}
			}
		}
	}
}

static void test_modrm_sweep(void **state)
{
	static const enum hb_cpu_mode modes[] = { R, P16, P32, L64 };
	unsigned int m, pfx;
	int rex;

	(void)state;
	sweep_count = 0;
	for (m = 0; m < ARRAY_SIZE(modes); m++)
		for (pfx = 0; pfx < 4; pfx++)
			sweep_mode(modes[m], pfx & 1, pfx & 2, -1);
	for (rex = 0x40; rex <= 0x4f; rex++)
		for (pfx = 0; pfx < 4; pfx++)
			sweep_mode(L64, pfx & 1, pfx & 2, rex);
	print_message("modrm sweep: %lu encodings, each cut at every length\n", sweep_count);
}

/*
 * Random bytes: never crash, never read past the buffer (ASan), and any
 * success is self-consistent and independent of the bytes after it.
 */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_random_bytes(void **state)
{
	/* bias towards the bytes this decoder cares about */
	static const u8 hot[] = { 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
				  0x40, 0x44, 0x48, 0x4f, 0x0f, 0x88, 0x89, 0x8a,
				  0x8b, 0xc6, 0xc7, 0x63, 0xa0, 0xa3, 0xb6, 0xbf };
	struct hb_insn a, b;
	unsigned long i, ok = 0;
	unsigned int n, j;
	u8 buf[20];
	int ret;

	(void)state;
	for (i = 0; i < 400000; i++) {
		n = rng() % (sizeof(buf) + 1);
		for (j = 0; j < n; j++) {
			u64 r = rng();

			buf[j] = (r & 1) ? hot[(r >> 8) % sizeof(hot)] : (u8)(r >> 16);
		}
		/* cleared so the padding compares equal below */
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		ret = decode_exact(buf, n, (enum hb_cpu_mode)(i & 3), &a);
		if (ret == 0) {
			ok++;
			assert_true(a.len >= 2 && a.len <= HB_INSN_MAX_LEN && a.len <= n);
			assert_true(a.access_size == 1 || a.access_size == 2 ||
				    a.access_size == 4 || a.access_size == 8);
			assert_true(a.addr_size == 2 || a.addr_size == 4 || a.addr_size == 8);
			assert_true(a.reg < 16 && a.mem.base < 16 && a.mem.index < 16);
			assert_int_equal(decode_exact(buf, a.len, (enum hb_cpu_mode)(i & 3), &b), 0);
			assert_memory_equal(&a, &b, sizeof(a));
		} else {
			assert_true(ret == HB_DECODE_UNSUPPORTED || ret == HB_DECODE_TRUNCATED);
		}
	}
	print_message("random bytes: %lu of 400000 decoded\n", ok);
}

/* ---- hb_insn_merge_load / hb_insn_store_value ---- */

struct value_case {
	const char *text;
	enum hb_cpu_mode mode;
	u8 bytes[HB_INSN_MAX_LEN];
	u8 nbytes;
	u64 reg;	/* old register value (load) or source register (store) */
	u64 data;	/* data read (load); ignored for stores */
	u64 want;	/* new register value (load) or data written (store) */
};

#define OLD 0x1122334455667788ULL

static const struct value_case load_cases[] = {
	{ "mov (%rdi),%al", L64, BYTES(0x8a, 0x07), OLD, 0xab, 0x11223344556677abULL },
	{ "mov (%rdi),%al (junk above)", L64, BYTES(0x8a, 0x07), OLD, 0xffffff00ab, 0x11223344556677abULL },
	{ "mov (%rdi),%ah", L64, BYTES(0x8a, 0x27), OLD, 0xab, 0x112233445566ab88ULL },
	{ "mov (%rdi),%bh", L64, BYTES(0x8a, 0x3f), OLD, 0x1ff, 0x112233445566ff88ULL },
	{ "mov (%rdi),%spl", L64, BYTES(0x40, 0x8a, 0x27), OLD, 0xab, 0x11223344556677abULL },
	{ "mov (%rdi),%ax", L64, BYTES(0x66, 0x8b, 0x07), OLD, 0xfffbeef, 0x112233445566beefULL },
	{ "mov (%rdi),%eax", L64, BYTES(0x8b, 0x07), OLD, 0xdeadbeef, 0xdeadbeefULL },
	{ "mov (%rdi),%eax (junk above)", L64, BYTES(0x8b, 0x07), OLD, 0xffffffff80000000ULL, 0x80000000ULL },
	{ "mov (%rdi),%rax", L64, BYTES(0x48, 0x8b, 0x07), OLD, 0xfedcba9876543210ULL, 0xfedcba9876543210ULL },
	{ "movabs 0x0,%al", L64, BYTES(0xa0, 0, 0, 0, 0, 0, 0, 0, 0), OLD, 0x01, 0x1122334455667701ULL },
	{ "movzbl (%rdi),%eax", L64, BYTES(0x0f, 0xb6, 0x07), OLD, 0x80, 0x80 },
	{ "movzbw (%rdi),%ax", L64, BYTES(0x66, 0x0f, 0xb6, 0x07), OLD, 0x80, 0x1122334455660080ULL },
	{ "movzbq (%rdi),%rax", L64, BYTES(0x48, 0x0f, 0xb6, 0x07), OLD, 0x12ff, 0xff },
	{ "movzwl (%rdi),%eax", L64, BYTES(0x0f, 0xb7, 0x07), OLD, 0x18000, 0x8000 },
	{ "movzwq (%rdi),%rax", L64, BYTES(0x48, 0x0f, 0xb7, 0x07), OLD, 0xffff, 0xffff },
	{ "movsbl (%rdi),%eax", L64, BYTES(0x0f, 0xbe, 0x07), OLD, 0x80, 0xffffff80ULL },
	{ "movsbl (%rdi),%eax +", L64, BYTES(0x0f, 0xbe, 0x07), OLD, 0x7f, 0x7f },
	{ "movsbw (%rdi),%ax", L64, BYTES(0x66, 0x0f, 0xbe, 0x07), OLD, 0xfe, 0x112233445566fffeULL },
	{ "movsbq (%rdi),%rax", L64, BYTES(0x48, 0x0f, 0xbe, 0x07), OLD, 0x80, 0xffffffffffffff80ULL },
	{ "movswl (%rdi),%eax", L64, BYTES(0x0f, 0xbf, 0x07), OLD, 0x8001, 0xffff8001ULL },
	{ "movsww (%rdi),%ax", L64, BYTES(0x66, 0x0f, 0xbf, 0x07), OLD, 0x8000, 0x1122334455668000ULL },
	{ "movswq (%rdi),%rax", L64, BYTES(0x48, 0x0f, 0xbf, 0x07), OLD, 0x7fff, 0x7fff },
	{ "movswq (%rdi),%rax -", L64, BYTES(0x48, 0x0f, 0xbf, 0x07), OLD, 0xffff, 0xffffffffffffffffULL },
	{ "movslq (%rdi),%rax", L64, BYTES(0x48, 0x63, 0x07), OLD, 0x80000000, 0xffffffff80000000ULL },
	{ "movslq (%rdi),%rax +", L64, BYTES(0x48, 0x63, 0x07), OLD, 0x7fffffff, 0x7fffffff },
	{ "mov (%bx),%ax (real)", R, BYTES(0x8b, 0x07), OLD, 0x1234, 0x1122334455661234ULL },
	{ "mov (%bx),%eax (real)", R, BYTES(0x66, 0x8b, 0x07), OLD, 0x12345678, 0x12345678 },
	{ "mov (%edi),%ah (32)", P32, BYTES(0x8a, 0x27), 0xaabbccdd, 0x11, 0xaabb11dd },
	{ "mov (%edi),%eax (32)", P32, BYTES(0x8b, 0x07), OLD, 0xcafef00d, 0xcafef00d },
	/* a store leaves the register alone */
	{ "mov %eax,(%rdi)", L64, BYTES(0x89, 0x07), OLD, 0xdead, OLD },
	{ "movl $0x1,(%rdi)", L64, BYTES(0xc7, 0x07, 1, 0, 0, 0), OLD, 0xdead, OLD },
};

static const struct value_case store_cases[] = {
	{ "mov %al,(%rdi)", L64, BYTES(0x88, 0x07), OLD, 0, 0x88 },
	{ "mov %ah,(%rdi)", L64, BYTES(0x88, 0x27), OLD, 0, 0x77 },
	{ "mov %bh,(%rdi)", L64, BYTES(0x88, 0x3f), 0xa5b6, 0, 0xa5 },
	{ "mov %spl,(%rdi)", L64, BYTES(0x40, 0x88, 0x27), OLD, 0, 0x88 },
	{ "mov %ax,(%rdi)", L64, BYTES(0x66, 0x89, 0x07), OLD, 0, 0x7788 },
	{ "mov %eax,(%rdi)", L64, BYTES(0x89, 0x07), OLD, 0, 0x55667788 },
	{ "mov %rax,(%rdi)", L64, BYTES(0x48, 0x89, 0x07), OLD, 0, OLD },
	{ "movabs %al,0x0", L64, BYTES(0xa2, 0, 0, 0, 0, 0, 0, 0, 0), OLD, 0, 0x88 },
	{ "mov %dh,(%bx)", R, BYTES(0x88, 0x37), 0x1234, 0, 0x12 },
	{ "movb $0xab,(%rdi)", L64, BYTES(0xc6, 0x07, 0xab), OLD, 0, 0xab },
	{ "movw $0x8000,(%rdi)", L64, BYTES(0x66, 0xc7, 0x07, 0x00, 0x80), OLD, 0, 0x8000 },
	{ "movl $0x80000000,(%rdi)", L64, BYTES(0xc7, 0x07, 0x00, 0x00, 0x00, 0x80), OLD, 0, 0x80000000ULL },
	{ "movq $-1,(%rdi)", L64, BYTES(0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff), OLD, 0, 0xffffffffffffffffULL },
	{ "movq $-0x80000000,(%rdi)", L64, BYTES(0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80), OLD, 0, 0xffffffff80000000ULL },
	{ "movq $0x7fffffff,(%rdi)", L64, BYTES(0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0x7f), OLD, 0, 0x7fffffff },
	{ "movw $0xffff,(%bx)", R, BYTES(0xc7, 0x07, 0xff, 0xff), OLD, 0, 0xffff },
	/* a load writes nothing */
	{ "mov (%rdi),%eax", L64, BYTES(0x8b, 0x07), OLD, 0, 0 },
};

static void test_merge_load(void **state)
{
	struct hb_insn insn;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(load_cases); i++) {
		const struct value_case *v = &load_cases[i];
		u64 got;

		assert_int_equal(decode_exact(v->bytes, v->nbytes, v->mode, &insn), 0);
		got = hb_insn_merge_load(&insn, v->reg, v->data);
		if (got != v->want)
			fail_msg("%s: got %#llx want %#llx", v->text,
				 (unsigned long long)got, (unsigned long long)v->want);
	}
}

static void test_store_value(void **state)
{
	struct hb_insn insn;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(store_cases); i++) {
		const struct value_case *v = &store_cases[i];
		u64 got;

		assert_int_equal(decode_exact(v->bytes, v->nbytes, v->mode, &insn), 0);
		got = hb_insn_store_value(&insn, v->reg);
		if (got != v->want)
			fail_msg("%s: got %#llx want %#llx", v->text,
				 (unsigned long long)got, (unsigned long long)v->want);
	}
}

/* ---- hb_insn_effective_addr ---- */

struct ea_case {
	const char *text;
	enum hb_cpu_mode mode;
	u8 bytes[HB_INSN_MAX_LEN];
	u8 nbytes;
	u64 rip;
	u64 want;
};

static const struct ea_case ea_cases[] = {
	{ "mov 0x10(%rbx,%rcx,4),%eax", L64, BYTES(0x8b, 0x44, 0x8b, 0x10), 0, 0x1000 + 3 * 4 + 0x10 },
	{ "mov -0x10(%rip),%eax", L64, BYTES(0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff), 0x400000, 0x400000 + 6 - 0x10 },
	{ "mov 0x10(%eip),%eax", L64, BYTES(0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), 0xfffffff0, 0x7 },
	{ "mov -0x1(%eax),%eax", L64, BYTES(0x67, 0x8b, 0x40, 0xff), 0, 0xffffffff },
	{ "mov 0x0(%r13,%r12,8),%eax", L64, BYTES(0x43, 0x8b, 0x44, 0xe5, 0x00), 0, 0xd000 + 0xc000 * 8 },
	{ "mov 0x5(%bx,%si),%ax", R, BYTES(0x8b, 0x40, 0x05), 0, (0x0005 + 0xffff + 5) & 0xffff },
	{ "mov -0x2,%ax", R, BYTES(0x8b, 0x06, 0xfe, 0xff), 0, 0xfffe },
	{ "mov -0x1(%ebx),%eax", P32, BYTES(0x8b, 0x43, 0xff), 0, 0x12344fff },
	{ "mov 0x1000(,%rcx,8),%eax", L64, BYTES(0x8b, 0x04, 0xcd, 0x00, 0x10, 0x00, 0x00), 0, 0x1018 },
	{ "movabs 0x1122334455667788,%eax", L64, BYTES(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), 0, 0x1122334455667788ULL },
	{ "mov 0xfffffffffffffff0,%eax", L64, BYTES(0x8b, 0x04, 0x25, 0xf0, 0xff, 0xff, 0xff), 0, 0xfffffffffffffff0ULL },
};

static void test_effective_addr(void **state)
{
	u64 gprs[16];
	struct hb_insn insn;
	size_t i;

	(void)state;
	for (i = 0; i < 16; i++)
		gprs[i] = i * 0x1000;
	gprs[RCX] = 3;
	gprs[RAX] = 0xffffffff00000000ULL;
	gprs[RSI] = 0xffff;
	for (i = 0; i < ARRAY_SIZE(ea_cases); i++) {
		const struct ea_case *c = &ea_cases[i];
		u64 got;

		/* 16/32-bit modes: BX/EBX carry garbage above their width */
		gprs[RBX] = c->mode == R ? 0xabcd00000005ULL :
			    c->mode == P32 ? 0xabcd000012345000ULL : 0x1000;
		assert_int_equal(decode_exact(c->bytes, c->nbytes, c->mode, &insn), 0);
		got = hb_insn_effective_addr(&insn, gprs, c->rip);
		if (got != c->want)
			fail_msg("%s: got %#llx want %#llx", c->text,
				 (unsigned long long)got, (unsigned long long)c->want);
	}
}

int main(void)
{
	const struct CMUnitTest misc[] = {
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_over_15_in_long_buffer),
		cmocka_unit_test(test_bad_mode),
		cmocka_unit_test(test_opcode_sweep),
		cmocka_unit_test(test_modrm_reg_forms),
		cmocka_unit_test(test_modrm_sweep),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_merge_load),
		cmocka_unit_test(test_store_value),
		cmocka_unit_test(test_effective_addr),
	};
	struct CMUnitTest *rows;
	char (*names)[96];
	size_t i, n = ARRAY_SIZE(cases);
	int failed;

	/* One cmocka test per table row, named after its disassembly. */
	rows = calloc(n, sizeof(*rows));
	names = calloc(n, sizeof(*names));
	if (!rows || !names)
		return 1;
	for (i = 0; i < n; i++) {
		static const char *const mode_name[] = { "real", "prot16", "prot32", "long64" };

		snprintf(names[i], sizeof(names[i]), "%s: %s", mode_name[cases[i].mode], cases[i].text);
		rows[i].name = names[i];
		rows[i].test_func = test_table_row;
		rows[i].initial_state = (void *)&cases[i];
	}
	failed = _cmocka_run_group_tests("decode_table", rows, n, NULL, NULL);
	failed += cmocka_run_group_tests_name("decode_misc", misc, NULL, NULL);
	free(rows);
	free(names);
	return failed ? 1 : 0;
}
