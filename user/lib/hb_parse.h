/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing of the numbers a user types: sizes and addresses. */
#ifndef HB_PARSE_H
#define HB_PARSE_H

#include <stdint.h>

/*
 * "4096", "0x1000", "64K", "16M", "2G" (binary units, K/M/G/T, optional
 * trailing "iB" or "B"). Returns 0 or -EINVAL (syntax) / -ERANGE (overflow).
 */
int hb_parse_size(const char *text, uint64_t *out);

/* A plain unsigned number in decimal or 0x hex; the whole string must match. */
int hb_parse_u64(const char *text, uint64_t *out);

#endif /* HB_PARSE_H */
