// SPDX-License-Identifier: GPL-2.0
/* VMs and vCPUs for the selftests; every failure fails the test. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "elf_load.h"
#include "hb_util.h"

bool guest_use_vmcall;

int open_hyperbox(void)
{
	int fd = hb_open(NULL);

	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
		test_skip("%s: %s", HB_DEVICE_PATH, strerror(-fd));
	TEST_ASSERT(fd >= 0, "open %s: %s", HB_DEVICE_PATH, strerror(-fd));
	return fd;
}

int require_cap(unsigned int cap, const char *what)
{
	int fd = open_hyperbox();
	int ret = hb_check_extension(fd, cap);

	close(fd);
	TEST_ASSERT(ret >= 0, "HB_CHECK_EXTENSION(%u): %s", cap, strerror(-ret));
	if (!ret)
		test_skip("capability %s is missing", what);
	return ret;
}

struct vm *vm_create(enum vmm_cpu_mode mode)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	uint64_t image_end;

	TEST_ASSERT(vm, "out of memory");
	vm->sys_fd = open_hyperbox();
	vm->mode = mode;
	vm->fd = hb_create_vm(vm->sys_fd, 0);
	TEST_ASSERT(vm->fd >= 0, "HB_CREATE_VM: %s", strerror(-vm->fd));
	vm->mem_size = VM_MEM_SIZE;
	vm->mem = hb_guest_mem_alloc(vm->mem_size);
	TEST_ASSERT(vm->mem, "allocating guest memory: %s", strerror(errno));
	TEST_ASSERT_OK(hb_set_user_memory(vm->fd, 0, 0, 0, vm->mem_size,
					  vm->mem));
	if (mode == VMM_MODE_LONG) {
		elf_load_self(vm->mem, vm->mem_size, &image_end);
		TEST_ASSERT(image_end <= VM_STACKS_GPA,
			    "test program too big for the guest layout");
		guest_use_vmcall = hb_check_extension(vm->sys_fd, HB_CAP_VMX) > 0;
		sync_global_to_guest(vm, guest_use_vmcall);
	}
	return vm;
}

void vm_free(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < VM_MAX_VCPUS; i++) {
		if (!vm->vcpus[i])
			continue;
		hb_vcpu_destroy(&vm->vcpus[i]->hb);
		free(vm->vcpus[i]);
	}
	close(vm->fd);
	close(vm->sys_fd);
	hb_guest_mem_free(vm->mem, vm->mem_size);
	free(vm);
}

static struct vcpu *vcpu_create(struct vm *vm, unsigned int id,
				uint64_t entry, uint64_t stack_top)
{
	struct vmm_mode_setup setup = {
		.mode = vm->mode,
		.mem = vm->mem,
		.mem_size = vm->mem_size,
		.entry = entry,
		.stack_top = stack_top,
	};
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));
	struct hb_err err = { 0 };
	struct hb_sregs sregs;
	struct hb_regs regs;

	TEST_ASSERT(vcpu && id < VM_MAX_VCPUS && !vm->vcpus[id],
		    "bad vCPU id %u", id);
	TEST_ASSERT_OK(hb_vcpu_create(vm->sys_fd, vm->fd, id, &vcpu->hb));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->run = vcpu->hb.run;
	vm->vcpus[id] = vcpu;
	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT(!vmm_cpu_mode_setup(&setup, &regs, &sregs, &err), "%s",
		    err.msg);
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_regs_set(vcpu, &regs);
	return vcpu;
}

struct vcpu *vm_vcpu_add(struct vm *vm, unsigned int id, void *guest_code)
{
	uint64_t top = VM_STACKS_GPA + (id + 1) * VM_STACK_SIZE;
	uint64_t *ret_addr;

	TEST_ASSERT(vm->mode == VMM_MODE_LONG,
		    "C guest code needs a long-mode VM");
	/* Enter like a call: RSP = 8 mod 16, pointing at a return address. */
	top -= 16 + 8;
	ret_addr = addr_gpa2hva(vm, top);
	*ret_addr = (uint64_t)(uintptr_t)guest_return_trampoline;
	return vcpu_create(vm, id, (uint64_t)(uintptr_t)guest_code, top);
}

/* Every BLOB_HYPERCALL site (lib/blob.h); weak: no blob, no section. */
extern const uint64_t __start_hb_hypercall_sites[] __attribute__((weak));
extern const uint64_t __stop_hb_hypercall_sites[] __attribute__((weak));

/* VMMCALL is 0f 01 d9, VMCALL 0f 01 c1: patch the blob's copy for Intel. */
static void patch_hypercalls(struct vm *vm, const char *start, const char *end)
{
	const uint64_t *site;
	uint8_t *insn;

	if (hb_check_extension(vm->sys_fd, HB_CAP_VMX) <= 0)
		return;
	for (site = __start_hb_hypercall_sites;
	     site < __stop_hb_hypercall_sites; site++) {
		const char *at = (const char *)(uintptr_t)*site;

		if (at < start || at + 3 > end)
			continue;
		insn = addr_gpa2hva(vm, BLOB_GPA + (at - start));
		TEST_ASSERT(insn[0] == 0x0f && insn[1] == 0x01 && insn[2] == 0xd9,
			    "hypercall site %p is not a VMMCALL", at);
		insn[2] = 0xc1;
	}
}

