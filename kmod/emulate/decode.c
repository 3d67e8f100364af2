// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction decoder for MMIO exits: prefixes, ModRM/SIB/displacement
 * and the handful of MOV forms MMIO accessors use.  Anything not understood
 * fails with HB_DECODE_UNSUPPORTED; a wrong decode would silently corrupt
 * guest state, an error only stops the vCPU.
 *
 * Section references are to the Intel SDM Vol. 2 (2.1 instruction format,
 * 2.2.1 REX, tables 2-1 to 2-3 ModRM/SIB).
 */
#include "decode.h"

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/errno.h>
static_assert(HB_DECODE_UNSUPPORTED == -EOPNOTSUPP);
static_assert(HB_DECODE_TRUNCATED == -ENODATA);
/* The decoder relies on these numbers, which hb.h defines for the core. */
static_assert(HB_MODE_REAL == 0 && HB_MODE_PROT16 == 1 &&
	      HB_MODE_PROT32 == 2 && HB_MODE_LONG64 == 3);
static_assert(HB_SEG_ES == 0 && HB_SEG_CS == 1 && HB_SEG_SS == 2 &&
	      HB_SEG_DS == 3 && HB_SEG_FS == 4 && HB_SEG_GS == 5);
#endif

#define REX_W	0x8
#define REX_R	0x4
#define REX_X	0x2
#define REX_B	0x1

#define GPR_RSP	4
#define GPR_RBP	5

/* Bytes of one instruction, consumed front to back. */
struct cursor {
	const u8 *bytes;
	unsigned int len;
	unsigned int pos;
};

/* Prefix state and sizes in force for the opcode being decoded. */
struct prefixes {
	u8 rex;			/* 0 when absent or ignored */
	bool has_rex;		/* an effective REX, even 0x40: selects SPL..DIL */
	bool opsize;		/* 0x66 seen */
	bool adsize;		/* 0x67 seen */
	int seg;		/* last segment override, or -1 */
};

/*
 * The 15-byte limit is checked before the buffer end: an instruction that
 * would be too long is invalid however many bytes the caller could fetch,
 * whereas TRUNCATED tells the caller that fetching more might help.
 */
static int fetch_u8(struct cursor *c, u8 *out)
{
	if (c->pos >= HB_INSN_MAX_LEN)
		return HB_DECODE_UNSUPPORTED;
	if (c->pos >= c->len)
		return HB_DECODE_TRUNCATED;
	*out = c->bytes[c->pos++];
	return 0;
}

/* Little-endian immediate or displacement of @size bytes, zero-extended. */
static int fetch_le(struct cursor *c, unsigned int size, u64 *out)
{
	unsigned int i;
	u64 val = 0;
	u8 b;
	int ret;

	for (i = 0; i < size; i++) {
		ret = fetch_u8(c, &b);
		if (ret)
			return ret;
		val |= (u64)b << (8 * i);
	}
	*out = val;
	return 0;
}

/* Sign-extend the low @size bytes of @val without relying on signed shifts. */
static u64 sign_extend(u64 val, unsigned int size)
{
	u64 sign;

	if (size >= 8)
		return val;
	sign = 1ULL << (8 * size - 1);
	val &= (sign << 1) - 1;
	return (val ^ sign) - sign;
}

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static int read_prefixes(struct cursor *c, enum hb_cpu_mode mode,
			 struct prefixes *p)
{
	u8 b;
	int ret;

	p->rex = 0;
	p->has_rex = false;
	p->opsize = false;
	p->adsize = false;
	p->seg = -1;

