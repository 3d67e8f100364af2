// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO exits: a guest access to a guest-physical address that no slot
 * backs, or a write to a read-only slot, reaches userspace as HB_EXIT_MMIO
 * with the address, the width, the direction and (for writes) the data;
 * the data userspace puts back for a read lands in the destination
 * register with the x86 merge/extension rules. Instructions the module's
 * decoder does not know end in an emulation internal error that carries
 * their bytes, and nothing is half-emulated.
 *
 * Protocol: before every access the guest tells the host what the access
 * must look like (a ucall), so each check reads as one line of guest code.
 */
#include "lib/blob.h"
#include "lib/hb_util.h"
#include "lib/vcpu_state.h"

#define MMIO_GPA	0x40000000ull	/* identity mapped, no slot */
#define RO_GPA		0x40200000ull	/* read-only slot */
#define RO_SIZE		0x1000ull
#define INIT		0x1122334455667788ull

#define __str(x)	#x
#define str(x)		__str(x)

enum { SYNC_EXPECT_MMIO = 1, SYNC_RO_READS_DONE };

/* Guest code. */

static uint64_t next_gpa = MMIO_GPA;

static uint64_t expect_mmio(uint64_t gpa, uint32_t len, bool write,
			    uint64_t data)
{
	ucall(UCALL_SYNC, SYNC_EXPECT_MMIO, gpa, len, write, data);
	return gpa;
}

/* A fresh MMIO address for each access, so the host also checks it. */
static uint64_t fresh_gpa(void)
{
	next_gpa += 0x18;
	return next_gpa;
}

/*
 * @insn loads from (%rdi) into the register variable bound to @reg, which
 * holds @init before; evaluates to that register afterwards.
 */
#define LOAD(insn, reg, init, len, data)				\
	({								\
		uint64_t __gpa = expect_mmio(fresh_gpa(), len, false,	\
					     data);			\
		register uint64_t __v asm(reg) = (init);		\
									\
		asm volatile(insn : "+r"(__v) : "D"(__gpa) : "memory");	\
		__v;							\
	})

/* @insn stores to (%rdi) from the register bound to @reg, holding @val. */
#define STORE(insn, reg, val, len, data)				\
	do {								\
		uint64_t __gpa = expect_mmio(fresh_gpa(), len, true,	\
					     data);			\
		register uint64_t __v asm(reg) = (val);			\
									\
		asm volatile(insn : : "r"(__v), "D"(__gpa) : "memory");	\
	} while (0)

