// SPDX-License-Identifier: GPL-2.0
/*
 * The ring device: a virtio 1.x split virtqueue in guest memory processed
 * by a kernel worker, as vhost does for KVM. The guest rings a doorbell
 * (an eventfd: kick), the worker pops available chains, hands them to the
 * backend, pushes used entries and signals another eventfd (call), which
 * an irqfd turns into a guest interrupt.
 *
 * Everything in guest memory is hostile: every index is checked against
 * the queue size, every buffer against the memory slots, every chain is
 * bounded by the table it lives in. A violation marks the ring broken,
 * stops processing and raises EPOLLERR on the ring fd; nothing the guest
 * writes can make the worker loop forever or allocate more memory.
 */
#define pr_fmt(fmt) "hyperbox: ring: " fmt

#include <linux/anon_inodes.h>
#include <linux/cgroup.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "poll_window.h"
#include "ring.h"

#define HB_MAX_RINGS_PER_VM	64

static unsigned int ring_poll_ns = 50000;
module_param(ring_poll_ns, uint, 0644);
MODULE_PARM_DESC(ring_poll_ns,
		 "longest a ring worker polls a dry ring before it sleeps until a kick, in ns (0: never poll)");

enum { HB_RING_MORE, HB_RING_EMPTY, HB_RING_WAIT };

/* Used entries pushed between two updates of the used index. */
#define HB_RING_PUBLISH_BATCH	16

static atomic_t hb_ring_ids = ATOMIC_INIT(0);

static bool hb_slot_holds(const struct hb_memslot *s, u64 gpa, u64 end,
			  bool write)
{
	return s->used && gpa >= s->base_gfn << PAGE_SHIFT &&
	       end <= (s->base_gfn + s->npages) << PAGE_SHIFT &&
	       !(write && (s->flags & HB_MEM_READONLY));
}

/* The slots changed or the buffer is elsewhere: look it up, remember it. */
static noinline int hb_ring_translate_slow(struct hb_ring *ring, u64 gpa,
					   u64 end, bool write,
					   unsigned long *hva)
{
	struct hb_vm *vm = ring->vm;
	struct hb_memslot *s;
	int ret = -EFAULT;

	mutex_lock(&vm->slots_lock);
	s = hb_memslot_find(vm, gpa >> PAGE_SHIFT);
	if (s && hb_slot_holds(s, gpa, end, write)) {
		*hva = s->uaddr + (gpa - (s->base_gfn << PAGE_SHIFT));
		ring->slot_cache = *s;
		ring->slot_cache_gen = atomic64_read(&vm->slots_gen);
		ret = 0;
	}
	mutex_unlock(&vm->slots_lock);
	return ret;
}

/*
 * A guest buffer must lie in one slot (and a writable one to be written).
 * Buffers mostly come from one slot: remember it until the slots change,
 * which spares the worker the slots mutex and scan on every descriptor.
 */
static __always_inline int hb_ring_translate_cached(struct hb_ring *ring,
						    u64 gpa, u64 len,
						    bool write,
						    unsigned long *hva)
{
	const struct hb_memslot *s = &ring->slot_cache;
	u64 end;

	if (check_add_overflow(gpa, len, &end) || end >> HB_GPA_BITS)
		return -EFAULT;
	if (ring->slot_cache_gen != atomic64_read(&ring->vm->slots_gen) ||
	    !hb_slot_holds(s, gpa, end, write))
		return hb_ring_translate_slow(ring, gpa, end, write, hva);
	*hva = s->uaddr + (gpa - (s->base_gfn << PAGE_SHIFT));
	return 0;
}

static void hb_ring_break(struct hb_ring *ring, u32 error)
{
	if (ring->state == HB_RING_STATE_BROKEN)
		return;
	ring->state = HB_RING_STATE_BROKEN;
	ring->error = error;
	pr_info_ratelimited("ring %u broken by the guest (error %u)\n",
			    ring->id, error);
	wake_up_all(&ring->state_wq);
}

/*
 * Ring words are read and written inline (unsafe_*_user inside a user
 * access section), not through the out-of-line get_user/put_user helpers:
 * the worker touches four of them per chain.
 */
