// SPDX-License-Identifier: GPL-2.0
/* vCPU fd operations other than HB_RUN: state in and out, events, mmap. */
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"

/* MSRs worth poking: the virtualization ones and the syscall/segment ones. */
static const uint32_t msrs[] = {
	0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0x174, 0x175, 0x176, 0x1a0,
	0x1d9, 0x277, 0x480, 0x481, 0x485, 0x48b, 0x48d, 0x491, 0x6e0,
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0010010,
	0xc0010114, 0xc0010115, 0xc0010117, 0xc0010118, 0xc0011020,
	0x40000000, 0x4b564d00, 0x800, 0x830, 0x80b, 0xffffffff,
};

static uint32_t random_msr(void)
{
	if (rnd_chance(4))
		return (uint32_t)rnd_interesting();
	return msrs[rnd(sizeof(msrs) / sizeof(msrs[0]))];
}

static void op_msrs(struct fuzz_world *w, int fd)
{
	struct hb_msrs *m = scratch();
	uint32_t i, n = rnd_chance(6) ? (uint32_t)rnd_interesting() : rnd(70);
	uint32_t fill = n < 70 ? n : 70;

	memset(m, 0, sizeof(*m) + fill * sizeof(m->entries[0]));
	m->nmsrs = n;
	for (i = 0; i < fill; i++) {
		m->entries[i].index = random_msr();
		m->entries[i].data = rnd_interesting();
		if (rnd_chance(16))
			m->entries[i].reserved = rnd64();
	}
	fuzz_ioctl(w, fd, rnd_chance(2) ? HB_GET_MSRS : HB_SET_MSRS,
		   rnd_chance(8) ? rnd_ptr(NULL, 16) : m);
}

static void op_cpuid(struct fuzz_world *w, int fd)
{
	struct hb_cpuid *c = scratch();
	uint32_t i, n = rnd_chance(6) ? (uint32_t)rnd_interesting() : rnd(260);
	uint32_t fill = n < 260 ? n : 260;

	c->nent = n;
	c->padding = rnd_chance(16) ? rnd64() : 0;
	for (i = 0; i < fill; i++) {
		struct hb_cpuid_entry *e = &c->entries[i];

		rnd_fill(e, sizeof(*e));
		if (!rnd_chance(4)) {
			e->function = rnd_chance(2) ? rnd(0x20) :
				      0x80000000 + rnd(0x20);
			e->flags &= 1;
			e->padding = 0;
		}
	}
	fuzz_ioctl(w, fd, HB_SET_CPUID, rnd_chance(8) ? rnd_ptr(NULL, 8) : c);
}

static void op_events(struct fuzz_world *w, int fd)
{
	struct hb_vcpu_events ev;
	struct hb_interrupt irq;

	switch (rnd(4)) {
	case 0:
		fuzz_ioctl(w, fd, HB_GET_VCPU_EVENTS, rnd_ptr(NULL, sizeof(ev)));
		break;
	case 1:
		memset(&ev, 0, sizeof(ev));
		ev.exception.injected = rnd(3);
		ev.exception.nr = rnd_chance(4) ? rnd(256) : rnd(32);
		ev.exception.has_error_code = rnd(2);
		ev.exception.error_code = (uint32_t)rnd_interesting();
		ev.exception.has_payload = rnd(2);
		ev.exception.payload = rnd_interesting();
		ev.interrupt.injected = rnd(2);
		ev.interrupt.nr = rnd(256);
		ev.interrupt.shadow = rnd(4);
		ev.nmi.injected = rnd(2);
		ev.nmi.pending = rnd(2);
		ev.nmi.masked = rnd(2);
		fuzz_ioctl(w, fd, HB_SET_VCPU_EVENTS, rnd_ptr(&ev, sizeof(ev)));
		break;
	case 2:
		irq.irq = rnd_chance(4) ? (uint32_t)rnd_interesting() : rnd(256);
		irq.flags = rnd_chance(8) ? rnd64() : 0;
		fuzz_ioctl(w, fd, HB_INTERRUPT, rnd_ptr(&irq, sizeof(irq)));
		break;
	default:
		fuzz_ioctl(w, fd, HB_NMI, (void *)(rnd_chance(4) ?
						   rnd_interesting() : 0));
	}
}

