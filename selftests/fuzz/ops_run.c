// SPDX-License-Identifier: GPL-2.0
/*
 * HB_RUN: running guests of random code, answering their exits with random
 * data, kicking them out with per-thread timer signals and immediate_exit,
 * and checking that what the module reports in the run page is sane.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../../user/vmm/cpu_mode.h"
#include "fuzz.h"

#define RUN_MMAP_SIZE	(2 * 4096)

static __thread timer_t kick_timer;
static __thread bool kick_timer_ok;

/* Arms a one-shot SIGALRM for this thread only, 1 .. 30 ms from now. */
void arm_kick(void)
{
	struct itimerspec its = { 0 };

	if (!kick_timer_ok) {
		struct sigevent sev = { 0 };

		sev.sigev_notify = SIGEV_THREAD_ID;
		sev.sigev_signo = SIGALRM;
		sev._sigev_un._tid = gettid();
		if (timer_create(CLOCK_MONOTONIC, &sev, &kick_timer))
			return;
		kick_timer_ok = true;
	}
	its.it_value.tv_nsec = (1 + rnd(30)) * 1000000L;
	timer_settime(kick_timer, 0, &its, NULL);
}

/* What is wrong with the exit @run describes, or NULL. */
static const char *exit_problem(const struct hb_run *run, char *buf, size_t len)
{
	switch (run->exit_reason) {
	case HB_EXIT_IO:
		if ((run->io.size != 1 && run->io.size != 2 && run->io.size != 4) ||
		    !run->io.count || run->io.data_offset < 4096 ||
		    run->io.data_offset + (uint64_t)run->io.size * run->io.count >
		    RUN_MMAP_SIZE)
			snprintf(buf, len, "bad IO exit: size %u count %u data_offset 0x%llx",
				 run->io.size, run->io.count,
				 (unsigned long long)run->io.data_offset);
		else
			return NULL;
		return buf;
	case HB_EXIT_MMIO:
		if (run->mmio.len && run->mmio.len <= 8)
			return NULL;
		snprintf(buf, len, "bad MMIO exit: len %u", run->mmio.len);
		return buf;
	case HB_EXIT_INTERNAL_ERROR:
		if (run->internal.ndata <= 16)
			return NULL;
		snprintf(buf, len, "bad INTERNAL_ERROR exit: ndata %u",
			 run->internal.ndata);
		return buf;
	default:
		if (run->exit_reason <= HB_EXIT_INTR)
			return NULL;
		snprintf(buf, len, "HB_RUN returned 0 with exit_reason %u",
			 run->exit_reason);
		return buf;
	}
}

/*
 * A copy of the exit fields of @run, or false when a thread scribbled over
 * run pages since @gen was read (before HB_RUN): a seqcount read, so the
 * copy is taken first and the count checked after it.
 */
static bool read_exit(struct fuzz_world *w, const struct hb_run *run,
		      uint64_t gen, struct hb_run *copy)
{
	if (gen & 1)
		return false;
	memcpy(copy, run, sizeof(*copy));
	return gen == __atomic_load_n(&w->scribbles, __ATOMIC_SEQ_CST);
}

/*
 * Judges the exit. A suspicious one is read again through a fresh mapping
 * of the vCPU fd: the fuzzer's own mappings may alias (an address freed by
 * one thread's munmap reused by another's mmap and scribbled over).
 */
