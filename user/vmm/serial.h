/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal 16550A UART: enough for a guest to poll LSR and write THR.
 * Transmitted bytes go to an emit callback; there is no input, so reads of
 * RBR return 0 and LSR never reports data ready. No interrupts are raised.
 */
#ifndef VMM_SERIAL_H
#define VMM_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#define SERIAL_COM1_BASE	0x3f8
#define SERIAL_NR_PORTS		8

typedef void (*serial_emit_fn)(void *opaque, uint8_t byte);

struct serial {
	uint16_t base;
	serial_emit_fn emit;
	void *opaque;
	uint8_t ier, lcr, mcr, scr;
	uint8_t dll, dlm;	/* divisor latch, visible while LCR.DLAB */
};

void serial_init(struct serial *uart, uint16_t base, serial_emit_fn emit,
		 void *opaque);
/* One byte access at @port (base .. base+7); reads fill *data. */
void serial_io(struct serial *uart, uint16_t port, bool is_write,
	       uint8_t *data);

/*
 * The same as an io_bus handler (opaque = struct serial *): wider accesses
 * touch only their first byte, as on the ISA bus the UART sits on.
 */
void serial_port_io(void *opaque, uint16_t port, bool is_write,
		    uint8_t *data, unsigned int size);

/* An emit callback writing to the file descriptor passed as opaque. */
void serial_emit_fd(void *opaque, uint8_t byte);

#endif /* VMM_SERIAL_H */
