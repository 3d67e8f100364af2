// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests (issue 7): a guest hammering PIO and MMIO exits while
 * another thread closes the VM fd, the vCPU fds and /dev/hyperbox, and
 * unmaps guest memory. The running HB_RUN holds its own file reference:
 * it finishes, the next one fails with EBADF, and when the last mapping
 * goes everything is freed (the leak check after the tests proves it).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/hb_util.h"

#define MMIO_GPA	(2ull << 30)

static void guest_hammer(void)
{
	uint64_t i;

	for (i = 0;; i++) {
		outl(0x3f8 + (i & 7), (uint32_t)i);
		(void)inb(0x80);
		*(volatile uint32_t *)(MMIO_GPA + (i & 0xff) * 4) = (uint32_t)i;
		(void)*(volatile uint64_t *)(MMIO_GPA + 0x1000);
	}
}

struct runner {
	struct vcpu *vcpu;
	int fd;			/* the vCPU fd, saved before anyone closes it */
	struct hb_run *run;
	uint64_t exits;
	int last;
};

static void *run_until_error(void *p)
{
	struct runner *r = p;

	for (;;) {
		if (ioctl(r->fd, HB_RUN, 0) < 0) {
			r->last = errno;
			if (errno == EINTR)
				continue;
			return NULL;
		}
		r->exits++;
		if (r->run->exit_reason == HB_EXIT_MMIO && !r->run->mmio.is_write)
			memset(r->run->mmio.data, 0xab, 8);
	}
}

static void on_signal(int sig)
{
	(void)sig;
}

/*
 * @nvcpus hammering vCPUs; after @delay_us the main thread closes the fds
 * in @order (0: VM first, 1: vCPUs first, 2: all at once with the memory
 * unmapped first).
 */
static void hammer_and_close(unsigned int nvcpus, unsigned int delay_us,
			     int order)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct runner r[4];
	pthread_t t[4];
	unsigned int i;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < nvcpus; i++) {
		r[i].vcpu = vm_vcpu_add(vm, i, guest_hammer);
		r[i].fd = r[i].vcpu->hb.fd;
		r[i].run = r[i].vcpu->run;
		r[i].exits = 0;
		r[i].last = 0;
		TEST_ASSERT(!pthread_create(&t[i], NULL, run_until_error, &r[i]),
			    "pthread_create");
	}
	usleep(delay_us);
	if (order == 2)
		munmap(vm->mem, vm->mem_size);
	if (order != 1)
		close(vm->fd);
	close(vm->sys_fd);
	for (i = 0; i < nvcpus; i++)
		close(r[i].fd);
	if (order == 1)
		close(vm->fd);
	/* Whoever is inside HB_RUN now comes out on a signal, then EBADF. */
	for (i = 0; i < nvcpus; i++) {
		pthread_kill(t[i], SIGUSR1);
		pthread_join(t[i], NULL);
		TEST_ASSERT(r[i].last == EBADF,
			    "vCPU %u: last HB_RUN error %d (%s), expected EBADF",
			    i, r[i].last, strerror(r[i].last));
		test_log("vCPU %u: %llu exits before the close", i,
			 (unsigned long long)r[i].exits);
		/* The mapping is the last reference to the vCPU. */
		munmap(r[i].run, r[i].vcpu->hb.run_size);
		free(r[i].vcpu);
	}
	if (order != 2)
		munmap(vm->mem, vm->mem_size);
	free(vm);
}

HB_TEST(close_vm_fd_while_a_vcpu_hammers_exits)
{
	hammer_and_close(1, 300000, 0);
}

HB_TEST(close_vcpu_fds_first_while_two_vcpus_hammer)
{
	hammer_and_close(2, 300000, 1);
}

HB_TEST(unmap_memory_and_close_all_while_three_vcpus_hammer)
{
	hammer_and_close(3, 400000, 2);
}

HB_TEST(close_and_exit_many_times)
{
	unsigned int i;

	for (i = 0; i < 10; i++)
		hammer_and_close(1 + i % 3, 20000 + i * 15000, i % 3);
}

/* The process dies with vCPUs inside HB_RUN: exit tears it all down. */
HB_TEST(process_exit_while_vcpus_hammer)
{
	pid_t pid = fork();
	int status;

	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		struct vm *vm = vm_create(VMM_MODE_LONG);
		struct runner r[2];
		pthread_t t;
		int i;

		for (i = 0; i < 2; i++) {
			r[i].vcpu = vm_vcpu_add(vm, i, guest_hammer);
			r[i].fd = r[i].vcpu->hb.fd;
			r[i].run = r[i].vcpu->run;
			pthread_create(&t, NULL, run_until_error, &r[i]);
		}
		usleep(300000);
		_exit(0);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
		    "child status 0x%x", status);
}
