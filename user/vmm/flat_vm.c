// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "flat_vm.h"
#include "loader_flat.h"

/* The image must not cover the GDT/page tables the mode set-up writes. */
static int check_overlap(const struct flat_vm_config *cfg, uint64_t size,
			 struct hb_err *err)
{
	uint64_t start, end;

	vmm_cpu_mode_reserved(cfg->mode, &start, &end);
	if (start < end && cfg->entry < end && cfg->entry + size > start)
		return hb_err_msg(err, EINVAL,
				  "image at 0x%llx-0x%llx overlaps the %s-mode tables at 0x%llx-0x%llx",
				  (unsigned long long)cfg->entry,
				  (unsigned long long)(cfg->entry + size),
				  vmm_cpu_mode_name(cfg->mode),
				  (unsigned long long)start,
				  (unsigned long long)end);
	return 0;
}

int flat_vm_check_config(const struct flat_vm_config *cfg,
			 struct hb_err *err)
{
	if (!cfg->mem_size || cfg->mem_size % HB_PAGE_SIZE)
		return hb_err_msg(err, EINVAL,
				  "memory size %llu is not a non-zero multiple of 4 KiB",
				  (unsigned long long)cfg->mem_size);
	if (cfg->entry >= cfg->mem_size)
		return hb_err_msg(err, EINVAL,
				  "entry 0x%llx is outside %llu bytes of guest memory",
				  (unsigned long long)cfg->entry,
				  (unsigned long long)cfg->mem_size);
	return check_overlap(cfg, 1, err);
}

static int flat_vm_open(struct flat_vm *vm, const struct flat_vm_config *cfg,
			struct hb_err *err)
{
	const char *dev = cfg->device ? cfg->device : HB_DEVICE_PATH;
	int ret;

	vm->sys_fd = hb_open(dev);
	if (vm->sys_fd < 0)
		return hb_err_msg(err, -vm->sys_fd,
				  "cannot open %s: %s (is hyperbox.ko loaded?)",
				  dev, strerror(-vm->sys_fd));
	ret = hb_get_api_version(vm->sys_fd);
	if (ret < 0)
		return hb_err_set(err, -ret, "HB_GET_API_VERSION");
	if (ret != HB_API_VERSION)
		return hb_err_msg(err, EPROTO,
				  "module speaks API version %d, this binary %d",
				  ret, HB_API_VERSION);
	vm->vm_fd = hb_create_vm(vm->sys_fd, 0);
	if (vm->vm_fd < 0)
		return hb_err_set(err, -vm->vm_fd, "cannot create VM");
	return 0;
}

static int flat_vm_add_memory(struct flat_vm *vm, uint64_t size,
			      struct hb_err *err)
{
	int ret;

	vm->mem = hb_guest_mem_alloc(size);
	if (!vm->mem)
		return hb_err_set(err, errno,
				  "cannot allocate %llu bytes of guest memory",
				  (unsigned long long)size);
	vm->mem_size = size;
	ret = hb_set_user_memory(vm->vm_fd, 0, 0, 0, size, vm->mem);
	if (ret < 0)
		return hb_err_set(err, -ret, "cannot add %llu bytes of guest memory",
				  (unsigned long long)size);
	return 0;
}

static int flat_vm_setup_cpu(struct flat_vm *vm,
			     const struct flat_vm_config *cfg,
			     struct hb_err *err)
{
	struct vmm_mode_setup setup = {
		.mode = cfg->mode,
		.mem = vm->mem,
		.mem_size = vm->mem_size,
		.entry = cfg->entry,
	};
	struct hb_sregs sregs;
	struct hb_regs regs;
	int ret;

	ret = hb_vcpu_create(vm->sys_fd, vm->vm_fd, 0, &vm->vcpu);
	if (ret < 0)
		return hb_err_set(err, -ret, "cannot create vCPU 0");
	ret = hb_vcpu_get_sregs(&vm->vcpu, &sregs);
	if (ret < 0)
		return hb_err_set(err, -ret, "HB_GET_SREGS");
	ret = vmm_cpu_mode_setup(&setup, &regs, &sregs, err);
	if (ret < 0)
		return ret;
	ret = hb_vcpu_set_sregs(&vm->vcpu, &sregs);
	if (ret < 0)
		return hb_err_set(err, -ret, "HB_SET_SREGS (%s mode)",
				  vmm_cpu_mode_name(cfg->mode));
	ret = hb_vcpu_set_regs(&vm->vcpu, &regs);
	if (ret < 0)
		return hb_err_set(err, -ret, "HB_SET_REGS");
	return 0;
}

int flat_vm_create(struct flat_vm *vm, const struct flat_vm_config *cfg,
		   struct hb_err *err)
{
	uint64_t image_size;
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = vm->vm_fd = vm->vcpu.fd = -1;
	ret = flat_vm_check_config(cfg, err);
	if (!ret)
		ret = flat_vm_open(vm, cfg, err);
	if (!ret)
		ret = flat_vm_add_memory(vm, cfg->mem_size, err);
	if (!ret)
		ret = loader_flat_load(cfg->image, vm->mem, vm->mem_size,
				       cfg->entry, &image_size, err);
	if (!ret)
		ret = check_overlap(cfg, image_size, err);
	if (!ret)
		ret = flat_vm_setup_cpu(vm, cfg, err);
	if (ret) {
		flat_vm_destroy(vm);
		return ret;
	}
	io_bus_init(&vm->io);
	serial_init(&vm->com1, SERIAL_COM1_BASE, serial_emit_fd,
		    (void *)(intptr_t)cfg->serial_fd);
	io_bus_register(&vm->io, SERIAL_COM1_BASE, SERIAL_NR_PORTS,
			serial_port_io, &vm->com1);
	return 0;
}

int flat_vm_run(struct flat_vm *vm, struct vmm_stop *stop, struct hb_err *err)
{
	return vmm_vcpu_loop(&vm->vcpu, &vm->io, stop, err);
}

void flat_vm_destroy(struct flat_vm *vm)
{
	hb_vcpu_destroy(&vm->vcpu);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	hb_guest_mem_free(vm->mem, vm->mem_size);
	vm->mem = NULL;
	vm->sys_fd = vm->vm_fd = -1;
}
