// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory is the host's memory: writes on either side are seen by the
 * other, read-only slots stay read-only, unbacked addresses exit as MMIO,
 * and a deleted slot is gone from the guest at once.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "lib/hb_util.h"

#define SLOT_SIZE	(1ull << 20)

static volatile uint64_t shared[8];

static void guest_shared_memory(void)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		shared[i] = 0x1000 + i;
	GUEST_SYNC(1);
	/* The host has rewritten the array meanwhile. */
	for (i = 0; i < 8; i++)
		GUEST_ASSERT_EQ(shared[i], 0x2000 + i);
}

HB_TEST(guest_writes_host_reads_and_back)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_shared_memory);
	volatile uint64_t *seen = addr_gva2hva(vm, shared);
	unsigned int i;

	vcpu_run_expect_sync(vcpu, 1);
	for (i = 0; i < 8; i++) {
		TEST_ASSERT_EQ(seen[i], 0x1000 + i);
		seen[i] = 0x2000 + i;
	}
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_rw_at(uint64_t gpa, uint64_t value)
{
	volatile uint64_t *p = (volatile uint64_t *)gpa;

	GUEST_SYNC(*p);
	*p = value;
	GUEST_SYNC(*p);
}

HB_TEST(extra_slot_is_shared_both_ways)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	uint64_t *mem = vm_add_slot(vm, 1, 0, EXTRA_SLOT_GPA, SLOT_SIZE);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_rw_at);
	uint64_t off = SLOT_SIZE - 8;	/* the last word: bounds are right */

	mem[off / 8] = 0x1111222233334444ull;
	vcpu_args_set(vcpu, 2, EXTRA_SLOT_GPA + off, 0x5555666677778888ull);
	vcpu_run_expect_sync(vcpu, 0x1111222233334444ull);
	vcpu_run_expect_sync(vcpu, 0x5555666677778888ull);
	TEST_ASSERT_EQ(mem[off / 8], 0x5555666677778888ull);
	vm_free(vm);
}

HB_TEST(read_only_slot_write_exits_as_mmio)
{
	struct vm *vm;
	struct vcpu *vcpu;
	uint64_t *mem, data = 0;

	require_cap(HB_CAP_READONLY_MEM, "HB_CAP_READONLY_MEM");
	vm = vm_create(VMM_MODE_LONG);
	mem = vm_add_slot(vm, 1, HB_MEM_READONLY, EXTRA_SLOT_GPA, SLOT_SIZE);
	vcpu = vm_vcpu_add(vm, 0, guest_rw_at);
	mem[0] = 0xfeedface;
	vcpu_args_set(vcpu, 2, EXTRA_SLOT_GPA, 0xbad);
	vcpu_run_expect_sync(vcpu, 0xfeedface);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_MMIO);
	TEST_ASSERT_EQ(vcpu->run->mmio.phys_addr, EXTRA_SLOT_GPA);
	TEST_ASSERT_EQ(vcpu->run->mmio.is_write, 1);
	TEST_ASSERT_EQ(vcpu->run->mmio.len, 8);
	memcpy(&data, vcpu->run->mmio.data, 8);
	TEST_ASSERT_EQ(data, 0xbad);
	TEST_ASSERT_EQ(mem[0], 0xfeedface);
	/* The write was dropped, the guest goes on and reads the old value. */
	vcpu_run_expect_sync(vcpu, 0xfeedface);
	vm_free(vm);
}

static void guest_read_unbacked(uint64_t gpa)
{
	GUEST_ASSERT_EQ(*(volatile uint32_t *)gpa, 0xcafe0042);
}

HB_TEST(unbacked_read_exits_as_mmio)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_read_unbacked);
	uint32_t value = 0xcafe0042;

	vcpu_args_set(vcpu, 1, EXTRA_SLOT_GPA + 0x40);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_MMIO);
	TEST_ASSERT_EQ(vcpu->run->mmio.phys_addr, EXTRA_SLOT_GPA + 0x40);
	TEST_ASSERT_EQ(vcpu->run->mmio.is_write, 0);
	TEST_ASSERT_EQ(vcpu->run->mmio.len, 4);
	memcpy(vcpu->run->mmio.data, &value, 4);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_read_forever(uint64_t gpa)
{
	for (;;)
		GUEST_SYNC(*(volatile uint64_t *)gpa);
}

static uint64_t mapped_pages(void)
{
	uint64_t v = 0;

	hb_debugfs_read("mapped_pages", &v);
	return v;
}

