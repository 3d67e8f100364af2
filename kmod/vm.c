// SPDX-License-Identifier: GPL-2.0
/*
 * VM file descriptors and guest memory slots.
 *
 * A slot maps a range of guest physical addresses to a range of the VM
 * owner's virtual address space. Nothing is pinned when a slot is created:
 * the nested page table is filled page by page from nested page faults
 * (tdp.c), and everything it pinned is released when the slot goes away.
 */
#define pr_fmt(fmt) "hyperbox: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "hb.h"

struct hb_memslot *hb_memslot_find(struct hb_vm *vm, u64 gfn)
{
	int i;

	lockdep_assert_held(&vm->slots_lock);
	for (i = 0; i < HB_NR_MEMSLOTS; i++) {
		struct hb_memslot *s = &vm->slots[i];

		if (s->used && gfn >= s->base_gfn &&
		    gfn - s->base_gfn < s->npages)
			return s;
	}
	return NULL;
}

/*
 * Without slots_lock, for the exit fast path: may a slot cover @gfn? A
 * concurrent change can make the answer stale either way, as for any
 * access that races a slot change; "no" only sends the access to
 * userspace as MMIO, "yes" to the slow path, which looks again.
 */
bool __hb_exit_path hb_memslot_any_racy(struct hb_vm *vm, u64 gfn)
{
	int i;

	for (i = 0; i < HB_NR_MEMSLOTS; i++) {
		struct hb_memslot *s = &vm->slots[i];
		u64 base = READ_ONCE(s->base_gfn), n = READ_ONCE(s->npages);

		if (READ_ONCE(s->used) && gfn >= base && gfn - base < n)
			return true;
	}
	return false;
}

/* Every page of [start, start + len) must belong to some VMA. */
static bool hb_user_range_mapped(unsigned long start, unsigned long len)
{
	unsigned long end = start + len, addr = start;
	struct vm_area_struct *vma;
	bool ok = true;

	mmap_read_lock(current->mm);
	while (addr < end) {
		vma = find_vma(current->mm, addr);
		if (!vma || vma->vm_start > addr ||
		    (vma->vm_flags & (VM_IO | VM_PFNMAP))) {
			ok = false;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(current->mm);
	return ok;
}

static int hb_check_region(const struct hb_memory_region *r)
{
	u64 last_gpa;
	int i;

	for (i = 0; i < ARRAY_SIZE(r->reserved); i++)
		if (r->reserved[i])
			return -EINVAL;
	if (r->flags & ~HB_MEM_VALID_FLAGS)
		return -EINVAL;
	if (r->slot >= HB_NR_MEMSLOTS)
		return -EINVAL;
	if (!r->memory_size)
		return 0;
	if (!PAGE_ALIGNED(r->guest_phys_addr) ||
	    !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (r->memory_size > HB_MAX_SLOT_SIZE)
		return -EINVAL;
	if (check_add_overflow(r->guest_phys_addr, r->memory_size - 1,
			       &last_gpa) || last_gpa >> HB_GPA_BITS)
		return -EINVAL;
	if (r->userspace_addr + r->memory_size < r->userspace_addr)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(r->userspace_addr), r->memory_size))
		return -EFAULT;
	if (!hb_user_range_mapped(r->userspace_addr, r->memory_size))
		return -EFAULT;
	return 0;
}

static void hb_memslot_delete(struct hb_vm *vm, struct hb_memslot *s)
{
	/* Unmap (and unpin) first, so no vCPU can reach the old pages. */
	hb_tdp_unmap_range(vm, s->base_gfn, s->npages);
	s->used = false;
}

static int hb_vm_set_memory_region(struct hb_vm *vm,
				   const struct hb_memory_region *r)
{
	struct hb_memslot *slot = &vm->slots[r->slot];
	u64 gfn = r->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = r->memory_size >> PAGE_SHIFT;
	int ret, i;

	ret = hb_check_region(r);
	if (ret)
		return ret;

	mutex_lock(&vm->slots_lock);
	if (!npages) {
		if (!slot->used) {
			ret = -EINVAL;
			goto out;
		}
		hb_memslot_delete(vm, slot);
		goto out;
	}

	for (i = 0; i < HB_NR_MEMSLOTS; i++) {
		struct hb_memslot *o = &vm->slots[i];

		if (!o->used || o == slot)
			continue;
		if (gfn < o->base_gfn + o->npages && o->base_gfn < gfn + npages) {
			ret = -EEXIST;
			goto out;
		}
	}

	/* Re-defining a slot replaces it as a whole. */
	if (slot->used)
		hb_memslot_delete(vm, slot);
	slot->id = r->slot;
	slot->flags = r->flags;
	slot->base_gfn = gfn;
	slot->npages = npages;
	slot->uaddr = r->userspace_addr;
	slot->used = true;
out:
	if (!ret)
		atomic64_inc(&vm->slots_gen);
	mutex_unlock(&vm->slots_lock);
	return ret;
}

static void hb_vm_destroy(struct hb_vm *vm)
{
	hb_irqfd_free_all(vm);
	hb_doorbell_free_all(vm);
	hb_tdp_destroy(vm);
	hb_ops->vm_destroy(vm);
	mmdrop(vm->mm);
	kfree(vm);
	atomic64_dec(&hb_stat_vms);
	hb_virt_put();
}

void hb_vm_put(struct hb_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		hb_vm_destroy(vm);
}

static long hb_vm_ioctl(struct file *filp, unsigned int cmd,
			unsigned long arg)
{
	struct hb_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* Guest memory is the owner's memory: no other process may touch it. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (cmd) {
	case HB_SET_MEMORY_REGION: {
		struct hb_memory_region r;

		if (copy_from_user(&r, argp, sizeof(r)))
			return -EFAULT;
		return hb_vm_set_memory_region(vm, &r);
	}
	case HB_CREATE_VCPU:
		return hb_vcpu_create(vm, arg);
	case HB_REGISTER_DOORBELL:
		return hb_doorbell_register(vm, argp);
	case HB_REGISTER_IRQFD:
		return hb_irqfd_register(vm, argp);
	case HB_CREATE_RING:
		return hb_ring_create(vm, argp);
	default:
		return -ENOTTY;
	}
}

