// SPDX-License-Identifier: GPL-2.0
/*
 * HB_SET_MEMORY_REGION validation: every bad argument gets its exact errno
 * and changes nothing. "Nothing" is checked from inside the guest: a probe
 * still reads slot 0's marker, and the address the bad slot would have
 * covered still has no memory behind it (the read exits to userspace).
 */
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>

#include "lib/hb_util.h"

#define PROBE_GPA	EXTRA_SLOT_GPA
#define SLOT_SIZE	(1ull << 20)
#define MARKER		0x5a5a1234c0ffee00ull

static uint64_t marker;	/* in slot 0, through the guest's image */

static void guest_probe(uint64_t gpa)
{
	GUEST_SYNC(READ_ONCE(marker));
	GUEST_SYNC(*(volatile uint64_t *)gpa);
}

struct memslot_env {
	struct vm *vm;
	void *backing;		/* valid, page-aligned, SLOT_SIZE bytes */
	struct hb_memory_region good;
};

static struct memslot_env env_create(void)
{
	struct memslot_env env;

	env.vm = vm_create(VMM_MODE_LONG);
	marker = MARKER;
	sync_global_to_guest(env.vm, marker);
	env.backing = hb_guest_mem_alloc(SLOT_SIZE);
	TEST_ASSERT(env.backing, "mmap");
	env.good = (struct hb_memory_region){
		.slot = 1,
		.guest_phys_addr = PROBE_GPA,
		.memory_size = SLOT_SIZE,
		.userspace_addr = (uintptr_t)env.backing,
	};
	return env;
}

/*
 * The guest still sees slot 0 and nothing at PROBE_GPA. An unbacked read
 * must exit (MMIO, or an emulation error while the module cannot decode
 * it: MMIO itself is memory_test's business); getting data back means the
 * rejected slot was installed after all.
 */
static void assert_nothing_changed(struct memslot_env *env)
{
	struct vcpu *vcpu = vm_vcpu_add(env->vm, 0, guest_probe);
	struct hb_run *run = vcpu->run;

	vcpu_args_set(vcpu, 1, PROBE_GPA);
	vcpu_run_expect_sync(vcpu, MARKER);
	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason != HB_EXIT_HYPERCALL,
		    "the rejected slot was installed: guest read 0x%llx at 0x%llx",
		    (unsigned long long)run->hypercall.args[1],
		    (unsigned long long)PROBE_GPA);
	if (run->exit_reason == HB_EXIT_INTERNAL_ERROR &&
	    run->internal.suberror == HB_INTERNAL_ERROR_EMULATION)
		return;
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_MMIO);
	TEST_ASSERT_EQ(run->mmio.phys_addr, PROBE_GPA);
	TEST_ASSERT_EQ(run->mmio.is_write, 0);
}

static void expect_rejected(struct hb_memory_region r, int err)
{
	struct memslot_env env = env_create();

	if (!r.userspace_addr)
		r.userspace_addr = (uintptr_t)env.backing;
	TEST_ASSERT_ERRNO(hb_set_memory_region(env.vm->fd, &r), err);
	assert_nothing_changed(&env);
	vm_free(env.vm);
}

/* A valid region for slot 1 (backing filled in by expect_rejected()). */
static struct hb_memory_region good_region(void)
{
	struct hb_memory_region r = {
		.slot = 1,
		.guest_phys_addr = PROBE_GPA,
		.memory_size = SLOT_SIZE,
	};

	return r;
}

HB_TEST(valid_region_is_accepted)
{
	struct memslot_env env = env_create();
	struct vcpu *vcpu;

	*(uint64_t *)env.backing = 0xabcdef;
	TEST_ASSERT_OK(hb_set_memory_region(env.vm->fd, &env.good));
	vcpu = vm_vcpu_add(env.vm, 0, guest_probe);
	vcpu_args_set(vcpu, 1, PROBE_GPA);
	vcpu_run_expect_sync(vcpu, MARKER);
	vcpu_run_expect_sync(vcpu, 0xabcdef);
	vm_free(env.vm);
}

HB_TEST(unaligned_gpa_is_einval)
{
	struct hb_memory_region r = good_region();

	r.guest_phys_addr = PROBE_GPA + 0x800;
	expect_rejected(r, EINVAL);
}

HB_TEST(unaligned_size_is_einval)
{
	struct hb_memory_region r = good_region();

	r.memory_size = SLOT_SIZE - 0x10;
	expect_rejected(r, EINVAL);
}

HB_TEST(unaligned_userspace_addr_is_einval)
{
	struct memslot_env env = env_create();
	struct hb_memory_region r = env.good;

	r.userspace_addr += 0x10;
	TEST_ASSERT_ERRNO(hb_set_memory_region(env.vm->fd, &r), EINVAL);
	assert_nothing_changed(&env);
}

HB_TEST(deleting_a_missing_slot_is_einval)
{
	struct hb_memory_region r = good_region();

	r.slot = 5;
	r.memory_size = 0;
	expect_rejected(r, EINVAL);
}

HB_TEST(overlap_with_slot0_is_eexist)
{
	struct hb_memory_region r = good_region();

	r.guest_phys_addr = VM_MEM_SIZE - 0x1000;
	r.memory_size = 0x2000;
	expect_rejected(r, EEXIST);
}

