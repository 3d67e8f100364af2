// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "io_bus.h"

void io_bus_init(struct io_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

static bool ranges_overlap(const struct io_range *r, uint16_t base,
			   uint16_t len)
{
	return base < r->base + r->len && r->base < base + len;
}

int io_bus_register(struct io_bus *bus, uint16_t base, uint16_t len,
		    io_handler_fn handler, void *opaque)
{
	unsigned int i;

	if (!len || !handler || (uint32_t)base + len > 0x10000)
		return -EINVAL;
	for (i = 0; i < bus->nr_ranges; i++)
		if (ranges_overlap(&bus->ranges[i], base, len))
			return -EEXIST;
	if (bus->nr_ranges == IO_BUS_MAX_DEVICES)
		return -ENOSPC;
	bus->ranges[bus->nr_ranges++] = (struct io_range){
		.base = base, .len = len, .handler = handler, .opaque = opaque,
	};
	return 0;
}

static const struct io_range *io_bus_find(const struct io_bus *bus,
					  uint16_t port)
{
	unsigned int i;

	for (i = 0; i < bus->nr_ranges; i++)
		if (port >= bus->ranges[i].base &&
		    port - bus->ranges[i].base < bus->ranges[i].len)
			return &bus->ranges[i];
	return NULL;
}

void io_bus_dispatch(struct io_bus *bus, uint16_t port, bool is_write,
		     uint8_t *data, unsigned int size, uint32_t count)
{
	const struct io_range *range = io_bus_find(bus, port);
	uint32_t i;

	for (i = 0; i < count; i++, data += size) {
		if (range) {
			range->handler(range->opaque, port, is_write, data, size);
			continue;
		}
		bus->unclaimed++;
		if (!is_write)
			memset(data, 0xff, size);
	}
}
