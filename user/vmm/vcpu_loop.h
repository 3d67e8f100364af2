/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU run loop of the flat-image VMM: HB_RUN, dispatch the exit,
 * repeat until the guest asks to stop (HB_HC_EXIT), halts or fails.
 */
#ifndef VMM_VCPU_LOOP_H
#define VMM_VCPU_LOOP_H

#include <stdint.h>

#include "../lib/libhyperbox.h"
#include "../lib/hb_error.h"
#include "io_bus.h"

enum vmm_stop_reason {
	VMM_STOP_EXIT_HYPERCALL,	/* status is the guest's arg0 */
	VMM_STOP_HLT,			/* nothing can wake it: status 0 */
};

struct vmm_stop {
	enum vmm_stop_reason reason;
	uint64_t status;
};

/*
 * Handles the exit described by @run. Returns 1 to keep running, 0 when
 * the guest stopped (see @stop), or -errno with @err set for exits that
 * end the VM with an error (shutdown, failed entry, internal error...).
 */
int vmm_handle_exit(struct hb_run *run, struct io_bus *io,
		    struct vmm_stop *stop, struct hb_err *err);

/* Runs @vcpu until it stops. Returns 0 (see @stop) or -errno with @err. */
int vmm_vcpu_loop(struct hb_vcpu *vcpu, struct io_bus *io,
		  struct vmm_stop *stop, struct hb_err *err);

#endif /* VMM_VCPU_LOOP_H */
