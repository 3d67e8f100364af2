// SPDX-License-Identifier: GPL-2.0
/*
 * The paravirtual ring device (issue 8): doorbells, interrupt lines and
 * in-kernel virtqueues.
 *
 * A guest write to a doorbell signals an eventfd without HB_RUN returning;
 * an irqfd's eventfd, written from another thread, reaches the guest's IDT
 * while it runs or halts; a virtqueue driven by the guest-side reference
 * driver (lib/vring_guest.c) is processed by the module's worker through
 * the loopback, stream and tap backends, with event-index suppression,
 * indirect tables and stop/restart; malformed rings break only the ring;
 * tearing a VM down under load leaves no ring, VM or vCPU behind.
 *
 * Guest-physical layout (slot 0): rings at RING_GPA, buffers at BUF_GPA.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lib/hb_util.h"
#include "lib/idt.h"
#include "lib/vcpu_state.h"
#include "lib/vring_guest.h"

#define RING_GPA	(24ull << 20)
#define RING2_GPA	(25ull << 20)
#define BUF_GPA		(26ull << 20)
#define BUF_SIZE	(4ull << 20)
#define RO_SLOT_GPA	(EXTRA_SLOT_GPA)
#define DOORBELL_PORT	0x6000
#define DOORBELL_MMIO	0xd0000000ull
#define RING_VECTOR	0x50
#define RING_VECTOR2	0x60
#define QSIZE		256

/* ------------------------------------------------------------------ */
/* Host helpers                                                        */
/* ------------------------------------------------------------------ */

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	TEST_ASSERT(fd >= 0, "eventfd: %s", strerror(errno));
	return fd;
}

/* The eventfd's count (0 when it was never signalled), reset to 0. */
static uint64_t eventfd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) < 0)
		TEST_ASSERT(errno == EAGAIN, "read eventfd: %s", strerror(errno));
	return v;
}

static void eventfd_kick(int fd)
{
	uint64_t one = 1;

	TEST_ASSERT(write(fd, &one, sizeof(one)) == sizeof(one),
		    "write eventfd: %s", strerror(errno));
}

static long _doorbell(struct vm *vm, uint32_t flags, uint64_t addr,
		      uint32_t len, uint64_t datamatch, int fd)
{
	struct hb_doorbell d = {
		.addr = addr, .len = len, .datamatch = datamatch,
		.fd = fd, .flags = flags,
	};

	return __hb_ioctl(vm->fd, HB_REGISTER_DOORBELL, &d);
}

static long _irqfd(struct vm *vm, int fd, uint32_t vector, uint32_t vcpu,
		   uint32_t flags)
{
	struct hb_irqfd a = {
		.fd = fd, .vector = vector, .vcpu = vcpu, .flags = flags,
	};

	return __hb_ioctl(vm->fd, HB_REGISTER_IRQFD, &a);
}

/* A loopback ring of QSIZE at RING_GPA, kicked through @kick, calling @call. */
/* The VMX lane runs under Bochs: much slower than QEMU TCG. */
static bool on_vmx(void)
{
	int fd = open_hyperbox();
	bool vmx = hb_check_extension(fd, HB_CAP_VMX) > 0;

	close(fd);
	return vmx;
}

static struct hb_ring_config ring_config(uint64_t base, unsigned int num,
					 uint64_t features, int kick, int call)
{
	struct hb_ring_config c = {
		.num = num,
		.backend = HB_RING_BACKEND_LOOPBACK,
		.desc_gpa = base + vring_desc_off(num),
		.avail_gpa = base + vring_avail_off(num),
		.used_gpa = base + vring_used_off(num),
		.features = features,
		.kick_fd = kick,
		.call_fd = call,
		.backend_fd = -1,
	};

	return c;
}

static long _ring_create(struct vm *vm, struct hb_ring_config *c)
{
	return __hb_ioctl(vm->fd, HB_CREATE_RING, c);
}

static int ring_create(struct vm *vm, struct hb_ring_config *c)
{
	long fd = _ring_create(vm, c);

	TEST_ASSERT(fd >= 0, "HB_CREATE_RING: %s", strerror((int)-fd));
	return fd;
}

static struct hb_ring_stats ring_stats(int ring_fd)
{
	struct hb_ring_stats s;

	TEST_ASSERT_OK(__hb_ioctl(ring_fd, HB_RING_GET_STATS, &s));
	return s;
}

/* Polls the ring fd for EPOLLERR for up to @ms; true when it came. */
static bool ring_wait_broken(int ring_fd, int ms)
{
	struct pollfd p = { .fd = ring_fd, .events = POLLPRI };
	int n = poll(&p, 1, ms);

	TEST_ASSERT(n >= 0, "poll: %s", strerror(errno));
	return n == 1 && (p.revents & POLLERR);
}

/* Waits up to @ms for the worker to have pushed @chains chains. */
static void ring_wait_chains(int ring_fd, uint64_t chains, int ms)
{
	struct hb_ring_stats s;
	int i;

	for (i = 0; i < ms; i++) {
		s = ring_stats(ring_fd);
		if (s.chains >= chains)
			return;
		usleep(1000);
	}
	TEST_ASSERT(0, "the worker pushed %llu chains in %d ms, expected %llu",
		    (unsigned long long)s.chains, ms,
		    (unsigned long long)chains);
}

static uint64_t exits(const char *name)
{
	return require_counter_line("exits", name);
}

/* A VM running @guest_code on vCPU 0, with the IDT helpers installed. */
static struct vm *ring_vm(void *guest_code, struct vcpu **vcpu)
{
	struct vm *vm;

	require_cap(HB_CAP_RING, "HB_CAP_RING");
	vm = vm_create(VMM_MODE_LONG);
	*vcpu = vm_vcpu_add(vm, 0, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	return vm;
}

/* A vCPU running in a thread, so the test can act while it is in HB_RUN. */
struct runner {
	pthread_t thread;
	struct vcpu *vcpu;
	int ret;
	volatile int done;
};

static void *runner_fn(void *arg)
{
	struct runner *r = arg;

	r->ret = _vcpu_run(r->vcpu);
	r->done = 1;
	return NULL;
}

static void runner_start(struct runner *r, struct vcpu *vcpu)
{
	r->vcpu = vcpu;
	r->done = 0;
	TEST_ASSERT(!pthread_create(&r->thread, NULL, runner_fn, r),
		    "pthread_create");
}

/* Joins the runner within @ms, or fails the test (the vCPU is stuck). */
static int runner_join(struct runner *r, int ms)
{
	int i;

	for (i = 0; i < ms && !r->done; i++)
		usleep(1000);
	TEST_ASSERT(r->done, "HB_RUN did not return within %d ms", ms);
	pthread_join(r->thread, NULL);
	return r->ret;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void nop_handler(int sig)
{
	(void)sig;
}

static void guest_still_alive(void);

/* ------------------------------------------------------------------ */
/* Guest state shared by the scenarios (the guest's copy is the one used) */
/* ------------------------------------------------------------------ */

static struct vring_guest vq;
static volatile uint64_t irq_count, irq_last_vector;

/* An exit that stays in the module: lets a one-CPU host run the worker. */
static void guest_yield(void)
{
	guest_hypercall(HB_HC_PING, 0, 0, 0, 0, 0, 0);
}

static void ring_irq_handler(struct ex_regs *regs)
{
	irq_count++;
	irq_last_vector = regs->vector;
}

#define guest_u64(vm, var) \
	(*(volatile uint64_t *)addr_gva2hva(vm, &(var)))

/* Guest: waits with IF=1 in HLT until the used index reaches @idx. */
static void guest_halt_until_used(uint16_t idx)
{
	cli();
	while (READ_ONCE(vq.used->idx) != idx) {
		safe_halt();
		cli();
	}
}

HB_TEST(capabilities_announce_doorbells_irqfds_and_ring_backends)
{
	TEST_ASSERT_EQ(require_cap(HB_CAP_DOORBELL, "HB_CAP_DOORBELL"), 1);
	TEST_ASSERT_EQ(require_cap(HB_CAP_IRQFD, "HB_CAP_IRQFD"), 1);
	TEST_ASSERT_EQ(require_cap(HB_CAP_RING, "HB_CAP_RING"),
		       (1u << HB_RING_BACKEND_LOOPBACK) |
		       (1u << HB_RING_BACKEND_TAP) |
		       (1u << HB_RING_BACKEND_STREAM));
}

/* ------------------------------------------------------------------ */
/* Doorbells                                                           */
/* ------------------------------------------------------------------ */

#define DB_PIO_WRITES	100
#define DB_MATCH_WRITES	50
#define DB_MMIO_WRITES	20
#define DB_MMIO8_WRITES	10
#define DB_MATCH	7
#define DB_MATCH8	0x1122334455667788ull

static void guest_doorbells(void)
{
	volatile uint32_t *mmio4 = (volatile uint32_t *)DOORBELL_MMIO;
	volatile uint64_t *mmio8 = (volatile uint64_t *)(DOORBELL_MMIO + 8);
	int i;

	for (i = 0; i < DB_PIO_WRITES; i++)
		outw(DOORBELL_PORT, i);
	for (i = 0; i < DB_MATCH_WRITES; i++)
		outw(DOORBELL_PORT + 2, DB_MATCH);
	for (i = 0; i < DB_MMIO_WRITES; i++)
		*mmio4 = i;
	for (i = 0; i < DB_MMIO8_WRITES; i++)
		*mmio8 = DB_MATCH8;
	GUEST_SYNC(1);

	/* These miss: wrong data, wrong width. Each one exits. */
	outw(DOORBELL_PORT + 2, DB_MATCH + 1);
	outb(DOORBELL_PORT, 1);
	*mmio8 = DB_MATCH8 + 1;
	GUEST_SYNC(2);

	/* Deassigned by now. */
	outw(DOORBELL_PORT, 3);
	GUEST_SYNC(3);
}

HB_TEST(doorbell_signals_eventfd_without_userspace_exits)
{
	int pio = new_eventfd(), match = new_eventfd(), mmio = new_eventfd();
	int mmio8 = new_eventfd();
	uint64_t io0, mmio0, hc0;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_DOORBELL, "HB_CAP_DOORBELL");
	vm = ring_vm(guest_doorbells, &vcpu);
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, pio));
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DATAMATCH,
				 DOORBELL_PORT + 2, 2, DB_MATCH, match));
	TEST_ASSERT_OK(_doorbell(vm, 0, DOORBELL_MMIO, 4, 0, mmio));
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_DATAMATCH, DOORBELL_MMIO + 8,
				 8, DB_MATCH8, mmio8));

	io0 = exits("io");
	mmio0 = exits("mmio");
	hc0 = exits("hypercall");
	/* One HB_RUN: the first return is the guest's GUEST_SYNC(1). */
	vcpu_run_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(eventfd_take(pio), DB_PIO_WRITES);
	TEST_ASSERT_EQ(eventfd_take(match), DB_MATCH_WRITES);
	TEST_ASSERT_EQ(eventfd_take(mmio), DB_MMIO_WRITES);
	TEST_ASSERT_EQ(eventfd_take(mmio8), DB_MMIO8_WRITES);
	/* The guest did exit for each write, but only into the module. */
	TEST_ASSERT(exits("io") - io0 >= DB_PIO_WRITES + DB_MATCH_WRITES,
		    "io exits %llu", (unsigned long long)(exits("io") - io0));
	TEST_ASSERT(exits("mmio") - mmio0 >= DB_MMIO_WRITES + DB_MMIO8_WRITES,
		    "mmio exits %llu",
		    (unsigned long long)(exits("mmio") - mmio0));
	TEST_ASSERT(exits("hypercall") - hc0 >= 1, "the ucall was counted");

	/* Data mismatch and width mismatch go to userspace as usual. */
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_IO);
	TEST_ASSERT_EQ(vcpu->run->io.port, DOORBELL_PORT + 2);
	TEST_ASSERT_EQ(*(uint16_t *)((char *)vcpu->run + vcpu->run->io.data_offset),
		       DB_MATCH + 1);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_IO);
	TEST_ASSERT_EQ(vcpu->run->io.size, 1);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_MMIO);
	TEST_ASSERT_EQ(vcpu->run->mmio.phys_addr, DOORBELL_MMIO + 8);
	vcpu_run_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(eventfd_take(match), 0);
	TEST_ASSERT_EQ(eventfd_take(pio), 0);
	TEST_ASSERT_EQ(eventfd_take(mmio8), 0);

	/* Deassigned, the port is an ordinary exit again. */
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DEASSIGN,
				 DOORBELL_PORT, 2, 0, pio));
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_IO);
	TEST_ASSERT_EQ(vcpu->run->io.port, DOORBELL_PORT);
	vcpu_run_expect_sync(vcpu, 3);
	TEST_ASSERT_EQ(eventfd_take(pio), 0);
	vm_free(vm);
	close(pio);
	close(match);
	close(mmio);
	close(mmio8);
}

