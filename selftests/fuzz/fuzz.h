/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hyperbox's ioctl fuzzer (issue 7): syzkaller-style random programs
 * against /dev/hyperbox, VM, vCPU and ring fds.
 *
 * One iteration is one forked child: a few threads pick random operations
 * (fuzz_op_*) on a shared table of fds and memory regions, with their own
 * random stream derived from (seed, iteration, thread). The parent judges
 * each iteration: the child exited (a hang in the kernel is a finding),
 * the debugfs counters are back to zero, and the kernel log has no new
 * splat. Everything is replayable: --seed S --start I --iterations 1.
 */
#ifndef HB_FUZZ_H
#define HB_FUZZ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/hyperbox.h>

#define PAGE			4096ull
#define FUZZ_MAX_FDS		48
#define FUZZ_MAX_REGIONS	12
#define FUZZ_MAX_THREADS	4
#define FUZZ_SCRATCH		(64 * 1024)

enum fuzz_fd_kind {
	FD_NONE,
	FD_SYS,		/* /dev/hyperbox */
	FD_VM,
	FD_VCPU,
	FD_RING,
	FD_EVENT,	/* eventfd: doorbells, irqfds, ring kick/call */
	FD_OTHER,	/* pipe ends, /dev/null: the wrong kind of fd */
};

struct fuzz_fd {
	enum fuzz_fd_kind kind;
	int fd;
	int vm;		/* FD_VCPU, FD_RING: the index of its VM */
	struct hb_run *run;	/* FD_VCPU: the mmap()ed run page, or NULL */
};

struct fuzz_region {
	void *addr;
	size_t len;
};

/* Shared by the threads of one iteration. */
struct fuzz_world {
	pthread_mutex_t lock;
	struct fuzz_fd fds[FUZZ_MAX_FDS];
	struct fuzz_region regions[FUZZ_MAX_REGIONS];
	uint64_t deadline_ns;
	unsigned int max_ops;
	/* Bumped when a thread scribbles over a run page's module output. */
	uint64_t scribbles;
	/* Written by the threads, read by the parent through shared memory. */
	uint64_t *ioctls, *runs;
};

/* The per-thread random stream (rand.c). */
void rnd_seed(uint64_t seed);
uint64_t rnd64(void);
uint32_t rnd(uint32_t n);		/* 0 .. n-1 */
bool rnd_chance(uint32_t one_in);	/* true once in @one_in */
uint64_t rnd_interesting(void);		/* 0, -1, 1 << k, boundaries, random */
void rnd_fill(void *buf, size_t len);
uint64_t mix_seed(uint64_t a, uint64_t b);

/*
 * An argument pointer: mostly a scratch buffer of @size random bytes (or
 * @valid, when given), sometimes NULL, a kernel address, unmapped memory,
 * read-only memory, a buffer ending at an unmapped page, misaligned.
 */
void *rnd_ptr(const void *valid, size_t size);
void fuzz_args_init(void);		/* per process: the special mappings */
void *scratch(void);			/* this thread's FUZZ_SCRATCH bytes */

/*
 * vCPU fd mappings, in a window no guest memory region can touch
 * (run_window.c). run_window_map() takes mmap()'s arguments but the address.
 */
#define RUN_WINDOW_MAX_PAGES	3
void run_window_init(void);		/* per process, with fuzz_args_init() */
void *run_window_map(size_t len, int prot, int flags, int fd, off_t off);
void run_window_unmap(void *addr, size_t len);

/* The fd table (world.c). */
int world_pick(struct fuzz_world *w, enum fuzz_fd_kind kind);	/* index or -1 */
int world_pick_any(struct fuzz_world *w);
int world_add(struct fuzz_world *w, enum fuzz_fd_kind kind, int fd, int vm);
void world_close(struct fuzz_world *w, int idx);
void world_close_all(struct fuzz_world *w);
struct fuzz_region *world_region(struct fuzz_world *w);	/* random, may be empty */
void count_ioctl(struct fuzz_world *w);
long fuzz_ioctl(struct fuzz_world *w, int fd, unsigned long cmd, void *arg);

/* Operations: each does one random thing (ops_*.c). */
void fuzz_op_sys(struct fuzz_world *w);
void fuzz_op_vm(struct fuzz_world *w);
void fuzz_op_vcpu(struct fuzz_world *w);
void fuzz_op_run(struct fuzz_world *w);
void fuzz_op_memory(struct fuzz_world *w);
void fuzz_op_garbage(struct fuzz_world *w);
void fuzz_op_ring(struct fuzz_world *w);
void fuzz_op_scenario(struct fuzz_world *w);

/* Guest code and CPU state (guest_code.c). */
extern bool fuzz_gentle;	/* well-formed guests only (see guest_code.c) */
void guest_code_fill(uint8_t *buf, size_t len, int mode);
/* No CR8 access in bytes a guest may execute (QEMU 7.2 TCG aborts). */
void scrub_cr8(uint8_t *buf, size_t len);
void guest_sregs_perturb(struct hb_sregs *s);
void guest_regs_random(struct hb_regs *r);
uint64_t guest_interesting_gpa(void);

/* A SIGALRM for this thread soon: no HB_RUN blocks it for long. */
void arm_kick(void);
/* Runs a vCPU a few times, answering exits with random data (ops_run.c). */
void fuzz_run_vcpu(struct fuzz_world *w, int idx, unsigned int rounds);

/* A finding in the child: printed, and the iteration fails. */
void fuzz_finding(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

uint64_t now_ns(void);

#endif /* HB_FUZZ_H */
