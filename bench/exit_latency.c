// SPDX-License-Identifier: GPL-2.0
/*
 * exit-latency: round-trip time of (a) a guest port I/O exit to userspace
 * and back, (b) a hypercall answered inside the kernel and (c) an MMIO
 * write exit to userspace and back (decoded by the hypervisor), on
 * hyperbox and on KVM, and the ratio hyperbox/KVM; for each hypervisor
 * also (a)/(b), the cost of leaving the kernel (the only ratio under
 * Bochs, where no KVM runs next to the VMX backend).
 *
 *   exit-latency [--hyperbox] [--kvm] [-n ROUND_TRIPS] [--only EXIT]
 *
 * With neither flag it measures whatever is available (both hyperbox.ko
 * and kvm-amd may be loaded at once: each enables SVM only while it has
 * VMs) and prints the ratios when it has both. Under QEMU TCG the times
 * measure emulated instruction path length, not hardware latency.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../user/vmm/cpu_mode.h"
#include "exit_latency.h"

#define DEFAULT_ROUND_TRIPS	10000
/*
 * Report the fastest of BATCHES batches: the emulated path length is fixed,
 * other load on the host (parallel builds, other QEMUs) only ever adds.
 */
#define BATCHES			5
#define TARGET_RATIO		0.6

enum { PIO, HYPERCALL, MMIO, NR_KINDS };
static const char *const kind_names[NR_KINDS] = {
	"pio-exit", "hypercall", "mmio-exit",
};

/* 64-bit first: what OS guests run, and what the targets are about. */
static const enum bench_mode bench_modes[] = { BENCH_LONG_MODE,
					       BENCH_REAL_MODE };
#define NR_MODES	2
static const char *const mode_suffix[NR_MODES] = { "", "-real" };

struct result {
	const struct bench_backend *be;
	int failed;
	double us[NR_MODES][NR_KINDS];	/* fastest batch; 0: not measured */
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The exit that broke a loop, for the error message. */
static struct bench_exit last_exit;

static int expect_port(const struct bench_exit *exit, int port)
{
	if (exit->port == port)
		return 0;
	last_exit = *exit;
	return -EPROTO;
}

static int expect_mmio(const struct bench_exit *exit)
{
	if (exit->mmio_gpa == MMIO_GPA)
		return 0;
	last_exit = *exit;
	return -EPROTO;
}

static uint16_t blob_offset(const char *entry)
{
	return (uint16_t)(entry - guest_blob_start);
}

/* Where @kind's loop starts in the blob, for @mode. */
static uint16_t loop_entry(enum bench_mode mode, int kind)
{
	static const char *const entries[2][NR_KINDS] = {
		[BENCH_REAL_MODE] = { guest_pio_loop, guest_hypercall_loop,
				      guest_mmio_loop },
		[BENCH_LONG_MODE] = { guest64_pio_loop, guest64_hypercall_loop,
				      guest64_mmio_loop },
	};

	return blob_offset(entries[mode][kind]);
}

void bench_guest_image(void *mem)
{
	memcpy((char *)mem + GUEST_CODE_GPA, guest_blob_start,
	       guest_blob_end - guest_blob_start);
}

int bench_guest_sregs(enum bench_mode mode, void *mem,
		      struct hb_sregs *sregs)
{
	struct vmm_mode_setup setup = {
		.mode = mode == BENCH_LONG_MODE ? VMM_MODE_LONG : VMM_MODE_REAL,
		.mem = mem,
		.mem_size = GUEST_MEM_SIZE,
		.entry = GUEST_CODE_GPA,
	};
	struct hb_err err = { 0 };
	struct hb_regs regs;	/* set_entry() sets what the loops use */

	if (vmm_cpu_mode_setup(&setup, &regs, sregs, &err))
		return -EINVAL;
	if (mode == BENCH_LONG_MODE) {
		sregs->cr0 = GUEST64_CR0;
		sregs->cr4 = GUEST64_CR4;
	}
	return 0;
}

/*
 * One batch of @n PIO or MMIO round trips (@kind); returns microseconds per
 * round trip.
 */
static int exit_loop_batch(const struct bench_backend *be,
			   struct bench_vcpu *v, enum bench_mode mode,
			   int kind, unsigned int n, double *us)
{
	struct bench_exit exit;
	double t0;
	unsigned int i;
	int ret;

	ret = be->set_entry(v, loop_entry(mode, kind), 0, 0);
	if (ret)
		return ret;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		ret = be->run(v, &exit);
		if (!ret)
			ret = kind == MMIO ? expect_mmio(&exit) :
					     expect_port(&exit, PORT_PIO_LOOP);
		if (ret)
			return ret;
	}
	*us = (now_us() - t0) / n;
	return 0;
}

