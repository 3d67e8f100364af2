// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes: closing the fds frees everything, whatever the order. The
 * module's live counters (debugfs) must come back to where they started.
 */
#include <unistd.h>

#include "lib/blob.h"
#include "lib/hb_util.h"

#define ROUNDS	1000

struct live {
	uint64_t vms, vcpus, mapped_pages;
};

static struct live live_counters(void)
{
	struct live l = {
		.vms = require_counter("vms"),
		.vcpus = require_counter("vcpus"),
		.mapped_pages = require_counter("mapped_pages"),
	};

	return l;
}

#define TEST_ASSERT_LIVE_EQ(a, b)					\
	do {								\
		TEST_ASSERT_EQ((a).vms, (b).vms);			\
		TEST_ASSERT_EQ((a).vcpus, (b).vcpus);			\
		TEST_ASSERT_EQ((a).mapped_pages, (b).mapped_pages);	\
	} while (0)

HB_TEST(counters_are_zero_when_idle)
{
	struct live zero = { 0 }, now;

	open_hyperbox();
	now = live_counters();
	TEST_ASSERT_LIVE_EQ(now, zero);
}

HB_TEST(counters_follow_one_vm)
{
	struct live start, during;
	struct vm *vm;

	open_hyperbox();
	start = live_counters();
	vm = vm_create(VMM_MODE_LONG);
	vm_vcpu_add(vm, 0, NULL);
	vm_vcpu_add(vm, 1, NULL);
	during = live_counters();
	TEST_ASSERT_EQ(during.vms, start.vms + 1);
	TEST_ASSERT_EQ(during.vcpus, start.vcpus + 2);
	vm_free(vm);
	during = live_counters();
	TEST_ASSERT_LIVE_EQ(during, start);
}

/* A guest that touches a few pages, so each round maps and unmaps some. */
DECLARE_BLOB(touch_and_halt);
asm(BLOB_BEGIN(touch_and_halt, 16)
	"movw $1, %ds:0x2000\n"
	"movw $2, %ds:0x5000\n"
	"hlt\n"
	BLOB_END(touch_and_halt));

HB_TEST_TIMEOUT(create_destroy_1000_vms, 600)
{
	struct live start, end;
	unsigned int i;

	open_hyperbox();
	start = live_counters();
	for (i = 0; i < ROUNDS; i++) {
		struct vm *vm = vm_create(VMM_MODE_REAL);
		struct vcpu *vcpu = vm_vcpu_add_blob(vm, 0, touch_and_halt_start,
						     touch_and_halt_end);

		vcpu_run(vcpu);
		TEST_ASSERT_EXIT(vcpu, HB_EXIT_HLT);
		vm_free(vm);
	}
	end = live_counters();
	TEST_ASSERT_LIVE_EQ(end, start);
}

HB_TEST(vcpu_fd_keeps_its_vm_alive)
{
	struct live start, now;
	struct vm *vm;
	struct vcpu *vcpu;

	open_hyperbox();
	start = live_counters();
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_return_trampoline);
	/* Close the VM and system fds first: the vCPU must still run. */
	close(vm->fd);
	close(vm->sys_fd);
	vm->fd = vm->sys_fd = -1;
	now = live_counters();
	TEST_ASSERT_EQ(now.vms, start.vms + 1);
	vcpu_run_expect_done(vcpu);
	hb_vcpu_destroy(&vcpu->hb);
	now = live_counters();
	TEST_ASSERT_LIVE_EQ(now, start);
}
