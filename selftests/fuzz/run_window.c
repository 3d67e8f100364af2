// SPDX-License-Identifier: GPL-2.0
/*
 * Where the fuzzer maps vCPU fds (run pages): a window reserved at start,
 * with guard pages around it and between its slots, that no guest memory
 * region ever shares.
 *
 * Why: a memory slot may run a few pages past its region (on purpose) or
 * point at a region another thread has just unmapped. Were a run page
 * mapped there, the guest, the ring worker or a string IN would write it
 * through the slot, exactly as a VMM that aliased them would, and the
 * run-page verdict (ops_run.c) would blame the module for bytes the guest
 * wrote. mmap(NULL) never hands out addresses inside the reservation, so
 * regions cannot land next to a run page, and a slot that runs past its
 * region ends in a guard page.
 */
#include <sys/mman.h>

#include "fuzz.h"

/* A region's slot may overrun its end by 4 pages (ops_vm.c): guard more. */
#define EDGE_GUARD	(16 * PAGE)
#define SLOT_SIZE	((RUN_WINDOW_MAX_PAGES + 1) * PAGE)
#define SLOTS		2048

static uint8_t *window;
static unsigned int next_slot;

void run_window_init(void)
{
	size_t len = 2 * EDGE_GUARD + (size_t)SLOTS * SLOT_SIZE;

	window = mmap(NULL, len, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (window == MAP_FAILED)
		window = NULL;
	next_slot = 0;
}

void *run_window_map(size_t len, int prot, int flags, int fd, off_t off)
{
	unsigned int slot;
	void *at, *p;

	if (!window || !len || len > RUN_WINDOW_MAX_PAGES * PAGE)
		return MAP_FAILED;
	/* Slots are never reused: a thread may still hold an old one. */
	slot = __atomic_fetch_add(&next_slot, 1, __ATOMIC_RELAXED);
	if (slot >= SLOTS)
		return MAP_FAILED;
	at = window + EDGE_GUARD + (size_t)slot * SLOT_SIZE;
	p = mmap(at, len, prot, flags | MAP_FIXED, fd, off);
	/* A failed MAP_FIXED may have unmapped the reservation already. */
	if (p == MAP_FAILED)
		run_window_unmap(at, len);
	return p;
}

void run_window_unmap(void *addr, size_t len)
{
	/* Back to reserved, not unmapped: mmap(NULL) must not find a hole. */
	mmap(addr, len, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}
