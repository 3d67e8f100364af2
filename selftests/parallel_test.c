// SPDX-License-Identifier: GPL-2.0
/*
 * Two VMs with two vCPUs each, all four running at once in their own
 * threads: exits stay with their vCPU, and the vCPUs of one VM share its
 * memory (an atomic counter adds up) but not the other VM's.
 */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "lib/hb_util.h"

#define ROUNDS		200
#define NR_VMS		2
#define NR_VCPUS	2

static uint64_t counter;

static void guest_count(uint64_t vm_id, uint64_t vcpu_id)
{
	uint64_t i;

	for (i = 0; i < ROUNDS; i++) {
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
		GUEST_SYNC2(i, vm_id << 8 | vcpu_id);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct ucall uc;
	uint64_t i, id = 0;

	/* A failed assert exits the whole test process: that fails the test. */
	for (i = 0; i < ROUNDS; i++) {
		TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
		TEST_ASSERT_EQ(uc.args[0], i);
		if (i == 0)
			id = uc.args[1];
		TEST_ASSERT_EQ(uc.args[1], id);
	}
	vcpu_run_expect_done(vcpu);
	return (void *)(uintptr_t)id;
}

HB_TEST(two_vms_two_vcpus_in_parallel)
{
	pthread_t threads[NR_VMS][NR_VCPUS];
	struct vm *vms[NR_VMS];
	unsigned int v, c;

	for (v = 0; v < NR_VMS; v++) {
		vms[v] = vm_create(VMM_MODE_LONG);
		for (c = 0; c < NR_VCPUS; c++) {
			struct vcpu *vcpu = vm_vcpu_add(vms[v], c, guest_count);

			vcpu_args_set(vcpu, 2, (uint64_t)v, (uint64_t)c);
		}
	}
	for (v = 0; v < NR_VMS; v++)
		for (c = 0; c < NR_VCPUS; c++)
			TEST_ASSERT(!pthread_create(&threads[v][c], NULL,
						    vcpu_thread,
						    vms[v]->vcpus[c]),
				    "pthread_create");
	for (v = 0; v < NR_VMS; v++) {
		for (c = 0; c < NR_VCPUS; c++) {
			void *id;

			pthread_join(threads[v][c], &id);
			TEST_ASSERT_EQ((uintptr_t)id, v << 8 | c);
		}
		TEST_ASSERT_EQ(*(uint64_t *)addr_gva2hva(vms[v], &counter),
			       ROUNDS * NR_VCPUS);
	}
	for (v = 0; v < NR_VMS; v++)
		vm_free(vms[v]);
}

static void guest_count_forever(void)
{
	uint64_t i;

	for (i = 0;; i++)
		GUEST_SYNC(i);
}

/* Between two runs the vCPU's thread may land on another host CPU. */
HB_TEST(vcpu_migrates_between_host_cpus)
{
	int nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct vm *vm;
	struct vcpu *vcpu;
	cpu_set_t set;
	uint64_t i;

	if (nr_cpus < 2)
		test_skip("only %d host CPU", nr_cpus);
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_count_forever);
	for (i = 0; i < 50; i++) {
		CPU_ZERO(&set);
		CPU_SET(i % nr_cpus, &set);
		TEST_ASSERT(!sched_setaffinity(0, sizeof(set), &set),
			    "sched_setaffinity to CPU %d", (int)(i % nr_cpus));
		vcpu_run_expect_sync(vcpu, i);
	}
	vm_free(vm);
}
