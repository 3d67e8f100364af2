// SPDX-License-Identifier: GPL-2.0
/* The system device: API version, capabilities and argument checks. */
#include <errno.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "lib/hb_util.h"

HB_TEST(api_version_is_1)
{
	int fd = open_hyperbox();

	TEST_ASSERT_EQ(hb_get_api_version(fd), HB_API_VERSION);
	/* The argument is reserved: non-zero must be refused. */
	TEST_ASSERT_EQ(ioctl(fd, HB_GET_API_VERSION, 1), -1);
	TEST_ASSERT_EQ(errno, EINVAL);
	close(fd);
}

HB_TEST(capabilities_are_consistent)
{
	int fd = open_hyperbox();
	int svm = hb_check_extension(fd, HB_CAP_SVM);
	int vmx = hb_check_extension(fd, HB_CAP_VMX);

	TEST_ASSERT(svm >= 0 && vmx >= 0, "svm %d vmx %d", svm, vmx);
	TEST_ASSERT(!!svm + !!vmx == 1, "exactly one backend: svm %d vmx %d",
		    svm, vmx);
	/* Guests are only ever run on nested paging. */
	if (svm)
		TEST_ASSERT(hb_check_extension(fd, HB_CAP_NPT) > 0, "SVM without NPT");
	if (vmx)
		TEST_ASSERT(hb_check_extension(fd, HB_CAP_EPT) > 0, "VMX without EPT");
	TEST_ASSERT(hb_check_extension(fd, HB_CAP_MAX_VCPUS) >= 2,
		    "fewer than 2 vCPUs per VM");
	TEST_ASSERT(hb_check_extension(fd, HB_CAP_NR_MEMSLOTS) >= 8,
		    "fewer than 8 memory slots");
	TEST_ASSERT(hb_check_extension(fd, HB_CAP_MAX_MEM_SIZE_MB) >= 64,
		    "slots smaller than 64 MiB");
	test_log("svm %d vmx %d vcpus %d slots %d max slot %d MiB", svm, vmx,
		 hb_check_extension(fd, HB_CAP_MAX_VCPUS),
		 hb_check_extension(fd, HB_CAP_NR_MEMSLOTS),
		 hb_check_extension(fd, HB_CAP_MAX_MEM_SIZE_MB));
	close(fd);
}

HB_TEST(unknown_capability_is_absent)
{
	int fd = open_hyperbox();

	TEST_ASSERT_EQ(hb_check_extension(fd, 0), 0);
	TEST_ASSERT_EQ(hb_check_extension(fd, 12345), 0);
	TEST_ASSERT_EQ(hb_check_extension(fd, 0xffffffff), 0);
	close(fd);
}

HB_TEST(vcpu_mmap_size_covers_run_and_pio_page)
{
	int fd = open_hyperbox();
	int size = hb_get_vcpu_mmap_size(fd);

	TEST_ASSERT(size >= HB_RUN_PIO_OFFSET + 4096, "mmap size %d", size);
	TEST_ASSERT_EQ(size % 4096, 0);
	close(fd);
}

HB_TEST(create_vm_rejects_flags)
{
	int fd = open_hyperbox();

	TEST_ASSERT_ERRNO(hb_create_vm(fd, 1), EINVAL);
	TEST_ASSERT_ERRNO(hb_create_vm(fd, 1ul << 63), EINVAL);
	close(fd);
}

HB_TEST(unknown_ioctls_are_enotty)
{
	int fd = open_hyperbox();
	int vm = hb_create_vm(fd, 0);

	TEST_ASSERT(vm >= 0, "HB_CREATE_VM: %s", strerror(-vm));
	TEST_ASSERT(ioctl(fd, _IO(HBIO, 0x7f)) == -1 && errno == ENOTTY,
		    "system fd accepted ioctl 0x7f");
	TEST_ASSERT(ioctl(vm, _IO(HBIO, 0x7f)) == -1 && errno == ENOTTY,
		    "VM fd accepted ioctl 0x7f");
	/* A vCPU ioctl on a VM fd is just as unknown. */
	TEST_ASSERT(ioctl(vm, HB_RUN) == -1 && errno == ENOTTY,
		    "VM fd accepted HB_RUN");
	close(vm);
	close(fd);
}

HB_TEST(vcpu_ids_are_checked)
{
	int fd = open_hyperbox();
	int max = hb_check_extension(fd, HB_CAP_MAX_VCPUS);
	int vm = hb_create_vm(fd, 0);
	struct hb_vcpu a, b;

	TEST_ASSERT(vm >= 0, "HB_CREATE_VM: %s", strerror(-vm));
	TEST_ASSERT_ERRNO(hb_vcpu_create(fd, vm, max, &a), EINVAL);
	TEST_ASSERT_ERRNO(hb_vcpu_create(fd, vm, 0xffffffff, &a), EINVAL);
	TEST_ASSERT_OK(hb_vcpu_create(fd, vm, max - 1, &a));
	TEST_ASSERT_ERRNO(hb_vcpu_create(fd, vm, max - 1, &b), EEXIST);
	hb_vcpu_destroy(&a);
	close(vm);
	close(fd);
}

HB_TEST(regs_round_trip)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, NULL);
	struct hb_regs in, out;
	struct hb_sregs sin, sout;

	vcpu_regs_get(vcpu, &in);
	in.rax = 0x1111111111111111ull;
	in.r15 = 0xf0f0f0f0f0f0f0f0ull;
	in.rip = 0x123456;
	in.rflags = 0x202;
	vcpu_regs_set(vcpu, &in);
	vcpu_regs_get(vcpu, &out);
	TEST_ASSERT(!memcmp(&in, &out, sizeof(in)), "regs changed on the way");

	in.reserved[0] = 1;
	TEST_ASSERT_ERRNO(hb_vcpu_set_regs(&vcpu->hb, &in), EINVAL);

	vcpu_sregs_get(vcpu, &sin);
	sin.cr2 = 0xdead000;
	vcpu_sregs_set(vcpu, &sin);
	vcpu_sregs_get(vcpu, &sout);
	TEST_ASSERT_EQ(sout.cr2, 0xdead000);
	TEST_ASSERT_EQ(sout.cr3, sin.cr3);
	TEST_ASSERT_EQ(sout.efer & X86_EFER_LMA, X86_EFER_LMA);
	TEST_ASSERT_EQ(sout.cs.l, 1);
	TEST_ASSERT_EQ(sout.gdt.base, sin.gdt.base);
	vm_free(vm);
}

/* Guest memory is the creator's memory: an inherited fd is useless. */
HB_TEST(other_processes_cannot_drive_the_vm)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_return_trampoline);
	int status;
	pid_t pid;

	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct hb_regs regs;

		/* Plain exit codes: the harness is not set up in this child. */
		if (hb_vcpu_run(&vcpu->hb) != -EIO)
			_exit(1);
		if (hb_vcpu_get_regs(&vcpu->hb, &regs) != -EIO)
			_exit(2);
		if (hb_set_user_memory(vm->fd, 1, 0, EXTRA_SLOT_GPA, 4096,
				       vm->mem) != -EIO)
			_exit(3);
		_exit(0);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child step %d was allowed (status 0x%x)",
		    WEXITSTATUS(status), status);
	/* And the owner still can. */
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}
