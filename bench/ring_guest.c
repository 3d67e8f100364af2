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
static struct vring_guest vq;
static uint16_t slot_of_head[RING_NUM];

static void ring_batch(uint32_t size, uint64_t count, uint32_t inflight)
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
			head = vring_guest_add(&vq, sg, 1, 1, 0);
			if (head < 0)
				break;
			slot_of_head[head] = s;
			posted++;
		}
		vring_guest_kick(&vq);
		reaped = 0;
		while ((head = vring_guest_get_used(&vq, &len)) >= 0) {
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
		if (!reaped)
			asm volatile("pause");
	}
	outb(PORT_DONE, 0);
}

void ring_guest_main(void)
{
	vring_guest_init(&vq, RING_NUM, RING_GPA, true, VRING_NOTIFY_PIO16,
			 PORT_DOORBELL, 0);
	vring_guest_disable_cb(&vq);
	for (;;) {
		uint64_t count = READ_ONCE(ring_cmd.count);

		if (!count)
			break;
		ring_batch(READ_ONCE(ring_cmd.msg_size), count,
			   READ_ONCE(ring_cmd.inflight));
	}
	for (;;)
		outb(PORT_DONE, 1);
}