HB_TEST(doorbell_bad_arguments_and_duplicates)
{
	struct hb_doorbell d = { .addr = DOORBELL_PORT, .len = 2,
				 .flags = HB_DOORBELL_PIO };
	int efd = new_eventfd(), efd2 = new_eventfd(), pipefd[2], i;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_DOORBELL, "HB_CAP_DOORBELL");
	vm = ring_vm(guest_doorbells, &vcpu);
	TEST_ASSERT(!pipe2(pipefd, O_CLOEXEC), "pipe2");

	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 3, 0, efd), EINVAL);
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 0, 0, efd), EINVAL);
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 8, 0, efd), EINVAL);
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO, 0x10000, 2, 0, efd), EINVAL);
	TEST_ASSERT_ERRNO(_doorbell(vm, 1u << 3, DOORBELL_MMIO, 4, 0, efd), EINVAL);
	TEST_ASSERT_ERRNO(_doorbell(vm, 0, 1ull << 48, 4, 0, efd), EINVAL);
	TEST_ASSERT_ERRNO(_doorbell(vm, 0, ~0ull - 1, 4, 0, efd), EINVAL);
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DATAMATCH,
				    DOORBELL_PORT, 2, 0x10000, efd), EINVAL);
	d.fd = efd;
	d.padding = 1;
	TEST_ASSERT_ERRNO(__hb_ioctl(vm->fd, HB_REGISTER_DOORBELL, &d), EINVAL);
	d.padding = 0;
	d.reserved[3] = 1;
	TEST_ASSERT_ERRNO(__hb_ioctl(vm->fd, HB_REGISTER_DOORBELL, &d), EINVAL);
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, -1), EBADF);
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0,
				    pipefd[0]), EINVAL);

	/* The same doorbell twice, even with another eventfd: EEXIST. */
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, efd));
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, efd), EEXIST);
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, efd2), EEXIST);
	/* Other width, other space, data matches: distinct doorbells. */
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 4, 0, efd));
	TEST_ASSERT_OK(_doorbell(vm, 0, DOORBELL_PORT, 2, 0, efd));
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DATAMATCH,
				 DOORBELL_PORT + 2, 2, 1, efd));
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DATAMATCH,
				 DOORBELL_PORT + 2, 2, 2, efd2));
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DATAMATCH,
				    DOORBELL_PORT + 2, 2, 2, efd), EEXIST);

	/* Deassign needs the same eventfd and the same match. */
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DEASSIGN,
				    DOORBELL_PORT, 2, 0, efd2), ENOENT);
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DATAMATCH |
				    HB_DOORBELL_DEASSIGN, DOORBELL_PORT + 2, 2, 3,
				    efd2), ENOENT);
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DEASSIGN,
				 DOORBELL_PORT, 2, 0, efd));
	TEST_ASSERT_ERRNO(_doorbell(vm, HB_DOORBELL_PIO | HB_DOORBELL_DEASSIGN,
				    DOORBELL_PORT, 2, 0, efd), ENOENT);
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, efd2));

	/* HB_MAX_DOORBELLS per VM (5 are in use now). */
	for (i = 5; i < HB_MAX_DOORBELLS; i++)
		TEST_ASSERT_OK(_doorbell(vm, 0, DOORBELL_MMIO + 8 * i, 4, 0, efd));
	TEST_ASSERT_ERRNO(_doorbell(vm, 0, DOORBELL_MMIO + 8 * i, 4, 0, efd), ENOSPC);

	/* Teardown with 64 doorbells registered frees them (leak check). */
	vm_free(vm);
	close(efd);
	close(efd2);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* ------------------------------------------------------------------ */
/* Interrupt lines                                                     */
/* ------------------------------------------------------------------ */

static void guest_irqfd(void)
{
	/* Running with IF=1: the interrupt arrives mid-loop. */
	GUEST_SYNC(1);
	sti();
	while (READ_ONCE(irq_count) < 1)
		asm volatile("pause");
	cli();
	GUEST_ASSERT_EQ(irq_last_vector, RING_VECTOR);
	GUEST_SYNC(2);

	/* Halted with IF=1: the module waits, the irqfd wakes it. */
	while (READ_ONCE(irq_count) < 2) {
		safe_halt();
		cli();
	}
	GUEST_ASSERT_EQ(irq_last_vector, RING_VECTOR2);
	GUEST_SYNC(3);

	/* Two lines raised while IF=0 arrive one after the other. */
	GUEST_SYNC(4);
	sti();
	while (READ_ONCE(irq_count) < 4)
		asm volatile("pause");
	cli();
	GUEST_SYNC(5);
}

struct delayed_signal {
	pthread_t thread;
	int fd;
	int ms;
};

static void *delayed_signal_fn(void *arg)
{
	struct delayed_signal *d = arg;

	usleep(d->ms * 1000);
	eventfd_kick(d->fd);
	return NULL;
}

static void signal_later(struct delayed_signal *d, int fd, int ms)
{
	d->fd = fd;
	d->ms = ms;
	TEST_ASSERT(!pthread_create(&d->thread, NULL, delayed_signal_fn, d),
		    "pthread_create");
}

HB_TEST(irqfd_reaches_the_guest_idt_running_and_halted)
{
	int e1 = new_eventfd(), e2 = new_eventfd();
	struct delayed_signal ds;
	uint64_t hlt0;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_IRQFD, "HB_CAP_IRQFD");
	vm = ring_vm(guest_irqfd, &vcpu);
	vm_install_exception_handler(vm, RING_VECTOR, ring_irq_handler);
	vm_install_exception_handler(vm, RING_VECTOR2, ring_irq_handler);
	TEST_ASSERT_OK(_irqfd(vm, e1, RING_VECTOR, 0, 0));
	TEST_ASSERT_OK(_irqfd(vm, e2, RING_VECTOR2, 0, 0));

	vcpu_run_expect_sync(vcpu, 1);
	/* Written from another thread while the vCPU spins in the guest. */
	signal_later(&ds, e1, 100);
	vcpu_run_expect_sync(vcpu, 2);
	pthread_join(ds.thread, NULL);

	hlt0 = exits("hlt");
	signal_later(&ds, e2, 300);
	/* The HLT does not come back to us: the same HB_RUN ends in SYNC(3). */
	vcpu_run_expect_sync(vcpu, 3);
	pthread_join(ds.thread, NULL);
	TEST_ASSERT(exits("hlt") > hlt0, "the guest never halted");
	TEST_ASSERT_EQ(guest_u64(vm, irq_count), 2);

	vcpu_run_expect_sync(vcpu, 4);
	eventfd_kick(e1);
	eventfd_kick(e2);
	vcpu_run_expect_sync(vcpu, 5);
	TEST_ASSERT_EQ(guest_u64(vm, irq_count), 4);
	/* The higher vector first, the lower one last. */
	TEST_ASSERT_EQ(guest_u64(vm, irq_last_vector), RING_VECTOR);
	vm_free(vm);
	close(e1);
	close(e2);
}

/* Halts with IF=1 until the irqfd's interrupt has come. */
static void guest_halt_for_one_irq(void)
{
	GUEST_SYNC(0);
	cli();
	while (READ_ONCE(irq_count) < 1) {
		safe_halt();
		cli();
	}
	GUEST_SYNC(1);
}

#define HALT_POLL_PARAM "/sys/module/hyperbox/parameters/halt_poll_ns"

static uint64_t halt_stat(const char *name)
{
	return require_counter_line("halt_stats", name);
}

/* signal_later() from a thread that never runs on the vCPU's CPU 0. */
static void signal_later_from_cpu1(struct delayed_signal *d, int fd, int ms)
{
	pthread_attr_t attr;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(set), &set), "pin to CPU 0");
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	d->fd = fd;
	d->ms = ms;
	TEST_ASSERT(!pthread_create(&d->thread, &attr, delayed_signal_fn, d),
		    "pthread_create");
	pthread_attr_destroy(&attr);
}

/*
 * Runs @fn(i) in a child with the module parameter @path set to each of
 * @values[i] in turn, and puts the parameter back whatever the child did.
 */
static void for_each_param_value(const char *path, const char *const *values,
				 int n, void (*fn)(int i))
{
	char saved[32] = "";
	int i, fd, status;
	pid_t pid;

	fd = open(path, O_RDWR);
	if (fd < 0)
		test_skip("%s missing", path);
	TEST_ASSERT(read(fd, saved, sizeof(saved) - 1) > 0, "read %s", path);
	for (i = 0; i < n; i++) {
		TEST_ASSERT(pwrite(fd, values[i], strlen(values[i]), 0) > 0,
			    "set %s to %s", path, values[i]);
		pid = fork();
		TEST_ASSERT(pid >= 0, "fork");
		if (pid == 0) {
			fn(i);
			_exit(0);
		}
		TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
		TEST_ASSERT(pwrite(fd, saved, strlen(saved), 0) > 0,
			    "restore %s", path);
		TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
			    "%s=%s: the case failed (status 0x%x)", path,
			    values[i], status);
	}
	close(fd);
}

/* One halt woken by an irqfd 50 ms later; checks how the halt ended. */
static void halt_case(int polls)
{
	uint64_t polled, missed, slept;
	struct delayed_signal ds;
	struct vcpu *vcpu;
	struct vm *vm;
	int e = new_eventfd();

	/* A new vCPU starts with the module's whole window. */
	vm = ring_vm(guest_halt_for_one_irq, &vcpu);
	vm_install_exception_handler(vm, RING_VECTOR, ring_irq_handler);
	TEST_ASSERT_OK(_irqfd(vm, e, RING_VECTOR, 0, 0));
	vcpu_run_expect_sync(vcpu, 0);

	polled = halt_stat("polled");
	missed = halt_stat("poll_missed");
	slept = halt_stat("slept");
	signal_later_from_cpu1(&ds, e, 50);
	vcpu_run_expect_sync(vcpu, 1);
	pthread_join(ds.thread, NULL);

	TEST_ASSERT_EQ(guest_u64(vm, irq_count), 1);
	if (!polls) {
		TEST_ASSERT_EQ(halt_stat("polled"), polled);
		TEST_ASSERT_EQ(halt_stat("poll_missed"), missed);
		TEST_ASSERT_EQ(halt_stat("slept"), slept + 1);
	} else {
		/*
		 * Woken while polling, or (another task wanted this CPU:
		 * polling yields to it, as KVM's does) a poll that gave up
		 * and then a sleep.
		 */
		polled = halt_stat("polled") - polled;
		missed = halt_stat("poll_missed") - missed;
		slept = halt_stat("slept") - slept;
		printf("# window 2 s: polled %llu, poll_missed %llu, slept %llu\n",
		       (unsigned long long)polled, (unsigned long long)missed,
		       (unsigned long long)slept);
		TEST_ASSERT((polled == 1 && !missed && !slept) ||
			    (!polled && missed == 1 && slept == 1),
			    "one halt: polled, or missed then slept");
	}
	vm_free(vm);
	close(e);
}

/*
 * A halted vCPU first polls for its wake-up (halt_poll_ns, as in KVM),
 * then sleeps. With the window at 0 the halt sleeps without polling; with
 * a window far longer than the 50 ms the irqfd takes, it polls, and the
 * poll either catches the wake-up or gives way to another task wanting
 * the CPU and then sleeps. The writer runs on another CPU: on the vCPU's
 * own it would end every poll.
 */
HB_TEST(a_halted_vcpu_polls_for_its_irqfd_then_sleeps)
{
	static const char *const windows[2] = { "0", "2000000000" };

	require_cap(HB_CAP_IRQFD, "HB_CAP_IRQFD");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		test_skip("needs 2 CPUs: the eventfd writer would preempt the poll");
	for_each_param_value(HALT_POLL_PARAM, windows, 2, halt_case);
}

