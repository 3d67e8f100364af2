// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code and CPU state for the fuzzer: instruction snippets that make
 * the module work (port and MMIO exits, string I/O, hypercalls, MSRs,
 * CPUID, control registers, every SVM/VMX instruction, faults) glued with
 * random bytes and random immediates, and random damage to segment and
 * control register state.
 */
#include <string.h>

#include "fuzz.h"

struct snippet {
	const char *bytes;
	uint8_t len;
	uint8_t imm;	/* random immediate bytes that follow */
};

#define S(b, imm)	{ b, sizeof(b) - 1, imm }

/*
 * No MOV to CR8: QEMU 7.2's TCG aborts (helper_write_crN raises
 * CPU_INTERRUPT_VIRQ without the iothread lock: "tcg_handle_interrupt:
 * assertion failed") when a nested guest writes CR8 while a virtual
 * interrupt is pending, which takes the whole test guest down. The CR
 * writes carry their own REX.W so a random REX.R before them cannot turn
 * them into one.
 */
static const struct snippet snippets[] = {
	S("\xe6\x80", 0), S("\xe4\x80", 0), S("\xe6", 1), S("\xe5", 1),
	S("\xef", 0), S("\xed", 0), S("\x66\xef", 0), S("\xee", 0),
	S("\xf3\x6e", 0), S("\xf3\x6c", 0), S("\xf3\x6f", 0), S("\xf3\x6d", 0),
	S("\x67\xf3\x6e", 0), S("\x66\xf3\x6f", 0), S("\xfd", 0),
	S("\x0f\x01\xd9", 0), S("\x0f\x01\xc1", 0),	/* vmmcall, vmcall */
	S("\xf4", 0), S("\xfa", 0), S("\xfb", 0), S("\xfb\xf4", 0),
	S("\x0f\x32", 0), S("\x0f\x30", 0), S("\x0f\xa2", 0), S("\x0f\x31", 0),
	S("\xcc", 0), S("\x0f\x0b", 0), S("\xcd", 1), S("\xf1", 0),
	S("\x0f\x01\xd8", 0), S("\x0f\x01\xda", 0), S("\x0f\x01\xdb", 0),
	S("\x0f\x01\xdc", 0), S("\x0f\x01\xdd", 0), S("\x0f\x01\xde", 0),
	S("\x0f\x01\xdf", 0),				/* SVM */
	S("\xf3\x0f\xc7\x30", 0), S("\x0f\xc7\x30", 0), S("\x0f\x01\xc2", 0),
	S("\x0f\x01\xc3", 0), S("\x0f\x01\xc4", 0), S("\x0f\x78\xc0", 0),
	S("\x0f\x79\xc0", 0), S("\x66\x0f\x38\x80\x00", 0),	/* VMX */
	S("\x0f\x01\xd0", 0), S("\x0f\x01\xd1", 0), S("\x0f\x08", 0),
	S("\x0f\x09", 0), S("\x0f\x01\xf8", 0), S("\x0f\x01\xf9", 0),
	S("\x0f\x01\xc8", 0), S("\x0f\x01\xc9", 0), S("\x0f\x00\xd8", 0),
	S("\x0f\x01\x10", 0), S("\x0f\x01\x18", 0), S("\x48\x0f\x22\xd8", 0),
	S("\x48\x0f\x22\xc0", 0), S("\x48\x0f\x22\xe0", 0), S("\x0f\x20\xc0", 0),
S("\x0f\x23\xf8", 0), S("\x0f\x21\xf8", 0),
	S("\x0f\x01\x38", 0), S("\x0f\xae\x38", 0), S("\x0f\xae\x10", 0),
	S("\x0f\xae\x08", 0), S("\x0f\xae\x28", 0), S("\x0f\x00\x10", 0),
	S("\x48\xb8", 8), S("\xb8", 4), S("\xb9", 4), S("\xba", 4),
	S("\x66\xba", 2), S("\x48\xbe", 8), S("\x48\xbf", 8), S("\x48\xb9", 8),
	S("\x8b\x00", 0), S("\x89\x00", 0), S("\x88\x00", 0), S("\x8a\x00", 0),
	S("\x48\x8b\x00", 0), S("\x48\x89\x00", 0), S("\x0f\xb6\x00", 0),
	S("\x0f\xbf\x00", 0), S("\x66\x89\x00", 0), S("\xc7\x00", 4),
	S("\xf0\x0f\xc1\x00", 0), S("\x87\x00", 0), S("\xf3\xa4", 0),
	S("\xf3\xab", 0), S("\xaa", 0), S("\xac", 0), S("\x01\x00", 0),
	S("\xeb\xfe", 0), S("\xe9", 4), S("\xeb", 1), S("\xff\xe0", 0),
	S("\x9c", 0), S("\x9d", 0), S("\xcf", 0), S("\x48\xcf", 0),
	S("\xcb", 0), S("\x0f\x05", 0), S("\x0f\x07", 0), S("\x0f\x34", 0),
	S("\x8e\xd0", 0), S("\x8e\xd8", 0), S("\x8e\xe8", 0), S("\x17", 0),
	S("\x0f\xc7\xf8", 0), S("\x0f\x0d\x00", 0), S("\xd9\xe8", 0),
	S("\x0f\x28\xc1", 0), S("\xdf\x00", 0), S("\x0f\xa1", 0),
	S("\xc4\xe2\x79\x18\x00", 0), S("\x0f\x01\xca", 0), S("\x0f\x01\xcb", 0),
};