static void guest_mmio_loads(void)
{
	/* MOV r, r/m of every size: 8/16-bit merge, 32-bit zero-extends. */
	GUEST_ASSERT_EQ(LOAD("movb (%%rdi), %%al", "rax", INIT, 1, 0xa5),
			0x11223344556677a5ull);
	GUEST_ASSERT_EQ(LOAD("movw (%%rdi), %%ax", "rax", INIT, 2, 0xbeef),
			0x112233445566beefull);
	GUEST_ASSERT_EQ(LOAD("movl (%%rdi), %%eax", "rax", INIT, 4, 0x89abcdef),
			0x89abcdefull);
	GUEST_ASSERT_EQ(LOAD("movq (%%rdi), %%rax", "rax", INIT, 8,
			     0xfedcba9876543210ull), 0xfedcba9876543210ull);

	/* The high-byte registers: only bits 15:8 change. */
	GUEST_ASSERT_EQ(LOAD("movb (%%rdi), %%ah", "rax", INIT, 1, 0x5a),
			0x1122334455665a88ull);
	GUEST_ASSERT_EQ(LOAD("movb (%%rdi), %%bh", "rbx", INIT, 1, 0x3c),
			0x1122334455663c88ull);
	GUEST_ASSERT_EQ(LOAD("movb (%%rdi), %%ch", "rcx", INIT, 1, 0xc3),
			0x112233445566c388ull);
	GUEST_ASSERT_EQ(LOAD("movb (%%rdi), %%dh", "rdx", INIT, 1, 0x01),
			0x1122334455660188ull);

	/* With a REX prefix the same encodings name SPL..DIL, R8B..R15B. */
	GUEST_ASSERT_EQ(LOAD("movb (%%rdi), %%sil", "rsi", INIT, 1, 0x99),
			0x1122334455667799ull);
	GUEST_ASSERT_EQ(LOAD("movb (%%rdi), %%r10b", "r10", INIT, 1, 0x42),
			0x1122334455667742ull);
	GUEST_ASSERT_EQ(LOAD("movw (%%rdi), %%r15w", "r15", INIT, 2, 0x4321),
			0x1122334455664321ull);
	GUEST_ASSERT_EQ(LOAD("movl (%%rdi), %%r12d", "r12", INIT, 4, 0xcafef00d),
			0xcafef00dull);
	GUEST_ASSERT_EQ(LOAD("movq (%%rdi), %%r9", "r9", INIT, 8,
			     0x0123456789abcdefull), 0x0123456789abcdefull);

	/* MOVZX */
	GUEST_ASSERT_EQ(LOAD("movzbl (%%rdi), %%ecx", "rcx", INIT, 1, 0xf0),
			0xf0);
	GUEST_ASSERT_EQ(LOAD("movzwl (%%rdi), %%edx", "rdx", INIT, 2, 0x8001),
			0x8001);
	GUEST_ASSERT_EQ(LOAD("movzbw (%%rdi), %%si", "rsi", INIT, 1, 0x80),
			0x1122334455660080ull);
	GUEST_ASSERT_EQ(LOAD("movzbq (%%rdi), %%r13", "r13", INIT, 1, 0xff),
			0xff);
	GUEST_ASSERT_EQ(LOAD("movzwq (%%rdi), %%r14", "r14", INIT, 2, 0xffff),
			0xffff);

	/* MOVSX and MOVSXD */
	GUEST_ASSERT_EQ(LOAD("movsbl (%%rdi), %%eax", "rax", INIT, 1, 0x80),
			0xffffff80ull);
	GUEST_ASSERT_EQ(LOAD("movswl (%%rdi), %%ebx", "rbx", INIT, 2, 0x8000),
			0xffff8000ull);
	GUEST_ASSERT_EQ(LOAD("movsbw (%%rdi), %%cx", "rcx", INIT, 1, 0xfe),
			0x112233445566fffeull);
	GUEST_ASSERT_EQ(LOAD("movsbq (%%rdi), %%r11", "r11", INIT, 1, 0x7f),
			0x7f);
	GUEST_ASSERT_EQ(LOAD("movswq (%%rdi), %%rax", "rax", INIT, 2, 0x8000),
			0xffffffffffff8000ull);
	GUEST_ASSERT_EQ(LOAD("movslq (%%rdi), %%rax", "rax", INIT, 4,
			     0x80000000), 0xffffffff80000000ull);
	GUEST_ASSERT_EQ(LOAD("movslq (%%rdi), %%r8", "r8", INIT, 4, 0x7fffffff),
			0x7fffffffull);
}

/*
 * The register binding (LOAD/STORE) is set up after the ucall: a local
 * register variable is only guaranteed at the asm that uses it.
 */
