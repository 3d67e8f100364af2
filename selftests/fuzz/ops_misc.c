// SPDX-License-Identifier: GPL-2.0
/*
 * Garbage ioctls (every uapi number and random ones, on every kind of fd,
 * with random argument pointers) and the ring device (HB_CREATE_RING and
 * the ring fd ioctls, with rings full of random descriptors).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fuzz.h"

static const unsigned long uapi_cmds[] = {
	HB_GET_API_VERSION, HB_CREATE_VM, HB_CHECK_EXTENSION,
	HB_GET_VCPU_MMAP_SIZE, HB_GET_SUPPORTED_CPUID, HB_GET_MSR_INDEX_LIST,
	HB_SET_MEMORY_REGION, HB_CREATE_VCPU, HB_RUN, HB_GET_REGS,
	HB_SET_REGS, HB_GET_SREGS, HB_SET_SREGS, HB_INTERRUPT, HB_NMI,
	HB_GET_VCPU_EVENTS, HB_SET_VCPU_EVENTS, HB_SET_CPUID, HB_GET_MSRS,
	HB_SET_MSRS, HB_GET_FPU, HB_SET_FPU,
#ifdef HB_REGISTER_DOORBELL
	HB_REGISTER_DOORBELL, HB_REGISTER_IRQFD,
#endif
#ifdef HB_CREATE_RING
	HB_CREATE_RING, HB_RING_STOP, HB_RING_START, HB_RING_GET_STATS,
#endif
};

static unsigned long random_cmd(void)
{
	unsigned long cmd;

	switch (rnd(4)) {
	case 0: case 1:
		cmd = uapi_cmds[rnd(sizeof(uapi_cmds) / sizeof(uapi_cmds[0]))];
		/* The right number with the wrong size or direction. */
		if (rnd_chance(4))
			cmd ^= 1ul << (16 + rnd(16));
		return cmd;
	case 2:
		return _IOC(rnd(4), HBIO, rnd(256), rnd_chance(2) ? rnd(1024) :
			    rnd(1 << 14));
	default:
		return rnd_chance(2) ? (uint32_t)rnd64() : rnd_interesting();
	}
}

void fuzz_op_garbage(struct fuzz_world *w)
{
	int idx = world_pick_any(w);
	unsigned long cmd = random_cmd();
	int fd;

	if (idx < 0 || rnd_chance(16)) {
		int p[2];

		if (rnd_chance(2) && !pipe(p)) {
			world_add(w, FD_OTHER, p[0], -1);
			world_add(w, FD_OTHER, p[1], -1);
		} else {
			world_add(w, FD_OTHER, open("/dev/null", O_RDWR), -1);
		}
		return;
	}
	fd = w->fds[idx].fd;
	arm_kick();	/* the random command may be HB_RUN */
	/* Gentle: no random register state through the garbage path either. */
	if (fuzz_gentle && (cmd == HB_SET_REGS || cmd == HB_SET_SREGS))
		return;
	fuzz_ioctl(w, fd, cmd, rnd_chance(4) ? (void *)rnd_interesting() :
		   rnd_ptr(NULL, _IOC_SIZE(cmd)));
}

#ifdef HB_CREATE_RING
/* Random split-virtqueue contents in guest memory the ring points at. */
static void ring_scribble(struct fuzz_world *w)
{
	struct fuzz_region *r = world_region(w);
	uint64_t *p;
	size_t i, n;

	if (!r->addr)
		return;
	p = r->addr;
	n = r->len / 8 < 4096 ? r->len / 8 : 4096;
	/*
	 * A stale region address may by now be another thread's run page
	 * mapping: count this as scribbling (ops_run.c's seqcount).
	 */
	__atomic_add_fetch(&w->scribbles, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++) {
		switch (rnd(4)) {
		case 0:	/* desc.addr */
			p[i] = guest_interesting_gpa();
			break;
		case 1:	/* len, flags (NEXT/WRITE/INDIRECT), next */
			p[i] = (rnd_interesting() & 0xffffffff) |
			       (uint64_t)rnd(8) << 32 |
			       (uint64_t)(rnd_chance(2) ? rnd(8) : rnd64() & 0xffff) << 48;
			break;
		case 2:	/* avail/used idx and ring entries */
			p[i] = rnd_interesting();
			break;
		default:
			break;
		}
	}
	scrub_cr8((uint8_t *)p, n * 8);
	__atomic_add_fetch(&w->scribbles, 1, __ATOMIC_SEQ_CST);
}