HB_TEST(irqfd_bad_arguments_and_duplicates)
{
	struct hb_irqfd a = { .vector = RING_VECTOR };
	int efd = new_eventfd(), pipefd[2], i, fds[HB_MAX_IRQFDS];
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_IRQFD, "HB_CAP_IRQFD");
	vm = ring_vm(guest_irqfd, &vcpu);
	TEST_ASSERT(!pipe2(pipefd, O_CLOEXEC), "pipe2");

	TEST_ASSERT_ERRNO(_irqfd(vm, efd, 31, 0, 0), EINVAL);
	TEST_ASSERT_ERRNO(_irqfd(vm, efd, 256, 0, 0), EINVAL);
	TEST_ASSERT_ERRNO(_irqfd(vm, efd, RING_VECTOR, 8, 0), EINVAL);
	TEST_ASSERT_ERRNO(_irqfd(vm, efd, RING_VECTOR, 0, 2), EINVAL);
	a.fd = efd;
	a.reserved[0] = 1;
	TEST_ASSERT_ERRNO(__hb_ioctl(vm->fd, HB_REGISTER_IRQFD, &a), EINVAL);
	TEST_ASSERT_ERRNO(_irqfd(vm, -1, RING_VECTOR, 0, 0), EBADF);
	TEST_ASSERT_ERRNO(_irqfd(vm, pipefd[0], RING_VECTOR, 0, 0), EINVAL);

	TEST_ASSERT_OK(_irqfd(vm, efd, RING_VECTOR, 0, 0));
	TEST_ASSERT_ERRNO(_irqfd(vm, efd, RING_VECTOR, 0, 0), EEXIST);
	TEST_ASSERT_OK(_irqfd(vm, efd, RING_VECTOR2, 0, 0));
	TEST_ASSERT_ERRNO(_irqfd(vm, efd, RING_VECTOR + 1, 0,
				 HB_IRQFD_DEASSIGN), ENOENT);
	TEST_ASSERT_OK(_irqfd(vm, efd, RING_VECTOR2, 0, HB_IRQFD_DEASSIGN));
	TEST_ASSERT_ERRNO(_irqfd(vm, efd, RING_VECTOR2, 0, HB_IRQFD_DEASSIGN),
			  ENOENT);

	/* HB_MAX_IRQFDS per VM (1 is in use). */
	for (i = 1; i < HB_MAX_IRQFDS; i++) {
		fds[i] = new_eventfd();
		TEST_ASSERT_OK(_irqfd(vm, fds[i], RING_VECTOR, 0, 0));
	}
	fds[0] = new_eventfd();
	TEST_ASSERT_ERRNO(_irqfd(vm, fds[0], RING_VECTOR, 0, 0), ENOSPC);
	vm_free(vm);
	for (i = 0; i < HB_MAX_IRQFDS; i++)
		close(fds[i]);
	close(efd);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void guest_halts_forever(void)
{
	GUEST_SYNC(1);
	for (;;)
		safe_halt();
}

/*
 * A vCPU halted in the module because an irqfd exists must not sleep on
 * once the last irqfd is gone: nothing could ever wake it.
 */
static void irqfd_deassign_releases(unsigned int halted_id)
{
	struct sigaction sa = { .sa_handler = nop_handler };
	int efd = new_eventfd();
	struct runner r;
	struct vcpu *vcpu, *v0;
	struct vm *vm;
	int i;

	require_cap(HB_CAP_IRQFD, "HB_CAP_IRQFD");
	vm = ring_vm(guest_halts_forever, &v0);
	vcpu = v0;
	if (halted_id) {
		vcpu = vm_vcpu_add(vm, halted_id, guest_halts_forever);
		vcpu_init_descriptor_tables(vcpu);
	}
	sigaction(SIGUSR1, &sa, NULL);
	/* The line goes to vCPU 0; any vCPU halts in the module meanwhile. */
	TEST_ASSERT_OK(_irqfd(vm, efd, RING_VECTOR, 0, 0));
	vcpu_run_expect_sync(vcpu, 1);
	runner_start(&r, vcpu);
	usleep(300 * 1000);
	TEST_ASSERT(!r.done, "HLT with an irqfd returned to userspace");
	TEST_ASSERT_OK(_irqfd(vm, efd, RING_VECTOR, 0, HB_IRQFD_DEASSIGN));
	for (i = 0; i < 2000 && !r.done; i++)
		usleep(1000);
	if (!r.done) {
		pthread_kill(r.thread, SIGUSR1);
		runner_join(&r, 5000);
		TEST_ASSERT(0, "the halted vCPU slept on after its last irqfd went away (a signal got it out)");
	}
	TEST_ASSERT_OK(runner_join(&r, 10));
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_HLT);
	vm_free(vm);
	close(efd);
}

HB_TEST_TIMEOUT(irqfd_deassign_releases_a_halted_vcpu, 30)
{
	irqfd_deassign_releases(0);
}

/* The wait is for "any irqfd in the VM": every halted vCPU must hear. */
HB_TEST_TIMEOUT(irqfd_deassign_releases_halted_vcpus_of_other_lines, 30)
{
	irqfd_deassign_releases(1);
}

/* ------------------------------------------------------------------ */
/* Loopback ring: the guest driver end to end                          */
/* ------------------------------------------------------------------ */

#define LOOPBACK_MESSAGES	100000
#define MSG_MAX			256

/*
 * Guest: @n messages of varying length, one at a time: post a readable
 * buffer and a writable one, kick, wait for the used entry, compare every
 * byte. Every 64th message is split over several descriptors, and the
 * writable part is one byte longer than needed (the used length must say
 * exactly what was written). Reports the bytes moved.
 */
static void guest_loopback(uint64_t n, uint64_t features, uint64_t notify)
{
	uint8_t *out = (uint8_t *)BUF_GPA, *in = out + 0x10000;
	struct vring_sg sg[5];
	uint64_t i, bytes = 0;
	uint32_t len, used_len;
	int head, k, nsg_out, nsg_in;
	int64_t bad;

	vring_guest_init(&vq, QSIZE, RING_GPA,
			 features & HB_RING_F_EVENT_IDX,
			 notify ? VRING_NOTIFY_MMIO16 : VRING_NOTIFY_PIO16,
			 notify ? DOORBELL_MMIO : DOORBELL_PORT, 0);
	vq.relax = guest_yield;
	vring_guest_disable_cb(&vq);
	for (i = 0; i < n; i++) {
		len = 1 + (i * 37) % MSG_MAX;
		guest_fill(out, len, i);
		for (k = 0; k < MSG_MAX + 1; k++)
			in[k] = 0;
		if (i % 64 == 63 && len >= 4) {
			/* 3 readable pieces, 2 writable pieces. */
			sg[0] = (struct vring_sg){ (uint64_t)out, 1 };
			sg[1] = (struct vring_sg){ (uint64_t)out + 1, len / 2 };
			sg[2] = (struct vring_sg){ (uint64_t)out + 1 + len / 2,
						   len - 1 - len / 2 };
			sg[3] = (struct vring_sg){ (uint64_t)in, 3 };
			sg[4] = (struct vring_sg){ (uint64_t)in + 3, len - 2 };
			nsg_out = 3;
			nsg_in = 2;
		} else {
			sg[0] = (struct vring_sg){ (uint64_t)out, len };
			sg[1] = (struct vring_sg){ (uint64_t)in, len + 1 };
			nsg_out = 1;
			nsg_in = 1;
		}
		head = vring_guest_add(&vq, sg, nsg_out, nsg_in, NULL);
		GUEST_ASSERT(head >= 0);
		vring_guest_kick(&vq);
		GUEST_ASSERT_EQ(vring_guest_wait_used(&vq, &used_len), head);
		GUEST_ASSERT_EQ(used_len, len);
		bad = guest_check(in, len, i);
		if (bad >= 0)
			ucall(UCALL_ABORT, (uint64_t)__FILE__, __LINE__,
			      (uint64_t)"byte differs (message, offset)", i, bad);
		GUEST_ASSERT_EQ(in[len], 0);
		GUEST_ASSERT_EQ(vq.num_free, QSIZE);
		bytes += len;
	}
	GUEST_SYNC2(bytes, vq.kicks);
}

/* Sets up doorbell + ring for guest_loopback; returns the ring fd. */
static int loopback_ring(struct vm *vm, uint64_t features, bool mmio,
			 int *kick)
{
	struct hb_ring_config c;

	*kick = new_eventfd();
	TEST_ASSERT_OK(_doorbell(vm, mmio ? 0 : HB_DOORBELL_PIO,
				 mmio ? DOORBELL_MMIO : DOORBELL_PORT, 2, 0,
				 *kick));
	c = ring_config(RING_GPA, QSIZE, features, *kick, -1);
	return ring_create(vm, &c);
}

/* @n messages through guest_loopback, checked; returns the ring's stats. */
static struct hb_ring_stats loopback_run(uint64_t n, uint64_t features,
					 bool mmio)
{
	struct hb_ring_stats s;
	uint64_t runs0;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int kick, ring;

	vm = ring_vm(guest_loopback, &vcpu);
	ring = loopback_ring(vm, features, mmio, &kick);
	vcpu_args_set(vcpu, 3, n, features, (uint64_t)mmio);
	runs0 = exits("hypercall");
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	/* Not one exit reached us on the way: the first is the report. */
	TEST_ASSERT(exits("hypercall") - runs0 == 1,
		    "%llu hypercall exits", (unsigned long long)(exits("hypercall") - runs0));
	s = ring_stats(ring);
	test_log("%llu messages, %llu bytes: kicks %llu (guest %llu), interrupts %llu, suppressed %llu",
		 (unsigned long long)n, (unsigned long long)uc.args[0],
		 (unsigned long long)s.kicks, (unsigned long long)uc.args[1],
		 (unsigned long long)s.interrupts,
		 (unsigned long long)s.interrupts_suppressed);
	TEST_ASSERT_EQ(s.state, HB_RING_STATE_RUNNING);
	TEST_ASSERT_EQ(s.error, 0);
	TEST_ASSERT_EQ(s.chains, n);
	TEST_ASSERT_EQ(s.bytes, 2 * uc.args[0]);
	TEST_ASSERT_EQ(s.kicks, uc.args[1]);
	TEST_ASSERT_EQ(s.interrupts, 0);
	vm_free(vm);
	close(ring);
	close(kick);
	return s;
}

/*
 * 10^5 messages take well under a second under QEMU TCG now that the
 * worker polls a dry ring (50 s when every message was kicked); Bochs (the
 * VMX lane) is far slower, so there the count is scaled down to 5000 (and
 * says so).
 */
HB_TEST_TIMEOUT(loopback_round_trip_of_100k_messages, 170)
{
	uint64_t n = LOOPBACK_MESSAGES;

	if (on_vmx()) {
		n = 5000;
		test_log("VMX lane (Bochs): %llu messages instead of %u",
			 (unsigned long long)n, LOOPBACK_MESSAGES);
	}
	loopback_run(n, HB_RING_F_EVENT_IDX, false);
}

HB_TEST(loopback_with_mmio_doorbell_and_no_event_idx)
{
	loopback_run(2000, 0, true);
}

#define RING_POLL_PARAM	"/sys/module/hyperbox/parameters/ring_poll_ns"
#define POLL_MESSAGES	300

/*
 * guest_loopback, one message at a time, with and without EVENT_IDX (then
 * the worker holds kicks off with NO_NOTIFY); checks how the worker waited.
 */
static void ring_poll_case(int polls)
{
	static const uint64_t features[2] = { HB_RING_F_EVENT_IDX, 0 };
	struct hb_ring_stats s;
	int i;

	for (i = 0; i < 2; i++) {
		s = loopback_run(POLL_MESSAGES, features[i], false);
		printf("# ring_poll_ns %s, %s: %u messages, kicks %llu, polls hit %llu, missed %llu\n",
		       polls ? "2 s" : "0", features[i] ? "EVENT_IDX" : "NO_NOTIFY",
		       POLL_MESSAGES, (unsigned long long)s.kicks,
		       (unsigned long long)s.polls_hit,
		       (unsigned long long)s.polls_missed);
		if (!polls) {
			/* The worker sleeps after each: the next one kicks. */
			TEST_ASSERT(s.kicks >= 1, "no kick at all");
			TEST_ASSERT_EQ(s.polls_hit, 0);
			TEST_ASSERT_EQ(s.polls_missed, 0);
			continue;
		}
		/*
		 * The next buffer comes microseconds after the used entry:
		 * the poll sees it and the guest, told not to kick, does not.
		 * A poll gives way when another task wants its CPU; only then
		 * may the guest kick again. The first buffer kicks unless the
		 * worker's NO_NOTIFY came after the driver zeroed its rings.
		 */
		TEST_ASSERT(s.polls_hit >= POLL_MESSAGES / 2,
			    "%llu of %u buffers caught by a poll",
			    (unsigned long long)s.polls_hit, POLL_MESSAGES);
		TEST_ASSERT(s.kicks <= s.polls_missed + 1,
			    "%llu kicks after %llu missed polls: a kick without a missed poll",
			    (unsigned long long)s.kicks,
			    (unsigned long long)s.polls_missed);
	}
}

/*
 * A worker that finds its ring dry polls it for a while (ring_poll_ns,
 * what busy polling is to vhost) before asking for a kick and sleeping.
 * With the window at 0 it never polls; with 2 s, a guest that posts its
 * next buffer as soon as the last one is used is served by the poll, and
 * does not kick (EVENT_IDX, or NO_NOTIFY without it).
 */
HB_TEST(a_dry_ring_is_polled_before_the_worker_sleeps)
{
	static const char *const windows[2] = { "0", "2000000000" };

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		test_skip("needs 2 CPUs: the vCPU would preempt every poll");
	for_each_param_value(RING_POLL_PARAM, windows, 2, ring_poll_case);
}

/* ------------------------------------------------------------------ */
/* Event index: fewer kicks and interrupts                             */
/* ------------------------------------------------------------------ */

#define EI_BATCH	32
#define EI_BATCHES	16

/*
 * Guest: batches of EI_BATCH messages, kick after every add (as a driver
 * without batching would), then sleep until the batch is done; a second
 * phase polls with interrupts disabled. Reports kicks and interrupts seen.
 */
