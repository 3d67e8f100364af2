// SPDX-License-Identifier: GPL-2.0
/*
 * Backend-neutral exit handling. A backend decodes its own exit format
 * (VMCB exit code, VMCS exit reason) and calls these helpers with plain
 * values. Each returns 1 to re-enter the guest, 0 to return to userspace
 * with vcpu->run describing the exit, or a negative errno.
 */
#define pr_fmt(fmt) "hyperbox: " fmt

#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include "hb.h"

#define HB_RFLAGS_DF		BIT_ULL(10)
#define HB_PIO_DATA(vcpu)	page_address((vcpu)->run_pages[1])

static bool hb_long_mode(struct hb_vcpu *vcpu)
{
	return hb_op(cpu_mode)(vcpu) == HB_MODE_LONG64;
}

static u64 hb_addr_mask(u8 addr_bytes)
{
	return addr_bytes == 8 ? ~0ULL : (1ULL << (addr_bytes * 8)) - 1;
}

/* Write an address/count register as an instruction of that size would. */
static void hb_set_sized_reg(struct hb_vcpu *vcpu, int reg, u64 val,
			     u8 bytes)
{
	u64 mask = hb_addr_mask(bytes);

	if (bytes == 4)		/* 32-bit writes zero-extend (SDM 3.4.1.1) */
		vcpu->regs[reg] = val & mask;
	else
		vcpu->regs[reg] = (vcpu->regs[reg] & ~mask) | (val & mask);
}

/*
 * How many prefix bytes (legacy, then REX in 64-bit mode) start @insn, or
 * -1 if the @n bytes hold nothing else (SDM Vol. 2, 2.1 and 2.2.1).
 */
int __hb_exit_path hb_insn_prefix_len(const u8 *insn, int n,
				      enum hb_cpu_mode mode)
{
	int i;

	for (i = 0; i < n; i++) {
		switch (insn[i]) {
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64:
		case 0x65: case 0x66: case 0x67: case 0xf0: case 0xf2:
		case 0xf3:
			continue;
		}
		if (mode == HB_MODE_LONG64 && (insn[i] & 0xf0) == 0x40)
			continue;
		return i;
	}
	return -1;
}

/* The segment a legacy prefix byte selects, or -1 (SDM Vol. 2, 2.1.1). */
static int hb_segment_prefix(u8 byte)
{
	switch (byte) {
	case 0x26:
		return HB_SEG_ES;
	case 0x2e:
		return HB_SEG_CS;
	case 0x36:
		return HB_SEG_SS;
	case 0x3e:
		return HB_SEG_DS;
	case 0x64:
		return HB_SEG_FS;
	case 0x65:
		return HB_SEG_GS;
	default:
		return -1;
	}
}

/*
 * Prefixes of the string instruction at RIP: the segment override, and
 * the address size, which QEMU's SVM leaves out of EXITINFO1 (the APM's
 * A16/A32/A64 bits): it follows from the mode and a 0x67 prefix.
 */
static int hb_string_io_prefixes(struct hb_vcpu *vcpu, u8 *addr_bytes)
{
	enum hb_cpu_mode mode = hb_op(cpu_mode)(vcpu);
	u8 insn[15];
	int n = hb_fetch_insn(vcpu, insn, sizeof(insn));
	int i, prefixes, seg = HB_SEG_DS;
	bool a67 = false;

	prefixes = n > 0 ? hb_insn_prefix_len(insn, n, mode) : 0;
	if (prefixes < 0)
		prefixes = n;
	for (i = 0; i < prefixes; i++) {
		if (hb_segment_prefix(insn[i]) >= 0)
			seg = hb_segment_prefix(insn[i]);
		else if (insn[i] == 0x67)
			a67 = true;
	}
	if (!*addr_bytes) {
		if (mode == HB_MODE_LONG64)
			*addr_bytes = a67 ? 4 : 8;
		else if (mode == HB_MODE_PROT32)
			*addr_bytes = a67 ? 2 : 4;
		else
			*addr_bytes = a67 ? 4 : 2;
	}
	return seg;
}

