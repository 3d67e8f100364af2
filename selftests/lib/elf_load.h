/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HB_SELFTEST_ELF_LOAD_H
#define HB_SELFTEST_ELF_LOAD_H

#include <stdint.h>

/* Loads /proc/self/exe's PT_LOAD segments at gpa = vaddr; fails the test. */
void elf_load_self(void *mem, uint64_t mem_size, uint64_t *image_end);

#endif
