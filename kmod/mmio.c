// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO exits: a guest access that no memory slot backs, or a write to a
 * read-only slot, is handed to userspace as HB_EXIT_MMIO. The access width
 * and register come from decoding the instruction (emulate/decode.c);
 * loads complete on the next HB_RUN with the data userspace filled in.
 */
#include <linux/string.h>
#include "hb.h"

/* Report an instruction the module will not emulate, with its bytes. */
static int hb_exit_undecodable(struct hb_vcpu *vcpu, const u8 *insn, int n,
			       u64 gpa)
{
	u64 data[4] = { 0, 0, gpa, n };

	memcpy(data, insn, min(n, 15));
	return hb_exit_internal(vcpu, HB_INTERNAL_ERROR_EMULATION, 4, data);
}

/*
 * An access that no slot backs (or a write to a read-only slot) is MMIO.
 * Without decode assists nothing says which register or how wide, so the
 * instruction at RIP is fetched and decoded. Anything but a plain MOV
 * form is refused rather than emulated wrongly.
 */
static int __hb_exit_path hb_mmio_start(struct hb_vcpu *vcpu, u64 gpa,
					bool write)
{
	struct hb_insn *insn = &vcpu->mmio_insn;
	struct hb_run *run = vcpu->run;

	hb_stat_exit(HB_STAT_EXIT_MMIO);
	run->exit_reason = HB_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn->access_size;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write) {
		u64 val = hb_insn_store_value(insn, vcpu->regs[insn->reg]);

		hb_skip_insn(vcpu, vcpu->rip + insn->len);
		if (hb_doorbell_write(vcpu->vm, false, gpa, insn->access_size,
				      val))
			return 1;
		memcpy(run->mmio.data, &val, insn->access_size);
	} else {
		vcpu->pending = HB_COMPLETE_MMIO_READ;
	}
	return 0;
}

/*
 * The instruction behind an MMIO exit: as the hardware saved it with the
 * exit if it did (no guest page walk then), else read at the guest's RIP.
 */
static int __hb_exit_path hb_mmio_insn(struct hb_vcpu *vcpu, u8 *buf, int len,
				       bool atomic)
{
	int n = hb_op(exit_insn_bytes)(vcpu, buf, len);

	if (n > 0)
		return n;
	return atomic ? hb_fetch_insn_atomic(vcpu, buf, len) :
			hb_fetch_insn(vcpu, buf, len);
}

int __hb_exit_path hb_exit_mmio(struct hb_vcpu *vcpu, u64 gpa, bool write)
{
	u8 bytes[HB_INSN_MAX_LEN] = { 0 };
	int n;

	n = hb_mmio_insn(vcpu, bytes, sizeof(bytes), false);
	if (n <= 0)
		return hb_exit_undecodable(vcpu, bytes, 0, gpa);
	if (hb_decode(bytes, n, hb_op(cpu_mode)(vcpu), &vcpu->mmio_insn) ||
	    hb_insn_is_write(&vcpu->mmio_insn) != write)
		return hb_exit_undecodable(vcpu, bytes, n, gpa);
	return hb_mmio_start(vcpu, gpa, write);
}

/*
 * The same from the exit fast path (interrupts off, guest mode): without
 * the hardware's copy the instruction is read through the nested page
 * table. Returns -EAGAIN when anything is unusual (the instruction crosses
 * a page, does not decode), leaving the exit to hb_exit_mmio() and its full
 * error reporting.
 */
int __hb_exit_path hb_exit_mmio_atomic(struct hb_vcpu *vcpu, u64 gpa,
				       bool write)
{
	u8 bytes[HB_INSN_MAX_LEN] = { 0 };
	int n;

	n = hb_mmio_insn(vcpu, bytes, sizeof(bytes), true);
	if (n <= 0 ||
	    hb_decode(bytes, n, hb_op(cpu_mode)(vcpu), &vcpu->mmio_insn) ||
	    hb_insn_is_write(&vcpu->mmio_insn) != write)
		return -EAGAIN;
	return hb_mmio_start(vcpu, gpa, write);
}

void hb_complete_mmio_read(struct hb_vcpu *vcpu)
{
	struct hb_insn *insn = &vcpu->mmio_insn;
	u64 data = 0;

	memcpy(&data, vcpu->run->mmio.data, insn->access_size);
	vcpu->regs[insn->reg] = hb_insn_merge_load(insn, vcpu->regs[insn->reg],
						   data);
	hb_skip_insn(vcpu, vcpu->rip + insn->len);
}
