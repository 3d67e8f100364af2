// SPDX-License-Identifier: GPL-2.0
/* The exit dispatch of the VMM, fed with hand-made struct hb_run pages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../vmm/hypercalls.h"
#include "../vmm/serial.h"
#include "../vmm/vcpu_loop.h"

/* The layout the module maps: struct hb_run, then the PIO data page. */
static union {
	struct hb_run run;
	uint8_t bytes[2 * 4096];
} page;

struct sink {
	char buf[64];
	size_t len;
};

static void sink_emit(void *opaque, uint8_t byte)
{
	struct sink *s = opaque;

	if (s->len < sizeof(s->buf) - 1)
		s->buf[s->len++] = byte;
}

static struct sink sink;
static struct serial com1;
static struct io_bus bus;

static int setup(void **state)
{
	(void)state;
	memset(&page, 0, sizeof(page));
	memset(&sink, 0, sizeof(sink));
	serial_init(&com1, SERIAL_COM1_BASE, sink_emit, &sink);
	io_bus_init(&bus);
	return io_bus_register(&bus, SERIAL_COM1_BASE, SERIAL_NR_PORTS,
			       serial_port_io, &com1);
}

static void io_exit(uint8_t dir, uint8_t size, uint16_t port, uint32_t count)
{
	page.run.exit_reason = HB_EXIT_IO;
	page.run.io.direction = dir;
	page.run.io.size = size;
	page.run.io.port = port;
	page.run.io.count = count;
	page.run.io.data_offset = HB_RUN_PIO_OFFSET;
}

static void serial_output_reaches_sink(void **state)
{
	struct hb_err err = { 0 };
	struct vmm_stop stop;

	(void)state;
	io_exit(HB_EXIT_IO_OUT, 1, 0x3f8, 5);
	memcpy(page.bytes + HB_RUN_PIO_OFFSET, "hello", 5);
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), 1);
	assert_string_equal(sink.buf, "hello");
}

static void lsr_read_fills_data_page(void **state)
{
	struct hb_err err = { 0 };
	struct vmm_stop stop;

	(void)state;
	io_exit(HB_EXIT_IO_IN, 1, 0x3fd, 1);
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), 1);
	assert_int_equal(page.bytes[HB_RUN_PIO_OFFSET], 0x60);
}

static void bad_io_size_is_an_error(void **state)
{
	struct hb_err err = { 0 };
	struct vmm_stop stop;

	(void)state;
	io_exit(HB_EXIT_IO_OUT, 3, 0x3f8, 1);
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), -EPROTO);
}

static void exit_hypercall_stops_with_status(void **state)
{
	struct hb_err err = { 0 };
	struct vmm_stop stop;

	(void)state;
	page.run.exit_reason = HB_EXIT_HYPERCALL;
	page.run.hypercall.nr = HB_HC_EXIT;
	page.run.hypercall.args[0] = 42;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), 0);
	assert_int_equal(stop.reason, VMM_STOP_EXIT_HYPERCALL);
	assert_int_equal(stop.status, 42);
}

static void unknown_hypercall_returns_enosys(void **state)
{
	struct hb_err err = { 0 };
	struct vmm_stop stop;

	(void)state;
	page.run.exit_reason = HB_EXIT_HYPERCALL;
	page.run.hypercall.nr = 0x777;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), 1);
	assert_int_equal((int64_t)page.run.hypercall.ret, -38);
}

static void hlt_stops_cleanly(void **state)
{
	struct hb_err err = { 0 };
	struct vmm_stop stop;

	(void)state;
	page.run.exit_reason = HB_EXIT_HLT;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), 0);
	assert_int_equal(stop.reason, VMM_STOP_HLT);
	assert_int_equal(stop.status, 0);
}

static void fatal_exits_explain_themselves(void **state)
{
	struct hb_err err = { 0 };
	struct vmm_stop stop;

	(void)state;
	page.run.exit_reason = HB_EXIT_SHUTDOWN;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), -EFAULT);
	assert_non_null(strstr(err.msg, "triple-fault"));

	page.run.exit_reason = HB_EXIT_FAIL_ENTRY;
	page.run.fail_entry.hardware_entry_failure_reason = (uint64_t)-1;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), -EIO);
	assert_non_null(strstr(err.msg, "refused to enter"));

	page.run.exit_reason = HB_EXIT_MMIO;
	page.run.mmio.phys_addr = 0xfee00000;
	page.run.mmio.len = 4;
	page.run.mmio.is_write = 1;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), -EFAULT);
	assert_string_equal(err.msg,
			    "guest wrote 4 bytes at unbacked address 0xfee00000");

	page.run.exit_reason = HB_EXIT_INTERNAL_ERROR;
	page.run.internal.suberror = HB_INTERNAL_ERROR_EMULATION;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), -EIO);

	page.run.internal.suberror = HB_INTERNAL_ERROR_BAD_EXIT_STATE;
	page.run.internal.data[0] = 0x400;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), -EIO);
	assert_string_equal(err.msg,
			    "hardware exit 0x400 without the guest's state (an emulator's fault)");

	page.run.internal.suberror = HB_INTERNAL_ERROR_TDP;
	page.run.internal.data[0] = 0x7000;
	page.run.internal.data[1] = EFAULT;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), -EIO);
	assert_string_equal(err.msg,
			    "guest memory at 0x7000 is gone from the process (Bad address)");

	page.run.exit_reason = 1234;
	assert_int_equal(vmm_handle_exit(&page.run, &bus, &stop, &err), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(serial_output_reaches_sink, setup),
		cmocka_unit_test_setup(lsr_read_fills_data_page, setup),
		cmocka_unit_test_setup(bad_io_size_is_an_error, setup),
		cmocka_unit_test_setup(exit_hypercall_stops_with_status, setup),
		cmocka_unit_test_setup(unknown_hypercall_returns_enosys, setup),
		cmocka_unit_test_setup(hlt_stops_cleanly, setup),
		cmocka_unit_test_setup(fatal_exits_explain_themselves, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
