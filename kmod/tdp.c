// SPDX-License-Identifier: GPL-2.0
/*
 * Two-dimensional paging (AMD NPT, Intel EPT): a 4-level table from guest
 * physical to host physical addresses, filled on demand from nested page
 * faults. The entry format belongs to the backend (hb_op(tdp_*)); this
 * file only knows that bits 51:12 of an entry hold the next address.
 *
 * Each leaf holds a pin on its page (pin_user_pages(FOLL_LONGTERM)): the
 * page cannot be freed or reused while the guest can reach it, even if
 * the process unmaps it. Pins are dropped only after every vCPU has been
 * forced out of the guest and will flush its TLB before re-entry.
 */
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/io.h>
#include "hb.h"

#define HB_PT_LEVELS		4
#define HB_PT_ENTRIES		512
#define HB_PTE_ADDR_MASK	GENMASK_ULL(51, 12)
#define HB_ZAP_BATCH		256

static unsigned int hb_pt_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & (HB_PT_ENTRIES - 1);
}

static u64 hb_pt_level_size(int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * (level - 1));
}

static u64 *hb_pte_table(u64 pte)
{
	return __va(pte & HB_PTE_ADDR_MASK);
}

static u64 *hb_tdp_alloc_table(struct hb_vm *vm)
{
	u64 *table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table) {
		vm->tdp.nr_tables++;
		atomic64_inc(&hb_stat_tdp_tables);
	}
	return table;
}

static void hb_tdp_free_table(struct hb_vm *vm, u64 *table)
{
	free_page((unsigned long)table);
	vm->tdp.nr_tables--;
	atomic64_dec(&hb_stat_tdp_tables);
}

int hb_tdp_init(struct hb_vm *vm)
{
	vm->tdp.root = hb_tdp_alloc_table(vm);
	if (!vm->tdp.root)
		return -ENOMEM;
	hb_ops->tdp_set_root(vm, __pa(vm->tdp.root));
	return 0;
}

/* Returns the leaf entry for @gpa, allocating tables on the way if asked. */
static u64 *__hb_exit_path hb_tdp_leaf(struct hb_vm *vm, u64 gpa, bool alloc)
{
	u64 *table = vm->tdp.root;
	int level;

	for (level = HB_PT_LEVELS; level > 1; level--) {
		u64 *pte = &table[hb_pt_index(gpa, level)];
		u64 entry = READ_ONCE(*pte);

		if (!hb_op(tdp_present)(entry)) {
			u64 *next;

			if (!alloc)
				return NULL;
			next = hb_tdp_alloc_table(vm);
			if (!next)
				return ERR_PTR(-ENOMEM);
			entry = hb_op(tdp_table)(__pa(next));
			WRITE_ONCE(*pte, entry);
		}
		table = hb_pte_table(entry);
	}
	return &table[hb_pt_index(gpa, 1)];
}

static void hb_tdp_unpin(struct hb_vm *vm, u64 pte)
{
	struct page *page = pfn_to_page((pte & HB_PTE_ADDR_MASK) >> PAGE_SHIFT);

	/* Writable slots were pinned for write: the guest may have dirtied. */
	unpin_user_pages_dirty_lock(&page, 1, true);
	vm->tdp.nr_mapped--;
	atomic64_dec(&hb_stat_mapped_pages);
}

/**
 * hb_tdp_fault() - map the page behind a nested page fault.
 * @vcpu: the faulting vCPU (its VM owns the table)
 * @gpa: guest physical address of the access
 * @write: the access was a write
 *
 * Return: 0 when mapped (or already mapped by another vCPU), -ENOENT when
 * no slot covers @gpa and -EROFS for a write to a read-only slot (both are
 * MMIO for the caller), another negative errno on failure.
 */
int hb_tdp_fault(struct hb_vcpu *vcpu, u64 gpa, bool write)
{
	struct hb_vm *vm = vcpu->vm;
	u64 gfn = gpa >> PAGE_SHIFT;
	struct hb_memslot *slot;
	unsigned int perm = HB_TDP_READ | HB_TDP_EXEC;
	unsigned int gup = FOLL_LONGTERM;
	unsigned long hva;
	struct page *page;
	u64 *pte;
	long n;
	int ret = 0;

	if (gpa >> HB_GPA_BITS)
		return -ENOENT;

	mutex_lock(&vm->slots_lock);
	slot = hb_memslot_find(vm, gfn);
	if (!slot) {
		ret = -ENOENT;
		goto out;
	}
	if (slot->flags & HB_MEM_READONLY) {
		if (write) {
			ret = -EROFS;
			goto out;
		}
	} else {
		perm |= HB_TDP_WRITE;
		gup |= FOLL_WRITE;
	}

	pte = hb_tdp_leaf(vm, gpa, true);
	if (IS_ERR(pte)) {
		ret = PTR_ERR(pte);
		goto out;
	}
	if (hb_op(tdp_present)(*pte))
		goto out;

	hva = slot->uaddr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
	n = pin_user_pages_fast(hva, 1, gup, &page);
	if (n != 1) {
		ret = n < 0 ? n : -EFAULT;
		goto out;
	}
	WRITE_ONCE(*pte, hb_op(tdp_leaf)(page_to_phys(page), perm));
	vm->tdp.nr_mapped++;
	atomic64_inc(&hb_stat_mapped_pages);
out:
	mutex_unlock(&vm->slots_lock);
	return ret;
}

