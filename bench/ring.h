/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/ring: messages/s and MB/s through one virtqueue with a loopback
 * device, hyperbox's in-kernel ring worker against KVM with ioeventfd and a
 * userspace thread processing the ring (a VMM without vhost).
 *
 * Both run the same long-mode guest: this very program's image loaded at
 * its link addresses on identity page tables (user/vmm/cpu_mode.c), whose
 * ring_guest_main() drives the ring with the selftests' reference driver
 * (selftests/lib/vring_guest.c).
 */
#ifndef BENCH_RING_H
#define BENCH_RING_H

#include <stdint.h>

#define RING_MEM_SIZE		(64ull << 20)
#define RING_STACK_TOP		(48ull << 20)
#define RING_GPA		(40ull << 20)
#define RING_BUF_GPA		(41ull << 20)
#define RING_NUM		256
#define RING_MAX_MSG		4096
#define RING_MAX_INFLIGHT	64	/* two descriptors per message */

#define PORT_DOORBELL		0x6000	/* 16-bit write: the kick */
#define PORT_READY		0xe0	/* buffers filled: start the clock */
#define PORT_DONE		0xe1	/* batch done: stop the clock */
#define PORT_FAIL		0xe2	/* a reply was wrong (data: message) */
#define RING_VECTOR		0x50	/* the used-ring interrupt */
#define RING_CODE_SEL		0x08	/* user/vmm/cpu_mode.h VMM_SEL_CODE */

/* What the host asks the guest to do next (the guest's copy of it). */
struct ring_cmd {
	uint64_t msg_size;
	uint64_t count;		/* messages in this batch; 0: stop */
	uint64_t inflight;
	uint64_t irq;		/* wait in HLT for the interrupt, not poll */
};

extern struct ring_cmd ring_cmd;
/* The guest's driver state (struct vring_guest), for a stall report. */
extern struct vring_guest ring_vq;
/* Set by the host: the guest has a local APIC to EOI (KVM). */
extern uint8_t ring_apic_eoi;
/* The guest's IDT (only RING_VECTOR is present); ring_idt_fill() builds it. */
extern uint64_t ring_idt[512];
void ring_idt_fill(void *mem);
/* Guest entry: never returns; reports through the ports above. */
void ring_guest_main(void);

/* Host side: one hypervisor, as the benchmark sees it. */
struct ring_vm;

/* hyperbox.ko's ring worker poll window, in ns (0: sleep at once). */
#define RING_POLL_PARAM	"/sys/module/hyperbox/parameters/ring_poll_ns"

struct ring_backend {
	const char *name;
	const char *device;
	/* A VM running ring_guest_main() with the ring device attached. */
	int (*create)(struct ring_vm **vm, void *mem);
	/* Runs until the guest writes one of the ports; returns it or -errno. */
	int (*run)(struct ring_vm *vm);
	void (*destroy)(struct ring_vm *vm);
	/* Interrupts the device sent. */
	uint64_t (*interrupts)(struct ring_vm *vm);
	/* Doorbell signals the device has seen so far. */
	uint64_t (*kicks)(struct ring_vm *vm);
};

extern const struct ring_backend ring_hyperbox;
extern const struct ring_backend ring_kvm;

#endif /* BENCH_RING_H */