static int hb_vm_release(struct inode *inode, struct file *filp)
{
	hb_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations hb_vm_fops = {
	.owner = THIS_MODULE,
	.release = hb_vm_release,
	.unlocked_ioctl = hb_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int hb_vm_create(unsigned long flags)
{
	struct hb_vm *vm;
	int ret, fd, i;

	if (flags)
		return -EINVAL;

	ret = hb_virt_get();
	if (ret)
		return ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		ret = -ENOMEM;
		goto err_virt;
	}
	refcount_set(&vm->users, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->slots_lock);
	atomic64_set(&vm->tdp_gen, 1);
	mutex_init(&vm->doorbell_lock);
	INIT_LIST_HEAD(&vm->doorbells);
	mutex_init(&vm->irqfd_lock);
	INIT_LIST_HEAD(&vm->irqfds);
	for (i = 0; i < HB_MAX_VCPUS; i++)
		init_waitqueue_head(&vm->halt_wq[i]);
	mmgrab(current->mm);
	vm->mm = current->mm;

	ret = hb_ops->vm_init(vm);
	if (ret)
		goto err_free;
	ret = hb_tdp_init(vm);
	if (ret)
		goto err_backend;
	atomic64_inc(&hb_stat_vms);

	fd = anon_inode_getfd("hyperbox-vm", &hb_vm_fops, vm,
			      O_RDWR | O_CLOEXEC);
	/* If the fd never existed, tear down exactly as a release would. */
	if (fd < 0)
		hb_vm_put(vm);
	return fd;

err_backend:
	hb_ops->vm_destroy(vm);
err_free:
	mmdrop(vm->mm);
	kfree(vm);
err_virt:
	hb_virt_put();
	return ret;
}