	for (;;) {
		ret = fetch_u8(c, &b);
		if (ret)
			return ret;

		/*
		 * 2.2.1: a REX only counts when it immediately precedes the
		 * opcode, so any later prefix (including another REX)
		 * cancels it.
		 */
		if (mode == HB_MODE_LONG64 && (b & 0xf0) == 0x40) {
			p->rex = b & 0x0f;
			p->has_rex = true;
			continue;
		}

		switch (b) {
		case 0x66:
			p->opsize = true;
			break;
		case 0x67:
			p->adsize = true;
			break;
		case 0x26:
			p->seg = HB_SEG_ES;
			break;
		case 0x2e:
			p->seg = HB_SEG_CS;
			break;
		case 0x36:
			p->seg = HB_SEG_SS;
			break;
		case 0x3e:
			p->seg = HB_SEG_DS;
			break;
		case 0x64:
			p->seg = HB_SEG_FS;
			break;
		case 0x65:
			p->seg = HB_SEG_GS;
			break;
		case 0xf0:
			/* LOCK MOV is #UD (LOCK prefix description, Vol. 2A 3.2). */
			return HB_DECODE_UNSUPPORTED;
		case 0xf2:
		case 0xf3:
			/*
			 * F2/F3 turn C6/C7/88/89 into XACQUIRE/XRELEASE
			 * (HLE); no MMIO accessor emits that, so refuse
			 * rather than guess.
			 */
			return HB_DECODE_UNSUPPORTED;
		default:
			c->pos--;	/* the opcode: leave it for the caller */
			return 0;
		}
		p->rex = 0;
		p->has_rex = false;
	}
}

/* Table 2-1: 16-bit addressing forms, indexed by ModRM.rm. */
static const s8 modrm16_base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
static const s8 modrm16_index[8] = { 6, 7, 6, 7, HB_REG_NONE, HB_REG_NONE,
				     HB_REG_NONE, HB_REG_NONE };

static int decode_mem16(struct cursor *c, u8 mod, u8 rm, struct hb_insn *insn)
{
	struct hb_insn_mem *m = &insn->mem;
	unsigned int disp_size = mod == 1 ? 1 : 2;
	u64 disp;
	int ret;

	m->scale = 1;
	if (mod == 0 && rm == 6) {
		/* [disp16]: the slot of [BP] without displacement. */
		m->base = HB_REG_NONE;
		m->index = HB_REG_NONE;
	} else {
		m->base = modrm16_base[rm];
		m->index = modrm16_index[rm];
		if (mod == 0)
			disp_size = 0;
	}
	/* BP-based forms address the stack segment (Vol. 1 3.7.5). */
	if (m->base == GPR_RBP)
		insn->seg = HB_SEG_SS;

	ret = fetch_le(c, disp_size, &disp);
	if (ret)
		return ret;
	m->disp = disp_size ? sign_extend(disp, disp_size) : 0;
	return 0;
}

static int decode_mem32_64(struct cursor *c, enum hb_cpu_mode mode, u8 rex,
			   u8 mod, u8 rm, struct hb_insn *insn)
{
	struct hb_insn_mem *m = &insn->mem;
	unsigned int disp_size;
	u8 sib, base, index;
	u64 disp;
	int ret;

	m->scale = 1;
	m->index = HB_REG_NONE;
	disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;

	if (rm == 4) {
		ret = fetch_u8(c, &sib);
		if (ret)
			return ret;
		base = sib & 7;
		index = ((sib >> 3) & 7) | (rex & REX_X ? 8 : 0);
		/* Table 2-3: index 100 means none; REX.X makes it R12. */
		if (index != 4) {
			m->index = index;
			m->scale = 1 << (sib >> 6);
		}
		/* base 101 with mod 00 is disp32 only, even with REX.B. */
		if (base == 5 && mod == 0) {
			m->base = HB_REG_NONE;
			disp_size = 4;
		} else {
			m->base = base | (rex & REX_B ? 8 : 0);
		}
	} else if (rm == 5 && mod == 0) {
		/* 2.2.1.6: RIP-relative in 64-bit mode, absolute elsewhere. */
		m->base = HB_REG_NONE;
		m->rip_relative = mode == HB_MODE_LONG64;
		disp_size = 4;
	} else {
		m->base = rm | (rex & REX_B ? 8 : 0);
	}

	/* Only RSP/RBP default to SS; R12/R13 do not (Vol. 1 3.7.5). */
	if (m->base == GPR_RSP || m->base == GPR_RBP)
		insn->seg = HB_SEG_SS;

	ret = fetch_le(c, disp_size, &disp);
	if (ret)
		return ret;
	m->disp = disp_size ? sign_extend(disp, disp_size) : 0;
	return 0;
}