struct vcpu *vm_vcpu_add_blob(struct vm *vm, unsigned int id,
			      const void *start, const void *end)
{
	size_t len = (const char *)end - (const char *)start;

	TEST_ASSERT(vm->mode != VMM_MODE_LONG || id == 0,
		    "blobs are for real/protected mode");
	memcpy(addr_gpa2hva(vm, BLOB_GPA), start, len);
	patch_hypercalls(vm, start, end);
	/* Real mode: the stack grows down from the top of the blob's segment. */
	return vcpu_create(vm, id, BLOB_GPA,
			   vm->mode == VMM_MODE_REAL ? BLOB_GPA + 0xfff0 :
			   VM_STACKS_GPA + (id + 1) * VM_STACK_SIZE);
}

void vcpu_args_set(struct vcpu *vcpu, unsigned int n, ...)
{
	struct hb_regs regs;
	__u64 *slots[6] = { &regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx,
			       &regs.r8, &regs.r9 };
	unsigned int i;
	va_list ap;

	TEST_ASSERT(n <= 6, "at most 6 register arguments");
	vcpu_regs_get(vcpu, &regs);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		*slots[i] = va_arg(ap, uint64_t);
	va_end(ap);
	vcpu_regs_set(vcpu, &regs);
}

/* HB_SELFTEST_TRACE=1 in the environment logs every exit. */
int _vcpu_run(struct vcpu *vcpu)
{
	static int trace = -1;
	int ret = hb_vcpu_run(&vcpu->hb);

	if (trace < 0)
		trace = getenv("HB_SELFTEST_TRACE") != NULL;
	if (trace)
		test_log("vCPU %u: HB_RUN %d, exit %s", vcpu->id, ret,
			 exit_describe(vcpu));
	return ret;
}

void vcpu_run(struct vcpu *vcpu)
{
	int ret = _vcpu_run(vcpu);

	TEST_ASSERT(!ret, "HB_RUN on vCPU %u: %s", vcpu->id, strerror(-ret));
	if (vcpu->run->exit_reason == HB_EXIT_INTERNAL_ERROR &&
	    vcpu->run->internal.suberror == HB_INTERNAL_ERROR_BAD_EXIT_STATE)
		test_emulator_fault("vCPU %u: %s", vcpu->id,
				    exit_describe(vcpu));
}

void vcpu_regs_get(struct vcpu *vcpu, struct hb_regs *regs)
{
	TEST_ASSERT_OK(hb_vcpu_get_regs(&vcpu->hb, regs));
}

void vcpu_regs_set(struct vcpu *vcpu, const struct hb_regs *regs)
{
	TEST_ASSERT_OK(hb_vcpu_set_regs(&vcpu->hb, regs));
}

void vcpu_sregs_get(struct vcpu *vcpu, struct hb_sregs *sregs)
{
	TEST_ASSERT_OK(hb_vcpu_get_sregs(&vcpu->hb, sregs));
}

void vcpu_sregs_set(struct vcpu *vcpu, const struct hb_sregs *sregs)
{
	TEST_ASSERT_OK(hb_vcpu_set_sregs(&vcpu->hb, sregs));
}

void *addr_gpa2hva(struct vm *vm, uint64_t gpa)
{
	TEST_ASSERT(gpa < vm->mem_size, "gpa 0x%llx is not in slot 0",
		    (unsigned long long)gpa);
	return (char *)vm->mem + gpa;
}

void *vm_add_slot(struct vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		  uint64_t size)
{
	void *mem = hb_guest_mem_alloc(size);

	TEST_ASSERT(mem, "allocating %llu bytes: %s",
		    (unsigned long long)size, strerror(errno));
	TEST_ASSERT_OK(hb_set_user_memory(vm->fd, slot, flags, gpa, size, mem));
	return mem;
}

/* Returns a static buffer: a failing test prints one message at a time. */
const char *exit_describe(struct vcpu *vcpu)
{
	static char buf[256];
	struct hb_run *run = vcpu->run;
	struct hb_regs regs = { 0 };

	hb_vcpu_get_regs(&vcpu->hb, &regs);
	switch (run->exit_reason) {
	case HB_EXIT_IO:
		snprintf(buf, sizeof(buf), "IO %s port 0x%x size %u count %u",
			 run->io.direction == HB_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count);
		break;
	case HB_EXIT_HYPERCALL:
		snprintf(buf, sizeof(buf), "HYPERCALL nr 0x%llx args 0x%llx 0x%llx",
			 (unsigned long long)run->hypercall.nr,
			 (unsigned long long)run->hypercall.args[0],
			 (unsigned long long)run->hypercall.args[1]);
		break;
	case HB_EXIT_MMIO:
		snprintf(buf, sizeof(buf), "MMIO %s gpa 0x%llx len %u",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case HB_EXIT_FAIL_ENTRY:
		snprintf(buf, sizeof(buf), "FAIL_ENTRY reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case HB_EXIT_INTERNAL_ERROR:
		snprintf(buf, sizeof(buf), "INTERNAL_ERROR suberror %u data 0x%llx 0x%llx",
			 run->internal.suberror,
			 (unsigned long long)run->internal.data[0],
			 (unsigned long long)run->internal.data[1]);
		break;
	default:
		snprintf(buf, sizeof(buf), "%s (%u)",
			 hb_exit_reason_name(run->exit_reason),
			 run->exit_reason);
	}
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		 " at rip 0x%llx", (unsigned long long)regs.rip);
	return buf;
}

void __assert_exit(struct vcpu *vcpu, uint32_t reason, const char *file,
		   int line)
{
	struct ucall uc;

	if (vcpu->run->exit_reason == reason)
		return;
	/* A guest assert explains the surprise better than the exit does. */
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(vcpu, &uc);
	else
		test_fail(file, line, "expected exit %s, got %s",
			  hb_exit_reason_name(reason), exit_describe(vcpu));
}