static __always_inline int hb_get_u16(unsigned long hva, u16 *val)
{
	const __le16 __user *p = (const __le16 __user *)hva;
	__le16 v;

	if (!user_access_begin(p, sizeof(*p)))
		return -EFAULT;
	unsafe_get_user(v, p, fault);
	user_access_end();
	*val = le16_to_cpu(v);
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

static __always_inline int hb_put_u16(unsigned long hva, u16 val)
{
	__le16 __user *p = (__le16 __user *)hva;

	if (!user_access_begin(p, sizeof(*p)))
		return -EFAULT;
	unsafe_put_user(cpu_to_le16(val), p, fault);
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/* One descriptor: two 8-byte loads, not a copy routine per 16 bytes. */
static int hb_ring_read_desc(unsigned long hva, struct hb_vring_desc *d)
{
	const u64 __user *p = (const u64 __user *)hva;
	u64 addr, rest;

	if (!user_access_begin(p, sizeof(*d)))
		return -EFAULT;
	unsafe_get_user(addr, p, fault);
	unsafe_get_user(rest, p + 1, fault);
	user_access_end();
	/* The layout is little-endian: len, then flags and next above it. */
	d->addr = cpu_to_le64(addr);
	d->len = cpu_to_le32(lower_32_bits(rest));
	d->flags = cpu_to_le16(upper_32_bits(rest) & 0xffff);
	d->next = cpu_to_le16(upper_32_bits(rest) >> 16);
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/* Walk the chain at @head into c->iov; a positive HB_RING_ERR_* on abuse. */
static int hb_ring_pop(struct hb_ring *ring, u16 head, struct hb_ring_chain *c)
{
	unsigned long table = ring->desc_hva, hva;
	u32 table_num = ring->num, budget = ring->num, idx = head;
	u32 max_iov = ring->num + HB_RING_MAX_INDIRECT;
	bool indirect = false;
	struct hb_vring_desc d;

	c->head = head;
	c->nr = 0;
	c->nr_readable = 0;
	c->readable_bytes = 0;
	c->writable_bytes = 0;
	if (head >= ring->num)
		return HB_RING_ERR_HEAD;

	for (;;) {
		u16 flags;
		u32 len;
		u64 addr;

		if (!budget--)
			return HB_RING_ERR_LOOP;
		if (hb_ring_read_desc(table + idx * sizeof(d), &d))
			return HB_RING_ERR_ADDR;
		flags = le16_to_cpu(d.flags);
		len = le32_to_cpu(d.len);
		addr = le64_to_cpu(d.addr);

		if (flags & HB_VRING_DESC_F_INDIRECT) {
			/* virtio 2.7.5.3.1: no nesting, no NEXT alongside. */
			if (!(ring->features & HB_RING_F_INDIRECT_DESC) ||
			    indirect || (flags & HB_VRING_DESC_F_NEXT) ||
			    !len || len % sizeof(d) ||
			    len / sizeof(d) > HB_RING_MAX_INDIRECT)
				return HB_RING_ERR_INDIRECT;
			if (hb_ring_translate_cached(ring, addr, len, false, &table))
				return HB_RING_ERR_ADDR;
			table_num = len / sizeof(d);
			budget = table_num;
			idx = 0;
			indirect = true;
			continue;
		}

		if (hb_ring_translate_cached(ring, addr, len,
				      flags & HB_VRING_DESC_F_WRITE, &hva))
			return HB_RING_ERR_ADDR;
		if (c->nr >= max_iov)
			return HB_RING_ERR_LOOP;
		if (flags & HB_VRING_DESC_F_WRITE) {
			c->writable_bytes += len;
		} else {
			/* Readable buffers precede writable ones (2.7.4.2). */
			if (c->nr > c->nr_readable)
				return HB_RING_ERR_ORDER;
			c->nr_readable++;
			c->readable_bytes += len;
		}
		c->iov[c->nr].hva = hva;
		c->iov[c->nr].len = len;
		c->nr++;

		if (!(flags & HB_VRING_DESC_F_NEXT))
			return 0;
		idx = le16_to_cpu(d.next);
		if (idx >= table_num)
			return indirect ? HB_RING_ERR_INDIRECT : HB_RING_ERR_HEAD;
	}
}

/*
 * Push one used entry; with @publish also the index that hands it and the
 * ones before it to the driver. Entries are published while the worker
 * runs, not once per batch: a polling driver reaps them and posts new
 * buffers meanwhile, so a busy queue never runs dry and needs no kick
 * (publishing per batch serialised the two sides).
 */
static int hb_ring_push_used(struct hb_ring *ring, u16 head, u32 len,
			     bool publish)
{
	__le16 __user *idx = (__le16 __user *)(ring->used_hva + 2);
	__le64 __user *elem = (__le64 __user *)(ring->used_hva + 4 +
				8 * (ring->used_idx & (ring->num - 1)));

	/* Both lie in the used ring, checked against the slots at start. */
	if (!user_access_begin((void __user *)ring->used_hva,
			       4 + 8 * ring->num))
		return -EFAULT;
	/* struct vring_used_elem { le32 id; le32 len; } in one store. */
	unsafe_put_user(cpu_to_le64((u64)len << 32 | head), elem, fault);
	/* The entry must be visible before the index that publishes it. */
	smp_wmb();
	if (publish)
		unsafe_put_user(cpu_to_le16(ring->used_idx + 1), idx, fault);
	user_access_end();
	ring->used_idx++;
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/* Interrupt the guest unless it asked not to be (virtio 2.7.10). */
static void hb_ring_notify(struct hb_ring *ring, u16 old, u16 new)
{
	bool need;
	u16 v;

	/* Publish the used index before reading the guest's wishes. */
	smp_mb();
	if (ring->features & HB_RING_F_EVENT_IDX) {
		if (hb_get_u16(ring->avail_hva + 4 + 2 * ring->num, &v))
			return hb_ring_break(ring, HB_RING_ERR_ADDR);
		need = (u16)(new - v - 1) < (u16)(new - old);
	} else {
		if (hb_get_u16(ring->avail_hva, &v))
			return hb_ring_break(ring, HB_RING_ERR_ADDR);
		need = !(v & HB_VRING_AVAIL_F_NO_INTERRUPT);
	}
	if (need && ring->call) {
		hb_eventfd_signal(ring->call);
		atomic64_inc(&ring->interrupts);
	} else {
		atomic64_inc(&ring->interrupts_suppressed);
	}
}

/*
 * Handle what the guest made available, up to a batch. Returns
 * HB_RING_MORE when the batch ran out with work left, HB_RING_EMPTY when
 * the ring ran dry (the worker polls, then asks for a kick), HB_RING_WAIT
 * when only a wake-up can bring more (the backend fd, a broken ring).
 */
static int hb_ring_process(struct hb_ring *ring)
{
	struct hb_ring_chain chain = { .iov = ring->iov };
	u16 old_used = ring->used_idx, avail_idx = ring->last_avail, head;
	u16 published = old_used;
	unsigned int handled = 0;
	int status = HB_RING_WAIT;
	u32 error = 0;
	bool publish;
	u64 bytes = 0;
	long ret;

	while (ring->state == HB_RING_STATE_RUNNING) {
		/* The index is re-read only once what it promised is done. */
		if (avail_idx != ring->last_avail)
			goto pop;
		if (hb_get_u16(ring->avail_hva + 2, &avail_idx)) {
			error = HB_RING_ERR_ADDR;
			break;
		}
		/* Read descriptors only after the index (virtio 2.7.13.1). */
		smp_rmb();
		if ((u16)(avail_idx - ring->last_avail) > ring->num) {
			error = HB_RING_ERR_AVAIL_IDX;
			break;
		}
		if (avail_idx == ring->last_avail) {
			status = HB_RING_EMPTY;
			break;
		}
pop:
		if (handled == HB_RING_BATCH) {
			status = HB_RING_MORE;
			break;
		}
		if (hb_get_u16(ring->avail_hva + 4 +
			       2 * (ring->last_avail & (ring->num - 1)), &head)) {
			error = HB_RING_ERR_ADDR;
			break;
		}
		ret = hb_ring_pop(ring, head, &chain);
		if (ret) {
			error = ret;
			break;
		}
		/* Spare the loopback benchmarks a retpoline per chain. */
		ret = INDIRECT_CALL_1(ring->backend->handle,
				      hb_loopback_handle, ring, &chain);
		if (ret == -EAGAIN)
			break;		/* the backend fd wakes us */
		if (ret < 0) {
			error = ret == -EFAULT ? HB_RING_ERR_ADDR :
						 HB_RING_ERR_BACKEND;
			break;
		}
		/*
		 * Publish the index every few entries and when the entries
		 * known to be available are done: the driver reaps them in
		 * groups, with fewer trips of the index's cache line.
		 */
		publish = avail_idx == (u16)(ring->last_avail + 1) ||
			  (u16)(ring->used_idx + 1 - published) >=
				HB_RING_PUBLISH_BATCH;
		if (hb_ring_push_used(ring, head, ret, publish)) {
			error = HB_RING_ERR_ADDR;
			break;
		}
		if (publish)
			published = ring->used_idx;
		ring->last_avail++;
		handled++;
		bytes += chain.readable_bytes + ret;
	}
	/* Whatever a break or a full batch left unpublished. */
	if (published != ring->used_idx) {
		/* The entries before the index that publishes them. */
		smp_wmb();
		if (hb_put_u16(ring->used_hva + 2, ring->used_idx) && !error)
			error = HB_RING_ERR_ADDR;
	}
	/* Counted once per batch: an atomic per chain was measurable. */
	atomic64_add(handled, &ring->chains);
	atomic64_add(bytes, &ring->bytes);
	/* One interrupt decision per batch: event-idx spans all of it. */
	if (ring->used_idx != old_used)
		hb_ring_notify(ring, old_used, ring->used_idx);
	/*
	 * Broken only now: whoever the break wakes finds the counters and
	 * the used index final.
	 */
	if (error) {
		hb_ring_break(ring, error);
		return HB_RING_WAIT;
	}
	return status;
}

/*
 * Without EVENT_IDX the driver kicks unless the used ring's flags say
 * NO_NOTIFY (virtio 2.7.10): set while the worker is awake, so a busy or
 * polled queue takes no kicks, as vhost does. With EVENT_IDX, avail_event
 * left behind does the same. Written on every wake-up, not remembered: the
 * driver may have (re)initialised its rings since.
 */
static void hb_ring_disable_kicks(struct hb_ring *ring)
{
	if (!(ring->features & HB_RING_F_EVENT_IDX))
		hb_put_u16(ring->used_hva, HB_VRING_USED_F_NO_NOTIFY);
}

/*
 * Ask the guest for a kick at its next buffer (virtio 2.7.10), then look
 * again: true when the ring is still empty and the worker may sleep.
 */
static bool hb_ring_enable_kick(struct hb_ring *ring)
{
	u16 avail_idx;
	int ret;

	if (ring->features & HB_RING_F_EVENT_IDX) {
		ret = hb_put_u16(ring->used_hva + 4 + 8 * ring->num,
				 ring->last_avail);
	} else {
		ret = hb_put_u16(ring->used_hva, 0);
	}
	if (ret) {
		hb_ring_break(ring, HB_RING_ERR_ADDR);
		return true;
	}
	/* The request before the re-read. */
	smp_mb();
	return hb_get_u16(ring->avail_hva + 2, &avail_idx) ||
	       avail_idx == ring->last_avail;
}

/* Spins up to @window ns for a new available buffer; true when it came. */
static bool hb_ring_poll_avail(struct hb_ring *ring, u64 window)
{
	ktime_t stop = ktime_add_ns(ktime_get(), window);
	u16 avail_idx;

	do {
		if (hb_get_u16(ring->avail_hva + 2, &avail_idx))
			return true;	/* process() breaks the ring */
		if (avail_idx != ring->last_avail)
			return true;
		cpu_relax();
	} while (!need_resched() && !kthread_should_stop() &&
		 ktime_before(ktime_get(), stop));
	return false;
}

/*
 * The ring ran dry. A guest that keeps the queue busy posts its next
 * buffer microseconds later: polling for it (with the guest's kicks still
 * held off, see hb_ring_disable_kicks()) spares the guest an exit
 * and the worker a sleep and a wake-up, which is what vhost's busy polling
 * is for. Returns true when there is work again.
 */
static bool hb_ring_idle(struct hb_ring *ring)
{
	u64 limit = READ_ONCE(ring_poll_ns);
	u64 window = min(ring->poll_ns, limit);

	if (window) {
		if (hb_ring_poll_avail(ring, window)) {
			atomic64_inc(&ring->polls_hit);
			return true;
		}
		atomic64_inc(&ring->polls_missed);
	}
	if (!hb_ring_enable_kick(ring))
		return true;
	ring->idle_since = ktime_get();
	return false;
}

/* After a sleep: adapt the window to how long the ring was idle. */
static void hb_ring_woken(struct hb_ring *ring)
{
	if (!ring->idle_since)
		return;
	hb_poll_window_adapt(&ring->poll_ns,
			     ktime_to_ns(ktime_sub(ktime_get(),
						   ring->idle_since)),
			     READ_ONCE(ring_poll_ns));
	ring->idle_since = 0;
}

static int hb_ring_worker(void *data)
{
	struct hb_ring *ring = data;
	struct mm_struct *mm = ring->vm->mm;
	bool have_mm = mmget_not_zero(mm);

	if (have_mm)
		kthread_use_mm(mm);
	else
		hb_ring_break(ring, HB_RING_ERR_ADDR);

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		if (ring->state == HB_RING_STATE_RUNNING &&
		    atomic_xchg(&ring->work, 0)) {
			int status;

			__set_current_state(TASK_RUNNING);
			hb_ring_woken(ring);
			hb_ring_disable_kicks(ring);
			status = hb_ring_process(ring);
			if (status == HB_RING_MORE ||
			    (status == HB_RING_EMPTY && hb_ring_idle(ring)))
				atomic_set(&ring->work, 1);
			cond_resched();
			continue;
		}
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	/* Whoever takes the queue over next wants the driver's kicks. */
	if (have_mm && !(ring->features & HB_RING_F_EVENT_IDX))
		hb_put_u16(ring->used_hva, 0);
	if (have_mm) {
		kthread_unuse_mm(mm);
		mmput(mm);
	}
	return 0;
}

static void hb_ring_wake_worker(struct hb_ring *ring)
{
	struct task_struct *worker;

	atomic_set(&ring->work, 1);
	/* Task structs are RCU-freed: safe even while a stop races us. */
	rcu_read_lock();
	worker = READ_ONCE(ring->worker);
	if (worker)
		wake_up_process(worker);
	rcu_read_unlock();
}

static int hb_ring_kick_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			       int sync, void *key)
{
	struct hb_ring *ring = container_of(wait, struct hb_ring, kick_wait);
	u64 cnt;

	if (key_to_poll(key) & EPOLLIN) {
		eventfd_ctx_do_read(ring->kick, &cnt);
		atomic64_add(cnt, &ring->kicks);
		hb_ring_wake_worker(ring);
	}
	return 0;
}

static void hb_ring_kick_queue(struct file *file, wait_queue_head_t *wqh,
			       poll_table *pt)
{
	struct hb_ring *ring = container_of(pt, struct hb_ring, kick_pt);

	ring->kick_wqh = wqh;
	add_wait_queue(wqh, &ring->kick_wait);
}

static int hb_ring_fd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct hb_ring *ring = wait->private;
	int i;

	/*
	 * The wait queue is going away (POLLFREE, as epoll handles it): let
	 * go of it now; it is freed only after an RCU grace period.
	 */
	if (key_to_poll(key) & POLLFREE) {
		list_del_init(&wait->entry);
		for (i = 0; i < ARRAY_SIZE(ring->fd_wait); i++)
			if (&ring->fd_wait[i].wait == wait)
				/* pairs with the acquire in hb_ring_free() */
				smp_store_release(&ring->fd_wait[i].wqh, NULL);
		hb_ring_break(ring, HB_RING_ERR_BACKEND);
	}
	hb_ring_wake_worker(ring);
	return 0;
}

static void hb_ring_fd_queue(struct file *file, wait_queue_head_t *wqh,
			     poll_table *pt)
{
	struct hb_ring *ring = container_of(pt, struct hb_ring, fd_pt);
	int i;

	for (i = 0; i < ARRAY_SIZE(ring->fd_wait); i++) {
		struct hb_ring_fd_wait *w = &ring->fd_wait[i];

		if (w->wqh)
			continue;
		init_waitqueue_func_entry(&w->wait, hb_ring_fd_wakeup);
		w->wait.private = ring;
		w->wqh = wqh;
		add_wait_queue(wqh, &w->wait);
		return;
	}
}

static int hb_ring_start(struct hb_ring *ring)
{
	struct task_struct *worker;
	int ret;

	worker = kthread_create(hb_ring_worker, ring, "hyperbox-ring/%u",
				ring->id);
	if (IS_ERR(worker))
		return PTR_ERR(worker);
	/*
	 * The worker does the VMM's work: charge it to the VMM's cgroups
	 * (CPU, memory), as vhost does, so limits on the VMM still hold.
	 */
	ret = cgroup_attach_task_all(current, worker);
	if (ret) {
		kthread_stop(worker);
		return ret;
	}
	ring->state = HB_RING_STATE_RUNNING;
	ring->error = 0;
	atomic_set(&ring->work, 1);
	WRITE_ONCE(ring->worker, worker);
	wake_up_process(worker);
	return 0;
}

static void hb_ring_stop(struct hb_ring *ring)
{
	struct task_struct *worker = ring->worker;

	if (!worker)
		return;
	WRITE_ONCE(ring->worker, NULL);
	kthread_stop(worker);
	if (ring->state == HB_RING_STATE_RUNNING)
		ring->state = HB_RING_STATE_STOPPED;
}

static long hb_ring_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	struct hb_ring *ring = filp->private_data;
	void __user *argp = (void __user *)arg;
	struct hb_ring_state st;
	long ret = 0;

	mutex_lock(&ring->lock);
	switch (cmd) {
	case HB_RING_STOP:
		hb_ring_stop(ring);
		memset(&st, 0, sizeof(st));
		st.state = ring->state;
		st.last_avail_idx = ring->last_avail;
		st.used_idx = ring->used_idx;
		if (copy_to_user(argp, &st, sizeof(st)))
			ret = -EFAULT;
		break;
	case HB_RING_START:
		if (copy_from_user(&st, argp, sizeof(st))) {
			ret = -EFAULT;
			break;
		}
		/* state is an output of HB_RING_STOP: passing it back is fine. */
		if (st.reserved[0] || st.reserved[1] || st.reserved[2]) {
			ret = -EINVAL;
			break;
		}
		if (ring->worker) {
			ret = -EBUSY;
			break;
		}
		/* Userspace took the half-written head chain over. */
		if (st.last_avail_idx != ring->last_avail)
			ring->partial = 0;
		ring->last_avail = st.last_avail_idx;
		ring->used_idx = st.used_idx;
		ret = hb_ring_start(ring);
		break;
	case HB_RING_GET_STATS: {
		struct hb_ring_stats s = {
			.kicks = atomic64_read(&ring->kicks),
			.interrupts = atomic64_read(&ring->interrupts),
			.interrupts_suppressed =
				atomic64_read(&ring->interrupts_suppressed),
			.chains = atomic64_read(&ring->chains),
			.bytes = atomic64_read(&ring->bytes),
			.polls_hit = atomic64_read(&ring->polls_hit),
			.polls_missed = atomic64_read(&ring->polls_missed),
			.state = ring->state,
			.error = ring->error,
		};

		if (copy_to_user(argp, &s, sizeof(s)))
			ret = -EFAULT;
		break;
	}
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&ring->lock);
	return ret;
}

static __poll_t hb_ring_poll(struct file *filp, poll_table *wait)
{
	struct hb_ring *ring = filp->private_data;

	poll_wait(filp, &ring->state_wq, wait);
	return READ_ONCE(ring->state) == HB_RING_STATE_BROKEN ?
	       EPOLLERR | EPOLLPRI : 0;
}

static void hb_ring_free(struct hb_ring *ring)
{
	u64 cnt;
	int i;

	debugfs_remove(ring->debugfs);
	if (ring->kick_wqh)
		eventfd_ctx_remove_wait_queue(ring->kick, &ring->kick_wait,
					      &cnt);
	rcu_read_lock();
	for (i = 0; i < ARRAY_SIZE(ring->fd_wait); i++) {
		/* POLLFREE may have taken the queue away (release above). */
		wait_queue_head_t *wqh = smp_load_acquire(&ring->fd_wait[i].wqh);

		if (wqh)
			remove_wait_queue(wqh, &ring->fd_wait[i].wait);
	}
	rcu_read_unlock();
	if (ring->kick)
		eventfd_ctx_put(ring->kick);
	if (ring->call)
		eventfd_ctx_put(ring->call);
	if (ring->backend_file)
		fput(ring->backend_file);
	kvfree(ring->iov);
	kvfree(ring->bounce);
	atomic_dec(&ring->vm->nr_rings);
	hb_vm_put(ring->vm);
	kfree(ring);
	atomic64_dec(&hb_stat_rings);
}

static int hb_ring_release(struct inode *inode, struct file *filp)
{
	struct hb_ring *ring = filp->private_data;

	mutex_lock(&ring->lock);
	hb_ring_stop(ring);
	mutex_unlock(&ring->lock);
	hb_ring_free(ring);
	return 0;
}

static const struct file_operations hb_ring_fops = {
	.owner = THIS_MODULE,
	.release = hb_ring_release,
	.unlocked_ioctl = hb_ring_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = hb_ring_poll,
	.llseek = noop_llseek,
};

static int hb_ring_stats_show(struct seq_file *m, void *unused)
{
	struct hb_ring *ring = m->private;

	seq_printf(m, "state %u\nerror %u\nkicks %lld\ninterrupts %lld\n"
		   "interrupts_suppressed %lld\nchains %lld\nbytes %lld\n"
		   "polls_hit %lld\npolls_missed %lld\n",
		   READ_ONCE(ring->state), READ_ONCE(ring->error),
		   atomic64_read(&ring->kicks),
		   atomic64_read(&ring->interrupts),
		   atomic64_read(&ring->interrupts_suppressed),
		   atomic64_read(&ring->chains), atomic64_read(&ring->bytes),
		   atomic64_read(&ring->polls_hit),
		   atomic64_read(&ring->polls_missed));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hb_ring_stats);

static int hb_ring_check_config(const struct hb_ring_config *c)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(c->reserved); i++)
		if (c->reserved[i])
			return -EINVAL;
	if (!c->num || c->num > HB_RING_MAX_SIZE || (c->num & (c->num - 1)))
		return -EINVAL;
	if (c->features & ~HB_RING_VALID_FEATURES)
		return -EINVAL;
	if (c->desc_gpa % 16 || c->avail_gpa % 2 || c->used_gpa % 4)
		return -EINVAL;
	switch (c->backend) {
	case HB_RING_BACKEND_LOOPBACK:
		if (c->backend_fd != -1)
			return -EINVAL;
		break;
	case HB_RING_BACKEND_TAP:
	case HB_RING_BACKEND_STREAM:
		if (c->backend_fd < 0)
			return -EBADF;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int hb_ring_setup(struct hb_ring *ring, const struct hb_ring_config *c)
{
	static const struct hb_ring_backend *const backends[] = {
		[HB_RING_BACKEND_LOOPBACK] = &hb_ring_loopback,
		[HB_RING_BACKEND_TAP] = &hb_ring_tap,
		[HB_RING_BACKEND_STREAM] = &hb_ring_stream,
	};
	u32 event = (c->features & HB_RING_F_EVENT_IDX) ? 2 : 0;
	struct file *kick_file;
	umode_t mode;

	ring->num = c->num;
	ring->features = c->features;
	ring->backend = backends[c->backend];
	ring->last_avail = c->last_avail_idx;
	ring->used_idx = c->used_idx;

	if (hb_ring_translate_cached(ring, c->desc_gpa, 16ULL * c->num, false,
			      &ring->desc_hva) ||
	    hb_ring_translate_cached(ring, c->avail_gpa, 4 + 2ULL * c->num + event,
			      false, &ring->avail_hva) ||
	    hb_ring_translate_cached(ring, c->used_gpa, 4 + 8ULL * c->num + event,
			      true, &ring->used_hva))
		return -EFAULT;

	ring->iov = kvmalloc_array(c->num + HB_RING_MAX_INDIRECT,
				   sizeof(*ring->iov), GFP_KERNEL_ACCOUNT);
	if (!ring->iov)
		return -ENOMEM;
	/* Only the fd backends stage data; the loopback copies in place. */
	if (c->backend != HB_RING_BACKEND_LOOPBACK) {
		ring->bounce = kvmalloc(HB_RING_BOUNCE_SIZE, GFP_KERNEL_ACCOUNT);
		if (!ring->bounce)
			return -ENOMEM;
	}
	ring->poll_ns = READ_ONCE(ring_poll_ns);

	if (c->call_fd >= 0) {
		ring->call = eventfd_ctx_fdget(c->call_fd);
		if (IS_ERR(ring->call)) {
			long ret = PTR_ERR(ring->call);

			ring->call = NULL;
			return ret;
		}
	}

	if (c->backend != HB_RING_BACKEND_LOOPBACK) {
		ring->backend_file = fget(c->backend_fd);
		if (!ring->backend_file)
			return -EBADF;
		/*
		 * Pipes, sockets, ttys and taps: not anon-inode files such as
		 * signalfd, whose wait queue can die before the ring does.
		 */
		mode = file_inode(ring->backend_file)->i_mode;
		if (!S_ISFIFO(mode) && !S_ISSOCK(mode) && !S_ISCHR(mode))
			return -EINVAL;
		/* The worker must never sleep inside the backend's read/write. */
		if (!(ring->backend_file->f_flags & O_NONBLOCK) ||
		    !(ring->backend_file->f_mode & FMODE_READ) ||
		    !(ring->backend_file->f_mode & FMODE_WRITE))
			return -EINVAL;
		init_poll_funcptr(&ring->fd_pt, hb_ring_fd_queue);
		vfs_poll(ring->backend_file, &ring->fd_pt);
	}

	kick_file = fget(c->kick_fd);
	if (!kick_file)
		return -EBADF;
	ring->kick = eventfd_ctx_fileget(kick_file);
	if (IS_ERR(ring->kick)) {
		long ret = PTR_ERR(ring->kick);

		ring->kick = NULL;
		fput(kick_file);
		return ret;
	}
	init_waitqueue_func_entry(&ring->kick_wait, hb_ring_kick_wakeup);
	init_poll_funcptr(&ring->kick_pt, hb_ring_kick_queue);
	/* An earlier kick needs nothing: the worker starts with work set. */
	vfs_poll(kick_file, &ring->kick_pt);
	fput(kick_file);
	return 0;
}

long hb_ring_create(struct hb_vm *vm, struct hb_ring_config __user *uc)
{
	struct hb_ring_config c;
	struct hb_ring *ring;
	char name[16];
	int ret, fd;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	ret = hb_ring_check_config(&c);
	if (ret)
		return ret;
	if (atomic_inc_return(&vm->nr_rings) > HB_MAX_RINGS_PER_VM) {
		atomic_dec(&vm->nr_rings);
		return -ENOSPC;
	}

	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring) {
		atomic_dec(&vm->nr_rings);
		return -ENOMEM;
	}
	ring->vm = vm;
	refcount_inc(&vm->users);
	atomic64_inc(&hb_stat_rings);
	ring->id = atomic_inc_return(&hb_ring_ids);
	mutex_init(&ring->lock);
	init_waitqueue_head(&ring->state_wq);
	ring->state = HB_RING_STATE_STOPPED;

	ret = hb_ring_setup(ring, &c);
	if (!ret)
		ret = hb_ring_start(ring);
	if (ret) {
		hb_ring_free(ring);
		return ret;
	}
	snprintf(name, sizeof(name), "%u", ring->id);
	ring->debugfs = debugfs_create_file(name, 0444, hb_stats_rings_dir(),
					    ring, &hb_ring_stats_fops);

	fd = anon_inode_getfd("hyperbox-ring", &hb_ring_fops, ring,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		hb_ring_stop(ring);
		hb_ring_free(ring);
	}
	return fd;
}