static u64 hb_string_linear(struct hb_vcpu *vcpu, int seg, u64 offset)
{
	if (hb_long_mode(vcpu) && seg != HB_SEG_FS && seg != HB_SEG_GS)
		return offset;
	return hb_op(segment_base)(vcpu, seg) + offset;
}

/* After a string I/O chunk: step rSI/rDI, count down rCX, maybe finish. */
static void hb_string_io_advance(struct hb_vcpu *vcpu, int reg)
{
	struct hb_pio_state *pio = &vcpu->pio;
	u64 bytes = (u64)pio->count * pio->size;
	u64 mask = hb_addr_mask(pio->addr_bytes);
	u64 addr = vcpu->regs[reg] & mask;
	bool done = true;

	addr = (vcpu->rflags & HB_RFLAGS_DF) ? addr - bytes : addr + bytes;
	hb_set_sized_reg(vcpu, reg, addr, pio->addr_bytes);
	if (pio->rep) {
		u64 left = (vcpu->regs[HB_RCX] & mask) - pio->count;

		hb_set_sized_reg(vcpu, HB_RCX, left, pio->addr_bytes);
		done = !left;
	}
	/* An unfinished REP re-executes and exits again for the next chunk. */
	if (done)
		hb_skip_insn(vcpu, pio->next_rip);
}

int __hb_exit_path hb_exit_pio(struct hb_vcpu *vcpu, u16 port, u8 size, bool in,
			       bool string, bool rep, u8 addr_bytes,
			       u64 next_rip)
{
	struct hb_pio_state *pio = &vcpu->pio;
	struct hb_run *run = vcpu->run;
	u8 *data = HB_PIO_DATA(vcpu);

	hb_stat_exit(HB_STAT_EXIT_IO);
	pio->port = port;
	pio->size = size;
	pio->in = in;
	pio->string = string;
	pio->rep = rep;
	pio->count = 1;
	pio->next_rip = next_rip;

	if (string) {
		int seg = hb_string_io_prefixes(vcpu, &addr_bytes);
		u64 mask = hb_addr_mask(addr_bytes);
		int reg = in ? HB_RDI : HB_RSI;

		/* INS always writes through ES (SDM Vol. 2, INS). */
		if (in)
			seg = HB_SEG_ES;
		pio->addr_bytes = addr_bytes;

		if (rep) {
			u64 cx = vcpu->regs[HB_RCX] & mask;

			if (!cx) {
				hb_skip_insn(vcpu, next_rip);
				return 1;
			}
			/* Descending copies go one element per exit. */
			if (!(vcpu->rflags & HB_RFLAGS_DF))
				pio->count = min_t(u64, cx, PAGE_SIZE / size);
		}
		pio->linear = hb_string_linear(vcpu, seg,
					       vcpu->regs[reg] & mask);
		if (!in) {
			if (hb_read_guest_virt(vcpu, pio->linear, data,
					       pio->count * size)) {
				hb_queue_exception(vcpu, X86_VEC_GP, true, 0);
				return 1;
			}
			hb_string_io_advance(vcpu, HB_RSI);
		}
	} else if (!in) {
		u64 val = vcpu->regs[HB_RAX] & hb_addr_mask(size);

		hb_skip_insn(vcpu, next_rip);
		if (hb_doorbell_write(vcpu->vm, true, port, size, val))
			return 1;
		/* One store, not a copy by size: the page is ours, val masked. */
		memcpy(data, &val, sizeof(val));
	}

	vcpu->pending = in ? HB_COMPLETE_PIO_IN : HB_COMPLETE_NONE;
	run->exit_reason = HB_EXIT_IO;
	run->io.direction = in ? HB_EXIT_IO_IN : HB_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = pio->count;
	run->io.data_offset = HB_RUN_PIO_OFFSET;
	return 0;
}

static int hb_complete_pio_in(struct hb_vcpu *vcpu)
{
	struct hb_pio_state *pio = &vcpu->pio;
	u8 *data = HB_PIO_DATA(vcpu);
	u64 val = 0;

	if (pio->string) {
		if (hb_write_guest_virt(vcpu, pio->linear, data,
					pio->count * pio->size)) {
			hb_queue_exception(vcpu, X86_VEC_GP, true, 0);
			return 1;
		}
		hb_string_io_advance(vcpu, HB_RDI);
		return 1;
	}
	memcpy(&val, data, pio->size);
	hb_set_sized_reg(vcpu, HB_RAX, val, pio->size);
	hb_skip_insn(vcpu, pio->next_rip);
	return 1;
}

