/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftest library: hides the ioctl boilerplate so a test reads as a
 * story, like KVM's kvm_util.h.
 *
 * Long mode VMs run the test program itself: vm_create(VMM_MODE_LONG) maps
 * the program's loadable ELF segments into guest memory at their link
 * addresses on identity page tables, so guest code is a plain C function of
 * the test (no libc calls: their IFUNCs and TLS do not exist in the guest).
 * Real and protected mode VMs run small assembly blobs (vm_vcpu_add_blob).
 *
 * Guest-physical layout of slot 0 (VM_MEM_SIZE bytes at gpa 0):
 *   0x1000..0x8000  GDT and page tables (user/vmm/cpu_mode.h)
 *   0x10000         BLOB_GPA: where assembly blobs are copied
 *   0x400000        the test program's ELF image (long mode)
 *   VM_STACKS_GPA   one VM_STACK_SIZE stack per vCPU
 * Anything from 1 GiB up is free for extra slots in tests.
 */
#ifndef HB_SELFTEST_UTIL_H
#define HB_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../../user/lib/libhyperbox.h"
#include "../../user/vmm/cpu_mode.h"
#include "test_harness.h"
#include "ucall.h"

#define VM_MEM_SIZE		(32ull << 20)
#define BLOB_GPA		0x10000ull
#define VM_STACKS_GPA		(16ull << 20)
#define VM_STACK_SIZE		0x10000ull
#define VM_MAX_VCPUS		8
#define EXTRA_SLOT_GPA		(1ull << 30)

struct vm;

struct vcpu {
	struct hb_vcpu hb;
	struct vm *vm;
	unsigned int id;
	struct hb_run *run;
};

struct vm {
	int sys_fd;
	int fd;
	enum vmm_cpu_mode mode;
	void *mem;		/* slot 0 */
	uint64_t mem_size;
	struct vcpu *vcpus[VM_MAX_VCPUS];
};

/* Opens /dev/hyperbox, or skips the test when it is missing. */
int open_hyperbox(void);
/* Skips the test unless HB_CHECK_EXTENSION(@cap) is non-zero. */
int require_cap(unsigned int cap, const char *what);

struct vm *vm_create(enum vmm_cpu_mode mode);
void vm_free(struct vm *vm);

/* Long mode: starts vCPU @id at the C function @guest_code. */
struct vcpu *vm_vcpu_add(struct vm *vm, unsigned int id, void *guest_code);
/* Real/protected mode: copies [start, end) to BLOB_GPA and starts there. */
struct vcpu *vm_vcpu_add_blob(struct vm *vm, unsigned int id,
			      const void *start, const void *end);
/* Passes up to 6 integer arguments to the guest function (SysV ABI). */
void vcpu_args_set(struct vcpu *vcpu, unsigned int n, ...);

/* HB_RUN that must succeed; _vcpu_run returns 0 or -errno. */
void vcpu_run(struct vcpu *vcpu);
int _vcpu_run(struct vcpu *vcpu);
void vcpu_regs_get(struct vcpu *vcpu, struct hb_regs *regs);
void vcpu_regs_set(struct vcpu *vcpu, const struct hb_regs *regs);
void vcpu_sregs_get(struct vcpu *vcpu, struct hb_sregs *sregs);
void vcpu_sregs_set(struct vcpu *vcpu, const struct hb_sregs *sregs);

/* Guest memory, as the host sees it. */
void *addr_gpa2hva(struct vm *vm, uint64_t gpa);
/* Guest virtual = guest physical = the program's own address (long mode). */
#define addr_gva2hva(vm, ptr)	addr_gpa2hva(vm, (uint64_t)(uintptr_t)(ptr))
/* Copy a global variable into / out of the guest's copy of the program. */
#define sync_global_to_guest(vm, var) \
	memcpy(addr_gva2hva(vm, &(var)), &(var), sizeof(var))
#define sync_global_from_guest(vm, var) \
	memcpy(&(var), addr_gva2hva(vm, &(var)), sizeof(var))

/* Allocates @size bytes of host memory and adds them as a slot. */
void *vm_add_slot(struct vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		  uint64_t size);

/* The exit the last HB_RUN reported, or the test fails with details. */
#define TEST_ASSERT_EXIT(vcpu, reason) \
	__assert_exit(vcpu, reason, __FILE__, __LINE__)
void __assert_exit(struct vcpu *vcpu, uint32_t reason, const char *file,
		   int line);
/* One line describing the last exit, for failure messages. */
const char *exit_describe(struct vcpu *vcpu);

/*
 * Returns the UCALL_* type of the last exit (UCALL_NONE if it was not a
 * ucall) and arranges for the guest's hypercall to return 0.
 */
uint64_t get_ucall(struct vcpu *vcpu, struct ucall *uc);
/* Fails the test with the guest's file:line and expression. */
#define REPORT_GUEST_ASSERT(vcpu, uc) __report_guest_assert(vcpu, uc)
void __report_guest_assert(struct vcpu *vcpu, const struct ucall *uc)
	__attribute__((noreturn));
/* Runs until the next ucall; guest asserts and other exits fail the test. */
uint64_t vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc);
/* Runs and expects UCALL_SYNC with args[0] == @value. */
void vcpu_run_expect_sync(struct vcpu *vcpu, uint64_t value);
/* Runs and expects UCALL_DONE. */
void vcpu_run_expect_done(struct vcpu *vcpu);

/* /sys/kernel/debug/hyperbox/<name>; returns 0 or -errno. */
int hb_debugfs_read(const char *name, uint64_t *val);
/* A "name count" line of /sys/kernel/debug/hyperbox/exits. */
int hb_debugfs_exits(const char *name, uint64_t *val);
/* A "name count" line of any file there (halt_stats...). */
int hb_debugfs_line(const char *file, const char *name, uint64_t *val);
/* Skips the test when debugfs or the counter is missing. */
uint64_t require_counter(const char *name);
/* The same for a "name count" line of @file. */
uint64_t require_counter_line(const char *file, const char *name);

#endif /* HB_SELFTEST_UTIL_H */
