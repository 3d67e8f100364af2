/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring device: one virtio 1.x split virtqueue (virtio spec 1.2, 2.7)
 * processed by a kernel worker, and the backends it hands buffers to.
 */
#ifndef HB_RING_H
#define HB_RING_H

#include <linux/poll.h>
#include <linux/wait.h>
#include "hb.h"

/* Descriptor flags (virtio spec 2.7.5). */
#define HB_VRING_DESC_F_NEXT		1
#define HB_VRING_DESC_F_WRITE		2
#define HB_VRING_DESC_F_INDIRECT	4
#define HB_VRING_AVAIL_F_NO_INTERRUPT	1
#define HB_VRING_USED_F_NO_NOTIFY	1

/* An indirect table may hold at most this many descriptors. */
#define HB_RING_MAX_INDIRECT		1024
/* Chains handled per wake-up before the worker yields and re-queues. */
#define HB_RING_BATCH			256
/* Room for one tap packet: 64 KiB frame plus virtio-net header. */
#define HB_RING_BOUNCE_SIZE		(64 * 1024 + 64)

struct hb_vring_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

/* One guest buffer of a chain, already checked against the slots. */
struct hb_ring_iov {
	unsigned long hva;
	u32 len;
};

struct hb_ring_chain {
	u16 head;
	u32 nr;
	u32 nr_readable;	/* the readable iovs come first */
	u64 readable_bytes;
	u64 writable_bytes;
	struct hb_ring_iov *iov;
};

struct hb_ring;

struct hb_ring_backend {
	const char *name;
	/*
	 * Consume @chain: returns bytes written into its writable part,
	 * -EAGAIN when the backend cannot proceed yet (the chain stays
	 * available and the worker waits for the backend fd), or another
	 * negative errno, which breaks the ring.
	 */
	long (*handle)(struct hb_ring *ring, struct hb_ring_chain *chain);
};

/* A wait on one of the backend fd's wait queues (a pipe has two). */
struct hb_ring_fd_wait {
	wait_queue_entry_t wait;
	wait_queue_head_t *wqh;
};

struct hb_ring {
	struct hb_vm *vm;
	u32 id;
	u32 num;
	u64 features;
	const struct hb_ring_backend *backend;
	struct file *backend_file;
	unsigned long desc_hva, avail_hva, used_hva;

	struct eventfd_ctx *kick;
	struct eventfd_ctx *call;
	wait_queue_entry_t kick_wait;
	wait_queue_head_t *kick_wqh;
	poll_table kick_pt;
	struct hb_ring_fd_wait fd_wait[2];
	poll_table fd_pt;

	struct mutex lock;		/* start/stop/state */
	struct task_struct *worker;
	wait_queue_head_t state_wq;	/* poll() of the ring fd */
	atomic_t work;
	u16 last_avail;
	u16 used_idx;
	u32 state;
	u32 error;
	/* Stream backend: bytes of the head chain already written out. */
	u64 partial;

	atomic64_t kicks;
	atomic64_t interrupts;
	atomic64_t interrupts_suppressed;
	atomic64_t chains;
	atomic64_t bytes;
	atomic64_t polls_hit;		/* a poll found the next buffer */
	atomic64_t polls_missed;	/* it ran out: the worker slept */

	u64 poll_ns;			/* this ring's poll window */
	ktime_t idle_since;		/* asleep since, 0 when awake */

	struct hb_ring_iov *iov;	/* num + HB_RING_MAX_INDIRECT */
	/* The slot of the last buffer, valid while slots_gen is unchanged. */
	struct hb_memslot slot_cache;
	u64 slot_cache_gen;
	u8 *bounce;
	struct dentry *debugfs;
};

extern const struct hb_ring_backend hb_ring_loopback;
extern const struct hb_ring_backend hb_ring_tap;
extern const struct hb_ring_backend hb_ring_stream;

/* Called directly by the worker (INDIRECT_CALL_1): the common backend. */
long hb_loopback_handle(struct hb_ring *ring, struct hb_ring_chain *chain);

/* Copy helpers over a chain's iovs, for the backends. */
long hb_ring_copy_out(struct hb_ring_chain *c, u64 skip, u8 *buf, size_t len);
long hb_ring_copy_in(struct hb_ring_chain *c, u64 skip, const u8 *buf,
		     size_t len);

#endif /* HB_RING_H */
