// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests (issue 7): a guest that never gives the CPU back. With
 * interrupts off (cli; jmp .) the guest cannot take its own interrupts,
 * but the host's still force an exit: the host thread stays preemptible
 * and a signal makes HB_RUN return -EINTR promptly. A triple fault is an
 * exit, not a host problem, also in 32-bit mode and with IF=0.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "lib/blob.h"
#include "lib/hb_util.h"

#define PROMPT_NS	(3ull * 1000 * 1000 * 1000)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
}

static void install_handler(int sig)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(sig, &sa, NULL), "sigaction");
}

static void guest_cli_spin(void)
{
	asm volatile("cli; 1: jmp 1b");
}

static void guest_cli_pause_spin(void)
{
	asm volatile("cli; 1: pause; jmp 1b");
}

static void guest_cli_hlt_loop(void)
{
	asm volatile("cli; 1: hlt; jmp 1b");
}

struct spinner {
	struct vcpu *vcpu;
	int ret;
	uint64_t back_ns;
};

static void *run_spinner(void *p)
{
	struct spinner *s = p;

	s->ret = _vcpu_run(s->vcpu);
	s->back_ns = now_ns();
	return NULL;
}

/* Runs @guest on @n vCPUs in threads, signals each, checks -EINTR. */
static void spin_and_kick(void (*guest)(void), unsigned int n)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct spinner s[4];
	pthread_t t[4];
	uint64_t sent;
	unsigned int i;

	install_handler(SIGUSR1);
	for (i = 0; i < n; i++) {
		s[i].vcpu = vm_vcpu_add(vm, i, guest);
		TEST_ASSERT(!pthread_create(&t[i], NULL, run_spinner, &s[i]),
			    "pthread_create");
	}
	usleep(300000);
	sent = now_ns();
	for (i = 0; i < n; i++)
		pthread_kill(t[i], SIGUSR1);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		TEST_ASSERT(s[i].ret == -EINTR,
			    "vCPU %u: HB_RUN returned %d, expected -EINTR (%s)",
			    i, s[i].ret, exit_describe(s[i].vcpu));
		TEST_ASSERT(s[i].back_ns - sent < PROMPT_NS,
			    "vCPU %u: HB_RUN returned %llu ms after the signal", i,
			    (unsigned long long)((s[i].back_ns - sent) / 1000000));
	}
	vm_free(vm);
}

HB_TEST(cli_jmp_self_is_interrupted_by_a_signal)
{
	spin_and_kick(guest_cli_spin, 1);
}

HB_TEST(cli_pause_loop_is_interrupted_by_a_signal)
{
	spin_and_kick(guest_cli_pause_spin, 1);
}

HB_TEST(two_vcpus_spinning_with_cli_are_both_interrupted)
{
	spin_and_kick(guest_cli_spin, 2);
}

/* HLT with IF=0 can never wake: userspace hears about it, every time. */
HB_TEST(cli_hlt_exits_to_userspace)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_cli_hlt_loop);
	int i;

	for (i = 0; i < 3; i++) {
		vcpu_run(vcpu);
		TEST_ASSERT_EXIT(vcpu, HB_EXIT_HLT);
	}
	vm_free(vm);
}

/* The host stays usable meanwhile: the spinning vCPU holds no lock. */
HB_TEST(host_ioctls_work_while_a_vcpu_spins)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct spinner s = { .vcpu = vm_vcpu_add(vm, 0, guest_cli_spin) };
	struct vcpu *other = vm_vcpu_add(vm, 1, guest_cli_hlt_loop);
	uint64_t t0;
	pthread_t t;
	int i;

	install_handler(SIGUSR1);
	TEST_ASSERT(!pthread_create(&t, NULL, run_spinner, &s), "pthread_create");
	usleep(200000);
	t0 = now_ns();
	for (i = 0; i < 20; i++) {
		struct hb_regs regs;

		vcpu_regs_get(other, &regs);
		vcpu_run(other);
		TEST_ASSERT_EXIT(other, HB_EXIT_HLT);
		vm_add_slot(vm, 1 + i, 0, EXTRA_SLOT_GPA + i * 0x100000ull, 0x10000);
	}
	TEST_ASSERT(now_ns() - t0 < 20 * PROMPT_NS, "host ioctls crawled: %llu ms",
		    (unsigned long long)((now_ns() - t0) / 1000000));
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	TEST_ASSERT_ERRNO(s.ret, EINTR);
	vm_free(vm);
}

/* ---- triple faults ------------------------------------------------- */

static void guest_triple_fault_cli(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	asm volatile("cli; lidt %0; int3" : : "m"(idtr));
	GUEST_SYNC(0xbad);
}

HB_TEST(triple_fault_with_interrupts_off_is_shutdown)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_triple_fault_cli);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_SHUTDOWN);
	/* Running a shut-down vCPU again must not hang or crash. */
	_vcpu_run(vcpu);
	vm_free(vm);
}

/* 32-bit: a far jump to a null selector (#GP), no IDT: triple fault. */
DECLARE_BLOB(prot_triple_fault);
asm(BLOB_BEGIN(prot_triple_fault, 32)
	"lidt (ptf_idtr - prot_triple_fault_start + 0x10000)\n"
	"ljmp $0, $0\n"
	BLOB_SYNC("%eax")
	"ptf_idtr: .word 0\n"
	".long 0\n"
	BLOB_END(prot_triple_fault));

HB_TEST(protected_mode_triple_fault_is_shutdown)
{
	struct vm *vm = vm_create(VMM_MODE_PROTECTED);
	struct vcpu *vcpu = vm_vcpu_add_blob(vm, 0, prot_triple_fault_start,
					     prot_triple_fault_end);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_SHUTDOWN);
	vm_free(vm);
}

/* The guest unmaps its own code: #PF on fetch, no IDT, shutdown. */
static void guest_unmap_self(void)
{
	volatile uint64_t *pml4 = (volatile uint64_t *)VMM_PML4_GPA;
	uint64_t cr3;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4[0] = 0;
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	GUEST_SYNC(0xbad);
}

HB_TEST(guest_unmapping_its_own_code_is_shutdown)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_unmap_self);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_SHUTDOWN);
	vm_free(vm);
}