static void guest_event_idx(uint64_t event_idx)
{
	uint8_t *out = (uint8_t *)BUF_GPA, *in = out + 0x10000;
	struct vring_sg sg[2];
	uint32_t len;
	int b, i;

	vring_guest_init(&vq, QSIZE, RING_GPA, event_idx, VRING_NOTIFY_PIO16,
			 DOORBELL_PORT, 0);
	vq.relax = guest_yield;
	guest_fill(out, 64 * EI_BATCH, 1);
	for (b = 0; b < EI_BATCHES; b++) {
		/* One interrupt for the whole batch (event idx), please. */
		vring_guest_enable_cb(&vq, EI_BATCH - 1);
		for (i = 0; i < EI_BATCH; i++) {
			sg[0] = (struct vring_sg){ (uint64_t)out + 64 * i, 64 };
			sg[1] = (struct vring_sg){ (uint64_t)in + 64 * i, 64 };
			GUEST_ASSERT(vring_guest_add(&vq, sg, 1, 1, NULL) >= 0);
			vring_guest_kick(&vq);
		}
		guest_halt_until_used(vq.avail_idx);
		for (i = 0; i < EI_BATCH; i++) {
			GUEST_ASSERT(vring_guest_get_used(&vq, &len) >= 0);
			GUEST_ASSERT_EQ(len, 64);
		}
		GUEST_ASSERT_EQ(guest_check(in, 64 * EI_BATCH, 1), -1);
	}
	GUEST_SYNC2(vq.kicks, irq_count);

	/* Polling: no interrupt wanted at all. */
	vring_guest_disable_cb(&vq);
	for (i = 0; i < EI_BATCH; i++) {
		sg[0] = (struct vring_sg){ (uint64_t)out + 64 * i, 64 };
		sg[1] = (struct vring_sg){ (uint64_t)in + 64 * i, 64 };
		GUEST_ASSERT(vring_guest_add(&vq, sg, 1, 1, NULL) >= 0);
		vring_guest_kick(&vq);
	}
	for (i = 0; i < EI_BATCH; i++)
		vring_guest_wait_used(&vq, NULL);
	GUEST_SYNC2(vq.kicks, irq_count);
}

struct ei_result {
	uint64_t guest_kicks, guest_irqs;
	struct hb_ring_stats batch, poll;
};

static void event_idx_run(bool event_idx, struct ei_result *res)
{
	uint64_t features = event_idx ? HB_RING_F_EVENT_IDX : 0;
	int kick = new_eventfd(), call = new_eventfd(), ring;
	struct hb_ring_config c;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	vm = ring_vm(guest_event_idx, &vcpu);
	vm_install_exception_handler(vm, RING_VECTOR, ring_irq_handler);
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, kick));
	TEST_ASSERT_OK(_irqfd(vm, call, RING_VECTOR, 0, 0));
	c = ring_config(RING_GPA, QSIZE, features, kick, call);
	ring = ring_create(vm, &c);
	vcpu_args_set(vcpu, 1, (uint64_t)event_idx);

	/*
	 * The guest may see its last used entry before the worker has
	 * signalled the interrupt for it: let the worker settle before
	 * reading its counters.
	 */
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	res->guest_kicks = uc.args[0];
	res->guest_irqs = uc.args[1];
	usleep(100 * 1000);
	res->batch = ring_stats(ring);
	TEST_ASSERT_EQ(res->batch.kicks, res->guest_kicks);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	usleep(100 * 1000);
	res->poll = ring_stats(ring);
	TEST_ASSERT_EQ(res->poll.chains, (EI_BATCHES + 1) * EI_BATCH);
	TEST_ASSERT_EQ(res->poll.kicks, uc.args[0]);
	/* Polling asked for nothing, and got nothing. */
	TEST_ASSERT_EQ(res->poll.interrupts, res->batch.interrupts);
	test_log("%s: kicks %llu/%u, interrupts %llu (guest saw %llu), suppressed %llu; polling phase: kicks %llu, suppressed %llu",
		 event_idx ? "EVENT_IDX" : "no EVENT_IDX",
		 (unsigned long long)res->batch.kicks, EI_BATCHES * EI_BATCH,
		 (unsigned long long)res->batch.interrupts,
		 (unsigned long long)res->guest_irqs,
		 (unsigned long long)res->batch.interrupts_suppressed,
		 (unsigned long long)(res->poll.kicks - res->batch.kicks),
		 (unsigned long long)(res->poll.interrupts_suppressed -
				      res->batch.interrupts_suppressed));
	vm_free(vm);
	close(ring);
	close(kick);
	close(call);
}

HB_TEST(event_idx_cuts_kicks_and_interrupts)
{
	struct ei_result plain, ev;

	event_idx_run(false, &plain);
	event_idx_run(true, &ev);

	/*
	 * Without event idx a driver kicks after every add unless the used
	 * ring says NO_NOTIFY, which the worker sets while it is awake (how
	 * often it is awake is timing: a_dry_ring_is_polled_... pins it).
	 */
	TEST_ASSERT(plain.batch.kicks <= EI_BATCHES * EI_BATCH,
		    "kicks %llu", (unsigned long long)plain.batch.kicks);
	TEST_ASSERT_EQ(plain.batch.interrupts_suppressed, 0);
	/* With it, exactly one interrupt per batch, and the rest suppressed. */
	TEST_ASSERT_EQ(ev.batch.interrupts, EI_BATCHES);
	TEST_ASSERT(ev.batch.kicks <= EI_BATCHES * EI_BATCH, "kicks %llu",
		    (unsigned long long)ev.batch.kicks);
	TEST_ASSERT(ev.poll.interrupts_suppressed >
		    ev.batch.interrupts_suppressed,
		    "polling suppressed nothing");
	/*
	 * Both rings cut kicks now (NO_NOTIFY without EVENT_IDX); what event
	 * idx adds is on the interrupt side: the driver without it is woken
	 * at least once per batch, often more.
	 */
	TEST_ASSERT(ev.batch.interrupts <= plain.batch.interrupts,
		    "event idx: %llu interrupts, without: %llu",
		    (unsigned long long)ev.batch.interrupts,
		    (unsigned long long)plain.batch.interrupts);
}

/* ------------------------------------------------------------------ */
/* Indirect descriptors                                                */
/* ------------------------------------------------------------------ */

#define INDIRECT_MESSAGES	500

static void guest_indirect(void)
{
	uint8_t *out = (uint8_t *)BUF_GPA, *in = out + 0x10000;
	struct vring_desc *table = (struct vring_desc *)(BUF_GPA + 0x30000);
	struct vring_sg sg[5];
	uint32_t len, used_len, i;
	int head, k;

	vring_guest_init(&vq, 8, RING_GPA, true, VRING_NOTIFY_PIO16,
			 DOORBELL_PORT, 0);
	vq.relax = guest_yield;
	for (i = 0; i < INDIRECT_MESSAGES; i++) {
		len = 8 + (i * 13) % 500;
		guest_fill(out, len, i);
		for (k = 0; k < 512; k++)
			in[k] = 0;
		/* 2 readable + 3 writable pieces, through one descriptor. */
		sg[0] = (struct vring_sg){ (uint64_t)out, 5 };
		sg[1] = (struct vring_sg){ (uint64_t)out + 5, len - 5 };
		sg[2] = (struct vring_sg){ (uint64_t)in, 2 };
		sg[3] = (struct vring_sg){ (uint64_t)in + 2, 1 };
		sg[4] = (struct vring_sg){ (uint64_t)in + 3, 509 };
		/* Alternate direct and indirect chains in the same ring. */
		head = vring_guest_add(&vq, sg, 2, 3, i % 2 ? NULL : table);
		GUEST_ASSERT(head >= 0);
		vring_guest_kick(&vq);
		GUEST_ASSERT_EQ(vring_guest_wait_used(&vq, &used_len), head);
		GUEST_ASSERT_EQ(used_len, len);
		GUEST_ASSERT_EQ(guest_check(in, len, i), -1);
		GUEST_ASSERT_EQ(vq.num_free, 8);
	}
	GUEST_DONE();
}

HB_TEST(indirect_descriptor_chains)
{
	struct hb_ring_stats s;
	int kick = new_eventfd(), ring;
	struct hb_ring_config c;
	struct vcpu *vcpu;
	struct vm *vm;

	vm = ring_vm(guest_indirect, &vcpu);
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, kick));
	c = ring_config(RING_GPA, 8, HB_RING_F_EVENT_IDX |
			HB_RING_F_INDIRECT_DESC, kick, -1);
	ring = ring_create(vm, &c);
	vcpu_run_expect_done(vcpu);
	s = ring_stats(ring);
	TEST_ASSERT_EQ(s.chains, INDIRECT_MESSAGES);
	TEST_ASSERT_EQ(s.state, HB_RING_STATE_RUNNING);
	vm_free(vm);
	close(ring);
	close(kick);
}

/* ------------------------------------------------------------------ */
/* Stop and restart                                                    */
/* ------------------------------------------------------------------ */

#define SR_FIRST	8	/* processed by the worker */
#define SR_POSTED	4	/* posted while it is stopped */
#define SR_BY_HOST	2	/* of which userspace processes these */
#define SR_LAST		4	/* after the restart */

static int sr_post(int i)
{
	uint8_t *out = (uint8_t *)BUF_GPA + 128 * i;
	uint8_t *in = (uint8_t *)BUF_GPA + 0x10000 + 128 * i;
	struct vring_sg sg[2] = {
		{ (uint64_t)out, 100 }, { (uint64_t)in, 100 },
	};

	int head;

	guest_fill(out, 100, i);
	head = vring_guest_add(&vq, sg, 1, 1, NULL);
	GUEST_ASSERT(head >= 0);
	vring_guest_kick(&vq);
	return head;
}

static void guest_stop_restart(void)
{
	uint8_t *in = (uint8_t *)BUF_GPA + 0x10000;
	int i, n = 0, heads[SR_POSTED];
	uint32_t len;

	vring_guest_init(&vq, 16, RING_GPA, false, VRING_NOTIFY_PIO16,
			 DOORBELL_PORT, 0);
	vq.relax = guest_yield;
	for (i = 0; i < SR_FIRST; i++) {
		sr_post(n);
		vring_guest_wait_used(&vq, &len);
		GUEST_ASSERT_EQ(guest_check(in + 128 * n, 100, n), -1);
		n++;
	}
	GUEST_SYNC(1);		/* the host stops the ring */
	for (i = 0; i < SR_POSTED; i++)
		heads[i] = sr_post(n + i);
	GUEST_SYNC(2);		/* the host takes two, then restarts */
	for (i = 0; i < SR_POSTED; i++, n++) {
		/* In order, each exactly once. */
		GUEST_ASSERT_EQ(vring_guest_wait_used(&vq, &len), heads[i]);
		GUEST_ASSERT_EQ(len, 100);
		GUEST_ASSERT_EQ(guest_check(in + 128 * n, 100, n), -1);
	}
	for (i = 0; i < SR_LAST; i++, n++) {
		sr_post(n);
		vring_guest_wait_used(&vq, &len);
		GUEST_ASSERT_EQ(guest_check(in + 128 * n, 100, n), -1);
	}
	GUEST_ASSERT_EQ(vring_guest_get_used(&vq, &len), -1);
	GUEST_ASSERT_EQ(vq.used->idx, SR_FIRST + SR_POSTED + SR_LAST);
	GUEST_DONE();
}

/* Userspace does the worker's job for one chain (loopback, in place). */
static void host_process_one(struct vm *vm, uint16_t *last_avail,
			     uint16_t *used_idx, unsigned int num)
{
	char *base = addr_gpa2hva(vm, RING_GPA);
	struct vring_desc *desc = (void *)(base + vring_desc_off(num));
	struct vring_avail *avail = (void *)(base + vring_avail_off(num));
	struct vring_used *used = (void *)(base + vring_used_off(num));
	uint16_t head = avail->ring[*last_avail % num];
	struct vring_desc *r = &desc[head], *w;

	TEST_ASSERT(r->flags & VRING_DESC_F_NEXT, "2-descriptor chain");
	w = &desc[r->next];
	TEST_ASSERT(w->flags & VRING_DESC_F_WRITE, "writable second part");
	memcpy(addr_gpa2hva(vm, w->addr), addr_gpa2hva(vm, r->addr), r->len);
	used->ring[*used_idx % num].id = head;
	used->ring[*used_idx % num].len = r->len;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	(*used_idx)++;
	used->idx = *used_idx;
	(*last_avail)++;
}

