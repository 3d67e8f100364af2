/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port I/O dispatch: device models register a port range and a handler;
 * the run loop hands every HB_EXIT_IO to io_bus_dispatch(). Unclaimed ports
 * read as all ones (a floating ISA bus) and swallow writes.
 */
#ifndef VMM_IO_BUS_H
#define VMM_IO_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define IO_BUS_MAX_DEVICES	16

/* One access of @size (1, 2 or 4) bytes; for reads fill @data. */
typedef void (*io_handler_fn)(void *opaque, uint16_t port, bool is_write,
			      uint8_t *data, unsigned int size);

struct io_range {
	uint16_t base;
	uint16_t len;
	io_handler_fn handler;
	void *opaque;
};

struct io_bus {
	struct io_range ranges[IO_BUS_MAX_DEVICES];
	unsigned int nr_ranges;
	uint64_t unclaimed;	/* accesses nobody handled, for debugging */
};

void io_bus_init(struct io_bus *bus);
/* Returns 0, -ENOSPC when full or -EEXIST when the range overlaps. */
int io_bus_register(struct io_bus *bus, uint16_t base, uint16_t len,
		    io_handler_fn handler, void *opaque);
/* Performs @count accesses of @size bytes at @port on consecutive data. */
void io_bus_dispatch(struct io_bus *bus, uint16_t port, bool is_write,
		     uint8_t *data, unsigned int size, uint32_t count);

#endif /* VMM_IO_BUS_H */
