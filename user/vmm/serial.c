// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "serial.h"

/* Register offsets and bits from the 16550A data sheet. */
#define UART_RX_TX	0	/* RBR / THR, or DLL when DLAB */
#define UART_IER	1	/* or DLM when DLAB */
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_LCR_DLAB	0x80
#define UART_IIR_NO_INT	0x01
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */
/* DCD | DSR | CTS: a "connected" modem, so guests that check it still print */
#define UART_MSR_READY	0xb0

void serial_init(struct serial *uart, uint16_t base, serial_emit_fn emit,
		 void *opaque)
{
	*uart = (struct serial){
		.base = base,
		.emit = emit,
		.opaque = opaque,
		.dll = 12,	/* 9600 baud, the BIOS default */
	};
}

static void serial_write(struct serial *uart, unsigned int reg, uint8_t val)
{
	bool dlab = uart->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RX_TX:
		if (dlab)
			uart->dll = val;
		else if (uart->emit)
			uart->emit(uart->opaque, val);
		break;
	case UART_IER:
		if (dlab)
			uart->dlm = val;
		else
			uart->ier = val & 0x0f;
		break;
	case UART_LCR:
		uart->lcr = val;
		break;
	case UART_MCR:
		uart->mcr = val & 0x1f;
		break;
	case UART_SCR:
		uart->scr = val;
		break;
	default:	/* FCR, LSR, MSR: nothing to model without a FIFO */
		break;
	}
}

static uint8_t serial_read(struct serial *uart, unsigned int reg)
{
	bool dlab = uart->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RX_TX:
		return dlab ? uart->dll : 0;
	case UART_IER:
		return dlab ? uart->dlm : uart->ier;
	case UART_IIR_FCR:
		return UART_IIR_NO_INT;
	case UART_LCR:
		return uart->lcr;
	case UART_MCR:
		return uart->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case UART_MSR:
		return UART_MSR_READY;
	case UART_SCR:
		return uart->scr;
	}
	return 0xff;
}

void serial_io(struct serial *uart, uint16_t port, bool is_write,
	       uint8_t *data)
{
	unsigned int reg = (uint16_t)(port - uart->base);

	if (reg >= SERIAL_NR_PORTS) {
		if (!is_write)
			*data = 0xff;
		return;
	}
	if (is_write)
		serial_write(uart, reg, *data);
	else
		*data = serial_read(uart, reg);
}

void serial_port_io(void *opaque, uint16_t port, bool is_write,
		    uint8_t *data, unsigned int size)
{
	if (!is_write && size > 1)
		memset(data + 1, 0xff, size - 1);
	serial_io(opaque, port, is_write, data);
}

void serial_emit_fd(void *opaque, uint8_t byte)
{
	int fd = (int)(intptr_t)opaque;

	/* Guest output is best effort: a closed stdout must not stop the VM. */
	if (write(fd, &byte, 1) < 0)
		return;
}