/*
 * The kernel mapping of the page behind @gfn, for the atomic reader: from
 * the vCPU's cache when an entry of this generation holds it, else from
 * the nested page table. A page in either stays pinned until this vCPU
 * has left its guest-mode region (see hb_tdp_read_atomic()), and every
 * unmap bumps tdp_gen, which a vCPU reads again before each entry: an
 * entry of an older generation is never used.
 */
static void *hb_tdp_page_atomic(struct hb_vcpu *vcpu, u64 gfn)
{
	struct hb_tdp_cache_entry *e;
	u64 *leaf, pte;

	e = &vcpu->tdp_cache[hash_64(gfn, HB_TDP_CACHE_BITS)];
	if (e->page && e->gfn == gfn && e->gen == vcpu->tdp_gen_seen)
		return e->page;
	leaf = hb_tdp_leaf(vcpu->vm, gfn << PAGE_SHIFT, false);
	pte = leaf ? READ_ONCE(*leaf) : 0;
	if (!hb_op(tdp_present)(pte))
		return NULL;
	e->gfn = gfn;
	e->gen = vcpu->tdp_gen_seen;
	e->page = hb_pte_table(pte);
	return e->page;
}

/*
 * Read guest memory through the nested page table, for code that runs
 * with interrupts off in the vCPU's guest-mode region (the exit fast
 * path): a mapped page stays pinned until every vCPU has acknowledged the
 * unmap IPI, which this CPU cannot do before it leaves that region.
 */
int __hb_exit_path hb_tdp_read_atomic(struct hb_vcpu *vcpu, u64 gpa, void *buf,
				      size_t len)
{
	lockdep_assert_irqs_disabled();
	while (len) {
		size_t chunk = min_t(size_t, len, PAGE_SIZE - offset_in_page(gpa));
		u8 *page;

		if (gpa >> HB_GPA_BITS)
			return -EFAULT;
		page = hb_tdp_page_atomic(vcpu, gpa >> PAGE_SHIFT);
		if (!page)
			return -EFAULT;
		memcpy(buf, page + offset_in_page(gpa), chunk);
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

struct hb_zap {
	struct hb_vm *vm;
	unsigned int nr;
	u64 ptes[HB_ZAP_BATCH];
};

/* Force every vCPU out of the guest, then release what was unmapped. */
static void hb_zap_flush(struct hb_zap *zap)
{
	unsigned int i;

	if (!zap->nr)
		return;
	atomic64_inc(&zap->vm->tdp_gen);
	/* New generation before reading vcpu->mode: pairs with run_once. */
	smp_mb__after_atomic();
	hb_vcpu_kick_all(zap->vm);
	for (i = 0; i < zap->nr; i++)
		hb_tdp_unpin(zap->vm, zap->ptes[i]);
	zap->nr = 0;
}

static void hb_tdp_zap_table(struct hb_zap *zap, u64 *table, int level,
			     u64 base, u64 start, u64 end)
{
	u64 size = hb_pt_level_size(level);
	unsigned int i;

	for (i = 0; i < HB_PT_ENTRIES; i++) {
		u64 lo = base + i * size, hi = lo + size;
		u64 pte = table[i];

		if (hi <= start || lo >= end || !hb_op(tdp_present)(pte))
			continue;
		if (level > 1) {
			hb_tdp_zap_table(zap, hb_pte_table(pte), level - 1,
					 lo, start, end);
			continue;
		}
		WRITE_ONCE(table[i], 0);
		zap->ptes[zap->nr++] = pte;
		if (zap->nr == HB_ZAP_BATCH)
			hb_zap_flush(zap);
	}
}

/* Caller holds slots_lock. */
void hb_tdp_unmap_range(struct hb_vm *vm, u64 gfn, u64 npages)
{
	struct hb_zap *zap = kmalloc(sizeof(*zap), GFP_KERNEL | __GFP_NOFAIL);

	zap->vm = vm;
	zap->nr = 0;
	hb_tdp_zap_table(zap, vm->tdp.root, HB_PT_LEVELS, 0,
			 gfn << PAGE_SHIFT, (gfn + npages) << PAGE_SHIFT);
	hb_zap_flush(zap);
	kfree(zap);
}

static void hb_tdp_free_tree(struct hb_vm *vm, u64 *table, int level)
{
	unsigned int i;

	for (i = 0; i < HB_PT_ENTRIES; i++) {
		u64 pte = table[i];

		if (!hb_op(tdp_present)(pte))
			continue;
		if (level > 1)
			hb_tdp_free_tree(vm, hb_pte_table(pte), level - 1);
		else
			hb_tdp_unpin(vm, pte);
	}
	hb_tdp_free_table(vm, table);
}

/* No vCPU exists any more: nothing can hold a stale translation. */
void hb_tdp_destroy(struct hb_vm *vm)
{
	if (vm->tdp.root)
		hb_tdp_free_tree(vm, vm->tdp.root, HB_PT_LEVELS);
	vm->tdp.root = NULL;
	WARN_ON(vm->tdp.nr_tables || vm->tdp.nr_mapped);
}