static void guest_mmio_loads_addressing(void)
{
	uint64_t rax = INIT;

	/* Base + index * scale + disp8: the access is at the sum. */
	expect_mmio(MMIO_GPA + 0x800 + 0x20 + 3 * 4, 4, false, 0x600d);
	asm volatile("movl 0x20(%%rdi,%%rcx,4), %%eax"
		     : "+a"(rax) : "D"(MMIO_GPA + 0x800), "c"(3) : "memory");
	GUEST_ASSERT_EQ(rax, 0x600d);

	/* The moffs forms A0/A1 (load) with a 64-bit absolute address. */
	rax = INIT;
	expect_mmio(MMIO_GPA + 0x900, 1, false, 0x77);
	asm volatile("movabs " str(MMIO_GPA) " + 0x900, %%al" : "+a"(rax)
		     : : "memory");
	GUEST_ASSERT_EQ(rax, 0x1122334455667777ull);
	expect_mmio(MMIO_GPA + 0x908, 4, false, 0xabcd1234);
	asm volatile("movabs " str(MMIO_GPA) " + 0x908, %%eax" : "+a"(rax)
		     : : "memory");
	GUEST_ASSERT_EQ(rax, 0xabcd1234ull);
	expect_mmio(MMIO_GPA + 0x910, 8, false, 0x8877665544332211ull);
	asm volatile("movabs " str(MMIO_GPA) " + 0x910, %%rax" : "+a"(rax)
		     : : "memory");
	GUEST_ASSERT_EQ(rax, 0x8877665544332211ull);
}

static void guest_mmio_stores(void)
{
	/* MOV r/m, r of every size. */
	STORE("movb %%al, (%%rdi)", "rax", INIT, 1, 0x88);
	STORE("movw %%ax, (%%rdi)", "rax", INIT, 2, 0x7788);
	STORE("movl %%eax, (%%rdi)", "rax", INIT, 4, 0x55667788);
	STORE("movq %%rax, (%%rdi)", "rax", INIT, 8, INIT);

	/* High bytes, and the REX registers. */
	STORE("movb %%ah, (%%rdi)", "rax", INIT, 1, 0x77);
	STORE("movb %%bh, (%%rdi)", "rbx", 0xab00, 1, 0xab);
	STORE("movb %%ch, (%%rdi)", "rcx", 0xcd00, 1, 0xcd);
	STORE("movb %%dh, (%%rdi)", "rdx", 0xef00, 1, 0xef);
	STORE("movb %%sil, (%%rdi)", "rsi", INIT, 1, 0x88);
	STORE("movb %%r8b, (%%rdi)", "r8", INIT, 1, 0x88);
	STORE("movw %%r14w, (%%rdi)", "r14", INIT, 2, 0x7788);
	STORE("movl %%r10d, (%%rdi)", "r10", INIT, 4, 0x55667788);
	STORE("movq %%r13, (%%rdi)", "r13", INIT, 8, INIT);

	/* MOV r/m, imm: imm8, imm16, imm32 and sign-extended imm32. */
	STORE("movb $0x5a, (%%rdi)", "rax", 0, 1, 0x5a);
	STORE("movw $0x1234, (%%rdi)", "rax", 0, 2, 0x1234);
	STORE("movl $0x89abcdef, (%%rdi)", "rax", 0, 4, 0x89abcdef);
	STORE("movq $-2, (%%rdi)", "rax", 0, 8, 0xfffffffffffffffeull);
	STORE("movq $0x7edcba98, (%%rdi)", "rax", 0, 8, 0x7edcba98);
}

/* The moffs forms A2/A3 (store). */
static void guest_mmio_stores_moffs(void)
{
	expect_mmio(MMIO_GPA + 0xa00, 1, true, 0x88);
	asm volatile("movabs %%al, " str(MMIO_GPA) " + 0xa00" : : "a"(INIT)
		     : "memory");
	expect_mmio(MMIO_GPA + 0xa08, 4, true, 0x55667788);
	asm volatile("movabs %%eax, " str(MMIO_GPA) " + 0xa08" : : "a"(INIT)
		     : "memory");
	expect_mmio(MMIO_GPA + 0xa10, 8, true, INIT);
	asm volatile("movabs %%rax, " str(MMIO_GPA) " + 0xa10" : : "a"(INIT)
		     : "memory");
}

/*
 * Host code: runs the guest to completion, checking every MMIO exit
 * against the guest's announcement. Returns the number of accesses.
 */