/*
 * ModRM and what follows it up to the immediate.  @reg_out gets the 3-bit
 * reg field extended by REX.R; register-direct forms (mod 11) are not
 * memory accesses and thus not MMIO.
 */
static int decode_modrm(struct cursor *c, enum hb_cpu_mode mode,
			const struct prefixes *p, struct hb_insn *insn,
			u8 *reg_field)
{
	u8 modrm, mod, rm;
	int ret;

	ret = fetch_u8(c, &modrm);
	if (ret)
		return ret;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg_field = (modrm >> 3) & 7;
	if (mod == 3)
		return HB_DECODE_UNSUPPORTED;

	if (insn->addr_size == 2)
		return decode_mem16(c, mod, rm, insn);
	return decode_mem32_64(c, mode, p->rex, mod, rm, insn);
}

/*
 * The register named by ModRM.reg.  Without any REX, byte registers 4-7 are
 * AH/CH/DH/BH, i.e. bits 15:8 of registers 0-3 (2.2.1.2).
 */
static void set_reg(struct hb_insn *insn, const struct prefixes *p,
		    u8 reg_field, u8 size)
{
	insn->reg_size = size;
	if (size == 1 && !p->has_rex && reg_field >= 4) {
		insn->reg = reg_field - 4;
		insn->reg_high8 = true;
		return;
	}
	insn->reg = reg_field | (p->rex & REX_R ? 8 : 0);
}

static void clear_insn(struct hb_insn *insn)
{
	insn->len = 0;
	insn->op = 0;
	insn->access_size = 0;
	insn->reg = 0;
	insn->reg_size = 0;
	insn->reg_high8 = false;
	insn->seg = HB_SEG_DS;
	insn->seg_override = false;
	insn->addr_size = 0;
	insn->imm = 0;
	insn->mem.base = HB_REG_NONE;
	insn->mem.index = HB_REG_NONE;
	insn->mem.scale = 1;
	insn->mem.rip_relative = false;
	insn->mem.disp = 0;
}

/* A0-A3: accumulator to/from an absolute offset of address size. */
static int decode_moffs(struct cursor *c, u8 opcode, u8 opsize,
			struct hb_insn *insn)
{
	insn->op = opcode & 2 ? HB_OP_STORE : HB_OP_LOAD;
	insn->access_size = opcode & 1 ? opsize : 1;
	/* Always AL/AX/EAX/RAX: REX.B does not apply, and AL is never AH. */
	insn->reg = 0;
	insn->reg_size = insn->access_size;
	return fetch_le(c, insn->addr_size, &insn->mem.disp);
}

static int decode_body(struct cursor *c, enum hb_cpu_mode mode,
		       struct hb_insn *insn)
{
	struct prefixes p;
	bool default16 = mode == HB_MODE_REAL || mode == HB_MODE_PROT16;
	u8 opcode, reg_field, opsize;
	u64 imm;
	int ret;

	ret = read_prefixes(c, mode, &p);
	if (ret)
		return ret;

	/* REX.W beats 0x66, which toggles the default (Vol. 2 2.2.1.2, Vol. 1 3.6). */
	if (p.rex & REX_W)
		opsize = 8;
	else
		opsize = default16 != p.opsize ? 2 : 4;

	if (mode == HB_MODE_LONG64)
		insn->addr_size = p.adsize ? 4 : 8;
	else
		insn->addr_size = default16 != p.adsize ? 2 : 4;

	ret = fetch_u8(c, &opcode);
	if (ret)
		return ret;