/* @n in-kernel hypercalls, then one exit to say the loop is done. */
static int hypercall_batch(const struct bench_backend *be,
			   struct bench_vcpu *v, enum bench_mode mode,
			   unsigned int n, double *us)
{
	struct bench_exit exit;
	double t0;
	int ret;

	ret = be->set_entry(v, loop_entry(mode, HYPERCALL), n,
			    be->in_kernel_hypercall);
	if (ret)
		return ret;
	t0 = now_us();
	ret = be->run(v, &exit);
	if (!ret)
		ret = expect_port(&exit, PORT_DONE);
	if (ret)
		return ret;
	*us = (now_us() - t0) / n;
	return 0;
}

/* One batch of @n round trips of @kind, the vCPU redirected to its loop. */
static int measure_batch(const struct bench_backend *be, struct bench_vcpu *v,
			 enum bench_mode mode, int kind, unsigned int n,
			 double *us)
{
	return kind == HYPERCALL ? hypercall_batch(be, v, mode, n, us) :
				   exit_loop_batch(be, v, mode, kind, n, us);
}

static void report_error(const struct bench_backend *be, int m, int kind,
			 int ret)
{
	if (ret == -EPROTO)
		fprintf(stderr, "exit-latency: %s %s%s: unexpected exit %u (port %d)\n",
			be->name, kind_names[kind], mode_suffix[m],
			last_exit.reason, last_exit.port);
	else
		fprintf(stderr, "exit-latency: %s %s%s on %s: %s\n", be->name,
			kind_names[kind], mode_suffix[m], be->device,
			strerror(-ret));
}

/*
 * One backend at a time on one VM, in each guest mode in turn: a warm-up
 * batch per exit kind (fault in guest pages, settle TCG), then BATCHES
 * rounds of every kind; the fastest batch counts. Not batch by batch in
 * turns with fresh VMs: every KVM VM created or destroyed flips a static
 * key in __schedule, and QEMU 7.2's multi-threaded TCG was seen to keep
 * running the INT3 of such a patch after it was done, wedging the guest
 * (see bench/ring.c).
 */
static int bench_mode(struct result *res, struct bench_vcpu *v, int m,
		      unsigned int n, int only)
{
	const struct bench_backend *be = res->be;
	enum bench_mode mode = bench_modes[m];
	unsigned int round;
	double us;
	int kind, ret;

	ret = be->set_mode(v, mode);
	if (ret)
		report_error(be, m, PIO, ret);
	for (kind = 0; kind < NR_KINDS && !ret; kind++) {
		if (only >= 0 && kind != only)
			continue;
		ret = measure_batch(be, v, mode, kind, 100, &us);
		if (ret)
			report_error(be, m, kind, ret);
	}
	for (round = 0; round < BATCHES && !ret; round++) {
		for (kind = 0; kind < NR_KINDS && !ret; kind++) {
			if (only >= 0 && kind != only)
				continue;
			ret = measure_batch(be, v, mode, kind, n / BATCHES, &us);
			if (ret)
				report_error(be, m, kind, ret);
			else if (!res->us[m][kind] || us < res->us[m][kind])
				res->us[m][kind] = us;
		}
	}
	return ret;
}

static void bench_backend(struct result *res, const int *want_mode,
			  unsigned int n, int only)
{
	struct bench_vcpu *v;
	int m, kind, ret;

	ret = res->be->create(&v);
	if (ret) {
		report_error(res->be, 0, PIO, ret);
		res->failed = 1;
		return;
	}
	for (m = 0; m < NR_MODES && !res->failed; m++)
		if (want_mode[m] && bench_mode(res, v, m, n, only))
			res->failed = 1;
	res->be->destroy(v);
	for (m = 0; m < NR_MODES && !res->failed; m++)
		for (kind = 0; kind < NR_KINDS; kind++)
			if (res->us[m][kind])
				printf("%s %s%s %.3f us\n", res->be->name,
				       kind_names[kind], mode_suffix[m],
				       res->us[m][kind]);
	fflush(stdout);
}

static void print_ratios(const struct result *hb, const struct result *kvm)
{
	int m, kind;

	printf("# %-15s %12s %12s %8s  (target <= %.1f)\n", "exit",
	       "hyperbox us", "kvm us", "ratio", TARGET_RATIO);
	for (m = 0; m < NR_MODES; m++) {
		for (kind = 0; kind < NR_KINDS; kind++) {
			double h = hb->us[m][kind], k = kvm->us[m][kind];
			char name[32];

			if (!h || !k)
				continue;	/* not measured (--only, --mode) */
			snprintf(name, sizeof(name), "%s%s", kind_names[kind],
				 mode_suffix[m]);
			printf("ratio %s %.3f\n", name, h / k);
			printf("# %-15s %12.3f %12.3f %8.3f  %s\n", name, h, k,
			       h / k, h / k <= TARGET_RATIO ? "meets target" :
							      "above target");
		}
	}
}