static unsigned int run_mmio_guest(struct vcpu *vcpu)
{
	struct hb_run *run = vcpu->run;
	unsigned int n = 0;
	struct ucall uc;

	for (;;) {
		uint64_t gpa, data;
		uint32_t len;
		bool write;

		if (vcpu_run_ucall(vcpu, &uc) == UCALL_DONE)
			return n;
		TEST_ASSERT_EQ(uc.args[0], SYNC_EXPECT_MMIO);
		gpa = uc.args[1];
		len = uc.args[2];
		write = uc.args[3];
		data = uc.args[4];

		vcpu_run(vcpu);
		TEST_ASSERT(run->exit_reason == HB_EXIT_MMIO,
			    "access %u (%s %u bytes at 0x%llx): got %s", n,
			    write ? "write" : "read", len,
			    (unsigned long long)gpa, exit_describe(vcpu));
		TEST_ASSERT(run->mmio.phys_addr == gpa && run->mmio.len == len &&
			    run->mmio.is_write == write,
			    "access %u: expected %s of %u at 0x%llx, got %s", n,
			    write ? "write" : "read", len,
			    (unsigned long long)gpa, exit_describe(vcpu));
		if (write) {
			uint64_t got = 0;

			memcpy(&got, run->mmio.data, len);
			TEST_ASSERT(got == data,
				    "access %u: wrote 0x%llx, expected 0x%llx",
				    n, (unsigned long long)got,
				    (unsigned long long)data);
		} else {
			memcpy(run->mmio.data, &data, len);
		}
		n++;
	}
}

static void test_mmio_guest(void *guest_code, unsigned int min_accesses)
{
	struct vm *vm;
	struct vcpu *vcpu;
	unsigned int n;

	require_cap(HB_CAP_MMIO, "HB_CAP_MMIO");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	n = run_mmio_guest(vcpu);
	TEST_ASSERT(n >= min_accesses, "only %u MMIO accesses", n);
	vm_free(vm);
}

HB_TEST(loads_of_every_size_and_form)
{
	test_mmio_guest(guest_mmio_loads, 25);
}

HB_TEST(loads_with_sib_and_moffs_addresses)
{
	test_mmio_guest(guest_mmio_loads_addressing, 4);
}

HB_TEST(stores_of_every_size_and_form)
{
	test_mmio_guest(guest_mmio_stores, 18);
}

HB_TEST(stores_with_moffs_addresses)
{
	test_mmio_guest(guest_mmio_stores_moffs, 3);
}

/* A read-only slot: reads come from memory, writes exit and change nothing. */
static void guest_readonly_slot(void)
{
	volatile uint32_t *ro = (volatile uint32_t *)RO_GPA;
	unsigned int i;

	for (i = 0; i < 4; i++)
		GUEST_ASSERT_EQ(ro[i], 0xc0de0000 + i);
	GUEST_SYNC2(SYNC_RO_READS_DONE, 0);
	expect_mmio(RO_GPA + 8, 4, true, 0xfeedface);
	ro[2] = 0xfeedface;
	/* The write went to "the device", not to memory. */
	GUEST_ASSERT_EQ(ro[2], 0xc0de0002);
}

HB_TEST(write_to_readonly_slot_exits_reads_do_not)
{
	struct vm *vm;
	struct vcpu *vcpu;
	uint32_t *ro;
	unsigned int i;

	require_cap(HB_CAP_MMIO, "HB_CAP_MMIO");
	require_cap(HB_CAP_READONLY_MEM, "HB_CAP_READONLY_MEM");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_readonly_slot);
	ro = vm_add_slot(vm, 1, HB_MEM_READONLY, RO_GPA, RO_SIZE);
	for (i = 0; i < RO_SIZE / 4; i++)
		ro[i] = 0xc0de0000 + i;

	/* Four reads from the slot without any exit in between. */
	vcpu_run_expect_sync(vcpu, SYNC_RO_READS_DONE);
	TEST_ASSERT_EQ(run_mmio_guest(vcpu), 1);
	TEST_ASSERT_EQ(ro[2], 0xc0de0002);
	vm_free(vm);
}

