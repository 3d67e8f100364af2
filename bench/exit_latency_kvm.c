// SPDX-License-Identifier: GPL-2.0
/* The KVM side of exit-latency: the peer hyperbox is compared with. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "exit_latency.h"
#include "kvm_util.h"

/*
 * KVM answers any hypercall number it does not know with -KVM_ENOSYS,
 * inside the kernel (kvm_emulate_hypercall): 0x10000 is not a KVM_HC_*.
 */
#define KVM_UNKNOWN_HYPERCALL	0x10000

struct bench_vcpu {
	int sys_fd, vm_fd, vcpu_fd;
	void *mem;
	struct kvm_run *run;
	size_t run_size;
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

static void kvm_destroy(struct bench_vcpu *b)
{
	if (b->run)
		munmap(b->run, b->run_size);
	if (b->vcpu_fd >= 0)
		close(b->vcpu_fd);
	if (b->vm_fd >= 0)
		close(b->vm_fd);
	if (b->sys_fd >= 0)
		close(b->sys_fd);
	if (b->mem)
		munmap(b->mem, GUEST_MEM_SIZE);
	free(b);
}

static int kvm_setup(struct bench_vcpu *b)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = GUEST_MEM_SIZE,
	};
	int ret;

	b->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (b->sys_fd < 0)
		return -errno;
	b->vm_fd = ret = xioctl(b->sys_fd, KVM_CREATE_VM, 0);
	if (ret < 0)
		return ret;
	b->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->mem == MAP_FAILED) {
		b->mem = NULL;
		return -errno;
	}
	bench_guest_image(b->mem);
	region.userspace_addr = (uintptr_t)b->mem;
	ret = xioctl(b->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
	if (ret)
		return ret;
	b->vcpu_fd = ret = xioctl(b->vm_fd, KVM_CREATE_VCPU, 0);
	if (ret < 0)
		return ret;
	ret = xioctl(b->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return ret;
	b->run_size = ret;
	b->run = mmap(NULL, b->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->vcpu_fd, 0);
	if (b->run == MAP_FAILED) {
		b->run = NULL;
		return -errno;
	}
	return bench_kvm_set_supported_cpuid(b->sys_fd, b->vcpu_fd);
}

static int kvm_set_mode(struct bench_vcpu *b, enum bench_mode mode)
{
	struct kvm_sregs ks;
	struct hb_sregs hs;
	int ret = xioctl(b->vcpu_fd, KVM_GET_SREGS, &ks);

	if (ret)
		return ret;
	bench_hb_sregs_from_kvm(&hs, &ks);
	ret = bench_guest_sregs(mode, b->mem, &hs);
	if (ret)
		return ret;
	bench_kvm_sregs_from_hb(&ks, &hs);
	return xioctl(b->vcpu_fd, KVM_SET_SREGS, &ks);
}

static int kvm_create(struct bench_vcpu **out)
{
	struct bench_vcpu *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	b->sys_fd = b->vm_fd = b->vcpu_fd = -1;
	ret = kvm_setup(b);
	if (ret) {
		kvm_destroy(b);
		return ret;
	}
	*out = b;
	return 0;
}

static int kvm_set_entry(struct bench_vcpu *b, uint16_t ip, uint32_t rcx,
			 uint32_t rbx)
{
	struct kvm_regs regs;
	int ret = xioctl(b->vcpu_fd, KVM_GET_REGS, &regs);

	if (ret)
		return ret;
	regs.rip = GUEST_CODE_GPA + ip;
	regs.rcx = rcx;
	regs.rbx = rbx;
	regs.rflags = 2;
	return xioctl(b->vcpu_fd, KVM_SET_REGS, &regs);
}

static int kvm_run_once(struct bench_vcpu *b, struct bench_exit *exit)
{
	int ret = xioctl(b->vcpu_fd, KVM_RUN, NULL);

	if (ret)
		return ret;
	exit->reason = b->run->exit_reason;
	exit->port = b->run->exit_reason == KVM_EXIT_IO ? b->run->io.port : -1;
	exit->mmio_gpa = b->run->exit_reason == KVM_EXIT_MMIO ?
			 b->run->mmio.phys_addr : ~0ull;
	return 0;
}

const struct bench_backend bench_kvm = {
	.name = "kvm",
	.device = "/dev/kvm",
	.create = kvm_create,
	.set_mode = kvm_set_mode,
	.set_entry = kvm_set_entry,
	.run = kvm_run_once,
	.destroy = kvm_destroy,
	.in_kernel_hypercall = KVM_UNKNOWN_HYPERCALL,
};
