// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../vmm/io_bus.h"
#include "../vmm/serial.h"

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

static uint8_t in8(struct serial *uart, uint16_t port)
{
	uint8_t v = 0;

	serial_io(uart, port, false, &v);
	return v;
}

static void out8(struct serial *uart, uint16_t port, uint8_t v)
{
	serial_io(uart, port, true, &v);
}

static void transmit_and_status(void **state)
{
	struct sink sink = { 0 };
	struct serial uart;

	(void)state;
	serial_init(&uart, 0x3f8, sink_emit, &sink);
	assert_int_equal(in8(&uart, 0x3fd) & 0x60, 0x60);	/* THRE|TEMT */
	assert_int_equal(in8(&uart, 0x3fd) & 0x01, 0);		/* no data */
	assert_int_equal(in8(&uart, 0x3fa), 0x01);		/* no irq */
	out8(&uart, 0x3f8, 'h');
	out8(&uart, 0x3f8, 'i');
	assert_string_equal(sink.buf, "hi");
}

static void divisor_latch_does_not_transmit(void **state)
{
	struct sink sink = { 0 };
	struct serial uart;

	(void)state;
	serial_init(&uart, 0x3f8, sink_emit, &sink);
	out8(&uart, 0x3fb, 0x80);	/* DLAB */
	out8(&uart, 0x3f8, 0x01);	/* 115200 baud */
	out8(&uart, 0x3f9, 0x00);
	assert_int_equal(in8(&uart, 0x3f8), 0x01);
	out8(&uart, 0x3fb, 0x03);	/* 8N1, DLAB off */
	assert_int_equal(sink.len, 0);
	assert_int_equal(in8(&uart, 0x3fb), 0x03);
	out8(&uart, 0x3ff, 0x5a);
	assert_int_equal(in8(&uart, 0x3ff), 0x5a);
	out8(&uart, 0x3f9, 0xff);
	assert_int_equal(in8(&uart, 0x3f9), 0x0f);	/* only 4 IER bits */
}

static void bus_dispatch_rep_string(void **state)
{
	struct sink sink = { 0 };
	struct serial uart;
	struct io_bus bus;
	uint8_t data[] = "rep outsb";

	(void)state;
	serial_init(&uart, 0x3f8, sink_emit, &sink);
	io_bus_init(&bus);
	assert_int_equal(io_bus_register(&bus, 0x3f8, 8, serial_port_io, &uart), 0);
	io_bus_dispatch(&bus, 0x3f8, true, data, 1, 9);
	assert_string_equal(sink.buf, "rep outsb");
	assert_int_equal(bus.unclaimed, 0);
}

static void bus_unclaimed_reads_all_ones(void **state)
{
	struct io_bus bus;
	uint8_t data[8];

	(void)state;
	io_bus_init(&bus);
	memset(data, 0, sizeof(data));
	io_bus_dispatch(&bus, 0x80, false, data, 4, 2);
	assert_int_equal(data[0], 0xff);
	assert_int_equal(data[7], 0xff);
	assert_int_equal(bus.unclaimed, 2);
}

static void bus_rejects_overlap(void **state)
{
	struct serial uart;
	struct io_bus bus;

	(void)state;
	io_bus_init(&bus);
	assert_int_equal(io_bus_register(&bus, 0x3f8, 8, serial_port_io, &uart), 0);
	assert_int_equal(io_bus_register(&bus, 0x3ff, 1, serial_port_io, &uart), -EEXIST);
	assert_int_equal(io_bus_register(&bus, 0x3f0, 8, serial_port_io, &uart), 0);
	assert_int_equal(io_bus_register(&bus, 0xffff, 2, serial_port_io, &uart), -EINVAL);
	assert_int_equal(io_bus_register(&bus, 0x100, 0, serial_port_io, &uart), -EINVAL);
}

static void wide_read_of_lsr(void **state)
{
	struct serial uart;
	uint8_t data[2] = { 0, 0 };

	(void)state;
	serial_init(&uart, 0x3f8, NULL, NULL);
	serial_port_io(&uart, 0x3fd, false, data, 2);
	assert_int_equal(data[0], 0x60);
	assert_int_equal(data[1], 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(transmit_and_status),
		cmocka_unit_test(divisor_latch_does_not_transmit),
		cmocka_unit_test(bus_dispatch_rep_string),
		cmocka_unit_test(bus_unclaimed_reads_all_ones),
		cmocka_unit_test(bus_rejects_overlap),
		cmocka_unit_test(wide_read_of_lsr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
