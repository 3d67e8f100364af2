// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU halted with interrupts enabled while irqfds exist waits here for
 * one to fire (or a signal) instead of bothering userspace.
 *
 * Before it sleeps it polls for a while (what halt_poll_ns is to KVM): an
 * I/O-bound guest is often woken microseconds after its HLT (a ring's
 * interrupt), and a wake-up through the scheduler costs more than that.
 * The window is per vCPU and adapts (poll_window.h).
 */
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include "hb.h"
#include "poll_window.h"

static unsigned int halt_poll_ns = 200000;
module_param(halt_poll_ns, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns,
		 "longest a halted vCPU polls for its wake-up before sleeping, in ns (0: never poll)");

atomic64_t hb_stat_halt_polled, hb_stat_halt_missed, hb_stat_halt_slept;

static bool hb_halt_done(struct hb_vcpu *vcpu)
{
	return hb_hlt_wakes(vcpu) || !atomic_read(&vcpu->vm->nr_irqfds);
}

/* Spins up to @window ns for the wake-up; true when it came. */
static bool hb_halt_poll(struct hb_vcpu *vcpu, u64 window)
{
	ktime_t stop = ktime_add_ns(ktime_get(), window);

	do {
		if (hb_halt_done(vcpu))
			return true;
		cpu_relax();
	} while (!need_resched() && !signal_pending(current) &&
		 ktime_before(ktime_get(), stop));
	return hb_halt_done(vcpu);
}

int hb_vcpu_halt(struct hb_vcpu *vcpu)
{
	u64 limit = READ_ONCE(halt_poll_ns);
	u64 window = min_t(u64, vcpu->halt_poll_ns, limit);
	ktime_t start = ktime_get();

	if (window) {
		if (hb_halt_poll(vcpu, window)) {
			atomic64_inc(&hb_stat_halt_polled);
			return 1;
		}
		/* The window ran out, or the CPU or a signal wanted us. */
		atomic64_inc(&hb_stat_halt_missed);
	}
	if (wait_event_interruptible(vcpu->vm->halt_wq[vcpu->id],
				     hb_halt_done(vcpu))) {
		vcpu->run->exit_reason = HB_EXIT_INTR;
		return -EINTR;
	}
	atomic64_inc(&hb_stat_halt_slept);
	hb_poll_window_adapt(&vcpu->halt_poll_ns,
			     ktime_to_ns(ktime_sub(ktime_get(), start)), limit);
	return 1;
}

/* A new vCPU polls for the module's full window on its first halt. */
void hb_vcpu_halt_init(struct hb_vcpu *vcpu)
{
	vcpu->halt_poll_ns = READ_ONCE(halt_poll_ns);
}