/*
 * A port I/O exit goes out to userspace and back, a hypercall stays in
 * the kernel: their quotient is what leaving the kernel costs. Printed
 * for every hypervisor measured (first guest mode measured), so a run
 * without a peer (VMX under Bochs) has a ratio too.
 */
static void print_kernel_exit_cost(const struct result *res)
{
	int m;

	for (m = 0; m < NR_MODES; m++) {
		double pio = res->us[m][PIO], hc = res->us[m][HYPERCALL];

		if (!pio || !hc)
			continue;
		printf("userspace-cost %s %.2f\n", res->be->name, pio / hc);
		printf("# %s: a PIO exit to userspace takes %.2fx an in-kernel hypercall\n",
		       res->be->name, pio / hc);
		return;
	}
}

/*
 * Both hypervisors on the same CPU, the first this process may use. Under
 * QEMU the CPUs differ: Linux sets CR4.PSE on the boot CPU only (it means
 * nothing with PAE paging), and TCG flushes its software TLB on every
 * VMRUN and #VMEXIT that changes it, so the 64-bit guest (whose CR4 is the
 * boot CPU's) costs both more on the others, and a run that moved between
 * CPUs would compare one hypervisor's CPU with the other's.
 */
static int pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
		;
	if (cpu == CPU_SETSIZE)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: exit-latency [--hyperbox] [--kvm] [-n ROUND_TRIPS] [--only EXIT]\n"
		"                    [--mode long|real]\n"
		"Prints '<hypervisor> <exit> <microseconds> us' lines,\n"
		"'userspace-cost <hypervisor> <pio-exit/hypercall>' for each, and\n"
		"'ratio <exit> <hyperbox/kvm>' when both were measured.\n"
		"--only measures one exit kind (pio-exit, hypercall or mmio-exit).\n"
		"--mode long|real: only the guest in 64-bit mode with paging, or only\n"
		"in real mode (names end in -real); default: both.\n");
}

int main(int argc, char **argv)
{
	const struct bench_backend *backends[] = { &bench_hyperbox, &bench_kvm };
	int want[2] = { 0, 0 }, want_mode[NR_MODES] = { 1, 1 };
	int failed = 0, only = -1, i, k;
	unsigned int n = DEFAULT_ROUND_TRIPS, nr = 0, b;
	struct result res[2] = { 0 };

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hyperbox")) {
			want[0] = 1;
		} else if (!strcmp(argv[i], "--kvm")) {
			want[1] = 1;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			i++;
			for (k = 0; k < NR_KINDS; k++)
				if (!strcmp(argv[i], kind_names[k]))
					only = k;
			if (only < 0) {
				fprintf(stderr, "exit-latency: no exit kind `%s`\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "long")) {
				want_mode[1] = 0;
			} else if (!strcmp(argv[i], "real")) {
				want_mode[0] = 0;
			} else {
				fprintf(stderr, "exit-latency: no guest mode `%s` (long or real)\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (n < BATCHES) {
		fprintf(stderr, "exit-latency: -n must be at least %d\n", BATCHES);
		return 2;
	}
	printf("# exit-latency: %u round trips per exit kind in %d batches (fastest counts);\n"
	       "# the guest %s%s%s\n", n, BATCHES,
	       want_mode[0] ? "in 64-bit mode with paging" : "",
	       want_mode[0] && want_mode[1] ? ", then " : "",
	       want_mode[1] ? "in real mode (names end in -real)" : "");
	for (b = 0; b < 2; b++) {
		/* Without flags: whatever exists; absence is no failure then. */
		if (!want[0] && !want[1] && access(backends[b]->device, F_OK)) {
			printf("# %s: %s missing, skipped\n", backends[b]->name,
			       backends[b]->device);
			continue;
		}
		if (want[0] || want[1] ? want[b] : 1)
			res[nr++].be = backends[b];
	}
	i = pin_to_one_cpu();
	if (i >= 0)
		printf("# pinned to CPU %d, both hypervisors\n", i);
	for (b = 0; b < nr; b++)
		bench_backend(&res[b], want_mode, n, only);
	for (b = 0; b < nr; b++) {
		failed |= res[b].failed;
		print_kernel_exit_cost(&res[b]);
	}
	if (nr == 2 && !failed)
		print_ratios(&res[0], &res[1]);
	return failed ? 1 : 0;
}
