// SPDX-License-Identifier: GPL-2.0
/*
 * Ring backends: what the worker does with one descriptor chain.
 *
 *  loopback - copies the chain's readable bytes into its writable part
 *  stream   - writes the readable part to an fd, fills the writable part
 *             with what the fd has to read (pipe, socket, pty: a console)
 *  tap      - one packet per chain, virtio-net header included, in either
 *             direction (the tap is opened with IFF_VNET_HDR)
 *
 * Backend fds are non-blocking: -EAGAIN leaves the chain available and
 * the fd's wake-up brings the worker back.
 */
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/uaccess.h>
#include "ring.h"

/* Copy from the readable iovs, starting @skip bytes in. */
long hb_ring_copy_out(struct hb_ring_chain *c, u64 skip, u8 *buf, size_t len)
{
	size_t done = 0;
	u32 i;

	for (i = 0; i < c->nr_readable && done < len; i++) {
		struct hb_ring_iov *v = &c->iov[i];
		size_t n;

		if (skip >= v->len) {
			skip -= v->len;
			continue;
		}
		n = min_t(size_t, v->len - skip, len - done);
		if (copy_from_user(buf + done, (void __user *)(v->hva + skip), n))
			return -EFAULT;
		done += n;
		skip = 0;
	}
	return done;
}

/* Copy into the writable iovs, starting @skip bytes in. */
long hb_ring_copy_in(struct hb_ring_chain *c, u64 skip, const u8 *buf,
		     size_t len)
{
	size_t done = 0;
	u32 i;

	for (i = c->nr_readable; i < c->nr && done < len; i++) {
		struct hb_ring_iov *v = &c->iov[i];
		size_t n;

		if (skip >= v->len) {
			skip -= v->len;
			continue;
		}
		n = min_t(size_t, v->len - skip, len - done);
		if (copy_to_user((void __user *)(v->hva + skip), buf + done, n))
			return -EFAULT;
		done += n;
		skip = 0;
	}
	return done;
}

/*
 * Guest memory to guest memory: both ends are addresses in the VMM's mm,
 * so the bytes move in one pass with no kernel buffer between them (a
 * bounce buffer cost two copy routines and a hardened-usercopy check of
 * the buffer per chain, a third of the worker's time for 64-byte chains).
 */