HB_TEST(stop_and_restart_resume_at_the_right_index)
{
	int kick = new_eventfd(), ring;
	struct hb_ring_config c;
	struct hb_ring_state st;
	struct hb_ring_stats s;
	struct vcpu *vcpu;
	struct vm *vm;
	int i;

	vm = ring_vm(guest_stop_restart, &vcpu);
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, kick));
	c = ring_config(RING_GPA, 16, 0, kick, -1);
	ring = ring_create(vm, &c);

	/* Restarting a running ring is refused. */
	memset(&st, 0, sizeof(st));
	TEST_ASSERT_ERRNO(__hb_ioctl(ring, HB_RING_START, &st), EBUSY);

	vcpu_run_expect_sync(vcpu, 1);
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
	TEST_ASSERT_EQ(st.state, HB_RING_STATE_STOPPED);
	TEST_ASSERT_EQ(st.last_avail_idx, SR_FIRST);
	TEST_ASSERT_EQ(st.used_idx, SR_FIRST);
	/* Stopping twice is harmless and says the same. */
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
	TEST_ASSERT_EQ(st.last_avail_idx, SR_FIRST);

	vcpu_run_expect_sync(vcpu, 2);
	/* Kicked while stopped: nothing moved. */
	usleep(50 * 1000);
	s = ring_stats(ring);
	TEST_ASSERT_EQ(s.chains, SR_FIRST);
	TEST_ASSERT_EQ(s.state, HB_RING_STATE_STOPPED);

	for (i = 0; i < SR_BY_HOST; i++)
		host_process_one(vm, &st.last_avail_idx, &st.used_idx, 16);

	/* The state HB_RING_STOP returned may be passed back as it is. */
	TEST_ASSERT_EQ(st.state, HB_RING_STATE_STOPPED);
	st.reserved[1] = 1;
	TEST_ASSERT_ERRNO(__hb_ioctl(ring, HB_RING_START, &st), EINVAL);
	st.reserved[1] = 0;
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_START, &st));
	vcpu_run_expect_done(vcpu);

	s = ring_stats(ring);
	TEST_ASSERT_EQ(s.chains, SR_FIRST + SR_POSTED - SR_BY_HOST + SR_LAST);
	TEST_ASSERT_EQ(s.state, HB_RING_STATE_RUNNING);
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
	TEST_ASSERT_EQ(st.last_avail_idx, SR_FIRST + SR_POSTED + SR_LAST);
	TEST_ASSERT_EQ(st.used_idx, SR_FIRST + SR_POSTED + SR_LAST);
	vm_free(vm);
	close(ring);
	close(kick);
}

/*
 * Userspace stops and restarts the ring again and again (with the indexes
 * HB_RING_STOP gave it) while the guest sends: every message still comes
 * back exactly once, in order, byte for byte (the guest checks).
 */
#define STORM_MESSAGES	20000

HB_TEST(stop_start_storm_loses_and_repeats_nothing)
{
	struct hb_ring_state st;
	struct hb_ring_stats s;
	unsigned int cycles = 0;
	struct runner r;
	struct vcpu *vcpu;
	struct vm *vm;
	int kick, ring;

	vm = ring_vm(guest_loopback, &vcpu);
	ring = loopback_ring(vm, HB_RING_F_EVENT_IDX, false, &kick);
	vcpu_args_set(vcpu, 3, (uint64_t)STORM_MESSAGES,
		      (uint64_t)HB_RING_F_EVENT_IDX, 0ull);
	runner_start(&r, vcpu);
	while (!r.done) {
		TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
		TEST_ASSERT_EQ(st.state, HB_RING_STATE_STOPPED);
		TEST_ASSERT_EQ(st.last_avail_idx, st.used_idx);
		usleep(cycles % 3 * 200);
		TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_START, &st));
		usleep(cycles % 5 * 300);
		cycles++;
	}
	TEST_ASSERT_OK(runner_join(&r, 1000));
	TEST_ASSERT(get_ucall(vcpu, &(struct ucall){ 0 }) == UCALL_SYNC,
		    "the guest did not finish: %s", exit_describe(vcpu));
	s = ring_stats(ring);
	TEST_ASSERT_EQ(s.chains, STORM_MESSAGES);
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
	TEST_ASSERT_EQ(st.last_avail_idx, STORM_MESSAGES % 65536);
	TEST_ASSERT_EQ(st.used_idx, STORM_MESSAGES % 65536);
	test_log("%u stop/start cycles during %u messages", cycles,
		 STORM_MESSAGES);
	TEST_ASSERT(cycles > 10, "only %u cycles", cycles);
	vm_free(vm);
	close(ring);
	close(kick);
}

/* ------------------------------------------------------------------ */
/* Stream backend                                                      */
/* ------------------------------------------------------------------ */

#define STREAM_MESSAGES	50

/* Guest: readable message + writable buffer; what comes back is checked. */
static void guest_stream(uint64_t transform)
{
	uint8_t *out = (uint8_t *)BUF_GPA, *in = out + 0x10000;
	struct vring_sg sg[2];
	uint32_t len, used_len, i, k;

	vring_guest_init(&vq, 16, RING_GPA, true, VRING_NOTIFY_PIO16,
			 DOORBELL_PORT, 0);
	vq.relax = guest_yield;
	for (i = 0; i < STREAM_MESSAGES; i++) {
		len = 1 + (i * 97) % 3000;
		guest_fill(out, len, i);
		for (k = 0; k < len; k++)
			in[k] = 0;
		sg[0] = (struct vring_sg){ (uint64_t)out, len };
		sg[1] = (struct vring_sg){ (uint64_t)in, len };
		GUEST_ASSERT(vring_guest_add(&vq, sg, 1, 1, NULL) >= 0);
		vring_guest_kick(&vq);
		vring_guest_wait_used(&vq, &used_len);
		/* A stream may come back in pieces: collect the rest. */
		while (used_len < len) {
			uint32_t got;

			sg[0] = (struct vring_sg){ (uint64_t)in + used_len,
						   len - used_len };
			GUEST_ASSERT(vring_guest_add(&vq, sg, 0, 1, NULL) >= 0);
			vring_guest_kick(&vq);
			vring_guest_wait_used(&vq, &got);
			GUEST_ASSERT(got > 0);
			used_len += got;
		}
		GUEST_ASSERT_EQ(used_len, len);
		for (k = 0; k < len; k++)
			GUEST_ASSERT_EQ(in[k], (uint8_t)(guest_pattern(i, k) ^
							 transform));
	}
	GUEST_DONE();
}

static int stream_ring(struct vm *vm, int backend_fd, int *kick)
{
	struct hb_ring_config c;

	*kick = new_eventfd();
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0,
				 *kick));
	c = ring_config(RING_GPA, 16, HB_RING_F_EVENT_IDX, *kick, -1);
	c.backend = HB_RING_BACKEND_STREAM;
	c.backend_fd = backend_fd;
	return ring_create(vm, &c);
}

/* A pipe opened read+write: what the ring writes it reads back. */
HB_TEST(stream_backend_echoes_through_a_pipe)
{
	int pipefd[2], rw, kick, ring;
	struct vcpu *vcpu;
	char path[64];
	struct vm *vm;

	vm = ring_vm(guest_stream, &vcpu);
	TEST_ASSERT(!pipe2(pipefd, O_CLOEXEC), "pipe2: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pipefd[0]);
	rw = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	TEST_ASSERT(rw >= 0, "reopen the pipe O_RDWR: %s", strerror(errno));
	ring = stream_ring(vm, rw, &kick);
	vcpu_args_set(vcpu, 1, 0);
	vcpu_run_expect_done(vcpu);
	TEST_ASSERT_EQ(ring_stats(ring).state, HB_RING_STATE_RUNNING);
	vm_free(vm);
	close(ring);
	close(kick);
	close(rw);
	close(pipefd[0]);
	close(pipefd[1]);
}

struct echo_peer {
	pthread_t thread;
	int fd;
	volatile int stop;
	uint64_t bytes;
};

/* The other end of the socket: flips every bit and sends it back. */
static void *echo_peer_fn(void *arg)
{
	struct echo_peer *p = arg;
	uint8_t buf[4096];

	while (!p->stop) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		ssize_t n, i, w;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = read(p->fd, buf, sizeof(buf));
		if (n <= 0)
			continue;
		for (i = 0; i < n; i++)
			buf[i] ^= 0xff;
		for (i = 0; i < n; i += w) {
			w = write(p->fd, buf + i, n - i);
			if (w < 0)
				w = 0;
		}
		p->bytes += n;
	}
	return NULL;
}

HB_TEST(stream_backend_talks_to_a_socket_peer)
{
	struct echo_peer peer = { 0 };
	int sv[2], kick, ring;
	struct vcpu *vcpu;
	struct vm *vm;

	vm = ring_vm(guest_stream, &vcpu);
	TEST_ASSERT(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				SOCK_CLOEXEC, 0, sv), "socketpair");
	ring = stream_ring(vm, sv[0], &kick);
	peer.fd = sv[1];
	TEST_ASSERT(!pthread_create(&peer.thread, NULL, echo_peer_fn, &peer),
		    "pthread_create");
	vcpu_args_set(vcpu, 1, 0xff);
	vcpu_run_expect_done(vcpu);
	peer.stop = 1;
	pthread_join(peer.thread, NULL);
	TEST_ASSERT(peer.bytes > 0, "the peer saw nothing");
	vm_free(vm);
	close(ring);
	close(kick);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The stream backend remembers how much of the head chain it already wrote
 * to the fd. When userspace takes that chain over (stop, complete it
 * itself, restart one index further), the next chain must go out whole.
 */
HB_TEST(stream_restart_after_takeover_sends_the_next_chain_whole)
{
	int sv[2], kick = new_eventfd(), ring;
	struct vring_desc *d;
	struct vring_avail *a;
	struct vring_used *u;
	struct hb_ring_config c;
	struct hb_ring_state st;
	struct vcpu *vcpu;
	char buf[64], *base;
	struct vm *vm;
	ssize_t n;

	vm = ring_vm(guest_still_alive, &vcpu);
	TEST_ASSERT(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				SOCK_CLOEXEC, 0, sv), "socketpair");
	base = addr_gpa2hva(vm, RING_GPA);
	d = (void *)(base + vring_desc_off(8));
	a = (void *)(base + vring_avail_off(8));
	u = (void *)(base + vring_used_off(8));
	memcpy(addr_gpa2hva(vm, BUF_GPA), "AAAA", 4);
	memcpy(addr_gpa2hva(vm, BUF_GPA + 0x100), "BBBBBBBB", 8);
	/* Chain 0: "AAAA" out, 16 bytes in; the peer stays silent. */
	d[0] = (struct vring_desc){ BUF_GPA, 4, VRING_DESC_F_NEXT, 1 };
	d[1] = (struct vring_desc){ BUF_GPA + 0x1000, 16, VRING_DESC_F_WRITE, 0 };
	a->ring[0] = 0;
	a->idx = 1;
	c = ring_config(RING_GPA, 8, 0, kick, -1);
	c.backend = HB_RING_BACKEND_STREAM;
	c.backend_fd = sv[0];
	ring = ring_create(vm, &c);
	usleep(200 * 1000);
	n = read(sv[1], buf, sizeof(buf));
	TEST_ASSERT(n == 4 && !memcmp(buf, "AAAA", 4), "read %zd", n);

	/* Userspace takes chain 0 over and completes it. */
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
	TEST_ASSERT_EQ(st.last_avail_idx, 0);
	u->ring[0].id = 0;
	u->ring[0].len = 0;
	u->idx = 1;
	/* Chain 1: "BBBBBBBB" out. */
	d[2] = (struct vring_desc){ BUF_GPA + 0x100, 8, VRING_DESC_F_NEXT, 3 };
	d[3] = (struct vring_desc){ BUF_GPA + 0x2000, 16, VRING_DESC_F_WRITE, 0 };
	a->ring[1] = 2;
	a->idx = 2;
	st = (struct hb_ring_state){ .last_avail_idx = 1, .used_idx = 1 };
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_START, &st));
	usleep(200 * 1000);
	n = read(sv[1], buf, sizeof(buf));
	TEST_ASSERT(n == 8 && !memcmp(buf, "BBBBBBBB", 8),
		    "the restarted ring sent %zd bytes (\"%.*s\"), not the whole 8-byte chain",
		    n, n > 0 ? (int)n : 0, buf);
	vm_free(vm);
	close(ring);
	close(kick);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* Tap backend                                                         */
/* ------------------------------------------------------------------ */

#define TAP_HDR		10	/* struct virtio_net_hdr, the tap default */
#define FRAME_LEN	98
#define ETH_P_TEST	0x88b5	/* IEEE local experimental */

