// SPDX-License-Identifier: GPL-2.0
/* bench/ring on hyperbox: doorbell -> in-kernel ring worker (loopback). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "../user/lib/libhyperbox.h"
#include "../user/vmm/cpu_mode.h"
#include "../selftests/lib/vring_guest.h"
#include "ring.h"

struct ring_vm {
	int sys_fd, vm_fd, kick_fd, call_fd, ring_fd;
	struct hb_vcpu vcpu;
};

static void hyperbox_destroy(struct ring_vm *v)
{
	if (v->ring_fd >= 0)
		close(v->ring_fd);
	if (v->vcpu.fd >= 0)
		hb_vcpu_destroy(&v->vcpu);
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

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

static int hyperbox_setup(struct ring_vm *v, void *mem)
{
	struct vmm_mode_setup setup = {
		.mode = VMM_MODE_LONG, .mem = mem, .mem_size = RING_MEM_SIZE,
		.entry = (uintptr_t)ring_guest_main,
		.stack_top = RING_STACK_TOP - 8,
	};
	struct hb_doorbell db = {
		.addr = PORT_DOORBELL, .len = 2, .flags = HB_DOORBELL_PIO,
	};
	struct hb_ring_config rc = {
		.num = RING_NUM,
		.backend = HB_RING_BACKEND_LOOPBACK,
		.desc_gpa = RING_GPA + vring_desc_off(RING_NUM),
		.avail_gpa = RING_GPA + vring_avail_off(RING_NUM),
		.used_gpa = RING_GPA + vring_used_off(RING_NUM),
		.features = HB_RING_F_EVENT_IDX,
		/* The guest polls, or sleeps until the irqfd's vector. */
		.backend_fd = -1,
	};
	struct hb_irqfd irqfd = { .vector = RING_VECTOR, .vcpu = 0 };
	struct hb_err err = { 0 };
	struct hb_sregs sregs;
	struct hb_regs regs;
	int ret;

	v->sys_fd = ret = hb_open(NULL);
	if (ret < 0)
		return ret;
	v->vm_fd = ret = hb_create_vm(v->sys_fd, 0);
	if (ret < 0)
		return ret;
	ret = hb_set_user_memory(v->vm_fd, 0, 0, 0, RING_MEM_SIZE, mem);
	if (ret)
		return ret;
	ret = hb_vcpu_create(v->sys_fd, v->vm_fd, 0, &v->vcpu);
	if (ret)
		return ret;
	ret = hb_vcpu_get_sregs(&v->vcpu, &sregs);
	if (ret)
		return ret;
	if (vmm_cpu_mode_setup(&setup, &regs, &sregs, &err))
		return -EINVAL;
	sregs.idt.base = (uintptr_t)ring_idt;
	sregs.idt.limit = sizeof(ring_idt) - 1;
	ret = hb_vcpu_set_sregs(&v->vcpu, &sregs);
	if (!ret)
		ret = hb_vcpu_set_regs(&v->vcpu, &regs);
	if (ret)
		return ret;

	v->kick_fd = eventfd(0, EFD_CLOEXEC);
	if (v->kick_fd < 0)
		return -errno;
	db.fd = v->kick_fd;
	ret = xioctl(v->vm_fd, HB_REGISTER_DOORBELL, &db);
	if (ret)
		return ret;
	v->call_fd = eventfd(0, EFD_CLOEXEC);
	if (v->call_fd < 0)
		return -errno;
	irqfd.fd = v->call_fd;
	ret = xioctl(v->vm_fd, HB_REGISTER_IRQFD, &irqfd);
	if (ret)
		return ret;
	rc.kick_fd = v->kick_fd;
	rc.call_fd = v->call_fd;
	v->ring_fd = ret = xioctl(v->vm_fd, HB_CREATE_RING, &rc);
	return ret < 0 ? ret : 0;
}

static int hyperbox_create(struct ring_vm **out, void *mem)
{
	struct ring_vm *v = calloc(1, sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	v->sys_fd = v->vm_fd = v->kick_fd = v->call_fd = v->ring_fd = -1;
	v->vcpu.fd = -1;
	ret = hyperbox_setup(v, mem);
	if (ret) {
		hyperbox_destroy(v);
		return ret;
	}
	*out = v;
	return 0;
}

static uint64_t hyperbox_rip(struct ring_vm *v)
{
	struct hb_regs regs;

	return hb_vcpu_get_regs(&v->vcpu, &regs) ? 0 : regs.rip;
}

static int hyperbox_run(struct ring_vm *v)
{
	struct hb_run *run = v->vcpu.run;
	int ret = hb_vcpu_run(&v->vcpu);

	if (ret)
		return ret;
	if (run->exit_reason != HB_EXIT_IO) {
		fprintf(stderr, "ring: hyperbox: exit %u instead of port I/O (rip 0x%llx)\n",
			run->exit_reason, (unsigned long long)hyperbox_rip(v));
		return -EPROTO;
	}
	return run->io.port;
}

static uint64_t hyperbox_kicks(struct ring_vm *v)
{
	struct hb_ring_stats s;

	return xioctl(v->ring_fd, HB_RING_GET_STATS, &s) ? 0 : s.kicks;
}

static uint64_t hyperbox_interrupts(struct ring_vm *v)
{
	struct hb_ring_stats s;

	return xioctl(v->ring_fd, HB_RING_GET_STATS, &s) ? 0 : s.interrupts;
}

const struct ring_backend ring_hyperbox = {
	.name = "hyperbox",
	.device = HB_DEVICE_PATH,
	.create = hyperbox_create,
	.run = hyperbox_run,
	.destroy = hyperbox_destroy,
	.kicks = hyperbox_kicks,
	.interrupts = hyperbox_interrupts,
};