static int hb_copy_user_to_user(unsigned long dst, unsigned long src,
				size_t n)
{
	if (!access_ok((void __user *)dst, n))
		return -EFAULT;
	if (!user_access_begin((void __user *)src, n))
		return -EFAULT;
	for (; n >= 32; n -= 32, src += 32, dst += 32) {
		u64 a, b, c, d;

		unsafe_get_user(a, (u64 __user *)src, fault);
		unsafe_get_user(b, (u64 __user *)(src + 8), fault);
		unsafe_get_user(c, (u64 __user *)(src + 16), fault);
		unsafe_get_user(d, (u64 __user *)(src + 24), fault);
		unsafe_put_user(a, (u64 __user *)dst, fault);
		unsafe_put_user(b, (u64 __user *)(dst + 8), fault);
		unsafe_put_user(c, (u64 __user *)(dst + 16), fault);
		unsafe_put_user(d, (u64 __user *)(dst + 24), fault);
	}
	for (; n >= 8; n -= 8, src += 8, dst += 8) {
		u64 a;

		unsafe_get_user(a, (u64 __user *)src, fault);
		unsafe_put_user(a, (u64 __user *)dst, fault);
	}
	for (; n; n--, src++, dst++) {
		u8 a;

		unsafe_get_user(a, (u8 __user *)src, fault);
		unsafe_put_user(a, (u8 __user *)dst, fault);
	}
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/* Walk the readable and the writable iovs side by side. */
long hb_loopback_handle(struct hb_ring *ring, struct hb_ring_chain *c)
{
	u64 total = min(c->readable_bytes, c->writable_bytes), off = 0;
	u32 r = 0, w = c->nr_readable;
	u64 r_off = 0, w_off = 0, next_check = HB_RING_BOUNCE_SIZE;

	while (off < total) {
		struct hb_ring_iov *src = &c->iov[r], *dst = &c->iov[w];
		size_t n = min3(src->len - r_off, dst->len - w_off,
				total - off);

		/* A guest can post gigabytes: a stop must not wait for it. */
		if (off >= next_check) {
			if (kthread_should_stop())
				return -EAGAIN;
			next_check = off + HB_RING_BOUNCE_SIZE;
		}
		n = min_t(size_t, n, HB_RING_BOUNCE_SIZE);
		if (hb_copy_user_to_user(dst->hva + w_off, src->hva + r_off, n))
			return -EFAULT;
		off += n;
		r_off += n;
		w_off += n;
		if (r_off == src->len) {
			r++;
			r_off = 0;
		}
		if (w_off == dst->len) {
			w++;
			w_off = 0;
		}
	}
	return total;
}

const struct hb_ring_backend hb_ring_loopback = {
	.name = "loopback",
	.handle = hb_loopback_handle,
};

/* Fill the writable part from the fd: -EAGAIN when it has nothing yet. */
static long hb_fd_receive(struct hb_ring *ring, struct hb_ring_chain *c,
			  size_t max)
{
	loff_t pos = 0;
	ssize_t n;

	n = kernel_read(ring->backend_file, ring->bounce, max, &pos);
	/* End of file: the peer is gone; break the ring so userspace hears. */
	if (!n)
		return -EPIPE;
	if (n < 0)
		return n;
	return hb_ring_copy_in(c, 0, ring->bounce, n);
}

static long hb_stream_handle(struct hb_ring *ring, struct hb_ring_chain *c)
{
	loff_t pos = 0;

	/* Resume a partly written chain where the fd stopped taking it. */
	while (ring->partial < c->readable_bytes) {
		size_t n = min_t(u64, c->readable_bytes - ring->partial,
				 PAGE_SIZE);
		long ret;
		ssize_t w;

		if (kthread_should_stop())
			return -EAGAIN;
		ret = hb_ring_copy_out(c, ring->partial, ring->bounce, n);
		if (ret < 0)
			return ret;
		w = kernel_write(ring->backend_file, ring->bounce, n, &pos);
		if (w < 0)
			return w;
		if (!w)
			return -EAGAIN;
		ring->partial += w;
	}
	if (c->writable_bytes) {
		long got = hb_fd_receive(ring, c,
					 min_t(u64, c->writable_bytes,
					       HB_RING_BOUNCE_SIZE));

		if (got < 0)
			return got;
		ring->partial = 0;
		return got;
	}
	ring->partial = 0;
	return 0;
}

const struct hb_ring_backend hb_ring_stream = {
	.name = "stream",
	.handle = hb_stream_handle,
};

static long hb_tap_handle(struct hb_ring *ring, struct hb_ring_chain *c)
{
	loff_t pos = 0;

	if (c->readable_bytes) {
		long n;
		ssize_t w;

		/* A frame larger than a tap can take is dropped, not split. */
		if (c->readable_bytes > HB_RING_BOUNCE_SIZE)
			return 0;
		n = hb_ring_copy_out(c, 0, ring->bounce, c->readable_bytes);
		if (n < 0)
			return n;
		w = kernel_write(ring->backend_file, ring->bounce, n, &pos);
		/* A full tap queue drops the frame, as a NIC would. */
		if (w < 0 && w != -EAGAIN && w != -ENOBUFS)
			return w;
		return 0;
	}
	if (c->writable_bytes)
		return hb_fd_receive(ring, c, HB_RING_BOUNCE_SIZE);
	return 0;
}

const struct hb_ring_backend hb_ring_tap = {
	.name = "tap",
	.handle = hb_tap_handle,
};
