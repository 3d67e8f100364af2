// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libhyperbox.h"

/* ioctl() returns -1 and sets errno; the library speaks negative errnos. */
static int hb_ioctl(int fd, unsigned long req, unsigned long arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

int hb_open(const char *path)
{
	int fd = open(path ? path : HB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int hb_get_api_version(int sys_fd)
{
	return hb_ioctl(sys_fd, HB_GET_API_VERSION, 0);
}

int hb_check_extension(int sys_fd, unsigned int cap)
{
	return hb_ioctl(sys_fd, HB_CHECK_EXTENSION, cap);
}

int hb_get_vcpu_mmap_size(int sys_fd)
{
	return hb_ioctl(sys_fd, HB_GET_VCPU_MMAP_SIZE, 0);
}

int hb_create_vm(int sys_fd, unsigned long flags)
{
	return hb_ioctl(sys_fd, HB_CREATE_VM, flags);
}

int hb_set_memory_region(int vm_fd, const struct hb_memory_region *region)
{
	return hb_ioctl(vm_fd, HB_SET_MEMORY_REGION, (unsigned long)region);
}

int hb_set_user_memory(int vm_fd, uint32_t slot, uint32_t flags,
		       uint64_t gpa, uint64_t size, void *hva)
{
	struct hb_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return hb_set_memory_region(vm_fd, &region);
}

int hb_delete_memory(int vm_fd, uint32_t slot)
{
	return hb_set_user_memory(vm_fd, slot, 0, 0, 0, NULL);
}

void *hb_guest_mem_alloc(size_t size)
{
	void *mem;

	if (!size || size % HB_PAGE_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return mem == MAP_FAILED ? NULL : mem;
}

void hb_guest_mem_free(void *mem, size_t size)
{
	if (mem)
		munmap(mem, size);
}

int hb_vcpu_create(int sys_fd, int vm_fd, unsigned int id,
		   struct hb_vcpu *vcpu)
{
	int size, fd, err;
	void *run;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->fd = -1;
	size = hb_get_vcpu_mmap_size(sys_fd);
	if (size < 0)
		return size;
	if ((size_t)size < sizeof(struct hb_run))
		return -EPROTO;
	fd = hb_ioctl(vm_fd, HB_CREATE_VCPU, id);
	if (fd < 0)
		return fd;
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	vcpu->fd = fd;
	vcpu->id = id;
	vcpu->run = run;
	vcpu->run_size = size;
	return 0;
}

void hb_vcpu_destroy(struct hb_vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

int hb_vcpu_run(struct hb_vcpu *vcpu)
{
	return hb_ioctl(vcpu->fd, HB_RUN, 0);
}

int hb_vcpu_get_regs(struct hb_vcpu *vcpu, struct hb_regs *regs)
{
	return hb_ioctl(vcpu->fd, HB_GET_REGS, (unsigned long)regs);
}

int hb_vcpu_set_regs(struct hb_vcpu *vcpu, const struct hb_regs *regs)
{
	return hb_ioctl(vcpu->fd, HB_SET_REGS, (unsigned long)regs);
}

int hb_vcpu_get_sregs(struct hb_vcpu *vcpu, struct hb_sregs *sregs)
{
	return hb_ioctl(vcpu->fd, HB_GET_SREGS, (unsigned long)sregs);
}

int hb_vcpu_set_sregs(struct hb_vcpu *vcpu, const struct hb_sregs *sregs)
{
	return hb_ioctl(vcpu->fd, HB_SET_SREGS, (unsigned long)sregs);
}

const char *hb_exit_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[HB_EXIT_UNKNOWN] = "UNKNOWN",
		[HB_EXIT_IO] = "IO",
		[HB_EXIT_HYPERCALL] = "HYPERCALL",
		[HB_EXIT_HLT] = "HLT",
		[HB_EXIT_MMIO] = "MMIO",
		[HB_EXIT_SHUTDOWN] = "SHUTDOWN",
		[HB_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[HB_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[HB_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[HB_EXIT_INTR] = "INTR",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "UNKNOWN";
}
