// SPDX-License-Identifier: GPL-2.0
/*
 * Doorbells: a guest write to a registered port or guest physical address
 * signals an eventfd inside the module, so a virtqueue notification costs
 * one exit and no trip to userspace (what ioeventfd is to KVM). The exit
 * path walks the list under RCU; registration takes the mutex.
 */
#include <linux/file.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "hb.h"

struct hb_doorbell_entry {
	struct list_head link;
	struct rcu_head rcu;
	struct eventfd_ctx *ctx;
	u64 addr;
	u64 datamatch;
	u32 len;
	bool pio;
	bool match_data;
};

static bool hb_doorbell_same(const struct hb_doorbell_entry *e,
			     const struct hb_doorbell *d)
{
	return e->addr == d->addr && e->len == d->len &&
	       e->pio == !!(d->flags & HB_DOORBELL_PIO) &&
	       e->match_data == !!(d->flags & HB_DOORBELL_DATAMATCH) &&
	       (!e->match_data || e->datamatch == d->datamatch);
}

/* hb_doorbell_write() found doorbells: is one of them at @addr? */
bool __hb_exit_path hb_doorbell_signal(struct hb_vm *vm, bool pio, u64 addr,
				       u32 len, u64 data)
{
	struct hb_doorbell_entry *e;
	bool hit = false;

	rcu_read_lock();
	list_for_each_entry_rcu(e, &vm->doorbells, link) {
		if (e->pio != pio || e->addr != addr || e->len != len)
			continue;
		if (e->match_data && e->datamatch != data)
			continue;
		hb_eventfd_signal(e->ctx);
		hit = true;
		break;
	}
	rcu_read_unlock();
	return hit;
}

static void hb_doorbell_free_rcu(struct rcu_head *head)
{
	struct hb_doorbell_entry *e = container_of(head, typeof(*e), rcu);

	eventfd_ctx_put(e->ctx);
	kfree(e);
}

static int hb_doorbell_check(const struct hb_doorbell *d)
{
	int i;

	if (d->flags & ~HB_DOORBELL_VALID_FLAGS || d->padding)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(d->reserved); i++)
		if (d->reserved[i])
			return -EINVAL;
	if (d->len != 1 && d->len != 2 && d->len != 4 && d->len != 8)
		return -EINVAL;
	if (d->flags & HB_DOORBELL_PIO) {
		if (d->len == 8 || d->addr > 0xffff)
			return -EINVAL;
	} else if (d->addr >> HB_GPA_BITS || d->addr + d->len < d->addr) {
		return -EINVAL;
	}
	if ((d->flags & HB_DOORBELL_DATAMATCH) && d->len < 8 &&
	    d->datamatch >> (8 * d->len))
		return -EINVAL;
	return 0;
}

long hb_doorbell_register(struct hb_vm *vm, struct hb_doorbell __user *ud)
{
	struct hb_doorbell_entry *e, *n;
	struct eventfd_ctx *ctx;
	struct hb_doorbell d;
	long ret;

	if (copy_from_user(&d, ud, sizeof(d)))
		return -EFAULT;
	ret = hb_doorbell_check(&d);
	if (ret)
		return ret;

	ctx = eventfd_ctx_fdget(d.fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	mutex_lock(&vm->doorbell_lock);
	if (d.flags & HB_DOORBELL_DEASSIGN) {
		ret = -ENOENT;
		list_for_each_entry_safe(e, n, &vm->doorbells, link) {
			if (e->ctx != ctx || !hb_doorbell_same(e, &d))
				continue;
			list_del_rcu(&e->link);
			vm->nr_doorbells--;
			call_rcu(&e->rcu, hb_doorbell_free_rcu);
			ret = 0;
			break;
		}
		goto out;
	}
	list_for_each_entry(e, &vm->doorbells, link) {
		if (hb_doorbell_same(e, &d)) {
			ret = -EEXIST;
			goto out;
		}
	}
	if (vm->nr_doorbells >= HB_MAX_DOORBELLS) {
		ret = -ENOSPC;
		goto out;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e) {
		ret = -ENOMEM;
		goto out;
	}
	e->ctx = ctx;
	ctx = NULL;		/* the entry owns the reference now */
	e->addr = d.addr;
	e->len = d.len;
	e->pio = d.flags & HB_DOORBELL_PIO;
	e->match_data = d.flags & HB_DOORBELL_DATAMATCH;
	e->datamatch = d.datamatch;
	list_add_tail_rcu(&e->link, &vm->doorbells);
	vm->nr_doorbells++;
out:
	mutex_unlock(&vm->doorbell_lock);
	if (ctx)
		eventfd_ctx_put(ctx);
	return ret;
}

/* VM teardown: no vCPU can be in the exit path any more. */
void hb_doorbell_free_all(struct hb_vm *vm)
{
	struct hb_doorbell_entry *e, *n;

	list_for_each_entry_safe(e, n, &vm->doorbells, link) {
		list_del(&e->link);
		eventfd_ctx_put(e->ctx);
		kfree(e);
	}
	vm->nr_doorbells = 0;
}