	switch (opcode) {
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
		ret = decode_modrm(c, mode, &p, insn, &reg_field);
		if (ret)
			return ret;
		insn->op = opcode & 2 ? HB_OP_LOAD : HB_OP_STORE;
		insn->access_size = opcode & 1 ? opsize : 1;
		set_reg(insn, &p, reg_field, insn->access_size);
		break;
	case 0xc6:
	case 0xc7:
		ret = decode_modrm(c, mode, &p, insn, &reg_field);
		if (ret)
			return ret;
		/* Only /0 is MOV; REX.R does not extend an opcode extension. */
		if (reg_field != 0)
			return HB_DECODE_UNSUPPORTED;
		insn->op = HB_OP_STORE_IMM;
		insn->access_size = opcode & 1 ? opsize : 1;
		/* C7 with REX.W takes imm32 and sign-extends it to 64. */
		ret = fetch_le(c, insn->access_size == 8 ? 4 : insn->access_size,
			       &imm);
		if (ret)
			return ret;
		insn->imm = insn->access_size == 8 ? sign_extend(imm, 4) : imm;
		break;
	case 0x63:
		/*
		 * MOVSXD only with REX.W: without it the 64-bit form is a
		 * plain 32-bit move that vendors treat differently with 0x66,
		 * and outside 64-bit mode 63 is ARPL.
		 */
		if (mode != HB_MODE_LONG64 || !(p.rex & REX_W))
			return HB_DECODE_UNSUPPORTED;
		ret = decode_modrm(c, mode, &p, insn, &reg_field);
		if (ret)
			return ret;
		insn->op = HB_OP_LOAD_SX;
		insn->access_size = 4;
		set_reg(insn, &p, reg_field, 8);
		break;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		ret = decode_moffs(c, opcode, opsize, insn);
		if (ret)
			return ret;
		break;
	case 0x0f:
		ret = fetch_u8(c, &opcode);
		if (ret)
			return ret;
		if (opcode != 0xb6 && opcode != 0xb7 &&
		    opcode != 0xbe && opcode != 0xbf)
			return HB_DECODE_UNSUPPORTED;
		ret = decode_modrm(c, mode, &p, insn, &reg_field);
		if (ret)
			return ret;
		insn->op = opcode & 8 ? HB_OP_LOAD_SX : HB_OP_LOAD_ZX;
		insn->access_size = opcode & 1 ? 2 : 1;
		set_reg(insn, &p, reg_field, opsize);
		break;
	default:
		return HB_DECODE_UNSUPPORTED;
	}

	if (p.seg >= 0) {
		insn->seg_override = true;
		/* Vol. 1 3.3.7.1: 64-bit mode ignores ES/CS/SS/DS overrides. */
		if (mode != HB_MODE_LONG64 ||
		    p.seg == HB_SEG_FS || p.seg == HB_SEG_GS)
			insn->seg = p.seg;
	}
	insn->len = c->pos;
	return 0;
}

/**
 * hb_decode() - decode one MMIO instruction
 * @bytes: instruction bytes starting at the guest RIP
 * @len: number of valid bytes at @bytes; never read beyond, never beyond 15
 * @mode: guest code segment mode, which selects default operand/address size
 * @out: filled on success; contents unspecified on failure
 *
 * Recognised: MOV 88/89/8A/8B, MOV C6 /0 and C7 /0, MOV A0-A3 (moffs), MOVZX
 * 0F B6/B7, MOVSX 0F BE/BF and, in 64-bit mode with REX.W, MOVSXD 63; each
 * only with a memory operand.  Prefixes 66, 67, segment overrides and (64-bit
 * mode) REX are understood; LOCK, REP/REPNE and anything else are refused.
 *
 * Return: 0 on success, HB_DECODE_TRUNCATED if @len ends inside an otherwise
 * acceptable instruction, HB_DECODE_UNSUPPORTED for everything this decoder
 * does not model (including encodings longer than HB_INSN_MAX_LEN).
 */
