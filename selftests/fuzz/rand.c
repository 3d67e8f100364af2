// SPDX-License-Identifier: GPL-2.0
/* Random values and argument pointers for the fuzzer. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static __thread uint64_t rnd_state;
static __thread uint8_t *scratch_buf;

/* Special mappings, made once per process (inherited by fork). */
static uint8_t *ro_page;	/* PROT_READ */
static uint8_t *edge;		/* one RW page followed by a PROT_NONE page */
static uint8_t *hole;		/* PROT_NONE */

uint64_t mix_seed(uint64_t a, uint64_t b)
{
	uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rnd_seed(uint64_t seed)
{
	rnd_state = mix_seed(seed, 0x5eed);
}

uint64_t rnd64(void)
{
	rnd_state += 0x9e3779b97f4a7c15ull;
	return mix_seed(rnd_state, 0);
}

uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

bool rnd_chance(uint32_t one_in)
{
	return rnd(one_in) == 0;
}

uint64_t rnd_interesting(void)
{
	static const uint64_t vals[] = {
		0, 1, 2, 7, 8, 15, 16, 31, 32, 255, 256, 4095, 4096, 4097,
		0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, ~0ull, ~0ull - 1, 0xfee00000,
		1ull << 47, (1ull << 48) - 4096, 1ull << 48, 1ull << 52,
	};
	uint64_t v;

	switch (rnd(5)) {
	case 0:
		return vals[rnd(sizeof(vals) / sizeof(vals[0]))];
	case 1:
		return 1ull << rnd(64);
	case 2:
		v = 1ull << rnd(64);
		return rnd_chance(2) ? v - 1 : v + 1;
	case 3:
		return rnd(256);
	default:
		return rnd64();
	}
}

void rnd_fill(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t v;

	while (len >= 8) {
		v = rnd64();
		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	while (len--)
		*p++ = (uint8_t)rnd64();
}

void fuzz_args_init(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	ro_page = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	edge = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (edge != MAP_FAILED)
		mprotect(edge + pg, pg, PROT_NONE);
	hole = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	run_window_init();
}

void *scratch(void)
{
	if (!scratch_buf) {
		scratch_buf = mmap(NULL, FUZZ_SCRATCH, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (scratch_buf == MAP_FAILED)
			_exit(3);
	}
	return scratch_buf;
}

void *rnd_ptr(const void *valid, size_t size)
{
	static const uint64_t kernel[] = {
		0xffffffff81000000ull, 0xffff888000000000ull,
		0xfffffe0000000000ull, 0xffffffffff600000ull,
		0x0000800000000000ull, 0x00007ffffffff000ull,
	};
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *s = scratch();

	if (size > FUZZ_SCRATCH - 64)
		size = FUZZ_SCRATCH - 64;
	switch (rnd(16)) {
	case 0:
		return NULL;
	case 1:
		return (void *)kernel[rnd(sizeof(kernel) / sizeof(kernel[0]))];
	case 2:
		return hole;
	case 3:
		return ro_page;
	case 4:
		/* The struct runs into the PROT_NONE page. */
		return edge + pg - (size ? rnd((uint32_t)size) + 1 : 0);
	case 5:
		return (void *)rnd_interesting();
	case 6:
		rnd_fill(s, size + 8);
		return s + 1 + rnd(7);
	default:
		if (valid && !rnd_chance(4))
			memcpy(s, valid, size);
		else if (rnd_chance(2))
			rnd_fill(s, size);
		else
			memset(s, rnd_chance(2) ? 0 : 0xff, size);
		/* Flip one bit of a valid struct now and then. */
		if (valid && size && rnd_chance(3))
			s[rnd((uint32_t)size)] ^= 1 << rnd(8);
		return s;
	}
}
