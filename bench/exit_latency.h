/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit-latency: the cost of one guest exit round trip, measured the same
 * way on hyperbox and on the kernel's own KVM so the ratio means something.
 *
 * Both run one real-mode guest (exit_latency_guest.S) with one vCPU; a
 * backend only knows how to create it and how to run it.
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

/* The guest blob and its entry points (offsets from guest_blob_start). */
extern const char guest_blob_start[], guest_blob_end[];
extern const char guest_pio_loop[], guest_hypercall_loop[], guest_mmio_loop[];
extern const char guest_hypercall_insn[];	/* 0f 01 d9: VMMCALL */

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
	/* Creates the VM with the blob at GUEST_CODE_GPA; returns -errno. */
	int (*create)(struct bench_vcpu **vcpu, const char *blob, size_t len);
	/* Points the vCPU at blob offset @ip with RCX, RBX set (real mode). */
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
