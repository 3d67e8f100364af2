// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "hb_util.h"

void guest_return_trampoline(void)
{
	GUEST_DONE();
	for (;;)
		halt();
}

uint64_t get_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	struct hb_run *run = vcpu->run;
	unsigned int i;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != HB_EXIT_HYPERCALL ||
	    run->hypercall.nr != HB_HC_UCALL)
		return UCALL_NONE;
	uc->cmd = run->hypercall.args[0];
	for (i = 0; i < 5; i++)
		uc->args[i] = run->hypercall.args[i + 1];
	run->hypercall.ret = 0;
	return uc->cmd;
}

/* The strings are guest addresses; the guest runs our image 1:1. */
static const char *guest_string(struct vcpu *vcpu, uint64_t gva)
{
	if (vcpu->vm->mode != VMM_MODE_LONG || gva >= vcpu->vm->mem_size)
		return "?";
	return addr_gpa2hva(vcpu->vm, gva);
}

void __report_guest_assert(struct vcpu *vcpu, const struct ucall *uc)
{
	test_fail(guest_string(vcpu, uc->args[0]), (int)uc->args[1],
		  "guest assertion '%s' failed (values 0x%llx, 0x%llx)",
		  guest_string(vcpu, uc->args[2]),
		  (unsigned long long)uc->args[3],
		  (unsigned long long)uc->args[4]);
}

uint64_t vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	vcpu_run(vcpu);
	switch (get_ucall(vcpu, uc)) {
	case UCALL_NONE:
		test_fail(__FILE__, __LINE__, "vCPU %u: expected a ucall, got %s",
			  vcpu->id, exit_describe(vcpu));
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(vcpu, uc);
	default:
		break;
	}
	return uc->cmd;
}

void vcpu_run_expect_sync(struct vcpu *vcpu, uint64_t value)
{
	struct ucall uc;

	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC,
		    "expected UCALL_SYNC, got ucall %llu",
		    (unsigned long long)uc.cmd);
	TEST_ASSERT(uc.args[0] == value,
		    "guest synced 0x%llx, expected 0x%llx",
		    (unsigned long long)uc.args[0], (unsigned long long)value);
}

void vcpu_run_expect_done(struct vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_DONE,
		    "expected UCALL_DONE, got ucall %llu (arg 0x%llx)",
		    (unsigned long long)uc.cmd, (unsigned long long)uc.args[0]);
}