int __hb_exit_path hb_complete_pending(struct hb_vcpu *vcpu)
{
	enum hb_pending_completion what = vcpu->pending;
	int ret = 1;

	vcpu->pending = HB_COMPLETE_NONE;
	switch (what) {
	case HB_COMPLETE_PIO_IN:
		ret = hb_complete_pio_in(vcpu);
		break;
	case HB_COMPLETE_MMIO_READ:
		hb_complete_mmio_read(vcpu);
		break;
	case HB_COMPLETE_HYPERCALL:
		vcpu->regs[HB_RAX] = vcpu->run->hypercall.ret;
		if (!hb_long_mode(vcpu))
			vcpu->regs[HB_RAX] &= 0xffffffffULL;
		break;
	default:
		break;
	}
	return ret;
}

/* Numbers from HB_HC_KERNEL_BASE up are answered inside the module. */
bool __hb_exit_path hb_hypercall_in_kernel(struct hb_vcpu *vcpu)
{
	u64 nr = vcpu->regs[HB_RAX];

	if (!hb_long_mode(vcpu))
		nr &= 0xffffffffULL;
	return nr >= HB_HC_KERNEL_BASE;
}

int __hb_exit_path hb_exit_hypercall(struct hb_vcpu *vcpu, u64 next_rip)
{
	static const int arg_regs[HB_HC_NR_ARGS] = {
		HB_RDI, HB_RSI, HB_RDX, HB_R10, HB_R8, HB_R9,
	};
	u64 mask = hb_long_mode(vcpu) ? ~0ULL : 0xffffffffULL;
	struct hb_run *run = vcpu->run;
	u64 nr = vcpu->regs[HB_RAX] & mask;
	int i;

	hb_skip_insn(vcpu, next_rip);
	if (nr >= HB_HC_KERNEL_BASE) {
		hb_stat_exit(HB_STAT_EXIT_HYPERCALL_KERNEL);
		if (nr == HB_HC_PING)
			vcpu->regs[HB_RAX] = (vcpu->regs[HB_RDI] + 1) & mask;
		else
			vcpu->regs[HB_RAX] = HB_HC_RET_UNKNOWN & mask;
		return 1;
	}

	hb_stat_exit(HB_STAT_EXIT_HYPERCALL);
	run->exit_reason = HB_EXIT_HYPERCALL;
	run->hypercall.nr = nr;
	for (i = 0; i < HB_HC_NR_ARGS; i++)
		run->hypercall.args[i] = vcpu->regs[arg_regs[i]] & mask;
	run->hypercall.ret = 0;
	vcpu->pending = HB_COMPLETE_HYPERCALL;
	return 0;
}

/*
 * A #UD the guest raised. VMCALL on AMD and VMMCALL on Intel fault; like
 * KVM, treat either as the hypercall so guests need not know the vendor.
 * Anything else goes back to the guest's own #UD handler.
 */
int hb_exit_ud(struct hb_vcpu *vcpu)
{
	static const u8 vmcall[3] = { 0x0f, 0x01, 0xc1 };
	static const u8 vmmcall[3] = { 0x0f, 0x01, 0xd9 };
	u8 insn[HB_INSN_MAX_LEN];
	int n, p;

	/* With prefixes too, as the intercepted instruction may have them. */
	n = hb_fetch_insn(vcpu, insn, sizeof(insn));
	p = n > 0 ? hb_insn_prefix_len(insn, n, hb_op(cpu_mode)(vcpu)) : -1;
	if (p >= 0 && p + 3 <= n &&
	    (!memcmp(insn + p, vmcall, 3) || !memcmp(insn + p, vmmcall, 3)))
		return hb_exit_hypercall(vcpu, vcpu->rip + p + 3);
	hb_stat_exit(HB_STAT_EXIT_EXCEPTION);
	hb_queue_exception(vcpu, X86_VEC_UD, false, 0);
	return 1;
}

