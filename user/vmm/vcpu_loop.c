// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hypercalls.h"
#include "vcpu_loop.h"

static int handle_io(struct hb_run *run, struct io_bus *io,
		     struct hb_err *err)
{
	unsigned int size = run->io.size;

	if (size != 1 && size != 2 && size != 4)
		return hb_err_msg(err, EPROTO, "I/O exit with bad size %u",
				  size);
	io_bus_dispatch(io, run->io.port, run->io.direction == HB_EXIT_IO_OUT,
			hb_run_io_data(run), size, run->io.count);
	return 1;
}

static int handle_hypercall(struct hb_run *run, struct vmm_stop *stop)
{
	switch (run->hypercall.nr) {
	case HB_HC_EXIT:
		stop->reason = VMM_STOP_EXIT_HYPERCALL;
		stop->status = run->hypercall.args[0];
		return 0;
	default:
		run->hypercall.ret = (uint64_t)(int64_t)HB_HC_RET_ENOSYS;
		return 1;
	}
}

static int report_internal_error(struct hb_run *run, struct hb_err *err)
{
	switch (run->internal.suberror) {
	case HB_INTERNAL_ERROR_EMULATION:
		return hb_err_msg(err, EIO,
				  "module could not emulate an instruction (bytes %016llx)",
				  (unsigned long long)run->internal.data[0]);
	case HB_INTERNAL_ERROR_UNEXPECTED_EXIT:
		return hb_err_msg(err, EIO,
				  "unexpected hardware exit 0x%llx",
				  (unsigned long long)run->internal.data[0]);
	case HB_INTERNAL_ERROR_BAD_EXIT_STATE:
		return hb_err_msg(err, EIO,
				  "hardware exit 0x%llx without the guest's state (an emulator's fault)",
				  (unsigned long long)run->internal.data[0]);
	case HB_INTERNAL_ERROR_TDP:
		return hb_err_msg(err, EIO,
				  "guest memory at 0x%llx is gone from the process (%s)",
				  (unsigned long long)run->internal.data[0],
				  strerror((int)run->internal.data[1]));
	default:
		return hb_err_msg(err, EIO, "module internal error %u",
				  run->internal.suberror);
	}
}

int vmm_handle_exit(struct hb_run *run, struct io_bus *io,
		    struct vmm_stop *stop, struct hb_err *err)
{
	switch (run->exit_reason) {
	case HB_EXIT_IO:
		return handle_io(run, io, err);
	case HB_EXIT_HYPERCALL:
		return handle_hypercall(run, stop);
	case HB_EXIT_HLT:
		/* No interrupt source exists here, so HLT means "finished". */
		stop->reason = VMM_STOP_HLT;
		stop->status = 0;
		return 0;
	case HB_EXIT_INTR:
		return 1;
	case HB_EXIT_SHUTDOWN:
		return hb_err_msg(err, EFAULT,
				  "guest triple-faulted (shutdown exit)");
	case HB_EXIT_MMIO:
		return hb_err_msg(err, EFAULT,
				  "guest %s %u bytes at unbacked address 0x%llx",
				  run->mmio.is_write ? "wrote" : "read",
				  run->mmio.len,
				  (unsigned long long)run->mmio.phys_addr);
	case HB_EXIT_FAIL_ENTRY:
		return hb_err_msg(err, EIO,
				  "hardware refused to enter the guest (reason 0x%llx on cpu %u)",
				  (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
				  run->fail_entry.cpu);
	case HB_EXIT_INTERNAL_ERROR:
		return report_internal_error(run, err);
	default:
		return hb_err_msg(err, EPROTO, "unexpected exit %s (%u)",
				  hb_exit_reason_name(run->exit_reason),
				  run->exit_reason);
	}
}

/* "... at 0x7c05": where the guest was, as a linear address (CS base + RIP). */
static void append_guest_address(struct hb_vcpu *vcpu, struct hb_err *err)
{
	struct hb_sregs sregs;
	struct hb_regs regs;
	size_t len;

	if (!err || hb_vcpu_get_regs(vcpu, &regs) ||
	    hb_vcpu_get_sregs(vcpu, &sregs))
		return;
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, " at 0x%llx",
		 (unsigned long long)(sregs.cs.base + regs.rip));
}

int vmm_vcpu_loop(struct hb_vcpu *vcpu, struct io_bus *io,
		  struct vmm_stop *stop, struct hb_err *err)
{
	int ret;

	for (;;) {
		ret = hb_vcpu_run(vcpu);
		/*
		 * A signal we survive (SIGSTOP/SIGCONT after ^Z, a handled
		 * one) only paused the guest; fatal ones never return here.
		 */
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			return hb_err_set(err, -ret, "HB_RUN");
		ret = vmm_handle_exit(vcpu->run, io, stop, err);
		if (ret < 0)
			append_guest_address(vcpu, err);
		if (ret <= 0)
			return ret;
	}
}