HB_TEST(overlap_between_new_slots_is_eexist)
{
	struct memslot_env env = env_create();
	struct hb_memory_region r = env.good;
	void *other = hb_guest_mem_alloc(SLOT_SIZE);

	r.guest_phys_addr = PROBE_GPA + SLOT_SIZE;
	TEST_ASSERT_OK(hb_set_memory_region(env.vm->fd, &r));
	r.slot = 2;
	r.guest_phys_addr = PROBE_GPA + SLOT_SIZE / 2;
	r.userspace_addr = (uintptr_t)other;
	TEST_ASSERT_ERRNO(hb_set_memory_region(env.vm->fd, &r), EEXIST);
	assert_nothing_changed(&env);
}

HB_TEST(gpa_wrap_around_is_einval)
{
	struct hb_memory_region r = good_region();

	r.guest_phys_addr = -SLOT_SIZE / 2 & ~0xfffull;
	expect_rejected(r, EINVAL);
}

HB_TEST(gpa_beyond_48_bits_is_einval)
{
	struct hb_memory_region r = good_region();

	r.guest_phys_addr = 1ull << 48;
	expect_rejected(r, EINVAL);
}

HB_TEST(userspace_addr_wrap_around_is_einval)
{
	struct hb_memory_region r = good_region();

	r.userspace_addr = -0x1000ull;
	expect_rejected(r, EINVAL);
}

HB_TEST(size_beyond_limit_is_einval)
{
	struct memslot_env env = env_create();
	uint64_t limit = (uint64_t)hb_check_extension(env.vm->sys_fd,
						      HB_CAP_MAX_MEM_SIZE_MB) << 20;
	struct hb_memory_region r = env.good;
	void *huge;

	/* Reserve (not commit) enough address space, so only the size is wrong. */
	huge = mmap(NULL, limit + 0x1000, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(huge != MAP_FAILED, "reserving %llu bytes: %s",
		    (unsigned long long)limit, strerror(errno));
	r.memory_size = limit + 0x1000;
	r.userspace_addr = (uintptr_t)huge;
	TEST_ASSERT_ERRNO(hb_set_memory_region(env.vm->fd, &r), EINVAL);
	assert_nothing_changed(&env);
}

HB_TEST(kernel_userspace_addr_is_efault)
{
	struct hb_memory_region r = good_region();

	r.userspace_addr = 0xffff888000000000ull;
	expect_rejected(r, EFAULT);
}

HB_TEST(unmapped_userspace_addr_is_efault)
{
	struct memslot_env env = env_create();
	struct hb_memory_region r = env.good;
	void *hole = hb_guest_mem_alloc(SLOT_SIZE);

	TEST_ASSERT(hole, "mmap");
	munmap(hole, SLOT_SIZE);
	r.userspace_addr = (uintptr_t)hole;
	TEST_ASSERT_ERRNO(hb_set_memory_region(env.vm->fd, &r), EFAULT);
	/* Partly mapped is just as bad. */
	munmap((char *)env.backing + SLOT_SIZE / 2, 0x1000);
	r.userspace_addr = (uintptr_t)env.backing;
	TEST_ASSERT_ERRNO(hb_set_memory_region(env.vm->fd, &r), EFAULT);
	assert_nothing_changed(&env);
}

HB_TEST(unknown_flags_are_einval)
{
	struct hb_memory_region r = good_region();

	r.flags = 1u << 1;
	expect_rejected(r, EINVAL);
	r.flags = 1u << 31;
	expect_rejected(r, EINVAL);
}

HB_TEST(nonzero_reserved_is_einval)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		struct hb_memory_region r = good_region();

		r.reserved[i] = 1;
		expect_rejected(r, EINVAL);
	}
}

HB_TEST(slot_id_out_of_range_is_einval)
{
	struct hb_memory_region r = good_region();
	int fd = open_hyperbox();

	r.slot = hb_check_extension(fd, HB_CAP_NR_MEMSLOTS);
	close(fd);
	expect_rejected(r, EINVAL);
	r.slot = 0xffffffff;
	expect_rejected(r, EINVAL);
}

HB_TEST(rejected_change_keeps_the_old_slot)
{
	struct memslot_env env = env_create();
	struct hb_memory_region r = good_region();

	/* Redefining slot 0 with a bad flag must leave slot 0 as it was. */
	r.slot = 0;
	r.flags = 1u << 7;
	r.guest_phys_addr = 0;
	r.memory_size = VM_MEM_SIZE;
	r.userspace_addr = (uintptr_t)env.vm->mem;
	TEST_ASSERT_ERRNO(hb_set_memory_region(env.vm->fd, &r), EINVAL);
	r.flags = 0;
	r.guest_phys_addr = 0x800;
	TEST_ASSERT_ERRNO(hb_set_memory_region(env.vm->fd, &r), EINVAL);
	assert_nothing_changed(&env);
}

HB_TEST(every_slot_can_be_used)
{
	struct memslot_env env = env_create();
	int nr = hb_check_extension(env.vm->sys_fd, HB_CAP_NR_MEMSLOTS);
	int slot;

	/* Slot 0 is taken by the VM's main memory. */
	for (slot = 1; slot < nr; slot++) {
		struct hb_memory_region r = env.good;

		r.slot = slot;
		r.memory_size = 0x1000;
		r.guest_phys_addr = PROBE_GPA + SLOT_SIZE + slot * 0x1000ull;
		TEST_ASSERT_OK(hb_set_memory_region(env.vm->fd, &r));
	}
	for (slot = 1; slot < nr; slot++)
		TEST_ASSERT_OK(hb_delete_memory(env.vm->fd, slot));
	TEST_ASSERT_ERRNO(hb_delete_memory(env.vm->fd, 1), EINVAL);
	assert_nothing_changed(&env);
}