static void check_exit(struct fuzz_world *w, int fd, const struct hb_run *run,
		       uint64_t gen)
{
	struct hb_run seen, again;
	char buf[160];
	void *fresh;

	if (!read_exit(w, run, gen, &seen) ||
	    !exit_problem(&seen, buf, sizeof(buf)))
		return;
	fresh = run_window_map(RUN_MMAP_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (fresh == MAP_FAILED)
		return;
	if (read_exit(w, fresh, gen, &again) &&
	    again.exit_reason == seen.exit_reason &&
	    exit_problem(&again, buf, sizeof(buf)))
		fuzz_finding("%s", buf);
	run_window_unmap(fresh, RUN_MMAP_SIZE);
}

/*
 * Fill in what the guest reads from the exit it just took (@answer: HB_RUN
 * returned one), then maybe scribble and set the request flags.
 */
static void answer_exit(struct fuzz_world *w, struct hb_run *run, bool answer)
{
	switch (answer ? run->exit_reason : HB_EXIT_UNKNOWN) {
	case HB_EXIT_IO:
		if (run->io.direction == HB_EXIT_IO_IN && run->io.data_offset < RUN_MMAP_SIZE)
			rnd_fill((char *)run + run->io.data_offset,
				 RUN_MMAP_SIZE - run->io.data_offset < 64 ?
				 RUN_MMAP_SIZE - run->io.data_offset : 64);
		break;
	case HB_EXIT_MMIO:
		rnd_fill(run->mmio.data, sizeof(run->mmio.data));
		break;
	case HB_EXIT_HYPERCALL:
		run->hypercall.ret = rnd_interesting();
		break;
	default:
		break;
	}
	if (rnd_chance(16)) {	/* userspace scribbling over module output */
		/* Odd while scribbling, like a seqcount. */
		__atomic_add_fetch(&w->scribbles, 1, __ATOMIC_SEQ_CST);
		rnd_fill(&run->exit_reason, 48);
		__atomic_add_fetch(&w->scribbles, 1, __ATOMIC_SEQ_CST);
	}
	run->request_interrupt_window = rnd_chance(6);
	run->immediate_exit = rnd_chance(16);
	/* CR8 (V_TPR) is where QEMU 7.2 trips over its own lock: full only. */
	run->cr8 = !fuzz_gentle && rnd_chance(8) ? rnd_interesting() : 0;
}

void fuzz_run_vcpu(struct fuzz_world *w, int idx, unsigned int rounds)
{
	struct fuzz_fd *f = &w->fds[idx];
	struct hb_run *run = f->run;
	int fd = f->fd;
	uint64_t gen;
	long ret;

	if (f->kind != FD_VCPU)
		return;
	if (!run) {
		run = run_window_map(RUN_MMAP_SIZE, PROT_READ | PROT_WRITE,
				     MAP_SHARED, fd, 0);
		if (run == MAP_FAILED)
			return;
		f->run = run;
	}
	while (rounds-- && now_ns() < w->deadline_ns) {
		arm_kick();
		if (rnd_chance(8)) {
			struct hb_interrupt irq = { .irq = 32 + rnd(224) };

			fuzz_ioctl(w, fd, HB_INTERRUPT, &irq);
		}
		gen = __atomic_load_n(&w->scribbles, __ATOMIC_SEQ_CST);
		ret = fuzz_ioctl(w, fd, HB_RUN, (void *)(rnd_chance(32) ?
							 rnd_interesting() : 0));
		__atomic_add_fetch(w->runs, 1, __ATOMIC_RELAXED);
		if (ret == -EBADF || ret == -EIO)
			return;
		/* Judge the exit it reported (not if a thread scribbled meanwhile). */
		if (ret == 0)
			check_exit(w, fd, run, gen);
		answer_exit(w, run, ret == 0);
	}
}

void fuzz_op_run(struct fuzz_world *w)
{
	int idx = world_pick(w, FD_VCPU);

	if (idx < 0)
		fuzz_op_scenario(w);
	else
		fuzz_run_vcpu(w, idx, 1 + rnd(16));
}

/*
 * A well-formed guest (memory slot, mode set up like a boot loader would)
 * running random code: the deep end of the exit handlers. Its fds and
 * memory join the table, where other threads may pull them away.
 */
void fuzz_op_scenario(struct fuzz_world *w)
{
	enum vmm_cpu_mode mode = rnd(3);
	struct hb_memory_region m = { 0 };
	struct vmm_mode_setup setup = { 0 };
	struct hb_err err = { 0 };
	struct fuzz_region *r;
	size_t len = (512 + rnd(256)) * 4096;
	struct hb_sregs s;
	struct hb_regs regs;
	int sys, vm, vcpu, vmi, vcpui;
	void *mem;

	sys = world_pick(w, FD_SYS);
	if (sys < 0) {
		fuzz_op_sys(w);
		return;
	}
	vm = (int)fuzz_ioctl(w, w->fds[sys].fd, HB_CREATE_VM, 0);
	vmi = world_add(w, FD_VM, vm, -1);
	if (vmi < 0)
		return;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (mem == MAP_FAILED)
		return;
	m.memory_size = len;
	m.userspace_addr = (uint64_t)(uintptr_t)mem;
	fuzz_ioctl(w, vm, HB_SET_MEMORY_REGION, &m);
	if (rnd_chance(3)) {	/* a second slot, maybe read-only */
		m.slot = 1;
		m.flags = rnd(2);
		m.guest_phys_addr = 1ull << 30;
		m.memory_size = 16 * 4096;
		fuzz_ioctl(w, vm, HB_SET_MEMORY_REGION, &m);
	}
#ifdef HB_REGISTER_IRQFD
	if (rnd_chance(3)) {	/* HLT now waits in the module for the irqfd */
		int ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		struct hb_irqfd q = { .fd = ev, .vector = 32 + rnd(224) };
		struct hb_doorbell d = { .addr = 0x80, .len = 1, .fd = ev,
					 .flags = HB_DOORBELL_PIO };

		fuzz_ioctl(w, vm, HB_REGISTER_IRQFD, &q);
		if (rnd_chance(2))	/* out 0x80 raises the interrupt itself */
			fuzz_ioctl(w, vm, HB_REGISTER_DOORBELL, &d);
		world_add(w, FD_EVENT, ev, vmi);
	}
#endif
	r = world_region(w);
	if (!r->addr) {
		r->addr = mem;
		r->len = len;
	}
	vcpu = (int)fuzz_ioctl(w, vm, HB_CREATE_VCPU, (void *)(uintptr_t)rnd(2));
	vcpui = world_add(w, FD_VCPU, vcpu, vmi);
	if (vcpui < 0)
		return;

	setup.mode = mode;
	setup.mem = mem;
	setup.mem_size = len;
	setup.entry = vmm_cpu_mode_default_entry(mode);
	memset(&s, 0, sizeof(s));
	fuzz_ioctl(w, vcpu, HB_GET_SREGS, &s);
	if (vmm_cpu_mode_setup(&setup, &regs, &s, &err))
		return;
	guest_code_fill((uint8_t *)mem + setup.entry, 16384, mode);
	if (rnd_chance(3))
		guest_sregs_perturb(&s);
	if (rnd_chance(4))
		guest_regs_random(&regs);
	fuzz_ioctl(w, vcpu, HB_SET_SREGS, &s);
	fuzz_ioctl(w, vcpu, HB_SET_REGS, &regs);
	fuzz_run_vcpu(w, vcpui, 4 + rnd(60));
}
