/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A one-vCPU machine for flat binary images: guest memory at gpa 0, the
 * image loaded at the entry address, a COM1 serial port, and the CPU put
 * into the requested mode. This is what `hyperbox vm run` drives.
 */
#ifndef VMM_FLAT_VM_H
#define VMM_FLAT_VM_H

#include <stdint.h>

#include "../lib/libhyperbox.h"
#include "../lib/hb_error.h"
#include "cpu_mode.h"
#include "io_bus.h"
#include "serial.h"
#include "vcpu_loop.h"

#define FLAT_VM_DEFAULT_MEM	(16ull << 20)

struct flat_vm_config {
	const char *device;	/* NULL: /dev/hyperbox */
	const char *image;
	uint64_t mem_size;
	enum vmm_cpu_mode mode;
	uint64_t entry;
	int serial_fd;		/* where guest serial output goes */
};

struct flat_vm {
	int sys_fd;
	int vm_fd;
	void *mem;
	uint64_t mem_size;
	struct hb_vcpu vcpu;
	struct io_bus io;
	struct serial com1;
};

/* Checks the config against the mode's memory layout; no device needed. */
int flat_vm_check_config(const struct flat_vm_config *cfg,
			 struct hb_err *err);
int flat_vm_create(struct flat_vm *vm, const struct flat_vm_config *cfg,
		   struct hb_err *err);
int flat_vm_run(struct flat_vm *vm, struct vmm_stop *stop,
		struct hb_err *err);
void flat_vm_destroy(struct flat_vm *vm);

#endif /* VMM_FLAT_VM_H */
