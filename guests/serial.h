/* SPDX-License-Identifier: GPL-2.0 */
/* COM1 registers the demo guests use (16550A). */
#ifndef GUESTS_SERIAL_H
#define GUESTS_SERIAL_H

#define COM1_THR	0x3f8
#define COM1_LSR	0x3fd
#define LSR_THRE	0x20	/* transmit holding register empty */

#endif
