// SPDX-License-Identifier: GPL-2.0
/*
 * A guest spinning forever cannot hold its thread hostage: a signal makes
 * HB_RUN return -EINTR promptly, and the guest resumes where it was.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "lib/hb_util.h"

/* TCG is slow; "promptly" means long before a human would notice. */
#define PROMPT_NS	(3ull * 1000 * 1000 * 1000)

static volatile uint64_t spins;

static void guest_spin_forever(void)
{
	for (;;)
		spins++;
}

/* With IF=0 the guest cannot be interrupted, but the host must still be. */
static void guest_spin_with_interrupts_off(void)
{
	asm volatile("cli");
	for (;;)
		spins++;
}

static void on_signal(int sig)
{
	(void)sig;
}

static void install_handler(int sig)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: the ioctl must come back with EINTR. */
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(sig, &sa, NULL), "sigaction");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct kicker {
	pthread_t target;
	unsigned int delay_ms;
	uint64_t sent_ns;
};

static void *kick_after_delay(void *arg)
{
	struct kicker *k = arg;

	usleep(k->delay_ms * 1000);
	k->sent_ns = now_ns();
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/* Runs the vCPU, has another thread signal us, checks -EINTR and latency. */
static void run_until_kicked(struct vcpu *vcpu)
{
	struct kicker k = { .target = pthread_self(), .delay_ms = 200 };
	pthread_t thread;
	uint64_t back;
	int ret;

	TEST_ASSERT(!pthread_create(&thread, NULL, kick_after_delay, &k),
		    "pthread_create");
	ret = _vcpu_run(vcpu);
	back = now_ns();
	pthread_join(thread, NULL);
	TEST_ASSERT(ret == -EINTR, "HB_RUN returned %d (%s), expected -EINTR; exit %s",
		    ret, strerror(-ret), exit_describe(vcpu));
	TEST_ASSERT(back - k.sent_ns < PROMPT_NS,
		    "HB_RUN returned %llu ms after the signal",
		    (unsigned long long)((back - k.sent_ns) / 1000000));
}

HB_TEST(signal_from_another_thread_interrupts_run)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_spin_forever);
	volatile uint64_t *guest_spins = addr_gva2hva(vm, &spins);
	uint64_t first;

	install_handler(SIGUSR1);
	run_until_kicked(vcpu);
	first = *guest_spins;
	TEST_ASSERT(first > 0, "the guest never ran (%s)", exit_describe(vcpu));
	/* The guest continues from where it was interrupted. */
	run_until_kicked(vcpu);
	TEST_ASSERT(*guest_spins > first, "the guest did not resume (%llu)",
		    (unsigned long long)first);
	vm_free(vm);
}

HB_TEST(signal_interrupts_a_guest_with_interrupts_off)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_spin_with_interrupts_off);
	volatile uint64_t *guest_spins = addr_gva2hva(vm, &spins);

	install_handler(SIGUSR1);
	run_until_kicked(vcpu);
	TEST_ASSERT(*guest_spins > 0, "the guest never ran (%s)",
		    exit_describe(vcpu));
	vm_free(vm);
}

HB_TEST(alarm_interrupts_run)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_spin_forever);
	uint64_t start = now_ns();
	int ret;

	install_handler(SIGALRM);
	alarm(1);
	ret = _vcpu_run(vcpu);
	TEST_ASSERT_ERRNO(ret, EINTR);
	TEST_ASSERT(now_ns() - start < 1000000000ull + PROMPT_NS,
		    "HB_RUN took %llu ms to notice SIGALRM",
		    (unsigned long long)((now_ns() - start) / 1000000));
	vm_free(vm);
}

HB_TEST(immediate_exit_returns_eintr_without_running)
{
	struct vm *vm;
	struct vcpu *vcpu;
	volatile uint64_t *guest_spins;

	require_cap(HB_CAP_IMMEDIATE_EXIT, "HB_CAP_IMMEDIATE_EXIT");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_spin_forever);
	guest_spins = addr_gva2hva(vm, &spins);
	vcpu->run->immediate_exit = 1;
	TEST_ASSERT_ERRNO(_vcpu_run(vcpu), EINTR);
	TEST_ASSERT_EQ(vcpu->run->exit_reason, HB_EXIT_INTR);
	TEST_ASSERT_EQ(*guest_spins, 0);
	vcpu->run->immediate_exit = 0;
	install_handler(SIGUSR1);
	run_until_kicked(vcpu);
	TEST_ASSERT(*guest_spins > 0, "the guest never ran");
	vm_free(vm);
}