/*
 * Undecodable instructions on MMIO: each guest does one and the host sees
 * an emulation error whose data[] holds the instruction bytes at RIP.
 */
static void guest_add_to_mmio(void)
{
	asm volatile("addl %%eax, (%%rdi)" : : "a"(1), "D"(MMIO_GPA) : "memory");
}

static void guest_movsb_from_mmio(void)
{
	static char buf[4];

	asm volatile("movsb" : : "S"(MMIO_GPA + 0x40), "D"(buf) : "memory");
}

static void guest_cmp_mmio(void)
{
	asm volatile("cmpl $5, (%%rdi)" : : "D"(MMIO_GPA + 0x80) : "memory",
		     "cc");
}

static void check_emulation_error(void *guest_code, uint64_t gpa,
				  const uint8_t *opcode, unsigned int oplen)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_code);
	struct hb_run *run = vcpu->run;
	struct hb_regs regs;
	const uint8_t *at_rip;
	uint8_t bytes[16];

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_INTERNAL_ERROR);
	TEST_ASSERT_EQ(run->internal.suberror, HB_INTERNAL_ERROR_EMULATION);
	TEST_ASSERT(run->internal.ndata >= 2, "ndata %u: no room for the bytes",
		    run->internal.ndata);
	vcpu_regs_get(vcpu, &regs);
	at_rip = addr_gva2hva(vm, (void *)(uintptr_t)regs.rip);
	memcpy(bytes, run->internal.data, sizeof(bytes));
	/* RIP still points at the instruction, and these are its bytes. */
	TEST_ASSERT(!memcmp(at_rip, opcode, oplen),
		    "RIP 0x%llx is not at the instruction (%02x %02x ...)",
		    (unsigned long long)regs.rip, at_rip[0], at_rip[1]);
	TEST_ASSERT(!memcmp(bytes, at_rip, 15),
		    "data[] %02x %02x %02x %02x, guest has %02x %02x %02x %02x",
		    bytes[0], bytes[1], bytes[2], bytes[3], at_rip[0],
		    at_rip[1], at_rip[2], at_rip[3]);
	/* This module also says where and how many bytes (mmio.c). */
	if (run->internal.ndata >= 4) {
		TEST_ASSERT_EQ(run->internal.data[2], gpa);
		TEST_ASSERT(run->internal.data[3] >= oplen &&
			    run->internal.data[3] <= 15,
			    "%llu instruction bytes",
			    (unsigned long long)run->internal.data[3]);
	}
	vm_free(vm);
}

HB_TEST(undecodable_add_is_an_emulation_error)
{
	static const uint8_t add_eax_to_rdi[] = { 0x01, 0x07 };

	require_cap(HB_CAP_MMIO, "HB_CAP_MMIO");
	check_emulation_error(guest_add_to_mmio, MMIO_GPA, add_eax_to_rdi,
			      sizeof(add_eax_to_rdi));
}

HB_TEST(undecodable_movsb_is_an_emulation_error)
{
	static const uint8_t movsb[] = { 0xa4 };

	require_cap(HB_CAP_MMIO, "HB_CAP_MMIO");
	check_emulation_error(guest_movsb_from_mmio, MMIO_GPA + 0x40, movsb,
			      sizeof(movsb));
}

HB_TEST(undecodable_cmp_is_an_emulation_error)
{
	static const uint8_t cmpl_imm8[] = { 0x83, 0x3f, 0x05 };

	require_cap(HB_CAP_MMIO, "HB_CAP_MMIO");
	check_emulation_error(guest_cmp_mmio, MMIO_GPA + 0x80, cmpl_imm8,
			      sizeof(cmpl_imm8));
}

