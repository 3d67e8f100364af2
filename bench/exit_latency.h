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
#include <linux/hyperbox.h>

#define GUEST_MEM_SIZE	(1u << 20)
/* Above user/vmm/cpu_mode.c's GDT and page tables (0x1000..0x7fff). */
#define GUEST_CODE_GPA	0x8000
/* Ports the guest uses: one exit per iteration / "the loop is done". */
#define PORT_PIO_LOOP	0xe0
#define PORT_DONE	0xe1
/* No slot here (ffff:0010 in real mode): guest_mmio_loop's writes exit. */
#define MMIO_GPA	0x100000

/*
 * The 64-bit guest's CR0 and CR4: what the host kernel itself runs with
 * (Linux on x86-64: PE MP ET NE WP AM PG; PSE PAE PGE OSFXSR OSXMMEXCPT),
 * as an OS guest would, in place of cpu_mode.c's minimal ones.
 */
#define GUEST64_CR0	0x80050033ull
#define GUEST64_CR4	0x6b0ull

enum bench_mode { BENCH_REAL_MODE, BENCH_LONG_MODE };

/* The guest blob and its entry points (offsets from guest_blob_start). */
extern const char guest_blob_start[], guest_blob_end[];
extern const char guest_pio_loop[], guest_hypercall_loop[], guest_mmio_loop[];
extern const char guest64_pio_loop[], guest64_hypercall_loop[];
extern const char guest64_mmio_loop[];
/* 0f 01 d9: VMMCALL; hyperbox on Intel patches the last byte (VMCALL) */
extern const char guest_hypercall_insn[], guest64_hypercall_insn[];

/* Fills zeroed guest memory: the blob at GUEST_CODE_GPA. */
void bench_guest_image(void *mem);

/*
 * The segment, descriptor-table and control registers of @mode in
 * @sregs (read from the vCPU first), set up by user/vmm/cpu_mode.c, which
 * writes the 64-bit guest's GDT and identity-mapping page tables into
 * @mem (below GUEST_CODE_GPA). Returns 0 or -EINVAL.
 */
int bench_guest_sregs(enum bench_mode mode, void *mem,
		      struct hb_sregs *sregs);

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
	/* Puts the vCPU in @mode (bench_guest_sregs()). */
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
