// SPDX-License-Identifier: GPL-2.0
/*
 * bench/ring on KVM, the way a VMM without vhost runs a virtqueue: the
 * guest's doorbell is a KVM_IOEVENTFD, a userspace thread sleeps on that
 * eventfd and processes the ring in guest memory with the same algorithm
 * as hyperbox's worker (kmod/ring.c: EVENT_IDX, loopback copy, used entry
 * per chain). The guest polls, so no interrupt is ever needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../user/lib/libhyperbox.h"
#include "../user/vmm/cpu_mode.h"
#include "../selftests/lib/vring_guest.h"
#include "kvm_util.h"
#include "ring.h"

struct ring_vm {
	int sys_fd, vm_fd, vcpu_fd, kick_fd, call_fd;
	struct kvm_run *run;
	size_t run_size;
	char *mem;
	pthread_t worker;
	int have_worker;
	volatile int stop;
	uint16_t last_avail, used_idx;
	volatile uint64_t kicks, interrupts;
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

/* Guest memory for [gpa, gpa + len), or NULL when outside it. */
static void *gpa_ptr(struct ring_vm *v, uint64_t gpa, uint64_t len)
{
	if (gpa > RING_MEM_SIZE || len > RING_MEM_SIZE - gpa)
		return NULL;
	return v->mem + gpa;
}

/* One chain: copy its readable bytes into its writable part. */
static int process_chain(struct ring_vm *v, struct vring_desc *desc,
			 uint16_t head, uint32_t *written)
{
	static uint8_t bounce[RING_MAX_MSG * 4];
	uint64_t in = 0, out = 0;
	unsigned int budget = RING_NUM;
	uint16_t i = head;

	if (head >= RING_NUM)
		return -EINVAL;
	/* Gather the readable bytes, then scatter into the writable ones. */
	for (;;) {
		struct vring_desc *d = &desc[i];
		void *p = gpa_ptr(v, d->addr, d->len);

		if (!budget-- || !p || (d->flags & VRING_DESC_F_INDIRECT))
			return -EINVAL;
		if (!(d->flags & VRING_DESC_F_WRITE)) {
			if (out || in + d->len > sizeof(bounce))
				return -EINVAL;
			memcpy(bounce + in, p, d->len);
			in += d->len;
		} else {
			uint64_t n = in > out ? in - out : 0;

			if (n > d->len)
				n = d->len;
			memcpy(p, bounce + out, n);
			out += n;
		}
		if (!(d->flags & VRING_DESC_F_NEXT))
			break;
		i = d->next;
		if (i >= RING_NUM)
			return -EINVAL;
	}
	*written = out;
	return 0;
}

static int process_ring(struct ring_vm *v)
{
	char *base = v->mem + RING_GPA;
	struct vring_desc *desc = (void *)(base + vring_desc_off(RING_NUM));
	struct vring_avail *avail = (void *)(base + vring_avail_off(RING_NUM));
	struct vring_used *used = (void *)(base + vring_used_off(RING_NUM));
	uint16_t old = v->used_idx;
	int ret = 0;

	for (;;) {
		uint16_t idx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);
		struct vring_used_elem *e;
		uint32_t len;
		uint16_t head;

		if ((uint16_t)(idx - v->last_avail) > RING_NUM) {
			ret = -EINVAL;
			break;
		}
		if (idx == v->last_avail) {
			/* Ask for a kick at the next buffer, then re-check. */
			__atomic_store_n(vring_avail_event(used, RING_NUM),
					 v->last_avail, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE) ==
			    v->last_avail)
				break;
			continue;
		}
		head = avail->ring[v->last_avail % RING_NUM];
		if (process_chain(v, desc, head, &len)) {
			ret = -EINVAL;
			break;
		}
		e = &used->ring[v->used_idx % RING_NUM];
		e->id = head;
		e->len = len;
		v->used_idx++;
		__atomic_store_n(&used->idx, v->used_idx, __ATOMIC_RELEASE);
		v->last_avail++;
	}
	/* Interrupt the guest if it asked (virtio 2.7.10), via the irqfd. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (v->used_idx != old &&
	    vring_need_event(__atomic_load_n(vring_used_event(avail, RING_NUM),
					     __ATOMIC_RELAXED), v->used_idx, old)) {
		uint64_t one = 1;

		if (write(v->call_fd, &one, sizeof(one)) == sizeof(one))
			v->interrupts++;
	}
	return ret;
}

static void *worker_fn(void *arg)
{
	struct ring_vm *v = arg;
	uint64_t cnt;
	sigset_t all;

	/* Signals (the stall alarm) are for the vCPU thread's KVM_RUN. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	while (!v->stop) {
		if (read(v->kick_fd, &cnt, sizeof(cnt)) != sizeof(cnt)) {
			if (errno == EINTR)
				continue;
			break;
		}
		v->kicks += cnt;
		if (v->stop || process_ring(v))
			break;
	}
	return NULL;
}

static void kvm_destroy(struct ring_vm *v)
{
	uint64_t one = 1;

	if (v->have_worker) {
		v->stop = 1;
		if (write(v->kick_fd, &one, sizeof(one)) < 0)
			pthread_cancel(v->worker);
		pthread_join(v->worker, NULL);
	}
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->vcpu_fd >= 0)
		close(v->vcpu_fd);
	if (v->kick_fd >= 0)
		close(v->kick_fd);
	if (v->call_fd >= 0)
		close(v->call_fd);
	if (v->vm_fd >= 0)
		close(v->vm_fd);
	if (v->sys_fd >= 0)
		close(v->sys_fd);
	free(v);
}

/*
 * The call eventfd as an irqfd on GSI 0, routed as an MSI to APIC 0 with
 * RING_VECTOR: the guest's handler EOIs the in-kernel local APIC.
 */