uint64_t guest_interesting_gpa(void)
{
	static const uint64_t gpas[] = {
		0, 0x1000, 0x7c00, 0xa0000, 0xb8000, 0xfffff, 0x100000,
		0x1fffff, 0x200000, 0x3ffffc, 1ull << 30, (1ull << 30) - 2,
		0xc0000000, 0xfec00000, 0xfee00000, 0xfee00300, 0xfffffff0,
		0xfffffffc, 1ull << 32, 1ull << 39, (1ull << 47) - 8,
		1ull << 47, (1ull << 48) - 1, 1ull << 48, 1ull << 51,
		~0ull - 7,
	};

	if (rnd_chance(4))
		return rnd_interesting();
	return gpas[rnd(sizeof(gpas) / sizeof(gpas[0]))] + rnd(4) * rnd(3);
}

/*
 * Turn every CR8 access the bytes could hold (MOV CR with REX.R, or LOCK
 * MOV CR, AMD's alternative encoding) into something else: see above.
 */
void scrub_cr8(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 1; i + 1 < len; i++)
		if (buf[i] == 0x0f && (buf[i + 1] == 0x20 || buf[i + 1] == 0x22) &&
		    ((buf[i - 1] & 0xf4) == 0x44 || buf[i - 1] == 0xf0))
			buf[i] = 0x90;
}

/*
 * The gentle profile (make check's default) keeps guests to well-formed
 * states and snippet code: QEMU 7.2's nested SVM crashes now and then on
 * the wild ones (out/fuzz-findings.txt F8), which would take the whole
 * QEMU lane down. `make fuzz` runs the full profile.
 */
bool fuzz_gentle = true;

void guest_code_fill(uint8_t *buf, size_t len, int mode)
{
	size_t pos = 0;

	(void)mode;
	if (!fuzz_gentle && rnd_chance(8)) {
		rnd_fill(buf, len);
		scrub_cr8(buf, len);
		return;
	}
	while (pos + 24 < len) {
		const struct snippet *s = &snippets[rnd(sizeof(snippets) /
							sizeof(snippets[0]))];
		uint64_t imm = rnd_chance(2) ? guest_interesting_gpa() :
					       rnd_interesting();

		if (!fuzz_gentle && rnd_chance(10)) {
			size_t n = 1 + rnd(6);

			rnd_fill(buf + pos, n);
			pos += n;
			continue;
		}
		memcpy(buf + pos, s->bytes, s->len);
		pos += s->len;
		memcpy(buf + pos, &imm, s->imm);
		pos += s->imm;
	}
	if (pos < len)
		memset(buf + pos, 0xf4, len - pos);	/* hlt */
	scrub_cr8(buf, len);
}

static void segment_perturb(struct hb_segment *seg)
{
	switch (rnd(10)) {
	case 0: seg->base = rnd_interesting(); break;
	case 1: seg->limit = (uint32_t)rnd_interesting(); break;
	case 2: seg->selector = (uint16_t)rnd64(); break;
	case 3: seg->type = rnd(16); break;
	case 4: seg->present = rnd(3); break;
	case 5: seg->dpl = rnd(5); break;
	case 6: seg->db = rnd(2); seg->l = rnd(2); break;
	case 7: seg->s = rnd(2); seg->g = rnd(2); break;
	case 8: seg->unusable = rnd(2); break;
	default: rnd_fill(seg, sizeof(*seg)); break;
	}
}

void guest_sregs_perturb(struct hb_sregs *s)
{
	struct hb_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	unsigned int n = fuzz_gentle ? 0 : rnd(4);

	while (n--) {
		switch (rnd(12)) {
		case 0: case 1: case 2:
			segment_perturb(segs[rnd(8)]);
			break;
		case 3: s->cr0 ^= 1ull << rnd(64); break;
		case 4: s->cr4 ^= 1ull << rnd(64); break;
		case 5: s->efer ^= 1ull << rnd(16); break;
		case 6: s->cr3 = guest_interesting_gpa(); break;
		case 7: s->gdt.base = rnd_interesting(); s->gdt.limit = rnd64(); break;
		case 8: s->idt.base = rnd_interesting(); s->idt.limit = rnd64(); break;
		case 9: s->cr8 = rnd(20); break;
		case 10: s->apic_base = rnd_interesting(); break;
		default: s->cr2 = rnd_interesting(); break;
		}
	}
}

void guest_regs_random(struct hb_regs *r)
{
	__u64 *g = &r->rax;
	int i;

	if (fuzz_gentle)
		return;
	for (i = 0; i < 16; i++)
		if (rnd_chance(2))
			g[i] = rnd_chance(2) ? guest_interesting_gpa() :
					       rnd_interesting();
	if (rnd_chance(4))
		r->rflags = rnd_chance(2) ? rnd_interesting() : 2 | (rnd64() & 0x3f7fd5);
	if (rnd_chance(6))
		r->rip = rnd_interesting();
}