HB_TEST(deleted_slot_is_gone_at_once)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	uint64_t *a = vm_add_slot(vm, 1, 0, EXTRA_SLOT_GPA, SLOT_SIZE);
	uint64_t *b = hb_guest_mem_alloc(SLOT_SIZE);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_read_forever);
	uint64_t before;

	a[0] = 0xaaaa;
	b[0] = 0xbbbb;
	vcpu_args_set(vcpu, 1, EXTRA_SLOT_GPA);
	vcpu_run_expect_sync(vcpu, 0xaaaa);

	/* Replace the backing: the guest must not keep the old page. */
	TEST_ASSERT_OK(hb_delete_memory(vm->fd, 1));
	TEST_ASSERT_OK(hb_set_user_memory(vm->fd, 1, 0, EXTRA_SLOT_GPA,
					  SLOT_SIZE, b));
	vcpu_run_expect_sync(vcpu, 0xbbbb);

	before = mapped_pages();
	TEST_ASSERT_OK(hb_delete_memory(vm->fd, 1));
	if (before)
		TEST_ASSERT(mapped_pages() < before,
			    "mapped_pages stayed at %llu after deleting a mapped slot",
			    (unsigned long long)before);
	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason != HB_EXIT_HYPERCALL,
		    "guest still read 0x%llx from the deleted slot",
		    (unsigned long long)vcpu->run->hypercall.args[1]);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_MMIO);
	TEST_ASSERT_EQ(vcpu->run->mmio.phys_addr, EXTRA_SLOT_GPA);
	vm_free(vm);
}

HB_TEST(moving_a_slot_moves_the_memory)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	uint64_t *a = vm_add_slot(vm, 1, 0, EXTRA_SLOT_GPA, SLOT_SIZE);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_read_forever);

	a[SLOT_SIZE / 8 / 2] = 0x4d4f5645;	/* "MOVE" */
	vcpu_args_set(vcpu, 1, EXTRA_SLOT_GPA + SLOT_SIZE / 2);
	vcpu_run_expect_sync(vcpu, 0x4d4f5645);
	/* Same slot id, new gpa: the word now lives SLOT_SIZE/2 lower. */
	TEST_ASSERT_OK(hb_set_user_memory(vm->fd, 1, 0,
					  EXTRA_SLOT_GPA + SLOT_SIZE / 2,
					  SLOT_SIZE, a));
	a[0] = 0x4e4557;			/* "NEW" */
	vcpu_run_expect_sync(vcpu, 0x4e4557);
	vm_free(vm);
}

static volatile uint64_t reads;

static void guest_read_slot_forever(uint64_t gpa)
{
	for (;;) {
		(void)*(volatile uint64_t *)gpa;
		reads++;
	}
}

struct deleter {
	struct vm *vm;
	volatile uint64_t *reads;
	int ret;
	uint64_t reads_before;
};

static void *delete_slot_while_running(void *arg)
{
	struct deleter *d = arg;
	unsigned int i;

	/* Wait until the guest demonstrably reads the slot, then pull it. */
	for (i = 0; i < 500 && !*d->reads; i++)
		usleep(10 * 1000);
	d->reads_before = *d->reads;
	d->ret = hb_delete_memory(d->vm->fd, 1);
	return NULL;
}

/*
 * The vCPU never exits on its own; deleting its slot from another thread
 * must still take the memory away from it: its next read exits as MMIO.
 */
HB_TEST(slot_deleted_under_a_running_vcpu)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct deleter d = { .vm = vm };
	struct vcpu *vcpu;
	pthread_t thread;

	vm_add_slot(vm, 1, 0, EXTRA_SLOT_GPA, SLOT_SIZE);
	vcpu = vm_vcpu_add(vm, 0, guest_read_slot_forever);
	vcpu_args_set(vcpu, 1, EXTRA_SLOT_GPA);
	d.reads = addr_gva2hva(vm, &reads);
	TEST_ASSERT(!pthread_create(&thread, NULL, delete_slot_while_running, &d),
		    "pthread_create");
	vcpu_run(vcpu);
	pthread_join(thread, NULL);
	TEST_ASSERT_OK(d.ret);
	TEST_ASSERT(d.reads_before > 0, "the guest never read the slot");
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_MMIO);
	TEST_ASSERT_EQ(vcpu->run->mmio.phys_addr, EXTRA_SLOT_GPA);
	vm_free(vm);
}