static void guest_tap(void)
{
	uint8_t *tx = (uint8_t *)BUF_GPA, *rx = tx + 0x10000;
	struct vring_sg sg;
	uint32_t len, k;

	vring_guest_init(&vq, 16, RING_GPA, false, VRING_NOTIFY_PIO16,
			 DOORBELL_PORT, 0);
	vq.relax = guest_yield;
	/* TX: virtio-net header (no offloads) + an Ethernet frame. */
	for (k = 0; k < TAP_HDR; k++)
		tx[k] = 0;
	for (k = 0; k < 6; k++) {
		tx[TAP_HDR + k] = 0xff;			/* broadcast */
		tx[TAP_HDR + 6 + k] = 0x02 + k;		/* local MAC */
	}
	tx[TAP_HDR + 12] = ETH_P_TEST >> 8;
	tx[TAP_HDR + 13] = ETH_P_TEST & 0xff;
	guest_fill(tx + TAP_HDR + 14, FRAME_LEN - 14, 42);
	sg = (struct vring_sg){ (uint64_t)tx, TAP_HDR + FRAME_LEN };
	GUEST_ASSERT(vring_guest_add(&vq, &sg, 1, 0, NULL) >= 0);
	vring_guest_kick(&vq);
	GUEST_ASSERT_EQ(vring_guest_wait_used(&vq, &len) >= 0, 1);
	GUEST_ASSERT_EQ(len, 0);
	GUEST_SYNC(1);		/* the host saw the frame on the tap */

	/*
	 * RX: an empty buffer, filled by the host's frame. The host's stack
	 * may send its own frames first (IPv6 neighbour discovery): skip them.
	 */
	GUEST_SYNC(2);		/* the host sends a frame now */
	for (k = 0; k < 16; k++) {
		sg = (struct vring_sg){ (uint64_t)rx, 2048 };
		GUEST_ASSERT(vring_guest_add(&vq, &sg, 0, 1, NULL) >= 0);
		vring_guest_kick(&vq);
		vring_guest_wait_used(&vq, &len);
		if (rx[TAP_HDR + 12] == ETH_P_TEST >> 8 &&
		    rx[TAP_HDR + 13] == (ETH_P_TEST & 0xff))
			break;
	}
	GUEST_ASSERT_EQ(len, TAP_HDR + FRAME_LEN);
	GUEST_ASSERT_EQ(rx[TAP_HDR + 12], ETH_P_TEST >> 8);
	GUEST_ASSERT_EQ(guest_check(rx + TAP_HDR + 14, FRAME_LEN - 14, 43), -1);
	GUEST_DONE();
}

static int tap_open(char *name)
{
	struct ifreq ifr = { 0 };
	int fd, s;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		test_skip("/dev/net/tun: %s", strerror(errno));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strcpy(ifr.ifr_name, "hbring%d");
	TEST_ASSERT(!ioctl(fd, TUNSETIFF, &ifr), "TUNSETIFF: %s", strerror(errno));
	strcpy(name, ifr.ifr_name);
	/* Keep the host's IPv6 chatter off the link, if there is IPv6. */
	{
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
		f = fopen(path, "we");
		if (f) {
			fputs("1", f);
			fclose(f);
		}
	}

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	TEST_ASSERT(s >= 0, "socket");
	TEST_ASSERT(!ioctl(s, SIOCGIFFLAGS, &ifr), "SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	TEST_ASSERT(!ioctl(s, SIOCSIFFLAGS, &ifr), "SIOCSIFFLAGS: %s",
		    strerror(errno));
	close(s);
	return fd;
}

/* A packet socket on the tap: sees what the guest sends, sends to it. */
static int packet_socket(const char *ifname, int *ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_TEST) };
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_TEST));

	TEST_ASSERT(s >= 0, "AF_PACKET socket: %s", strerror(errno));
	*ifindex = if_nametoindex(ifname);
	TEST_ASSERT(*ifindex > 0, "if_nametoindex(%s)", ifname);
	sll.sll_ifindex = *ifindex;
	TEST_ASSERT(!bind(s, (struct sockaddr *)&sll, sizeof(sll)),
		    "bind AF_PACKET: %s", strerror(errno));
	return s;
}

HB_TEST(tap_backend_moves_a_packet_guest_to_tap_to_guest)
{
	uint8_t frame[2048];
	struct hb_ring_config c;
	struct sockaddr_ll to = { .sll_family = AF_PACKET };
	int tap, ps, ifindex, kick = new_eventfd(), ring, i;
	struct pollfd pfd;
	struct vcpu *vcpu;
	char name[IFNAMSIZ];
	struct vm *vm;
	ssize_t n;

	vm = ring_vm(guest_tap, &vcpu);
	tap = tap_open(name);
	ps = packet_socket(name, &ifindex);
	TEST_ASSERT_OK(_doorbell(vm, HB_DOORBELL_PIO, DOORBELL_PORT, 2, 0, kick));
	c = ring_config(RING_GPA, 16, 0, kick, -1);
	c.backend = HB_RING_BACKEND_TAP;
	c.backend_fd = tap;
	ring = ring_create(vm, &c);

	/* guest -> ring -> tap -> the host's stack (our packet socket) */
	vcpu_run_expect_sync(vcpu, 1);
	pfd = (struct pollfd){ .fd = ps, .events = POLLIN };
	TEST_ASSERT(poll(&pfd, 1, 5000) == 1, "no frame from the guest");
	n = recv(ps, frame, sizeof(frame), 0);
	TEST_ASSERT_EQ(n, FRAME_LEN);
	TEST_ASSERT_EQ(frame[6], 0x02);
	for (i = 14; i < FRAME_LEN; i++)
		TEST_ASSERT_EQ(frame[i], guest_pattern(42, i - 14));

	/* the host's stack -> tap -> ring -> guest */
	vcpu_run_expect_sync(vcpu, 2);
	for (i = 14; i < FRAME_LEN; i++)
		frame[i] = guest_pattern(43, i - 14);
	to.sll_ifindex = ifindex;
	to.sll_halen = 6;
	memset(to.sll_addr, 0xff, 6);
	TEST_ASSERT_EQ(sendto(ps, frame, FRAME_LEN, 0, (struct sockaddr *)&to,
			      sizeof(to)), FRAME_LEN);
	vcpu_run_expect_done(vcpu);
	TEST_ASSERT(ring_stats(ring).chains >= 2, "chains");
	vm_free(vm);
	close(ring);
	close(kick);
	close(ps);
	close(tap);
}

/* ------------------------------------------------------------------ */
/* Malformed rings                                                     */
/* ------------------------------------------------------------------ */

#define MF_NUM		8
#define MF_TABLE_GPA	(BUF_GPA + 0x20000)
#define MF_DATA_GPA	(BUF_GPA)

struct malformed {
	const char *name;
	uint64_t features;
	uint32_t error;
	/* Writes a hostile chain at head 0 (descriptor table @d). */
	void (*build)(struct vm *vm, struct vring_desc *d,
		      struct vring_avail *a);
};

static struct vring_desc *mf_table(struct vm *vm)
{
	return addr_gpa2hva(vm, MF_TABLE_GPA);
}

static void mf_avail_past_size(struct vm *vm, struct vring_desc *d,
			       struct vring_avail *a)
{
	(void)vm;
	d[0] = (struct vring_desc){ MF_DATA_GPA, 16, 0, 0 };
	a->idx = MF_NUM + 1;
}

static void mf_head_out_of_range(struct vm *vm, struct vring_desc *d,
				 struct vring_avail *a)
{
	(void)vm;
	(void)d;
	a->ring[0] = MF_NUM;
}

static void mf_next_out_of_range(struct vm *vm, struct vring_desc *d,
				 struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ MF_DATA_GPA, 16, VRING_DESC_F_NEXT, MF_NUM };
}

static void mf_outside_memory(struct vm *vm, struct vring_desc *d,
			      struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ 0x80000000ull, 16, 0, 0 };
}

static void mf_straddles_slot_end(struct vm *vm, struct vring_desc *d,
				  struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ VM_MEM_SIZE - 8, 16, 0, 0 };
}

static void mf_wraps_address_space(struct vm *vm, struct vring_desc *d,
				   struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ ~0ull - 4, 16, 0, 0 };
}

static void mf_writable_in_readonly_slot(struct vm *vm, struct vring_desc *d,
					 struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ MF_DATA_GPA, 16, VRING_DESC_F_NEXT, 1 };
	d[1] = (struct vring_desc){ RO_SLOT_GPA, 16, VRING_DESC_F_WRITE, 0 };
}

static void mf_loop(struct vm *vm, struct vring_desc *d, struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ MF_DATA_GPA, 16, VRING_DESC_F_NEXT, 1 };
	d[1] = (struct vring_desc){ MF_DATA_GPA, 16, VRING_DESC_F_NEXT, 2 };
	d[2] = (struct vring_desc){ MF_DATA_GPA, 16, VRING_DESC_F_NEXT, 0 };
}

static void mf_self_loop(struct vm *vm, struct vring_desc *d,
			 struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ MF_DATA_GPA, 0, VRING_DESC_F_NEXT, 0 };
}

static void mf_write_then_read(struct vm *vm, struct vring_desc *d,
			       struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ MF_DATA_GPA, 16,
				    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1 };
	d[1] = (struct vring_desc){ MF_DATA_GPA + 16, 16, 0, 0 };
}

static void mf_indirect_not_negotiated(struct vm *vm, struct vring_desc *d,
				       struct vring_avail *a)
{
	(void)a;
	mf_table(vm)[0] = (struct vring_desc){ MF_DATA_GPA, 16, 0, 0 };
	d[0] = (struct vring_desc){ MF_TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0 };
}

static void mf_indirect_nested(struct vm *vm, struct vring_desc *d,
			       struct vring_avail *a)
{
	struct vring_desc *t = mf_table(vm);

	(void)a;
	t[0] = (struct vring_desc){ MF_DATA_GPA, 16, VRING_DESC_F_NEXT, 1 };
	t[1] = (struct vring_desc){ MF_TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0 };
	d[0] = (struct vring_desc){ MF_TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0 };
}

static void mf_indirect_with_next(struct vm *vm, struct vring_desc *d,
				  struct vring_avail *a)
{
	(void)a;
	mf_table(vm)[0] = (struct vring_desc){ MF_DATA_GPA, 16, 0, 0 };
	d[0] = (struct vring_desc){ MF_TABLE_GPA, 16,
				    VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1 };
	d[1] = (struct vring_desc){ MF_DATA_GPA, 16, 0, 0 };
}

static void mf_indirect_bad_len(struct vm *vm, struct vring_desc *d,
				struct vring_avail *a)
{
	(void)a;
	mf_table(vm)[0] = (struct vring_desc){ MF_DATA_GPA, 16, 0, 0 };
	d[0] = (struct vring_desc){ MF_TABLE_GPA, 24, VRING_DESC_F_INDIRECT, 0 };
}

static void mf_indirect_zero_len(struct vm *vm, struct vring_desc *d,
				 struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ MF_TABLE_GPA, 0, VRING_DESC_F_INDIRECT, 0 };
}

static void mf_indirect_too_big(struct vm *vm, struct vring_desc *d,
				struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ MF_TABLE_GPA, 16 * 1025,
				    VRING_DESC_F_INDIRECT, 0 };
}

static void mf_indirect_outside_memory(struct vm *vm, struct vring_desc *d,
				       struct vring_avail *a)
{
	(void)vm;
	(void)a;
	d[0] = (struct vring_desc){ VM_MEM_SIZE - 16, 32,
				    VRING_DESC_F_INDIRECT, 0 };
}

static void mf_indirect_next_out_of_table(struct vm *vm, struct vring_desc *d,
					  struct vring_avail *a)
{
	(void)a;
	mf_table(vm)[0] = (struct vring_desc){ MF_DATA_GPA, 16,
					       VRING_DESC_F_NEXT, 2 };
	mf_table(vm)[1] = (struct vring_desc){ MF_DATA_GPA, 16, 0, 0 };
	d[0] = (struct vring_desc){ MF_TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0 };
}

static void mf_indirect_loop(struct vm *vm, struct vring_desc *d,
			     struct vring_avail *a)
{
	struct vring_desc *t = mf_table(vm);
	int i;

	(void)a;
	/* 1024 entries, the last pointing back to the first. */
	for (i = 0; i < 1024; i++)
		t[i] = (struct vring_desc){ MF_DATA_GPA, 1, VRING_DESC_F_NEXT,
					    (i + 1) % 1024 };
	d[0] = (struct vring_desc){ MF_TABLE_GPA, 16 * 1024,
				    VRING_DESC_F_INDIRECT, 0 };
}

static void mf_used_idx_lie(struct vm *vm, struct vring_desc *d,
			    struct vring_avail *a)
{
	/* The avail index jumps backwards by more than the ring. */
	(void)vm;
	d[0] = (struct vring_desc){ MF_DATA_GPA, 16, 0, 0 };
	a->idx = 0x8000;
}

