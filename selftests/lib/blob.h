/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the real/protected mode assembly blobs that tests define with
 * top-level asm(). A blob runs from BLOB_GPA; in real mode all segments
 * point at it (offsets are label - start), in protected mode addresses are
 * flat (BLOB_GPA + label - start).
 */
#ifndef HB_SELFTEST_BLOB_H
#define HB_SELFTEST_BLOB_H

#include "../../user/vmm/hypercalls.h"
#include "ucall.h"

#define __XSTR(x)	#x
#define XSTR(x)		__XSTR(x)

/* Declares the symbols of a blob named @name: name_start / name_end. */
#define DECLARE_BLOB(name) \
	extern const char name##_start[], name##_end[]

/* Assembly: begin/end a blob in .rodata (it is copied, never run in place). */
#define BLOB_BEGIN(name, bits)						\
	".pushsection .rodata\n"					\
	".globl " #name "_start\n"					\
	".globl " #name "_end\n"					\
	".code" #bits "\n"						\
	#name "_start:\n"
#define BLOB_END(name)							\
	#name "_end:\n"							\
	".code64\n"							\
	".popsection\n"

/*
 * Assembly: the hypercall instruction. Blobs are written with VMMCALL; each
 * site is recorded in section hb_hypercall_sites so vm_vcpu_add_blob() can
 * turn it into VMCALL when the module runs on Intel VMX.
 */
#define BLOB_HYPERCALL							\
	"9990: vmmcall\n"						\
	".pushsection hb_hypercall_sites, \"a\"\n"			\
	".quad 9990b\n"							\
	".popsection\n"

/* Assembly: ucall(UCALL_SYNC, <reg32>) from 16/32-bit code. */
#define BLOB_SYNC(reg)							\
	"mov " reg ", %esi\n"						\
	"mov $" XSTR(UCALL_SYNC_NR) ", %edi\n"				\
	"mov $" XSTR(HB_HC_UCALL) ", %eax\n"				\
	BLOB_HYPERCALL
#define BLOB_DONE							\
	"mov $" XSTR(UCALL_DONE_NR) ", %edi\n"				\
	"mov $" XSTR(HB_HC_UCALL) ", %eax\n"				\
	BLOB_HYPERCALL							\
	"hlt\n"

/* The enum values of ucall.h as plain numbers for the assembler. */
#define UCALL_SYNC_NR	1
#define UCALL_DONE_NR	2
_Static_assert(UCALL_SYNC_NR == UCALL_SYNC && UCALL_DONE_NR == UCALL_DONE,
	       "ucall numbers in blob.h are stale");

#endif /* HB_SELFTEST_BLOB_H */