static void op_fpu(struct fuzz_world *w, int fd)
{
	struct hb_fpu f;

	if (rnd_chance(2)) {
		fuzz_ioctl(w, fd, HB_GET_FPU, rnd_ptr(NULL, sizeof(f)));
		return;
	}
	memset(&f, 0, sizeof(f));
	if (rnd_chance(2))
		rnd_fill(f.fxsave, sizeof(f.fxsave));
	*(uint32_t *)(f.fxsave + 24) = rnd_chance(2) ? 0x1f80 :
				       (uint32_t)rnd_interesting();
	*(uint16_t *)f.fxsave = rnd_chance(2) ? 0x37f : (uint16_t)rnd64();
	fuzz_ioctl(w, fd, HB_SET_FPU, rnd_ptr(&f, sizeof(f)));
}

static void op_mmap(struct fuzz_world *w, int idx)
{
	struct fuzz_fd *f = &w->fds[idx];
	size_t len = (1 + rnd(3)) * 4096;
	off_t off = rnd_chance(4) ? (off_t)(rnd_interesting() & ~0xfffull) :
				    (off_t)rnd(3) * 4096;
	int prot = rnd_chance(4) ? PROT_READ : PROT_READ | PROT_WRITE;
	int flags = rnd_chance(4) ? MAP_PRIVATE : MAP_SHARED;
	void *p = run_window_map(len, prot, flags, f->fd, off);

	if (p == MAP_FAILED)
		return;
	/* Only a shared writable mapping of both pages can serve HB_RUN. */
	if (!off && len >= 8192 && !f->run && (prot & PROT_WRITE) &&
	    flags == MAP_SHARED) {
		f->run = p;	/* kept for HB_RUN; never unmapped */
		return;
	}
	if (rnd_chance(2))
		run_window_unmap(p, len);
}

void fuzz_op_vcpu(struct fuzz_world *w)
{
	int idx = world_pick(w, FD_VCPU), fd;
	struct hb_sregs s;
	struct hb_regs r;

	if (idx < 0) {
		fuzz_op_vm(w);
		return;
	}
	fd = w->fds[idx].fd;
	switch (rnd(12)) {
	case 0:
		fuzz_ioctl(w, fd, HB_GET_REGS, rnd_ptr(NULL, sizeof(r)));
		break;
	case 1:
		memset(&r, 0, sizeof(r));
		fuzz_ioctl(w, fd, HB_GET_REGS, &r);
		guest_regs_random(&r);
		/* Gentle: register state stays well-formed (guest_code.c). */
		fuzz_ioctl(w, fd, HB_SET_REGS, fuzz_gentle ? (void *)&r :
			   rnd_ptr(&r, sizeof(r)));
		break;
	case 2:
		fuzz_ioctl(w, fd, HB_GET_SREGS, rnd_ptr(NULL, sizeof(s)));
		break;
	case 3: case 4:
		memset(&s, 0, sizeof(s));
		fuzz_ioctl(w, fd, HB_GET_SREGS, &s);
		guest_sregs_perturb(&s);
		fuzz_ioctl(w, fd, HB_SET_SREGS, fuzz_gentle ? (void *)&s :
			   rnd_ptr(&s, sizeof(s)));
		break;
	case 5:
		op_events(w, fd);
		break;
	case 6:
		op_msrs(w, fd);
		break;
	case 7:
		op_cpuid(w, fd);
		break;
	case 8:
		op_fpu(w, fd);
		break;
	case 9:
		op_mmap(w, idx);
		break;
	case 10:
		fuzz_run_vcpu(w, idx, 1 + rnd(8));
		break;
	default:
		world_close(w, idx);
	}
}