int hb_exit_hlt(struct hb_vcpu *vcpu, u64 next_rip)
{
	hb_stat_exit(HB_STAT_EXIT_HLT);
	hb_skip_insn(vcpu, next_rip);
	if (hb_hlt_wakes(vcpu))
		return 1;
	if (atomic_read(&vcpu->vm->nr_irqfds) && (vcpu->rflags & BIT_ULL(9)))
		return hb_vcpu_halt(vcpu);
	vcpu->run->exit_reason = HB_EXIT_HLT;
	return 0;
}

int hb_exit_cpuid(struct hb_vcpu *vcpu, u64 next_rip)
{
	u32 a, b, c, d;

	hb_stat_exit(HB_STAT_EXIT_CPUID);
	hb_cpuid_lookup(vcpu, vcpu->regs[HB_RAX], vcpu->regs[HB_RCX],
			&a, &b, &c, &d);
	vcpu->regs[HB_RAX] = a;
	vcpu->regs[HB_RBX] = b;
	vcpu->regs[HB_RCX] = c;
	vcpu->regs[HB_RDX] = d;
	hb_skip_insn(vcpu, next_rip);
	return 1;
}

int hb_exit_rdmsr(struct hb_vcpu *vcpu, u64 next_rip)
{
	u32 index = vcpu->regs[HB_RCX];
	u64 data;

	hb_stat_exit(HB_STAT_EXIT_MSR);
	if (hb_msr_get(vcpu, index, &data, false)) {
		hb_queue_exception(vcpu, X86_VEC_GP, true, 0);
		return 1;
	}
	vcpu->regs[HB_RAX] = (u32)data;
	vcpu->regs[HB_RDX] = data >> 32;
	hb_skip_insn(vcpu, next_rip);
	return 1;
}

int hb_exit_wrmsr(struct hb_vcpu *vcpu, u64 next_rip)
{
	u32 index = vcpu->regs[HB_RCX];
	u64 data = (vcpu->regs[HB_RDX] << 32) | (u32)vcpu->regs[HB_RAX];

	hb_stat_exit(HB_STAT_EXIT_MSR);
	if (hb_msr_set(vcpu, index, data, false)) {
		hb_queue_exception(vcpu, X86_VEC_GP, true, 0);
		return 1;
	}
	hb_skip_insn(vcpu, next_rip);
	return 1;
}

int hb_exit_internal(struct hb_vcpu *vcpu, u32 suberror, u32 ndata,
		     const u64 *data)
{
	struct hb_run *run = vcpu->run;
	u32 i;

	run->exit_reason = HB_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = min_t(u32, ndata, ARRAY_SIZE(run->internal.data));
	for (i = 0; i < run->internal.ndata; i++)
		run->internal.data[i] = data[i];
	return 0;
}

int hb_exit_tdp_fault(struct hb_vcpu *vcpu, u64 gpa, bool write)
{
	u64 data[2];
	int ret;

	hb_stat_exit(HB_STAT_EXIT_TDP_FAULT);
	ret = hb_tdp_fault(vcpu, gpa, write);
	if (!ret)
		return 1;
	if (ret == -ENOENT || ret == -EROFS)
		return hb_exit_mmio(vcpu, gpa, write);
	if (ret == -ENOMEM)
		return ret;
	/* The backing memory is gone (unmapped by the process, ...). */
	data[0] = gpa;
	data[1] = -ret;
	return hb_exit_internal(vcpu, HB_INTERNAL_ERROR_TDP, 2, data);
}

int hb_exit_shutdown(struct hb_vcpu *vcpu)
{
	hb_stat_exit(HB_STAT_EXIT_SHUTDOWN);
	vcpu->run->exit_reason = HB_EXIT_SHUTDOWN;
	return 0;
}

int hb_exit_fail_entry(struct hb_vcpu *vcpu, u64 reason)
{
	hb_stat_exit(HB_STAT_EXIT_FAIL_ENTRY);
	vcpu->run->exit_reason = HB_EXIT_FAIL_ENTRY;
	vcpu->run->fail_entry.hardware_entry_failure_reason = reason;
	vcpu->run->fail_entry.cpu = vcpu->cpu;
	return 0;
}
