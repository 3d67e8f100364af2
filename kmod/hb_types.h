/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small definitions shared by the core and the freestanding instruction
 * decoder (emulate/decode.c), which must not depend on the rest of hb.h.
 */
#ifndef HB_TYPES_H
#define HB_TYPES_H

enum hb_cpu_mode {
	HB_MODE_REAL,
	HB_MODE_PROT16,
	HB_MODE_PROT32,
	HB_MODE_LONG64,
};

/* Segment indices for segment_base(), as in the SDM's Sreg encoding. */
#define HB_SEG_ES	0
#define HB_SEG_CS	1
#define HB_SEG_SS	2
#define HB_SEG_DS	3
#define HB_SEG_FS	4
#define HB_SEG_GS	5

#endif /* HB_TYPES_H */