/*
 * The same in 32-bit protected mode (flat, no paging) and in real mode,
 * where the default operand and address sizes differ and 66/67 flip them.
 * The blobs sync each loaded register; a table says what happens.
 */
enum { READ, WRITE, SYNC };

struct mmio_step {
	int what;
	uint64_t gpa;		/* READ/WRITE */
	uint32_t len;
	uint64_t data;		/* READ: returned, WRITE: expected, SYNC: value */
};

#define PM_MMIO		0x40000000

DECLARE_BLOB(pm_mmio);
asm(BLOB_BEGIN(pm_mmio, 32)
	"mov $" XSTR(PM_MMIO) ", %ebx\n"
	"mov (%ebx), %eax\n"
	BLOB_SYNC("%eax")
	"mov $0x11223344, %eax\n"
	"movw 8(%ebx), %ax\n"			/* 66: 16-bit */
	BLOB_SYNC("%eax")
	"mov $0x11223344, %eax\n"
	"movb 16(%ebx), %ah\n"
	BLOB_SYNC("%eax")
	"movsbl 24(%ebx), %ecx\n"
	BLOB_SYNC("%ecx")
	"movzwl 32(%ebx), %edx\n"
	BLOB_SYNC("%edx")
	"movl " XSTR(PM_MMIO) " + 40, %eax\n"	/* A1, moffs32 */
	BLOB_SYNC("%eax")
	"mov $0x12345678, %eax\n"
	"movl %eax, 48(%ebx)\n"
	"movw $0x1234, 56(%ebx)\n"
	"movb $0x5a, 64(%ebx)\n"
	"movb %ah, 72(%ebx)\n"
	BLOB_DONE
	BLOB_END(pm_mmio));

static const struct mmio_step pm_steps[] = {
	{ READ, PM_MMIO, 4, 0x89abcdef }, { SYNC, .data = 0x89abcdef },
	{ READ, PM_MMIO + 8, 2, 0xbeef }, { SYNC, .data = 0x1122beef },
	{ READ, PM_MMIO + 16, 1, 0x5a }, { SYNC, .data = 0x11225a44 },
	{ READ, PM_MMIO + 24, 1, 0x80 }, { SYNC, .data = 0xffffff80 },
	{ READ, PM_MMIO + 32, 2, 0xfffe }, { SYNC, .data = 0xfffe },
	{ READ, PM_MMIO + 40, 4, 0x12345678 }, { SYNC, .data = 0x12345678 },
	{ WRITE, PM_MMIO + 48, 4, 0x12345678 },
	{ WRITE, PM_MMIO + 56, 2, 0x1234 },
	{ WRITE, PM_MMIO + 64, 1, 0x5a },
	{ WRITE, PM_MMIO + 72, 1, 0x56 },
};

/* Real mode: DS = 0x9000, so offsets land at 0x90000, above the slot. */
#define RM_SLOT_SIZE	0x80000ull
#define RM_MMIO		0x90000

DECLARE_BLOB(rm_mmio);
asm(BLOB_BEGIN(rm_mmio, 16)
	"mov $0x9000, %ax\n"
	"mov %ax, %ds\n"
	"xor %ebx, %ebx\n"
	"mov $0x11223344, %eax\n"
	"mov (%bx), %ax\n"			/* 16-bit by default */
	BLOB_SYNC("%eax")
	"mov 8(%bx), %eax\n"			/* 66: 32-bit */
	BLOB_SYNC("%eax")
	"mov $0x11223344, %eax\n"
	"movb 16(%bx), %al\n"
	BLOB_SYNC("%eax")
	"movsbl 24(%bx), %ecx\n"
	BLOB_SYNC("%ecx")
	"mov $0x11223344, %eax\n"
	"mov 0x20, %ax\n"			/* A1, moffs16 */
	BLOB_SYNC("%eax")
	"mov $0x11223344, %eax\n"
	"addr32 mov 0x28(%ebx), %ax\n"		/* 67: 32-bit address */
	BLOB_SYNC("%eax")
	"movw $0x1234, 0x30(%bx)\n"
	"movl $0x89abcdef, 0x38(%bx)\n"
	"mov $0x77, %al\n"
	"mov %al, 0x40(%bx)\n"
	BLOB_DONE
	BLOB_END(rm_mmio));

