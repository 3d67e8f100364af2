// SPDX-License-Identifier: GPL-2.0
/* The hyperbox side of exit-latency, through libhyperbox. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../user/lib/libhyperbox.h"
#include "exit_latency.h"

struct bench_vcpu {
	int sys_fd, vm_fd;
	void *mem;
	struct hb_vcpu vcpu;
};

static void hb_destroy(struct bench_vcpu *b)
{
	hb_vcpu_destroy(&b->vcpu);
	if (b->vm_fd >= 0)
		close(b->vm_fd);
	if (b->sys_fd >= 0)
		close(b->sys_fd);
	hb_guest_mem_free(b->mem, GUEST_MEM_SIZE);
	free(b);
}

static int hb_set_mode(struct bench_vcpu *b, enum bench_mode mode)
{
	struct hb_sregs sregs;
	int ret = hb_vcpu_get_sregs(&b->vcpu, &sregs);

	if (!ret)
		ret = bench_guest_sregs(mode, b->mem, &sregs);
	if (ret)
		return ret;
	return hb_vcpu_set_sregs(&b->vcpu, &sregs);
}

static int hb_create(struct bench_vcpu **out)
{
	struct bench_vcpu *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	b->vm_fd = -1;
	b->vcpu.fd = -1;
	b->sys_fd = hb_open(NULL);
	if (b->sys_fd < 0) {
		ret = b->sys_fd;
		goto err;
	}
	b->vm_fd = ret = hb_create_vm(b->sys_fd, 0);
	if (ret < 0)
		goto err;
	b->mem = hb_guest_mem_alloc(GUEST_MEM_SIZE);
	if (!b->mem) {
		ret = -errno;
		goto err;
	}
	bench_guest_image(b->mem);
	/* On Intel the hypercall instruction is VMCALL (0f 01 c1). */
	if (hb_check_extension(b->sys_fd, HB_CAP_VMX) > 0) {
		char *code = (char *)b->mem + GUEST_CODE_GPA + 2;

		code[guest_hypercall_insn - guest_blob_start] = 0xc1;
		code[guest64_hypercall_insn - guest_blob_start] = 0xc1;
	}
	ret = hb_set_user_memory(b->vm_fd, 0, 0, 0, GUEST_MEM_SIZE, b->mem);
	if (!ret)
		ret = hb_vcpu_create(b->sys_fd, b->vm_fd, 0, &b->vcpu);
	if (ret)
		goto err;
	*out = b;
	return 0;
err:
	hb_destroy(b);
	return ret;
}

static int hb_set_entry(struct bench_vcpu *b, uint16_t ip, uint32_t rcx,
			uint32_t rbx)
{
	struct hb_regs regs = { 0 };
	int ret = hb_vcpu_get_regs(&b->vcpu, &regs);

	if (ret)
		return ret;
	regs.rip = GUEST_CODE_GPA + ip;
	regs.rcx = rcx;
	regs.rbx = rbx;
	regs.rflags = 2;
	return hb_vcpu_set_regs(&b->vcpu, &regs);
}

static int hb_run(struct bench_vcpu *b, struct bench_exit *exit)
{
	struct hb_run *run = b->vcpu.run;
	int ret = hb_vcpu_run(&b->vcpu);

	if (ret)
		return ret;
	/* Say which one: under QEMU the emulator's own fault is among them. */
	if (run->exit_reason == HB_EXIT_INTERNAL_ERROR)
		fprintf(stderr, "exit-latency: hyperbox: internal error %u%s\n",
			run->internal.suberror,
			run->internal.suberror == HB_INTERNAL_ERROR_BAD_EXIT_STATE ?
			" (an exit without the guest's state: an emulator's fault, run again)" :
			"");
	exit->reason = run->exit_reason;
	exit->port = run->exit_reason == HB_EXIT_IO ? run->io.port : -1;
	exit->mmio_gpa = run->exit_reason == HB_EXIT_MMIO ?
			 run->mmio.phys_addr : ~0ull;
	return 0;
}

const struct bench_backend bench_hyperbox = {
	.name = "hyperbox",
	.device = HB_DEVICE_PATH,
	.create = hb_create,
	.set_mode = hb_set_mode,
	.set_entry = hb_set_entry,
	.run = hb_run,
	.destroy = hb_destroy,
	.in_kernel_hypercall = HB_HC_PING,
};
