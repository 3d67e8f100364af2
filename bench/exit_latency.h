/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit-latency: the cost of one guest exit round trip, measured the same
 * way on hyperbox and on the kernel's own KVM so the ratio means something.
 *
 * Both run the same guest (exit_latency_guest.S) with one vCPU, in real
 * mode or in 64-bit mode with paging; a backend only knows how to create
 * it and how to run it.
 */
#ifndef BENCH_EXIT_LATENCY_H
#define BENCH_EXIT_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_SIZE	(1u << 20)
#define GUEST_CODE_GPA	0x1000
/* Ports the guest uses: one exit per iteration / "the loop is done". */
#define PORT_PIO_LOOP	0xe0
#define PORT_DONE	0xe1
/* No slot here (ffff:0010 in real mode): guest_mmio_loop's writes exit. */
#define MMIO_GPA	0x100000

/*
 * The 64-bit guest's tables: a GDT (null, 64-bit code, data) and page
 * tables identity-mapping the first 2 MiB with one large page, which
 * covers MMIO_GPA too (a guest-physical hole, not a linear one).
 */
#define GUEST_GDT_GPA	0x8000
#define GUEST_PML4_GPA	0x9000
#define GUEST_PDPT_GPA	0xa000
#define GUEST_PD_GPA	0xb000
#define GUEST_SEL_CODE	0x08
#define GUEST_SEL_DATA	0x10

/*
 * The 64-bit guest's control registers: what the host kernel itself runs
 * with (Linux on x86-64: PE MP ET NE WP PG; PSE PAE PGE OSFXSR OSXMMEXCPT;
 * LME LMA), as an OS guest would.
 */
#define GUEST64_CR0	0x80050033ull
#define GUEST64_CR4	0x6b0ull
#define GUEST64_EFER	0x500ull

enum bench_mode { BENCH_REAL_MODE, BENCH_LONG_MODE };

/* The guest blob and its entry points (offsets from guest_blob_start). */
extern const char guest_blob_start[], guest_blob_end[];
extern const char guest_pio_loop[], guest_hypercall_loop[], guest_mmio_loop[];
extern const char guest64_pio_loop[], guest64_hypercall_loop[];
extern const char guest64_mmio_loop[];
/* 0f 01 d9: VMMCALL; hyperbox on Intel patches the last byte (VMCALL) */
extern const char guest_hypercall_insn[], guest64_hypercall_insn[];

/* Fills zeroed guest memory: the blob at GUEST_CODE_GPA, the 64-bit tables. */
void bench_guest_image(void *mem);

/*
 * Sets the segment, descriptor-table and control registers of @mode in
 * @sregs, a struct hb_sregs or struct kvm_sregs (same field names), read
 * from a vCPU in its reset state or in either mode.
 */
#define BENCH_SET_SREGS(sregs, mode)					\
do {									\
	if ((mode) == BENCH_REAL_MODE) {				\
		(sregs).cs.limit = (sregs).ds.limit = 0xffff;		\
		(sregs).cs.selector = (sregs).ds.selector = 0;		\
		(sregs).cs.db = (sregs).ds.db = 0;			\
		(sregs).cs.l = (sregs).ds.l = 0;			\
		(sregs).cs.g = (sregs).ds.g = 0;			\
		(sregs).cs.type = 0xb;					\
		(sregs).ds.type = 0x3;					\
		(sregs).cs.base = (sregs).ds.base = 0;			\
		(sregs).es = (sregs).ss = (sregs).ds;			\
		(sregs).cr0 = 0x10;	/* ET, as after reset */	\
		(sregs).cr3 = (sregs).cr4 = (sregs).efer = 0;		\
		break;							\
	}								\
	(sregs).cs.base = 0;						\
	(sregs).cs.limit = 0xffffffff;					\
	(sregs).cs.selector = GUEST_SEL_CODE;				\
	(sregs).cs.type = 0xb;						\
	(sregs).cs.present = 1;						\
	(sregs).cs.dpl = 0;						\
	(sregs).cs.db = 0;						\
	(sregs).cs.s = 1;						\
	(sregs).cs.l = 1;						\
	(sregs).cs.g = 1;						\
	(sregs).ds = (sregs).cs;					\
	(sregs).ds.selector = GUEST_SEL_DATA;				\
	(sregs).ds.type = 0x3;						\
	(sregs).ds.l = 0;						\
	(sregs).ds.db = 1;						\
	(sregs).es = (sregs).ss = (sregs).ds;				\
	(sregs).gdt.base = GUEST_GDT_GPA;				\
	(sregs).gdt.limit = 3 * 8 - 1;					\
	(sregs).cr0 = GUEST64_CR0;					\
	(sregs).cr3 = GUEST_PML4_GPA;					\
	(sregs).cr4 = GUEST64_CR4;					\
	(sregs).efer = GUEST64_EFER;					\
} while (0)

struct bench_vcpu;

/* What the last run ended with, in the backend's own exit numbering. */
struct bench_exit {
	unsigned int reason;
	int port;		/* I/O exits; -1 otherwise */
	uint64_t mmio_gpa;	/* MMIO exits; ~0 otherwise */
};

struct bench_backend {
	const char *name;
	const char *device;
	/* Creates the VM with bench_guest_image() in it; returns -errno. */
	int (*create)(struct bench_vcpu **vcpu);
	/* Puts the vCPU in @mode (BENCH_SET_SREGS). */
	int (*set_mode)(struct bench_vcpu *vcpu, enum bench_mode mode);
	/* Points the vCPU at blob offset @ip with RCX, RBX set. */
	int (*set_entry)(struct bench_vcpu *vcpu, uint16_t ip, uint32_t rcx,
			 uint32_t rbx);
	/* Runs until the next exit to userspace. Returns 0 or -errno. */
	int (*run)(struct bench_vcpu *vcpu, struct bench_exit *exit);
	void (*destroy)(struct bench_vcpu *vcpu);
	/* The hypercall number answered in kernel without an exit. */
	uint32_t in_kernel_hypercall;
};

extern const struct bench_backend bench_hyperbox;
extern const struct bench_backend bench_kvm;

#endif /* BENCH_EXIT_LATENCY_H */
