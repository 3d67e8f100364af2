/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction decoder for MMIO exits.
 *
 * A guest access that no memory slot backs traps to the hypervisor with the
 * guest-physical address but, on SVM without decode assists, without any
 * description of the instruction.  This decoder recognises exactly the
 * memory forms of MOV/MOVZX/MOVSX/MOVSXD that MMIO accessors (Linux
 * readb..readq, writeb..writeq, and typical drivers) compile to, and rejects
 * everything else so the caller can report an internal error with the
 * instruction bytes instead of emulating something wrongly.
 *
 * Typical use on an MMIO exit, with regs[] the 16 GPRs in encoding order:
 *
 *	ret = hb_decode(bytes, n, mode, &insn);	 (failure: internal error)
 *	store: send hb_insn_store_value(&insn, regs[insn.reg]), which is
 *	       insn.access_size bytes, to the device
 *	load:  once the data is back, regs[insn.reg] =
 *	       hb_insn_merge_load(&insn, regs[insn.reg], data)
 *	then:  rip += insn.len
 *
 * The code is freestanding C: it builds inside hyperbox.ko and on the host
 * for the cmocka unit tests in tests/unit/.
 */
#ifndef HB_EMULATE_DECODE_H
#define HB_EMULATE_DECODE_H

#ifdef __KERNEL__
#include <linux/types.h>
/*
 * The core owns enum hb_cpu_mode and the HB_SEG_* numbers (hb_types.h);
 * the host branch below mirrors them and decode.c asserts the values in
 * kernel builds.
 */
#include "../hb_types.h"
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* Execution mode of the guest code segment; it selects the default sizes. */
enum hb_cpu_mode {
	HB_MODE_REAL,		/* real or virtual-8086 mode: 16-bit operands and addresses */
	HB_MODE_PROT16,		/* protected or compatibility mode, CS.D = 0 */
	HB_MODE_PROT32,		/* protected or compatibility mode, CS.D = 1 */
	HB_MODE_LONG64,		/* 64-bit mode, CS.L = 1 */
};

/* Segment registers, numbered as in the ModRM sreg field (SDM Vol. 2 B.1.4.3). */
#define HB_SEG_ES	0
#define HB_SEG_CS	1
#define HB_SEG_SS	2
#define HB_SEG_DS	3
#define HB_SEG_FS	4
#define HB_SEG_GS	5
#endif /* __KERNEL__ */

/* SDM Vol. 2 2.3.11: longer instructions raise #GP, so we never look further. */
#define HB_INSN_MAX_LEN		15

/*
 * Decoder failures.  Numerically equal to -EOPNOTSUPP and -ENODATA so the
 * kernel caller may pass them on as errno values; decode.c asserts this when
 * built in the kernel.
 */
#define HB_DECODE_UNSUPPORTED	(-95)	/* not a supported memory MOV form, or > 15 bytes */
#define HB_DECODE_TRUNCATED	(-61)	/* the bytes end before the instruction does */

/* Marks an absent base or index register in struct hb_insn_mem. */
#define HB_REG_NONE		(-1)

/* What the instruction does with memory and its register operand. */
enum hb_insn_op {
	HB_OP_LOAD = 1,		/* MOV reg, mem (8A, 8B, A0, A1) */
	HB_OP_LOAD_ZX,		/* MOVZX reg, mem (0F B6, 0F B7) */
	HB_OP_LOAD_SX,		/* MOVSX reg, mem (0F BE, 0F BF); MOVSXD (REX.W 63) */
	HB_OP_STORE,		/* MOV mem, reg (88, 89, A2, A3) */
	HB_OP_STORE_IMM,	/* MOV mem, imm (C6 /0, C7 /0) */
};

/**
 * struct hb_insn_mem - the memory operand
 * @base: base GPR (0-15, RAX=0 ... R15=15) or HB_REG_NONE
 * @index: index GPR (0-15) or HB_REG_NONE
 * @scale: multiplier of @index: 1, 2, 4 or 8 (1 when there is no index)
 * @rip_relative: the address is relative to the next instruction (64-bit mode,
 *	ModRM mod=00 rm=101); @base and @index are then HB_REG_NONE
 * @disp: displacement, sign-extended to 64 bits; for the moffs forms (A0-A3)
 *	the absolute offset, zero-extended
 *
 * The effective address is (base + index * scale + disp [+ next RIP]) taken
 * modulo 2^(8 * hb_insn.addr_size); hb_insn_effective_addr() computes it.
 */
struct hb_insn_mem {
	s8 base;
	s8 index;
	u8 scale;
	bool rip_relative;
	u64 disp;
};

/**
 * struct hb_insn - a decoded MMIO instruction
 * @len: total length in bytes, prefixes included; RIP advances by this much
 * @op: what the instruction does, enum hb_insn_op
 * @access_size: bytes read from or written to memory: 1, 2, 4 or 8
 * @reg: GPR number (0-15) of the register operand; for AH/CH/DH/BH this is the
 *	containing register (RAX/RCX/RDX/RBX = 0-3) with @reg_high8 set; 0 for
 *	HB_OP_STORE_IMM, which has no register operand
 * @reg_size: size in bytes of the register operand: the destination size for
 *	loads (larger than @access_size for MOVZX/MOVSX/MOVSXD), equal to
 *	@access_size for stores, 0 for HB_OP_STORE_IMM
 * @reg_high8: the register operand is bits 15:8 of @reg (AH/CH/DH/BH, only
 *	possible without a REX prefix)
 * @seg: segment of the memory access (HB_SEG_*), override applied.  In
 *	64-bit mode only FS and GS overrides take effect (SDM Vol. 1 3.3.7.1),
 *	so ES/CS/SS/DS prefixes leave the default there
 * @seg_override: a segment-override prefix was given (even if ignored)
 * @addr_size: address size in bytes: 2, 4 or 8
 * @imm: for HB_OP_STORE_IMM the value written, zero-extended from
 *	@access_size (for a 64-bit store, imm32 sign-extended to 64 bits)
 * @mem: the memory operand
 */
struct hb_insn {
	u8 len;
	enum hb_insn_op op;
	u8 access_size;
	u8 reg;
	u8 reg_size;
	bool reg_high8;
	u8 seg;
	bool seg_override;
	u8 addr_size;
	u64 imm;
	struct hb_insn_mem mem;
};

int hb_decode(const u8 *bytes, unsigned int len, enum hb_cpu_mode mode,
	      struct hb_insn *out);
u64 hb_insn_merge_load(const struct hb_insn *insn, u64 old_reg, u64 data);
u64 hb_insn_store_value(const struct hb_insn *insn, u64 reg_value);
u64 hb_insn_effective_addr(const struct hb_insn *insn, const u64 *gprs, u64 rip);

/**
 * hb_insn_is_write() - does the instruction write to memory?
 * @insn: a successfully decoded instruction
 *
 * Return: true for stores (the MMIO exit carries data to userspace), false
 * for loads (userspace supplies the data).
 */
static inline bool hb_insn_is_write(const struct hb_insn *insn)
{
	return insn->op == HB_OP_STORE || insn->op == HB_OP_STORE_IMM;
}

#endif /* HB_EMULATE_DECODE_H */
