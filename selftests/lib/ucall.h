/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ucall: messages from guest code to the test, over hypercall HB_HC_UCALL
 * (user/vmm/hypercalls.h). Registers: RDI = UCALL_* type, RSI.. R9 the
 * payload. For UCALL_ABORT: RSI = file name, RDX = line, R10 = the failed
 * expression (both strings are guest addresses, identical to the test
 * program's own since the guest runs the program's image 1:1), R8/R9 the
 * two compared values of GUEST_ASSERT_EQ.
 */
#ifndef HB_SELFTEST_UCALL_H
#define HB_SELFTEST_UCALL_H

#include <stdint.h>

#include "../../user/vmm/hypercalls.h"
#include "processor.h"

enum {
	UCALL_NONE,
	UCALL_SYNC,	/* args[0..4]: whatever the test agrees on */
	UCALL_DONE,
	UCALL_ABORT,
};

struct ucall {
	uint64_t cmd;
	uint64_t args[5];
};

static inline uint64_t ucall(uint64_t cmd, uint64_t a0, uint64_t a1,
			     uint64_t a2, uint64_t a3, uint64_t a4)
{
	return guest_hypercall(HB_HC_UCALL, cmd, a0, a1, a2, a3, a4);
}

#define GUEST_SYNC(v)		ucall(UCALL_SYNC, (uint64_t)(v), 0, 0, 0, 0)
#define GUEST_SYNC2(v, w)	ucall(UCALL_SYNC, (uint64_t)(v), (uint64_t)(w), 0, 0, 0)
#define GUEST_DONE()		ucall(UCALL_DONE, 0, 0, 0, 0, 0)

#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			ucall(UCALL_ABORT, (uint64_t)__FILE__, __LINE__,	\
			      (uint64_t)#cond, 0, 0);			\
	} while (0)

#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);	\
		if (__ga != __gb)					\
			ucall(UCALL_ABORT, (uint64_t)__FILE__, __LINE__,	\
			      (uint64_t)(#a " == " #b), __ga, __gb);	\
	} while (0)

/*
 * Where a guest function returns to: reports UCALL_DONE, so a guest that
 * simply returns is finished (set up by vm_vcpu_add()).
 */
void guest_return_trampoline(void);

#endif /* HB_SELFTEST_UCALL_H */