void fuzz_op_ring(struct fuzz_world *w)
{
	int vm = world_pick(w, FD_VM), ring = world_pick(w, FD_RING);
	int ev = world_pick(w, FD_EVENT);
	struct hb_ring_config c = { 0 };
	struct hb_ring_state st = { 0 };
	uint64_t one = 1;
	long ret;

	if (ev < 0 || rnd_chance(6)) {
		world_add(w, FD_EVENT, eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), -1);
		return;
	}
	switch (rnd(8)) {
	case 0: case 1:
		if (vm < 0)
			return;
		c.num = rnd_chance(4) ? (uint32_t)rnd_interesting() : 1u << rnd(9);
		c.backend = rnd_chance(4) ? (uint32_t)rnd64() : rnd(3);
		c.desc_gpa = rnd_chance(2) ? rnd(64) * 4096 : guest_interesting_gpa();
		c.avail_gpa = c.desc_gpa + (rnd_chance(2) ? 16ull * c.num :
					    rnd_interesting());
		c.used_gpa = rnd_chance(2) ? (c.avail_gpa + 4 + 2ull * c.num + 4095) & ~4095ull :
			     guest_interesting_gpa();
		c.features = rnd_chance(4) ? rnd64() : rnd64() & HB_RING_VALID_FEATURES;
		c.kick_fd = rnd_chance(8) ? (int)rnd64() : w->fds[ev].fd;
		ev = world_pick(w, rnd_chance(4) ? FD_OTHER : FD_EVENT);
		c.call_fd = ev >= 0 ? w->fds[ev].fd : -1;
		ev = world_pick(w, FD_OTHER);
		c.backend_fd = c.backend == HB_RING_BACKEND_LOOPBACK || ev < 0 ? -1 :
			       w->fds[ev].fd;
		c.last_avail_idx = rnd_chance(2) ? 0 : (uint16_t)rnd64();
		c.used_idx = rnd_chance(2) ? c.last_avail_idx : (uint16_t)rnd64();
		if (rnd_chance(16))
			c.reserved[rnd(6)] = rnd64();
		ret = fuzz_ioctl(w, w->fds[vm].fd, HB_CREATE_RING,
				 rnd_ptr(&c, sizeof(c)));
		world_add(w, FD_RING, (int)ret, vm);
		break;
	case 2:
		ring_scribble(w);
		/* fall through */
	case 3:	/* kick */
		if (write(w->fds[ev].fd, &one, sizeof(one)) < 0)
			break;
		break;
	case 4:
		if (ring >= 0)
			fuzz_ioctl(w, w->fds[ring].fd, HB_RING_STOP,
				   rnd_ptr(NULL, sizeof(st)));
		break;
	case 5:
		st.state = rnd_chance(4) ? (uint32_t)rnd64() : rnd(4);
		st.last_avail_idx = (uint16_t)rnd64();
		st.used_idx = rnd_chance(2) ? st.last_avail_idx : (uint16_t)rnd64();
		if (ring >= 0)
			fuzz_ioctl(w, w->fds[ring].fd, HB_RING_START,
				   rnd_ptr(&st, sizeof(st)));
		break;
	case 6:
		if (ring >= 0)
			fuzz_ioctl(w, w->fds[ring].fd, HB_RING_GET_STATS,
				   rnd_ptr(NULL, sizeof(struct hb_ring_stats)));
		break;
	default:
		world_close(w, ring >= 0 && rnd_chance(2) ? ring : ev);
	}
}
#else
void fuzz_op_ring(struct fuzz_world *w)
{
	fuzz_op_garbage(w);
}
#endif