static const struct mmio_step rm_steps[] = {
	{ READ, RM_MMIO, 2, 0xbeef }, { SYNC, .data = 0x1122beef },
	{ READ, RM_MMIO + 8, 4, 0x89abcdef }, { SYNC, .data = 0x89abcdef },
	{ READ, RM_MMIO + 16, 1, 0xa5 }, { SYNC, .data = 0x112233a5 },
	{ READ, RM_MMIO + 24, 1, 0xfe }, { SYNC, .data = 0xfffffffe },
	{ READ, RM_MMIO + 0x20, 2, 0x4321 }, { SYNC, .data = 0x11224321 },
	{ READ, RM_MMIO + 0x28, 2, 0x600d }, { SYNC, .data = 0x1122600d },
	{ WRITE, RM_MMIO + 0x30, 2, 0x1234 },
	{ WRITE, RM_MMIO + 0x38, 4, 0x89abcdef },
	{ WRITE, RM_MMIO + 0x40, 1, 0x77 },
};

static void run_mmio_steps(struct vcpu *vcpu, const struct mmio_step *steps,
			   unsigned int n)
{
	struct hb_run *run = vcpu->run;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct mmio_step *st = &steps[i];
		uint64_t got = 0;

		if (st->what == SYNC) {
			vcpu_run_expect_sync(vcpu, st->data);
			continue;
		}
		vcpu_run(vcpu);
		TEST_ASSERT(run->exit_reason == HB_EXIT_MMIO &&
			    run->mmio.phys_addr == st->gpa &&
			    run->mmio.len == st->len &&
			    run->mmio.is_write == (st->what == WRITE),
			    "step %u: expected %s of %u at 0x%llx, got %s", i,
			    st->what == WRITE ? "write" : "read", st->len,
			    (unsigned long long)st->gpa, exit_describe(vcpu));
		if (st->what == READ) {
			memcpy(run->mmio.data, &st->data, st->len);
			continue;
		}
		memcpy(&got, run->mmio.data, st->len);
		TEST_ASSERT(got == st->data, "step %u: wrote 0x%llx, expected 0x%llx",
			    i, (unsigned long long)got,
			    (unsigned long long)st->data);
	}
	vcpu_run_expect_done(vcpu);
}

HB_TEST(protected_mode_loads_and_stores)
{
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_MMIO, "HB_CAP_MMIO");
	vm = vm_create(VMM_MODE_PROTECTED);
	vcpu = vm_vcpu_add_blob(vm, 0, pm_mmio_start, pm_mmio_end);
	run_mmio_steps(vcpu, pm_steps, ARRAY_SIZE(pm_steps));
	vm_free(vm);
}

HB_TEST(real_mode_loads_and_stores)
{
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_MMIO, "HB_CAP_MMIO");
	vm = vm_create(VMM_MODE_REAL);
	vcpu = vm_vcpu_add_blob(vm, 0, rm_mmio_start, rm_mmio_end);
	/* Slot 0 shrinks to 512 KiB: 0x90000 has no memory behind it. */
	TEST_ASSERT_OK(hb_set_user_memory(vm->fd, 0, 0, 0, 0, vm->mem));
	TEST_ASSERT_OK(hb_set_user_memory(vm->fd, 0, 0, 0, RM_SLOT_SIZE,
					  vm->mem));
	run_mmio_steps(vcpu, rm_steps, ARRAY_SIZE(rm_steps));
	vm_free(vm);
}