int hb_decode(const u8 *bytes, unsigned int len, enum hb_cpu_mode mode,
	      struct hb_insn *out)
{
	struct cursor c = { .bytes = bytes, .len = len, .pos = 0 };

	if (mode != HB_MODE_REAL && mode != HB_MODE_PROT16 &&
	    mode != HB_MODE_PROT32 && mode != HB_MODE_LONG64)
		return HB_DECODE_UNSUPPORTED;
	clear_insn(out);
	return decode_body(&c, mode, out);
}

/**
 * hb_insn_merge_load() - register value after a completed load
 * @insn: a decoded HB_OP_LOAD, HB_OP_LOAD_ZX or HB_OP_LOAD_SX instruction
 * @old_reg: full 64-bit value of GPR @insn->reg before the instruction
 * @data: the bytes read from memory, little-endian in the low
 *	@insn->access_size bytes; higher bits are ignored
 *
 * Applies the x86 register-write rules: 8- and 16-bit destinations keep the
 * other bits (AH-style destinations replace bits 15:8), 32-bit destinations
 * zero-extend to 64 bits.  That zero-extension is architectural in 64-bit
 * mode and harmless elsewhere, where bits 63:32 are undefined.
 *
 * Return: the new value of GPR @insn->reg; @old_reg for non-load instructions.
 */
u64 hb_insn_merge_load(const struct hb_insn *insn, u64 old_reg, u64 data)
{
	u64 val = data & size_mask(insn->access_size);

	switch (insn->op) {
	case HB_OP_LOAD_SX:
		val = sign_extend(val, insn->access_size);
		break;
	case HB_OP_LOAD:
	case HB_OP_LOAD_ZX:
		break;
	default:
		return old_reg;
	}

	switch (insn->reg_size) {
	case 1:
		if (insn->reg_high8)
			return (old_reg & ~0xff00ULL) | ((val & 0xff) << 8);
		return (old_reg & ~0xffULL) | (val & 0xff);
	case 2:
		return (old_reg & ~0xffffULL) | (val & 0xffff);
	case 4:
		return val & 0xffffffffULL;
	case 8:
		return val;
	default:
		return old_reg;
	}
}

/**
 * hb_insn_store_value() - data a store writes to memory
 * @insn: a decoded HB_OP_STORE or HB_OP_STORE_IMM instruction
 * @reg_value: full 64-bit value of GPR @insn->reg (ignored for immediates)
 *
 * Return: the @insn->access_size bytes to write, zero-extended to 64 bits
 * (bits 15:8 of the register for AH-style sources); 0 for loads.
 */
u64 hb_insn_store_value(const struct hb_insn *insn, u64 reg_value)
{
	switch (insn->op) {
	case HB_OP_STORE:
		if (insn->reg_high8)
			return (reg_value >> 8) & 0xff;
		return reg_value & size_mask(insn->access_size);
	case HB_OP_STORE_IMM:
		return insn->imm & size_mask(insn->access_size);
	default:
		return 0;
	}
}

/**
 * hb_insn_effective_addr() - offset of the memory operand within its segment
 * @insn: a decoded instruction
 * @gprs: the 16 general-purpose registers, RAX=0 ... R15=15
 * @rip: address of the instruction itself (RIP-relative operands are based
 *	on the next instruction, @rip + @insn->len)
 *
 * The caller adds the base of segment @insn->seg for a linear address.
 *
 * Return: the effective address truncated to @insn->addr_size.
 */
u64 hb_insn_effective_addr(const struct hb_insn *insn, const u64 *gprs, u64 rip)
{
	const struct hb_insn_mem *m = &insn->mem;
	u64 ea = m->disp;

	if (m->rip_relative)
		ea += rip + insn->len;
	if (m->base != HB_REG_NONE)
		ea += gprs[m->base & 15];
	if (m->index != HB_REG_NONE)
		ea += gprs[m->index & 15] * m->scale;
	return ea & size_mask(insn->addr_size);
}
