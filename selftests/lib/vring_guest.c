// SPDX-License-Identifier: GPL-2.0
/*
 * The guest side of a split virtqueue, written after Linux's
 * drivers/virtio/virtio_ring.c but reduced to what tests need: a free list
 * of descriptors, direct and indirect chains, event-index kick and
 * interrupt suppression. x86 is TSO: stores stay in order and loads stay
 * in order, so only the store -> load orders of the notification
 * handshake need a full barrier.
 */
#include "processor.h"
#include "vring_guest.h"

static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

/* Orders earlier stores before later loads (the one x86 reorders). */
static inline void mb(void)
{
	asm volatile("mfence" : : : "memory");
}

void vring_guest_init(struct vring_guest *vq, unsigned int num, uint64_t base,
		      bool event_idx, enum vring_notify notify,
		      uint64_t notify_addr, uint16_t notify_val)
{
	char *p = (char *)(uintptr_t)base;
	uint64_t i;

	for (i = 0; i < vring_size(num); i++)
		p[i] = 0;
	vq->num = num;
	vq->event_idx = event_idx;
	vq->desc = (struct vring_desc *)(p + vring_desc_off(num));
	vq->avail = (struct vring_avail *)(p + vring_avail_off(num));
	vq->used = (struct vring_used *)(p + vring_used_off(num));
	vq->notify = notify;
	vq->notify_addr = notify_addr;
	vq->notify_val = notify_val;
	for (i = 0; i < num; i++)
		vq->desc[i].next = i + 1;
	vq->free_head = 0;
	vq->num_free = num;
	vq->avail_idx = 0;
	vq->kicked_idx = 0;
	vq->last_used = 0;
	vq->kicks = 0;
	vq->kicks_skipped = 0;
	vq->relax = 0;
}

static uint16_t vring_alloc_desc(struct vring_guest *vq)
{
	uint16_t i = vq->free_head;

	vq->free_head = vq->desc[i].next;
	vq->num_free--;
	return i;
}

int vring_guest_add(struct vring_guest *vq, const struct vring_sg *sg,
		    unsigned int out, unsigned int in,
		    struct vring_desc *indirect_table)
{
	unsigned int i, n = out + in, need = indirect_table ? 1 : n;
	struct vring_desc *d;
	uint16_t head, prev = 0, idx;

	if (!n || vq->num_free < need)
		return -1;

	if (indirect_table) {
		for (i = 0; i < n; i++) {
			indirect_table[i].addr = sg[i].addr;
			indirect_table[i].len = sg[i].len;
			indirect_table[i].flags = (i >= out ? VRING_DESC_F_WRITE : 0) |
						  (i + 1 < n ? VRING_DESC_F_NEXT : 0);
			indirect_table[i].next = i + 1 < n ? i + 1 : 0;
		}
		head = vring_alloc_desc(vq);
		d = &vq->desc[head];
		d->addr = (uint64_t)(uintptr_t)indirect_table;
		d->len = n * sizeof(struct vring_desc);
		d->flags = VRING_DESC_F_INDIRECT;
	} else {
		head = vq->free_head;
		for (i = 0; i < n; i++) {
			idx = vring_alloc_desc(vq);
			d = &vq->desc[idx];
			d->addr = sg[i].addr;
			d->len = sg[i].len;
			d->flags = i >= out ? VRING_DESC_F_WRITE : 0;
			if (i)
				vq->desc[prev].flags |= VRING_DESC_F_NEXT;
			prev = idx;
		}
		/* The last descriptor's next is the free list's: harmless. */
	}

	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	/* The entry (and the descriptors) before the index: TSO keeps it. */
	barrier();
	vq->avail_idx++;
	WRITE_ONCE(vq->avail->idx, vq->avail_idx);
	return head;
}

static void vring_notify(struct vring_guest *vq)
{
	vq->kicks++;
	if (vq->notify == VRING_NOTIFY_PIO16)
		outw(vq->notify_addr, vq->notify_val);
	else
		asm volatile("movw %0, (%1)"
			     : : "r"(vq->notify_val),
			       "r"((uintptr_t)vq->notify_addr)
			     : "memory");
}

bool vring_guest_kick(struct vring_guest *vq)
{
	uint16_t old = vq->kicked_idx, new = vq->avail_idx;
	bool need;

	/* The new index must be visible before we read what the device wants. */
	mb();
	vq->kicked_idx = new;
	if (vq->event_idx)
		need = vring_need_event(READ_ONCE(*vring_avail_event(vq->used,
								     vq->num)),
					new, old);
	else
		need = !(READ_ONCE(vq->used->flags) & VRING_USED_F_NO_NOTIFY);
	if (!need) {
		vq->kicks_skipped++;
		return false;
	}
	vring_notify(vq);
	return true;
}

int vring_guest_get_used(struct vring_guest *vq, uint32_t *len)
{
	struct vring_used_elem *e;
	uint16_t head, i;

	if (READ_ONCE(vq->used->idx) == vq->last_used)
		return -1;
	/* Loads stay in order on x86: the entry is read after the index. */
	barrier();
	e = &vq->used->ring[vq->last_used & (vq->num - 1)];
	head = READ_ONCE(e->id);
	if (len)
		*len = READ_ONCE(e->len);
	vq->last_used++;

	/* Give the chain's descriptors back. */
	i = head;
	for (;;) {
		uint16_t flags = vq->desc[i].flags, next = vq->desc[i].next;

		vq->num_free++;
		if ((flags & VRING_DESC_F_INDIRECT) ||
		    !(flags & VRING_DESC_F_NEXT)) {
			vq->desc[i].next = vq->free_head;
			break;
		}
		i = next;
	}
	vq->free_head = head;
	return head;
}

int vring_guest_wait_used(struct vring_guest *vq, uint32_t *len)
{
	unsigned int spins = 0;
	int head;

	while ((head = vring_guest_get_used(vq, len)) < 0) {
		asm volatile("pause" : : : "memory");
		if (vq->relax && ++spins % VRING_RELAX_SPINS == 0)
			vq->relax();
	}
	return head;
}

void vring_guest_enable_cb(struct vring_guest *vq, uint16_t after)
{
	if (vq->event_idx)
		WRITE_ONCE(*vring_used_event(vq->avail, vq->num),
			   (uint16_t)(vq->last_used + after));
	else
		WRITE_ONCE(vq->avail->flags, 0);
	/* Published before we look at the used ring again. */
	mb();
}

void vring_guest_disable_cb(struct vring_guest *vq)
{
	WRITE_ONCE(vq->avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	if (vq->event_idx)
		WRITE_ONCE(*vring_used_event(vq->avail, vq->num),
			   (uint16_t)(vq->last_used - 1));
}

void guest_fill(void *buf, uint32_t len, uint32_t seed)
{
	uint8_t *p = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = guest_pattern(seed, i);
}

int64_t guest_check(const void *buf, uint32_t len, uint32_t seed)
{
	const uint8_t *p = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		if (p[i] != guest_pattern(seed, i))
			return i;
	return -1;
}
