/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Adaptive polling windows, shared by halted vCPUs (halt.c) and idle ring
 * workers (ring.c), as KVM adapts halt_poll_ns: a wait that ended within
 * the limit grows the window (polling longer would have caught it), a
 * longer one drops it to zero (the other side was idle; spinning would
 * only have burnt the CPU).
 */
#ifndef HB_POLL_WINDOW_H
#define HB_POLL_WINDOW_H

#include <linux/minmax.h>
#include <linux/types.h>

/* The first window that grows back after dropping to zero. */
#define HB_POLL_START_NS	10000

static inline void hb_poll_window_adapt(u64 *window, u64 waited_ns, u64 limit)
{
	u64 w = *window;

	if (waited_ns > limit)
		w = 0;
	else if (waited_ns > w)
		w = w ? w * 2 : HB_POLL_START_NS;
	*window = min(w, limit);
}

#endif /* HB_POLL_WINDOW_H */