static int kvm_irqfd_setup(struct ring_vm *v)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e;
	} routing = {
		.r = { .nr = 1 },
		.e = {
			.gsi = 0,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = { .address_lo = 0xfee00000,
				   .data = RING_VECTOR },
		},
	};
	struct kvm_irqfd irqfd = { .gsi = 0 };
	int ret;

	ret = xioctl(v->vm_fd, KVM_SET_GSI_ROUTING, &routing);
	if (ret)
		return ret;
	v->call_fd = eventfd(0, EFD_CLOEXEC);
	if (v->call_fd < 0)
		return -errno;
	irqfd.fd = v->call_fd;
	*((uint8_t *)v->mem + (uintptr_t)&ring_apic_eoi) = 1;
	return xioctl(v->vm_fd, KVM_IRQFD, &irqfd);
}

static int kvm_setup(struct ring_vm *v, void *mem)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = RING_MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	struct vmm_mode_setup setup = {
		.mode = VMM_MODE_LONG, .mem = mem, .mem_size = RING_MEM_SIZE,
		.entry = (uintptr_t)ring_guest_main,
		.stack_top = RING_STACK_TOP - 8,
	};
	struct kvm_ioeventfd io = {
		.addr = PORT_DOORBELL, .len = 2, .flags = KVM_IOEVENTFD_FLAG_PIO,
	};
	struct hb_err err = { 0 };
	struct kvm_sregs ks;
	struct kvm_regs kr;
	struct hb_sregs hs;
	struct hb_regs hr;
	int ret;

	v->mem = mem;
	v->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->sys_fd < 0)
		return -errno;
	v->vm_fd = ret = xioctl(v->sys_fd, KVM_CREATE_VM, 0);
	if (ret < 0)
		return ret;
	ret = xioctl(v->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
	if (ret)
		return ret;
	/* A local APIC for the irqfd's MSI (before the vCPU exists). */
	ret = xioctl(v->vm_fd, KVM_CREATE_IRQCHIP, NULL);
	if (ret)
		return ret;
	v->vcpu_fd = ret = xioctl(v->vm_fd, KVM_CREATE_VCPU, 0);
	if (ret < 0)
		return ret;
	ret = xioctl(v->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return ret;
	v->run_size = ret;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu_fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return -errno;
	}
	/* Long mode needs CPUID.80000001h:EDX.LM in the guest's CPUID. */
	ret = bench_kvm_set_supported_cpuid(v->sys_fd, v->vcpu_fd);
	if (ret)
		return ret;

	/* The same long-mode set-up as hyperbox's, in KVM's structures. */
	ret = xioctl(v->vcpu_fd, KVM_GET_SREGS, &ks);
	if (ret)
		return ret;
	bench_hb_sregs_from_kvm(&hs, &ks);
	if (vmm_cpu_mode_setup(&setup, &hr, &hs, &err))
		return -EINVAL;
	hs.idt.base = (uintptr_t)ring_idt;
	hs.idt.limit = sizeof(ring_idt) - 1;
	bench_kvm_sregs_from_hb(&ks, &hs);
	ret = xioctl(v->vcpu_fd, KVM_SET_SREGS, &ks);
	if (ret)
		return ret;
	memset(&kr, 0, sizeof(kr));
	kr.rip = hr.rip;
	kr.rsp = hr.rsp;
	kr.rflags = hr.rflags;
	ret = xioctl(v->vcpu_fd, KVM_SET_REGS, &kr);
	if (ret)
		return ret;

	v->kick_fd = eventfd(0, EFD_CLOEXEC);
	if (v->kick_fd < 0)
		return -errno;
	io.fd = v->kick_fd;
	ret = xioctl(v->vm_fd, KVM_IOEVENTFD, &io);
	if (ret)
		return ret;
	ret = kvm_irqfd_setup(v);
	if (ret)
		return ret;
	ret = -pthread_create(&v->worker, NULL, worker_fn, v);
	v->have_worker = !ret;
	return ret;
}

static int kvm_create(struct ring_vm **out, void *mem)
{
	struct ring_vm *v = calloc(1, sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	v->sys_fd = v->vm_fd = v->vcpu_fd = v->kick_fd = v->call_fd = -1;
	ret = kvm_setup(v, mem);
	if (ret) {
		kvm_destroy(v);
		return ret;
	}
	*out = v;
	return 0;
}

static int kvm_run_once(struct ring_vm *v)
{
	int ret = xioctl(v->vcpu_fd, KVM_RUN, NULL);

	if (ret)
		return ret;
	if (v->run->exit_reason != KVM_EXIT_IO) {
		fprintf(stderr, "ring: kvm: exit %u instead of port I/O\n",
			v->run->exit_reason);
		return -EPROTO;
	}
	return v->run->io.port;
}

static uint64_t kvm_kicks(struct ring_vm *v)
{
	return v->kicks;
}

static uint64_t kvm_interrupts(struct ring_vm *v)
{
	return v->interrupts;
}

const struct ring_backend ring_kvm = {
	.name = "kvm",
	.device = "/dev/kvm",
	.create = kvm_create,
	.run = kvm_run_once,
	.destroy = kvm_destroy,
	.kicks = kvm_kicks,
	.interrupts = kvm_interrupts,
};
