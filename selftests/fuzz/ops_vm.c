// SPDX-License-Identifier: GPL-2.0
/* /dev/hyperbox and VM fd operations, and guest memory under the slots. */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"


void fuzz_op_sys(struct fuzz_world *w)
{
	int idx = world_pick(w, FD_SYS), fd;
	long ret;

	if (idx < 0 || rnd_chance(8)) {
		fd = open("/dev/hyperbox", rnd_chance(4) ? O_RDONLY : O_RDWR);
		world_add(w, FD_SYS, fd, -1);
		return;
	}
	fd = w->fds[idx].fd;
	switch (rnd(8)) {
	case 0: case 1: case 2:
		ret = fuzz_ioctl(w, fd, HB_CREATE_VM, (void *)(rnd_chance(6) ?
						rnd_interesting() : 0));
		world_add(w, FD_VM, (int)ret, -1);
		break;
	case 3:
		fuzz_ioctl(w, fd, HB_CHECK_EXTENSION, (void *)rnd_interesting());
		break;
	case 4:
		fuzz_ioctl(w, fd, rnd_chance(2) ? HB_GET_API_VERSION :
			   HB_GET_VCPU_MMAP_SIZE, (void *)(rnd_chance(4) ?
							 rnd_interesting() : 0));
		break;
	case 5: {
		struct hb_cpuid *c = scratch();
		uint32_t nent = rnd_chance(2) ? rnd(300) : (uint32_t)rnd_interesting();

		rnd_fill(c, 64);
		c->nent = nent;
		fuzz_ioctl(w, fd, HB_GET_SUPPORTED_CPUID,
			   rnd_chance(3) ? rnd_ptr(NULL, 8) : c);
		break;
	}
	case 6: {
		struct hb_msr_list *l = scratch();

		l->nmsrs = rnd_chance(2) ? rnd(100) : (uint32_t)rnd_interesting();
		fuzz_ioctl(w, fd, HB_GET_MSR_INDEX_LIST,
			   rnd_chance(3) ? rnd_ptr(NULL, 4) : l);
		break;
	}
	default:
		world_close(w, idx);
	}
}

