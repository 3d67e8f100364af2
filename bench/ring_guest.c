// SPDX-License-Identifier: GPL-2.0
/*
 * The guest half of bench/ring (compiled like selftests guest code: no
 * libc, no SSE, no red zone). Keeps up to ring_cmd.inflight messages in
 * the ring, kicks only when the device asks (EVENT_IDX), polls for used
 * entries with interrupts disabled and checks each reply's first and last
 * byte (and clobbers them, so a stale buffer cannot pass next time).
 */
#include "../selftests/lib/processor.h"
#include "../selftests/lib/vring_guest.h"
#include "ring.h"

struct ring_cmd ring_cmd;
uint8_t ring_apic_eoi;
uint64_t ring_idt[512] __attribute__((aligned(16)));
struct vring_guest ring_vq;
static uint16_t slot_of_head[RING_NUM];
uint64_t ring_irqs;

#define APIC_SVR	0xfee000f0ull
#define APIC_EOI	0xfee000b0ull

/* The interrupt handler: count, EOI the local APIC if there is one. */
extern char ring_irq_stub[];
asm(".pushsection .text\n"
    ".globl ring_irq_stub\n"
    "ring_irq_stub:\n"
    "push %rax\n"
    "incq ring_irqs(%rip)\n"
    "cmpb $0, ring_apic_eoi(%rip)\n"
    "je 1f\n"
    "movabs $0xfee000b0, %rax\n"
    "movl $0, (%rax)\n"
    "1: pop %rax\n"
    "iretq\n"
    ".popsection\n");

/* Host code: the gate for RING_VECTOR in the guest's copy of ring_idt. */
void ring_idt_fill(void *mem)
{
	uint64_t *idt = (uint64_t *)((char *)mem + (uintptr_t)ring_idt);
	uint64_t addr = (uintptr_t)ring_irq_stub;

	idt[2 * RING_VECTOR] = (addr & 0xffff) | (RING_CODE_SEL << 16) |
			       (0x8eull << 40) | ((addr >> 16 & 0xffff) << 48);
	idt[2 * RING_VECTOR + 1] = addr >> 32;
}

/* Nothing to reap: sleep until the device's interrupt says there is. */
static void ring_wait_irq(void)
{
	vring_guest_enable_cb(&ring_vq, 0);
	asm volatile("cli" : : : "memory");
	if (READ_ONCE(ring_vq.used->idx) == ring_vq.last_used)
		asm volatile("sti; hlt" : : : "memory");
	else
		asm volatile("sti" : : : "memory");
	vring_guest_disable_cb(&ring_vq);
}

static void ring_batch(uint32_t size, uint64_t count, uint32_t inflight,
		       bool irq)
{
	uint8_t *tx = (uint8_t *)RING_BUF_GPA;
	uint8_t *rx = tx + RING_MAX_INFLIGHT * RING_MAX_MSG;
	uint64_t posted = 0, done = 0;
	uint32_t s, len, reaped;
	int head;

	for (s = 0; s < inflight; s++) {
		guest_fill(tx + s * size, size, s);
		rx[s * size] = ~guest_pattern(s, 0);
		rx[s * size + size - 1] = ~guest_pattern(s, size - 1);
	}
	outb(PORT_READY, 0);

	while (done < count) {
		while (posted < count && posted - done < inflight) {
			struct vring_sg sg[2];

			s = posted % inflight;
			sg[0] = (struct vring_sg){ (uint64_t)(tx + s * size), size };
			sg[1] = (struct vring_sg){ (uint64_t)(rx + s * size), size };
			head = vring_guest_add(&ring_vq, sg, 1, 1, 0);
			if (head < 0)
				break;
			slot_of_head[head] = s;
			posted++;
		}
		vring_guest_kick(&ring_vq);
		reaped = 0;
		while ((head = vring_guest_get_used(&ring_vq, &len)) >= 0) {
			uint8_t *r;

			s = slot_of_head[head];
			r = rx + s * size;
			if (len != size || r[0] != guest_pattern(s, 0) ||
			    r[size - 1] != guest_pattern(s, size - 1))
				outl(PORT_FAIL, (uint32_t)done);
			r[0] = ~r[0];
			r[size - 1] = ~r[size - 1];
			done++;
			reaped++;
		}
		if (!reaped && done < count) {
			if (irq)
				ring_wait_irq();
			else
				asm volatile("pause");
		}
	}
	outb(PORT_DONE, 0);
}

void ring_guest_main(void)
{
	vring_guest_init(&ring_vq, RING_NUM, RING_GPA, true, VRING_NOTIFY_PIO16,
			 PORT_DOORBELL, 0);
	vring_guest_disable_cb(&ring_vq);
	/* KVM's in-kernel local APIC starts software-disabled. */
	if (ring_apic_eoi)
		*(volatile uint32_t *)APIC_SVR = 0x1ff;
	for (;;) {
		uint64_t count = READ_ONCE(ring_cmd.count);

		if (!count)
			break;
		ring_batch(READ_ONCE(ring_cmd.msg_size), count,
			   READ_ONCE(ring_cmd.inflight), READ_ONCE(ring_cmd.irq));
	}
	for (;;)
		outb(PORT_DONE, 1);
}