static const struct malformed malformed_rings[] = {
	{ "avail index past the ring", 0, HB_RING_ERR_AVAIL_IDX, mf_avail_past_size },
	{ "avail index far away", 0, HB_RING_ERR_AVAIL_IDX, mf_used_idx_lie },
	{ "head >= num", 0, HB_RING_ERR_HEAD, mf_head_out_of_range },
	{ "next >= num", 0, HB_RING_ERR_HEAD, mf_next_out_of_range },
	{ "buffer outside memory", 0, HB_RING_ERR_ADDR, mf_outside_memory },
	{ "buffer across the slot end", 0, HB_RING_ERR_ADDR, mf_straddles_slot_end },
	{ "buffer wraps the address space", 0, HB_RING_ERR_ADDR, mf_wraps_address_space },
	{ "writable buffer in a read-only slot", 0, HB_RING_ERR_ADDR,
	  mf_writable_in_readonly_slot },
	{ "loop in the next chain", 0, HB_RING_ERR_LOOP, mf_loop },
	{ "descriptor chained to itself", 0, HB_RING_ERR_LOOP, mf_self_loop },
	{ "writable then readable", 0, HB_RING_ERR_ORDER, mf_write_then_read },
	{ "indirect not negotiated", 0, HB_RING_ERR_INDIRECT, mf_indirect_not_negotiated },
	{ "nested indirect", HB_RING_F_INDIRECT_DESC, HB_RING_ERR_INDIRECT,
	  mf_indirect_nested },
	{ "indirect with NEXT", HB_RING_F_INDIRECT_DESC, HB_RING_ERR_INDIRECT,
	  mf_indirect_with_next },
	{ "indirect len % 16", HB_RING_F_INDIRECT_DESC, HB_RING_ERR_INDIRECT,
	  mf_indirect_bad_len },
	{ "indirect len 0", HB_RING_F_INDIRECT_DESC, HB_RING_ERR_INDIRECT,
	  mf_indirect_zero_len },
	{ "indirect table over 1024 entries", HB_RING_F_INDIRECT_DESC,
	  HB_RING_ERR_INDIRECT, mf_indirect_too_big },
	{ "indirect table outside memory", HB_RING_F_INDIRECT_DESC,
	  HB_RING_ERR_ADDR, mf_indirect_outside_memory },
	{ "indirect next outside the table", HB_RING_F_INDIRECT_DESC,
	  HB_RING_ERR_INDIRECT, mf_indirect_next_out_of_table },
	{ "loop inside an indirect table", HB_RING_F_INDIRECT_DESC,
	  HB_RING_ERR_LOOP, mf_indirect_loop },
};

static void guest_still_alive(void)
{
	GUEST_SYNC(0x600d);
	GUEST_DONE();
}

HB_TEST(malformed_rings_break_only_the_ring)
{
	char *base;
	struct vring_desc *d;
	struct vring_avail *a;
	struct vring_used *u;
	struct hb_ring_config c;
	struct hb_ring_stats s;
	struct hb_ring_state st;
	int kick = new_eventfd(), ring;
	struct vcpu *vcpu;
	unsigned int i;
	struct vm *vm;

	vm = ring_vm(guest_still_alive, &vcpu);
	vm_add_slot(vm, 1, HB_MEM_READONLY, RO_SLOT_GPA, 0x1000);
	base = addr_gpa2hva(vm, RING_GPA);
	d = (void *)(base + vring_desc_off(MF_NUM));
	a = (void *)(base + vring_avail_off(MF_NUM));
	u = (void *)(base + vring_used_off(MF_NUM));

	for (i = 0; i < sizeof(malformed_rings) / sizeof(malformed_rings[0]); i++) {
		const struct malformed *m = &malformed_rings[i];

		memset(base, 0, vring_size(MF_NUM));
		memset(mf_table(vm), 0, 16 * 1025);
		a->idx = 1;
		a->ring[0] = 0;
		m->build(vm, d, a);
		c = ring_config(RING_GPA, MF_NUM, m->features, kick, -1);
		ring = ring_create(vm, &c);
		/* A new ring looks at the queue at once: no kick needed. */
		TEST_ASSERT(ring_wait_broken(ring, 5000),
			    "%s: no EPOLLERR on the ring fd", m->name);
		s = ring_stats(ring);
		TEST_ASSERT(s.state == HB_RING_STATE_BROKEN && s.error == m->error,
			    "%s: state %u error %u, expected broken with %u",
			    m->name, s.state, s.error, m->error);
		TEST_ASSERT(u->idx == 0 && s.chains == 0,
			    "%s: a chain was consumed", m->name);
		/* A kick does not revive it; stop reports the state. */
		eventfd_kick(kick);
		TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
		TEST_ASSERT_EQ(st.state, HB_RING_STATE_BROKEN);
		TEST_ASSERT_EQ(st.last_avail_idx, 0);
		close(ring);
	}

	/* Userspace repairs a broken ring and restarts it. */
	memset(base, 0, vring_size(MF_NUM));
	d[0] = (struct vring_desc){ MF_DATA_GPA, 16, VRING_DESC_F_NEXT, 1 };
	d[1] = (struct vring_desc){ MF_DATA_GPA + 0x100, 16, VRING_DESC_F_WRITE, 0 };
	a->ring[0] = 0;
	a->ring[1] = 0;
	a->idx = 2;
	d[2] = (struct vring_desc){ 0x80000000ull, 16, 0, 0 };
	a->ring[1] = 2;
	c = ring_config(RING_GPA, MF_NUM, 0, kick, -1);
	ring = ring_create(vm, &c);
	TEST_ASSERT(ring_wait_broken(ring, 5000), "no EPOLLERR");
	s = ring_stats(ring);
	TEST_ASSERT_EQ(s.chains, 1);
	TEST_ASSERT_EQ(s.error, HB_RING_ERR_ADDR);
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
	TEST_ASSERT_EQ(st.state, HB_RING_STATE_BROKEN);
	TEST_ASSERT_EQ(st.last_avail_idx, 1);
	TEST_ASSERT_EQ(st.used_idx, 1);
	a->ring[1] = 0;
	st.state = 0;		/* HB_RING_START takes only the indexes */
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_START, &st));
	ring_wait_chains(ring, 2, 5000);
	TEST_ASSERT_EQ(u->idx, 2);
	s = ring_stats(ring);
	TEST_ASSERT_EQ(s.state, HB_RING_STATE_RUNNING);
	TEST_ASSERT_EQ(s.error, 0);
	TEST_ASSERT(!ring_wait_broken(ring, 0), "EPOLLERR after the restart");
	close(ring);

	/* The VM never noticed. */
	vcpu_run_expect_sync(vcpu, 0x600d);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	close(kick);
}

/*
 * One chain may describe far more bytes than the guest has: 64 readable
 * and 64 writable descriptors each covering all 32 MiB of slot 0 ask the
 * loopback worker to copy 2 GiB. Stopping the ring (or closing it, or the
 * VMM exiting) must not wait for that copy to end.
 */
#define HUGE_NUM	128	/* 2 GiB; 16 (256 MiB) under Bochs */

HB_TEST_TIMEOUT(huge_chain_does_not_hold_up_ring_stop, 170)
{
	int kick = new_eventfd(), ring, i, len = HUGE_NUM;
	struct hb_ring_config c;
	struct hb_ring_state st;
	struct hb_ring_stats s;
	struct vring_desc *d;
	struct vring_avail *a;
	struct vcpu *vcpu;
	uint64_t t0, t1;
	char *base;
	struct vm *vm;

	vm = ring_vm(guest_still_alive, &vcpu);
	base = addr_gpa2hva(vm, RING_GPA);
	memset(base, 0, vring_size(HUGE_NUM));
	d = (void *)(base + vring_desc_off(HUGE_NUM));
	a = (void *)(base + vring_avail_off(HUGE_NUM));
	if (on_vmx())
		len = 16;
	/* The same bytes read and written back in place: harmless, long. */
	for (i = 0; i < len; i++)
		d[i] = (struct vring_desc){
			0, VM_MEM_SIZE,
			(i >= len / 2 ? VRING_DESC_F_WRITE : 0) |
			(i + 1 < len ? VRING_DESC_F_NEXT : 0),
			i + 1 < len ? i + 1 : 0 };
	a->ring[0] = 0;
	a->idx = 1;
	c = ring_config(RING_GPA, HUGE_NUM, 0, kick, -1);
	ring = ring_create(vm, &c);
	usleep(300 * 1000);
	t0 = now_ms();
	TEST_ASSERT_OK(__hb_ioctl(ring, HB_RING_STOP, &st));
	t1 = now_ms();
	s = ring_stats(ring);
	test_log("HB_RING_STOP took %llu ms; chains done %llu",
		 (unsigned long long)(t1 - t0), (unsigned long long)s.chains);
	TEST_ASSERT(t1 - t0 < 2000,
		    "HB_RING_STOP waited %llu ms for one %llu MiB chain to be copied",
		    (unsigned long long)(t1 - t0),
		    (unsigned long long)(len / 2 * (VM_MEM_SIZE >> 20)));
	close(ring);
	vcpu_run_expect_sync(vcpu, 0x600d);
	vm_free(vm);
	close(kick);
}

/*
 * A stream backend whose wait queue can go away under the ring: a
 * signalfd's lives in the creating process's sighand, freed with a
 * POLLFREE wake-up when that process exits. The ring must let go then
 * (or refuse such fds); ignoring POLLFREE leaves its wait entry on freed
 * memory (the kernel WARNs in __wake_up_pollfree, then a use after free
 * when the ring is closed). A module that accepts the signalfd fails the
 * test at once; letting the creator die with the ring alive is opt-in
 * (hb.ring_pollfree=1 on the guest kernel command line): it can take the
 * test guest down.
 */
static bool cmdline_has(const char *word)
{
	char buf[4096] = "";
	FILE *f = fopen("/proc/cmdline", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, word) != NULL;
}

/* Whether the kernel log (dmesg) mentions @what. */
static bool kernel_log_has(const char *what)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	bool found;
	char *buf;

	TEST_ASSERT(len > 0, "klogctl: %s", strerror(errno));
	buf = calloc(1, len + 1);
	TEST_ASSERT(buf, "calloc");
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	TEST_ASSERT(len >= 0, "klogctl: %s", strerror(errno));
	found = strstr(buf, what) != NULL;
	free(buf);
	return found;
}

HB_TEST(stream_backend_on_a_signalfd_of_an_exiting_process)
{
	int sv[2], status;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	char byte = 0;
	int ring, kick;
	pid_t pid;

	require_cap(HB_CAP_RING, "HB_CAP_RING");
	TEST_ASSERT(!socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv),
		    "socketpair");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct hb_ring_config c;
		struct vcpu *vcpu;
		struct vm *vm;
		sigset_t mask;
		int sfd;

		sigemptyset(&mask);
		sigaddset(&mask, SIGUSR2);
		sigprocmask(SIG_BLOCK, &mask, NULL);
		sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
		TEST_ASSERT(sfd >= 0, "signalfd");
		vm = ring_vm(guest_still_alive, &vcpu);
		kick = new_eventfd();
		c = ring_config(RING_GPA, 8, 0, kick, -1);
		c.backend = HB_RING_BACKEND_STREAM;
		c.backend_fd = sfd;
		ring = _ring_create(vm, &c);
		if (ring < 0)
			_exit(100);	/* refused: fine */
		/* Accepted: only reproduce the fallout when asked to. */
		if (!cmdline_has("hb.ring_pollfree=1")) {
			close(ring);
			_exit(101);
		}
		iov = (struct iovec){ &byte, 1 };
		msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
				       .msg_control = cbuf,
				       .msg_controllen = sizeof(cbuf) };
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &ring, sizeof(int));
		TEST_ASSERT(sendmsg(sv[1], &msg, 0) == 1, "sendmsg");
		_exit(0);	/* sighand freed: POLLFREE */
	}
	TEST_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 100) {
		close(sv[0]);
		close(sv[1]);
		return;		/* the module refused a signalfd backend */
	}
	TEST_ASSERT(!WIFEXITED(status) || WEXITSTATUS(status) != 101,
		    "a signalfd was accepted as a stream backend (its wait queue dies with its process: POLLFREE); hb.ring_pollfree=1 on the guest command line reproduces the fallout");
	TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
		    "child status 0x%x", status);
	iov = (struct iovec){ &byte, 1 };
	msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
			       .msg_control = cbuf,
			       .msg_controllen = sizeof(cbuf) };
	TEST_ASSERT(recvmsg(sv[0], &msg, 0) == 1, "recvmsg");
	cm = CMSG_FIRSTHDR(&msg);
	TEST_ASSERT(cm && cm->cmsg_type == SCM_RIGHTS, "no fd passed");
	memcpy(&ring, CMSG_DATA(cm), sizeof(int));
	/*
	 * The ring outlived its backend's wait queue. Had it ignored the
	 * POLLFREE wake-up, the kernel has just said so (WARN_ON_ONCE in
	 * __wake_up_pollfree, from the child's reaping above).
	 */
	TEST_ASSERT(!kernel_log_has("__wake_up_pollfree"),
		    "the ring ignored POLLFREE from its signalfd backend (kernel WARNING in __wake_up_pollfree)");
	close(ring);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* HB_CREATE_RING argument checks                                      */
/* ------------------------------------------------------------------ */

HB_TEST(bad_ring_configs_give_the_exact_errno)
{
	int kick = new_eventfd(), pipefd[2], blocking[2], ro, fds[64], i;
	struct hb_ring_config c, ok;
	struct vcpu *vcpu;
	char path[64];
	struct vm *vm;
	int ring;

	vm = ring_vm(guest_still_alive, &vcpu);
	vm_add_slot(vm, 1, HB_MEM_READONLY, RO_SLOT_GPA, 0x10000);
	TEST_ASSERT(!pipe2(pipefd, O_CLOEXEC | O_NONBLOCK), "pipe2");
	TEST_ASSERT(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, blocking),
		    "socketpair");
	ok = ring_config(RING_GPA, QSIZE, 0, kick, -1);

