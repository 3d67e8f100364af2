/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference virtio 1.x split virtqueue driver (virtio spec 1.2, 2.7) for
 * test guests, the counterpart of the module's ring device (kmod/ring.c).
 *
 * The structures and the layout helpers are shared with host code (tests
 * that inspect or corrupt a ring through guest memory, bench/ring); the
 * vring_guest_*() functions run in the guest, on guest virtual = guest
 * physical addresses (long-mode test guests are identity mapped), and are
 * compiled with the selftests' GUEST_CFLAGS: no libc, no SSE.
 *
 * A ring occupies [base, base + vring_size(num)): the descriptor table,
 * then the available ring (with used_event at its end), then at the next
 * 64-byte boundary the used ring (with avail_event at its end).
 */
#ifndef HB_SELFTEST_VRING_GUEST_H
#define HB_SELFTEST_VRING_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY	1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* num entries, then used_event */
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];	/* num entries, then avail_event */
};

/* Where the three parts of a ring of @num entries at @base live. */
static inline uint64_t vring_desc_off(unsigned int num)
{
	(void)num;
	return 0;
}

static inline uint64_t vring_avail_off(unsigned int num)
{
	return 16ull * num;
}

static inline uint64_t vring_used_off(unsigned int num)
{
	return (vring_avail_off(num) + 6 + 2ull * num + 63) & ~63ull;
}

static inline uint64_t vring_size(unsigned int num)
{
	return vring_used_off(num) + 6 + 8ull * num;
}

static inline uint16_t *vring_used_event(struct vring_avail *avail,
					 unsigned int num)
{
	return &avail->ring[num];
}

static inline uint16_t *vring_avail_event(struct vring_used *used,
					  unsigned int num)
{
	return (uint16_t *)&used->ring[num];
}

/* virtio 2.7.10.2: must the other side be told, going from @old to @new? */
static inline bool vring_need_event(uint16_t event, uint16_t new,
				    uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

/* One buffer of a chain (guest physical = guest virtual). */
struct vring_sg {
	uint64_t addr;
	uint32_t len;
};

/* How the guest rings the doorbell. */
enum vring_notify {
	VRING_NOTIFY_PIO16,	/* outw(notify_val, notify_addr) */
	VRING_NOTIFY_MMIO16,	/* 16-bit store of notify_val at notify_addr */
};

struct vring_guest {
	unsigned int num;
	bool event_idx;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;

	enum vring_notify notify;
	uint64_t notify_addr;
	uint16_t notify_val;

	uint16_t free_head;	/* free descriptors, linked through next */
	uint16_t num_free;
	uint16_t avail_idx;	/* our copy of avail->idx */
	uint16_t kicked_idx;	/* avail_idx when we last decided to kick */
	uint16_t last_used;	/* next used entry to reap */

	uint64_t kicks;		/* doorbell writes */
	uint64_t kicks_skipped;	/* the device said it need not hear */

	/*
	 * Called every VRING_RELAX_SPINS idle spins of vring_guest_wait_used()
	 * when set (init clears it): e.g. an in-kernel hypercall, so that a
	 * one-CPU host gets to run the device's worker.
	 */
	void (*relax)(void);
};

#define VRING_RELAX_SPINS	256

/* Guest code. */

/* Sets up an empty ring of @num (a power of two) entries at @base. */
void vring_guest_init(struct vring_guest *vq, unsigned int num, uint64_t base,
		      bool event_idx, enum vring_notify notify,
		      uint64_t notify_addr, uint16_t notify_val);

/*
 * Posts a chain of @out readable then @in writable buffers, direct or
 * (@indirect_table non-NULL, room for out + in descriptors) through an
 * indirect table; makes it available but does not kick. Returns the head,
 * or -1 when the ring has no free descriptors.
 */
int vring_guest_add(struct vring_guest *vq, const struct vring_sg *sg,
		    unsigned int out, unsigned int in,
		    struct vring_desc *indirect_table);

/* Rings the doorbell unless the device said it need not hear (event idx). */
bool vring_guest_kick(struct vring_guest *vq);

/* Reaps one used entry: its head (descriptors freed) and length, or -1. */
int vring_guest_get_used(struct vring_guest *vq, uint32_t *len);

/* Spins until a used entry arrives and reaps it. */
int vring_guest_wait_used(struct vring_guest *vq, uint32_t *len);

/*
 * Interrupt suppression. With event idx: interrupt when the used index
 * passes last_used + @after (0: the next entry); otherwise clears
 * VRING_AVAIL_F_NO_INTERRUPT.
 */
void vring_guest_enable_cb(struct vring_guest *vq, uint16_t after);
/* Asks for no interrupts at all (flag, and a used_event left behind). */
void vring_guest_disable_cb(struct vring_guest *vq);

/* Byte helpers for guests (no libc in the guest). */
void guest_fill(void *buf, uint32_t len, uint32_t seed);
/* Returns the offset of the first byte differing from guest_fill(), or -1. */
int64_t guest_check(const void *buf, uint32_t len, uint32_t seed);

/* The pattern guest_fill() writes, for host code that checks it too. */
static inline uint8_t guest_pattern(uint32_t seed, uint32_t i)
{
	uint32_t x = seed * 2654435761u + i * 40503u;

	return (uint8_t)(x ^ (x >> 13) ^ (x >> 24));
}

#endif /* HB_SELFTEST_VRING_GUEST_H */