/* Guest memory: regions are mapped, filled, and pulled away under guests. */
void fuzz_op_memory(struct fuzz_world *w)
{
	struct fuzz_region *r = world_region(w);
	size_t len;
	void *p;
	int flags;

	switch (rnd(8)) {
	case 0: case 1: case 2:
		if (r->addr)
			break;
		len = (1 + rnd(rnd_chance(4) ? 1024 : 64)) * PAGE;
		flags = (rnd_chance(3) ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS;
		if (rnd_chance(4))
			flags |= MAP_POPULATE;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, flags,
			 -1, 0);
		if (p == MAP_FAILED)
			break;
		if (rnd_chance(4))
			madvise(p, len, MADV_HUGEPAGE);
		guest_code_fill(p, len < 65536 ? len : 65536, 0);
		r->len = len;
		r->addr = p;
		break;
	case 3:
		/* Gone while a slot still points at it (maybe mid-run). */
		if (r->addr && munmap(r->addr, r->len) == 0)
			r->addr = NULL;
		break;
	case 4:
		if (r->addr)
			mprotect(r->addr, r->len, rnd_chance(2) ? PROT_NONE : PROT_READ);
		break;
	case 5:
		if (r->addr)
			madvise(r->addr, r->len, rnd_chance(2) ? MADV_DONTNEED :
				MADV_PAGEOUT);
		break;
	case 6:
		/* Same address, new pages: the slot's uaddr now means others. */
		if (r->addr)
			mmap(r->addr, r->len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	default:
		if (r->addr) {
			len = r->len * (1 + rnd(2));
			p = mremap(r->addr, r->len, len, MREMAP_MAYMOVE);
			if (p != MAP_FAILED) {
				r->len = len;
				r->addr = p;
			}
		}
	}
}

static void random_region(struct fuzz_world *w, struct hb_memory_region *m)
{
	struct fuzz_region *r = world_region(w);
	static const uint64_t gpas[] = {
		0, 0x100000, 1ull << 30, 0xfee00000, 0xffff0000, 1ull << 32,
		(1ull << 48) - 0x10000, 1ull << 48, ~0ull & ~0xfffull,
	};

	m->slot = rnd_chance(6) ? (uint32_t)rnd_interesting() : rnd(34);
	m->flags = rnd_chance(8) ? (uint32_t)rnd64() : rnd(2);
	m->guest_phys_addr = rnd_chance(4) ? rnd_interesting() :
			     gpas[rnd(sizeof(gpas) / sizeof(gpas[0]))] +
			     rnd(16) * PAGE;
	if (r->addr && !rnd_chance(8)) {
		size_t off = rnd((uint32_t)(r->len / PAGE)) * PAGE;

		m->userspace_addr = (uint64_t)(uintptr_t)r->addr + off;
		m->memory_size = rnd_chance(4) ? r->len - off :
				 (1 + rnd((uint32_t)((r->len - off) / PAGE))) * PAGE;
		if (rnd_chance(8))	/* past the end of the mapping */
			m->memory_size += PAGE * (1 + rnd(4));
	} else {
		m->userspace_addr = rnd_interesting();
		m->memory_size = rnd_interesting();
	}
	if (rnd_chance(10))
		m->memory_size = 0;
	if (rnd_chance(16))
		m->reserved[rnd(4)] = rnd64();
}

static void op_doorbell_irqfd(struct fuzz_world *w, int vmfd)
{
#ifdef HB_REGISTER_DOORBELL
	int ev = world_pick(w, FD_EVENT);
	int efd = ev >= 0 ? w->fds[ev].fd : (int)rnd_interesting();

	if (ev < 0 || rnd_chance(4)) {
		world_add(w, FD_EVENT, eventfd(0, EFD_CLOEXEC | (rnd_chance(2) ?
						EFD_NONBLOCK : 0)), -1);
		return;
	}
	if (rnd_chance(2)) {
		struct hb_doorbell d = {
			/* Port 0x80 and the MMIO addresses the guest code uses. */
			.addr = rnd_chance(2) ? (rnd_chance(2) ? 0x80 : rnd(0x10000)) :
				guest_interesting_gpa(),
			.datamatch = rnd_interesting(),
			.len = rnd_chance(4) ? (uint32_t)rnd_interesting() : 1u << rnd(4),
			.fd = rnd_chance(8) ? (int)rnd64() : efd,
			.flags = rnd_chance(8) ? (uint32_t)rnd64() : rnd(8),
		};
		fuzz_ioctl(w, vmfd, HB_REGISTER_DOORBELL, rnd_ptr(&d, sizeof(d)));
	} else {
		struct hb_irqfd q = {
			.fd = rnd_chance(8) ? (int)rnd64() : efd,
			.vector = rnd_chance(4) ? (uint32_t)rnd_interesting() : 32 + rnd(224),
			.vcpu = rnd_chance(4) ? (uint32_t)rnd_interesting() : rnd(9),
			.flags = rnd_chance(4) ? (uint32_t)rnd64() : rnd(2),
		};
		fuzz_ioctl(w, vmfd, HB_REGISTER_IRQFD, rnd_ptr(&q, sizeof(q)));
	}
#else
	(void)w;
	(void)vmfd;
#endif
}

void fuzz_op_vm(struct fuzz_world *w)
{
	int idx = world_pick(w, FD_VM), vmfd;
	struct hb_memory_region m = { 0 };
	long ret;

	if (idx < 0) {
		fuzz_op_sys(w);
		return;
	}
	vmfd = w->fds[idx].fd;
	switch (rnd(10)) {
	case 0: case 1: case 2: case 3:
		random_region(w, &m);
		fuzz_ioctl(w, vmfd, HB_SET_MEMORY_REGION,
			   rnd_chance(6) ? rnd_ptr(&m, sizeof(m)) : &m);
		break;
	case 4: case 5: case 6:
		ret = fuzz_ioctl(w, vmfd, HB_CREATE_VCPU,
				 (void *)(rnd_chance(6) ? rnd_interesting() :
					  rnd(9)));
		world_add(w, FD_VCPU, (int)ret, idx);
		break;
	case 7: case 8:
		op_doorbell_irqfd(w, vmfd);
		break;
	default:
		if (rnd_chance(2))
			world_close(w, idx);
		else	/* a second reference that outlives the first */
			world_add(w, FD_VM, dup(vmfd), -1);
	}
}
