// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt lines: an eventfd whose signal raises a vector on a vCPU from
 * any thread (what irqfd is to KVM). The eventfd's wake-up callback runs
 * in atomic context: it only consumes the count, sets the vector in the
 * VM's per-vCPU request bitmap and wakes or kicks the vCPU; the run loop
 * turns the request into an injection when the guest can take it.
 */
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "hb.h"

struct hb_irqfd_entry {
	struct list_head link;
	struct hb_vm *vm;
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	poll_table pt;
	wait_queue_head_t *wqh;
	u32 vector;
	u32 vcpu;
};

static void hb_vm_raise_irq(struct hb_vm *vm, u32 vcpu, u32 vector)
{
	struct task_struct *task;

	set_bit(vector, vm->irr[vcpu]);
	/* The bit before the wake-up: pairs with the waiter's re-check. */
	smp_mb__after_atomic();
	wake_up(&vm->halt_wq[vcpu]);
	/* A vCPU in the guest notices only on an exit: force one. */
	rcu_read_lock();
	task = rcu_dereference(vm->running[vcpu]);
	if (task)
		kick_process(task);
	rcu_read_unlock();
}

static int hb_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			   int sync, void *key)
{
	struct hb_irqfd_entry *irqfd = container_of(wait, typeof(*irqfd), wait);
	__poll_t flags = key_to_poll(key);
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(irqfd->ctx, &cnt);
		hb_vm_raise_irq(irqfd->vm, irqfd->vcpu, irqfd->vector);
	}
	return 0;
}

static void hb_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				poll_table *pt)
{
	struct hb_irqfd_entry *irqfd = container_of(pt, typeof(*irqfd), pt);

	irqfd->wqh = wqh;
	add_wait_queue(wqh, &irqfd->wait);
}

static void hb_irqfd_free(struct hb_irqfd_entry *irqfd)
{
	u64 cnt;

	eventfd_ctx_remove_wait_queue(irqfd->ctx, &irqfd->wait, &cnt);
	eventfd_ctx_put(irqfd->ctx);
	kfree(irqfd);
}

static long hb_irqfd_deassign(struct hb_vm *vm, const struct hb_irqfd *a)
{
	struct hb_irqfd_entry *irqfd, *n;
	struct eventfd_ctx *ctx;
	long ret = -ENOENT;

	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&vm->irqfd_lock);
	list_for_each_entry_safe(irqfd, n, &vm->irqfds, link) {
		if (irqfd->ctx != ctx || irqfd->vector != a->vector ||
		    irqfd->vcpu != a->vcpu)
			continue;
		list_del(&irqfd->link);
		atomic_dec(&vm->nr_irqfds);
		hb_irqfd_free(irqfd);
		ret = 0;
		break;
	}
	mutex_unlock(&vm->irqfd_lock);
	eventfd_ctx_put(ctx);
	/* vCPUs halted in the module may have lost their last way out. */
	if (!ret && !atomic_read(&vm->nr_irqfds)) {
		int i;

		for (i = 0; i < HB_MAX_VCPUS; i++)
			wake_up_all(&vm->halt_wq[i]);
	}
	return ret;
}

long hb_irqfd_register(struct hb_vm *vm, struct hb_irqfd __user *ui)
{
	struct hb_irqfd_entry *irqfd, *e;
	struct hb_irqfd a;
	struct file *file;
	__poll_t events;
	long ret;
	int i;

	if (copy_from_user(&a, ui, sizeof(a)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(a.reserved); i++)
		if (a.reserved[i])
			return -EINVAL;
	if (a.flags & ~HB_IRQFD_DEASSIGN || a.vector < 32 || a.vector > 255 ||
	    a.vcpu >= HB_MAX_VCPUS)
		return -EINVAL;
	if (a.flags & HB_IRQFD_DEASSIGN)
		return hb_irqfd_deassign(vm, &a);

	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	irqfd->vector = a.vector;
	irqfd->vcpu = a.vcpu;

	file = fget(a.fd);
	if (!file) {
		ret = -EBADF;
		goto err_free;
	}
	irqfd->ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(irqfd->ctx)) {
		ret = PTR_ERR(irqfd->ctx);
		goto err_fd;
	}

	mutex_lock(&vm->irqfd_lock);
	ret = atomic_read(&vm->nr_irqfds) >= HB_MAX_IRQFDS ? -ENOSPC : 0;
	list_for_each_entry(e, &vm->irqfds, link)
		if (e->ctx == irqfd->ctx && e->vector == a.vector &&
		    e->vcpu == a.vcpu)
			ret = -EEXIST;
	if (ret) {
		mutex_unlock(&vm->irqfd_lock);
		eventfd_ctx_put(irqfd->ctx);
		goto err_fd;
	}
	init_waitqueue_func_entry(&irqfd->wait, hb_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, hb_irqfd_queue_proc);
	list_add_tail(&irqfd->link, &vm->irqfds);
	atomic_inc(&vm->nr_irqfds);
	events = vfs_poll(file, &irqfd->pt);
	/*
	 * Signalled before we listened: deliver that one too. The count is
	 * left for the next wake-up to read; it may only be consumed under
	 * the eventfd's own lock, which the wake-up callback holds.
	 */
	if (events & EPOLLIN)
		hb_vm_raise_irq(vm, a.vcpu, a.vector);
	mutex_unlock(&vm->irqfd_lock);
	fput(file);
	return 0;

err_fd:
	fput(file);
err_free:
	kfree(irqfd);
	return ret;
}

void hb_irqfd_free_all(struct hb_vm *vm)
{
	struct hb_irqfd_entry *irqfd, *n;

	mutex_lock(&vm->irqfd_lock);
	list_for_each_entry_safe(irqfd, n, &vm->irqfds, link) {
		list_del(&irqfd->link);
		hb_irqfd_free(irqfd);
	}
	atomic_set(&vm->nr_irqfds, 0);
	mutex_unlock(&vm->irqfd_lock);
}

/* The highest raised vector, cleared; -1 if none. */
int __hb_exit_path hb_irqfd_take(struct hb_vcpu *vcpu)
{
	unsigned long *irr = vcpu->vm->irr[vcpu->id];
	int vector;

	if (!hb_irqfd_pending(vcpu))
		return -1;
	for (;;) {
		vector = find_last_bit(irr, 256);
		if (vector >= 256)
			return -1;
		if (test_and_clear_bit(vector, irr))
			return vector;
	}
}
