// SPDX-License-Identifier: GPL-2.0
/* What libhyperbox does without a device: errno conventions and helpers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../lib/libhyperbox.h"
#include "../lib/hb_error.h"

static void open_reports_negative_errno(void **state)
{
	(void)state;
	assert_int_equal(hb_open("/nonexistent/hyperbox"), -ENOENT);
}

static void ioctls_on_a_non_hyperbox_fd(void **state)
{
	struct hb_vcpu vcpu;
	int fd = hb_open("/dev/null");

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(hb_get_api_version(fd), -ENOTTY);
	assert_int_equal(hb_create_vm(fd, 0), -ENOTTY);
	assert_int_equal(hb_set_user_memory(fd, 0, 0, 0, 4096, NULL), -ENOTTY);
	assert_int_equal(hb_vcpu_create(fd, fd, 0, &vcpu), -ENOTTY);
	assert_int_equal(vcpu.fd, -1);
	assert_null(vcpu.run);
	hb_vcpu_destroy(&vcpu);		/* harmless on a failed create */
	close(fd);
	assert_int_equal(hb_check_extension(fd, HB_CAP_SVM), -EBADF);
}

static void cpu_contract_wrappers_report_errno(void **state)
{
	struct hb_vcpu vcpu = { .fd = -1 };
	struct hb_vcpu_events ev;
	struct hb_cpuid *cpuid = hb_cpuid_alloc(4);
	struct hb_msrs *msrs = hb_msrs_alloc(2);
	uint64_t v = 7;
	int fd = hb_open("/dev/null");

	(void)state;
	assert_non_null(cpuid);
	assert_int_equal(cpuid->nent, 4);
	assert_int_equal(cpuid->entries[3].function, 0);
	assert_non_null(msrs);
	assert_int_equal(msrs->nmsrs, 2);
	assert_int_equal(hb_get_supported_cpuid(fd, cpuid), -ENOTTY);
	vcpu.fd = fd;
	assert_int_equal(hb_vcpu_interrupt(&vcpu, 32), -ENOTTY);
	assert_int_equal(hb_vcpu_nmi(&vcpu), -ENOTTY);
	assert_int_equal(hb_vcpu_get_events(&vcpu, &ev), -ENOTTY);
	assert_int_equal(hb_vcpu_get_msr(&vcpu, 0xc0000080, &v), -ENOTTY);
	assert_int_equal(v, 7);
	assert_int_equal(hb_vcpu_set_msrs(&vcpu, msrs), -ENOTTY);
	assert_int_equal(hb_register_irqfd(fd, &(struct hb_irqfd){ .fd = -1 }), -ENOTTY);
	assert_int_equal(hb_create_ring(fd, &(struct hb_ring_config){ 0 }), -ENOTTY);
	close(fd);
	free(cpuid);
	free(msrs);
}

static void guest_memory_is_page_aligned_and_zeroed(void **state)
{
	uint8_t *mem = hb_guest_mem_alloc(1 << 20);

	(void)state;
	assert_non_null(mem);
	assert_int_equal((uintptr_t)mem % HB_PAGE_SIZE, 0);
	assert_int_equal(mem[0], 0);
	assert_int_equal(mem[(1 << 20) - 1], 0);
	mem[12345] = 1;
	hb_guest_mem_free(mem, 1 << 20);
	assert_null(hb_guest_mem_alloc(100));
	assert_int_equal(errno, EINVAL);
	assert_null(hb_guest_mem_alloc(0));
}

static void exit_reason_names(void **state)
{
	(void)state;
	assert_string_equal(hb_exit_reason_name(HB_EXIT_IO), "IO");
	assert_string_equal(hb_exit_reason_name(HB_EXIT_SHUTDOWN), "SHUTDOWN");
	assert_string_equal(hb_exit_reason_name(HB_EXIT_INTR), "INTR");
	assert_string_equal(hb_exit_reason_name(999), "UNKNOWN");
}

static void error_object(void **state)
{
	struct hb_err err = { 0 };

	(void)state;
	assert_int_equal(hb_err_set(&err, ENOENT, "opening %s", "x"), -ENOENT);
	assert_string_equal(err.msg, "opening x: No such file or directory");
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(hb_err_msg(&err, -EINVAL, "plain"), -EINVAL);
	assert_string_equal(err.msg, "plain");
	assert_int_equal(hb_err_msg(NULL, EIO, "nobody listens"), -EIO);
}

static void abi_layout(void **state)
{
	(void)state;
	/* The uapi promises fixed sizes; catch accidental growth here too. */
	assert_int_equal(sizeof(struct hb_memory_region), 64);
	assert_int_equal(offsetof(struct hb_run, exit_reason), 8);
	assert_true(sizeof(struct hb_run) <= HB_RUN_PIO_OFFSET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_reports_negative_errno),
		cmocka_unit_test(ioctls_on_a_non_hyperbox_fd),
		cmocka_unit_test(cpu_contract_wrappers_report_errno),
		cmocka_unit_test(guest_memory_is_page_aligned_and_zeroed),
		cmocka_unit_test(exit_reason_names),
		cmocka_unit_test(error_object),
		cmocka_unit_test(abi_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