#define EXPECT(field_change, err)					\
	do {								\
		c = ok;							\
		field_change;						\
		TEST_ASSERT_ERRNO(_ring_create(vm, &c), err);		\
	} while (0)

	EXPECT(c.num = 0, EINVAL);
	EXPECT(c.num = 3, EINVAL);
	EXPECT(c.num = 48, EINVAL);
	EXPECT(c.num = HB_RING_MAX_SIZE * 2, EINVAL);
	EXPECT(c.desc_gpa += 8, EINVAL);
	EXPECT(c.avail_gpa += 1, EINVAL);
	EXPECT(c.used_gpa += 2, EINVAL);
	EXPECT(c.features = 1ull << 0, EINVAL);
	EXPECT(c.features = 1ull << 32, EINVAL);
	EXPECT(c.backend = 3, EINVAL);
	EXPECT(c.backend_fd = pipefd[0], EINVAL);
	EXPECT(c.reserved[5] = 1, EINVAL);
	/* Rings outside the slots, across a slot end, or not writable. */
	EXPECT(c.desc_gpa = 0x80000000ull, EFAULT);
	EXPECT(c.avail_gpa = VM_MEM_SIZE - 4, EFAULT);
	EXPECT(c.used_gpa = VM_MEM_SIZE - 8, EFAULT);
	EXPECT(c.used_gpa = RO_SLOT_GPA, EFAULT);
	/* With EVENT_IDX the avail ring ends in used_event: 2 bytes more. */
	EXPECT((c.features = HB_RING_F_EVENT_IDX,
		c.avail_gpa = VM_MEM_SIZE - 4 - 2 * QSIZE), EFAULT);
	/* Eventfds. */
	EXPECT(c.kick_fd = -1, EBADF);
	EXPECT(c.kick_fd = pipefd[0], EINVAL);
	EXPECT(c.call_fd = pipefd[0], EINVAL);
	EXPECT(c.call_fd = 1000, EBADF);
	/* Backend fds: present, non-blocking, readable and writable. */
	EXPECT(c.backend = HB_RING_BACKEND_STREAM, EBADF);
	EXPECT(c.backend = HB_RING_BACKEND_TAP, EBADF);
	EXPECT((c.backend = HB_RING_BACKEND_STREAM, c.backend_fd = 1000), EBADF);
	EXPECT((c.backend = HB_RING_BACKEND_STREAM, c.backend_fd = blocking[0]),
	       EINVAL);
	EXPECT((c.backend = HB_RING_BACKEND_STREAM, c.backend_fd = pipefd[0]),
	       EINVAL);
	EXPECT((c.backend = HB_RING_BACKEND_STREAM, c.backend_fd = pipefd[1]),
	       EINVAL);
	/* Only pipes, sockets, ttys and taps: an eventfd is none of them. */
	EXPECT((c.backend = HB_RING_BACKEND_STREAM, c.backend_fd = kick), EINVAL);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pipefd[0]);
	ro = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	TEST_ASSERT(ro >= 0, "reopen");
	EXPECT((c.backend = HB_RING_BACKEND_STREAM, c.backend_fd = ro), EINVAL);
#undef EXPECT

	/* The same avail ring without EVENT_IDX fits; so does the biggest ring. */
	c = ok;
	c.avail_gpa = VM_MEM_SIZE - 4 - 2 * QSIZE;
	close(ring_create(vm, &c));
	c = ok;
	c.num = HB_RING_MAX_SIZE;
	c.desc_gpa = RING_GPA;
	c.avail_gpa = RING_GPA + 16 * HB_RING_MAX_SIZE;
	c.used_gpa = RING_GPA + 0x100000;
	close(ring_create(vm, &c));

	/* Descriptor and avail rings may live in read-only memory. */
	c = ok;
	c.desc_gpa = RO_SLOT_GPA;
	c.avail_gpa = RO_SLOT_GPA + 0x8000;
	ring = ring_create(vm, &c);
	close(ring);

	/* At most 64 rings per VM. */
	for (i = 0; i < 64; i++)
		fds[i] = ring_create(vm, &ok);
	TEST_ASSERT_ERRNO(_ring_create(vm, &ok), ENOSPC);
	for (i = 0; i < 64; i++)
		close(fds[i]);
	ring = ring_create(vm, &ok);
	close(ring);

	vcpu_run_expect_sync(vcpu, 0x600d);
	vm_free(vm);
	close(kick);
	close(ro);
	close(pipefd[0]);
	close(pipefd[1]);
	close(blocking[0]);
	close(blocking[1]);
}

/* ------------------------------------------------------------------ */
/* Teardown under load                                                 */
/* ------------------------------------------------------------------ */

/* Guest: keeps the ring full and kicks without end (ring 1 and 2). */
static void guest_flood(void)
{
	static struct vring_guest vq2;
	uint8_t *out = (uint8_t *)BUF_GPA;
	struct vring_sg sg[2] = {
		{ (uint64_t)out, 4096 }, { (uint64_t)out + 0x100000, 4096 },
	};

	vring_guest_init(&vq, QSIZE, RING_GPA, false, VRING_NOTIFY_PIO16,
			 DOORBELL_PORT, 0);
	vq.relax = guest_yield;
	vring_guest_init(&vq2, QSIZE, RING2_GPA, true, VRING_NOTIFY_PIO16,
			 DOORBELL_PORT + 2, 0);
	GUEST_SYNC(1);
	for (;;) {
		while (vring_guest_add(&vq, sg, 1, 1, NULL) >= 0)
			;
		while (vring_guest_add(&vq2, sg, 1, 1, NULL) >= 0)
			;
		vring_guest_kick(&vq);
		vring_guest_kick(&vq2);
		while (vring_guest_get_used(&vq, NULL) >= 0)
			;
		while (vring_guest_get_used(&vq2, NULL) >= 0)
			;
	}
}

struct flood {
	struct vm *vm;
	struct vcpu *vcpu;
	int kick[2], call, ring[2];
	struct runner runner;
};

static void flood_start(struct flood *f)
{
	struct sigaction sa = { .sa_handler = nop_handler };
	struct hb_ring_config c;
	int i;

	sigaction(SIGUSR1, &sa, NULL);
	f->vm = ring_vm(guest_flood, &f->vcpu);
	f->call = new_eventfd();
	TEST_ASSERT_OK(_irqfd(f->vm, f->call, RING_VECTOR, 0, 0));
	vm_install_exception_handler(f->vm, RING_VECTOR, ring_irq_handler);
	for (i = 0; i < 2; i++) {
		f->kick[i] = new_eventfd();
		TEST_ASSERT_OK(_doorbell(f->vm, HB_DOORBELL_PIO,
					 DOORBELL_PORT + 2 * i, 2, 0,
					 f->kick[i]));
		c = ring_config(i ? RING2_GPA : RING_GPA, QSIZE,
				i ? HB_RING_F_EVENT_IDX : 0, f->kick[i],
				f->call);
		f->ring[i] = ring_create(f->vm, &c);
	}
	vcpu_run_expect_sync(f->vcpu, 1);
	runner_start(&f->runner, f->vcpu);
	/* Let it build up: the workers must be busy. */
	ring_wait_chains(f->ring[0], 2 * QSIZE, 20000);
	ring_wait_chains(f->ring[1], 2 * QSIZE, 20000);
}

static void expect_no_live_objects(void)
{
	const char *const names[] = { "rings", "vms", "vcpus", "mapped_pages" };
	unsigned int i, tries;
	uint64_t v = 0;

	for (i = 0; i < 4; i++) {
		/* Final fputs of a dying process may lag a little. */
		for (tries = 0; tries < 100; tries++) {
			v = require_counter(names[i]);
			if (!v)
				break;
			usleep(10000);
		}
		TEST_ASSERT(!v, "debugfs hyperbox/%s = %llu", names[i],
			    (unsigned long long)v);
	}
}

/* Every fd closed, one by one, while the guest floods both rings. */
HB_TEST(teardown_closing_every_fd_while_the_worker_is_busy)
{
	struct flood f;
	int i;

	flood_start(&f);
	/* The ring fds first: their workers are in the middle of a batch. */
	close(f.ring[0]);
	close(f.kick[0]);
	close(f.call);
	usleep(100 * 1000);
	TEST_ASSERT(!f.runner.done, "the vCPU stopped on its own: %s",
		    exit_describe(f.vcpu));
	close(f.ring[1]);
	close(f.kick[1]);
	/* Then the vCPU, out of HB_RUN by a signal. */
	for (i = 0; i < 100 && !f.runner.done; i++) {
		pthread_kill(f.runner.thread, SIGUSR1);
		usleep(10000);
	}
	TEST_ASSERT_ERRNO(runner_join(&f.runner, 5000), EINTR);
	vm_free(f.vm);
	expect_no_live_objects();
}

/* The process dies (SIGKILL) with the vCPU in HB_RUN and the workers busy. */
HB_TEST(teardown_by_process_death_while_the_worker_is_busy)
{
	int status;
	pid_t pid;

	require_cap(HB_CAP_RING, "HB_CAP_RING");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct flood f;

		flood_start(&f);
		kill(getpid(), SIGKILL);
		for (;;)
			pause();
	}
	TEST_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	TEST_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		    "the flooding child ended with status 0x%x", status);
	expect_no_live_objects();
}

/*
 * The worker spends CPU on the guest's behalf; like vhost's worker it
 * must be accounted to the VMM's cgroups (cpu.max, pids), not run in the
 * root cgroup where a guest flooding its ring escapes every limit.
 */
static void read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	TEST_ASSERT(f, "%s: %s", path, strerror(errno));
	if (!fgets(buf, len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

/* The pid of kernel thread @name, or 0. */
static pid_t find_kthread(const char *name)
{
	struct dirent *de;
	char path[64], comm[64];
	pid_t pid = 0;
	DIR *dir = opendir("/proc");

	TEST_ASSERT(dir, "/proc");
	while (!pid && (de = readdir(dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		FILE *f = fopen(path, "re");

		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = 0;
			/* comm is cut at 15 characters: one ring is alive. */
			if (!strncmp(comm, name, 15))
				pid = atoi(de->d_name);
		}
		fclose(f);
	}
	closedir(dir);
	return pid;
}

HB_TEST(ring_worker_runs_in_the_vmm_cgroup)
{
	char mine[256], theirs[256], path[128], name[32];
	struct hb_ring_config c;
	struct vcpu *vcpu;
	struct vm *vm;
	int kick, ring, id;
	pid_t worker;
	FILE *f;

	vm = ring_vm(guest_still_alive, &vcpu);
	if (access("/sys/fs/cgroup/cgroup.procs", W_OK))
		test_skip("no writable cgroup2 hierarchy at /sys/fs/cgroup");
	mkdir("/sys/fs/cgroup/hb-ring-test", 0755);
	f = fopen("/sys/fs/cgroup/hb-ring-test/cgroup.procs", "we");
	TEST_ASSERT(f, "cgroup.procs: %s", strerror(errno));
	fprintf(f, "%d\n", getpid());
	TEST_ASSERT(!fclose(f), "moving into hb-ring-test: %s", strerror(errno));

	kick = new_eventfd();
	c = ring_config(RING_GPA, 8, 0, kick, -1);
	ring = ring_create(vm, &c);
	/* The ring's id: the newest entry of debugfs hyperbox/ring. */
	{
		struct dirent *de;
		DIR *dir = opendir("/sys/kernel/debug/hyperbox/ring");

		id = 0;
		TEST_ASSERT(dir, "debugfs ring dir");
		while ((de = readdir(dir)))
			if (atoi(de->d_name) > id)
				id = atoi(de->d_name);
		closedir(dir);
	}
	snprintf(name, sizeof(name), "hyperbox-ring/%d", id);
	worker = find_kthread(name);
	TEST_ASSERT(worker > 0, "no thread named %s", name);
	read_first_line("/proc/self/cgroup", mine, sizeof(mine));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", worker);
	read_first_line(path, theirs, sizeof(theirs));
	close(ring);
	vm_free(vm);
	close(kick);
	/* Back to the root cgroup, and tidy up (best effort). */
	f = fopen("/sys/fs/cgroup/cgroup.procs", "we");
	if (f) {
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	rmdir("/sys/fs/cgroup/hb-ring-test");
	TEST_ASSERT(!strcmp(mine, theirs),
		    "the ring worker %s runs in cgroup '%s', the VMM in '%s'",
		    name, theirs, mine);
}

/* ------------------------------------------------------------------ */
/* Counters                                                            */
/* ------------------------------------------------------------------ */

HB_TEST(ring_counters_are_back_to_zero)
{
	struct dirent *de;
	int entries = 0;
	DIR *dir;

	require_cap(HB_CAP_RING, "HB_CAP_RING");
	expect_no_live_objects();
	dir = opendir("/sys/kernel/debug/hyperbox/ring");
	TEST_ASSERT(dir, "/sys/kernel/debug/hyperbox/ring: %s", strerror(errno));
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			entries++;
	closedir(dir);
	TEST_ASSERT_EQ(entries, 0);
}
