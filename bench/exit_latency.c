// SPDX-License-Identifier: GPL-2.0
/*
 * exit-latency: round-trip time of (a) a guest port I/O exit to userspace
 * and back and (b) a hypercall answered inside the kernel, on hyperbox
 * and on KVM, and the ratio hyperbox/KVM.
 *
 *   exit-latency [--hyperbox] [--kvm] [-n ROUND_TRIPS]
 *
 * With neither flag it measures whatever is available (both hyperbox.ko
 * and kvm-amd may be loaded at once: each enables SVM only while it has
 * VMs) and prints the ratios when it has both. Under QEMU TCG the times
 * measure emulated instruction path length, not hardware latency.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exit_latency.h"

#define DEFAULT_ROUND_TRIPS	10000
/*
 * Report the fastest of BATCHES batches: the emulated path length is fixed,
 * other load on the host (parallel builds, other QEMUs) only ever adds.
 */
#define BATCHES			5
#define TARGET_RATIO		0.6

enum { PIO, HYPERCALL, NR_KINDS };
static const char *const kind_names[NR_KINDS] = { "pio-exit", "hypercall" };

struct result {
	int measured;
	double us[NR_KINDS];
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

static uint16_t blob_offset(const char *entry)
{
	return (uint16_t)(entry - guest_blob_start);
}

/* One batch of @n PIO round trips; returns microseconds per round trip. */
static int pio_batch(const struct bench_backend *be, struct bench_vcpu *v,
		     unsigned int n, double *us)
{
	struct bench_exit exit;
	double t0;
	unsigned int i;
	int ret;

	ret = be->set_entry(v, blob_offset(guest_pio_loop), 0, 0);
	if (ret)
		return ret;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		ret = be->run(v, &exit);
		if (!ret)
			ret = expect_port(&exit, PORT_PIO_LOOP);
		if (ret)
			return ret;
	}
	*us = (now_us() - t0) / n;
	return 0;
}

/* @n in-kernel hypercalls, then one exit to say the loop is done. */
static int hypercall_batch(const struct bench_backend *be,
			   struct bench_vcpu *v, unsigned int n, double *us)
{
	struct bench_exit exit;
	double t0;
	int ret;

	ret = be->set_entry(v, blob_offset(guest_hypercall_loop), n,
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

/*
 * A fresh VM per exit kind: a vCPU stopped at an I/O exit still owes the
 * completion of that instruction, and redirecting it is backend-specific.
 */
static int measure(const struct bench_backend *be, int kind, unsigned int n,
		   double *best)
{
	double batch, warm;
	struct bench_vcpu *v;
	unsigned int i;
	int ret;

	ret = be->create(&v, guest_blob_start,
			 guest_blob_end - guest_blob_start);
	if (ret)
		return ret;
	/* Warm up: fault in guest pages, settle caches and TCG translation. */
	ret = kind == PIO ? pio_batch(be, v, 100, &warm) :
			    hypercall_batch(be, v, 100, &warm);
	*best = 0;
	for (i = 0; !ret && i < BATCHES; i++) {
		ret = kind == PIO ? pio_batch(be, v, n / BATCHES, &batch) :
				    hypercall_batch(be, v, n / BATCHES, &batch);
		if (!ret && (!*best || batch < *best))
			*best = batch;
	}
	be->destroy(v);
	return ret;
}

static int bench_one(const struct bench_backend *be, unsigned int n,
		     struct result *res)
{
	int kind, ret = 0;

	for (kind = 0; kind < NR_KINDS; kind++) {
		ret = measure(be, kind, n, &res->us[kind]);
		if (ret == -EPROTO) {
			fprintf(stderr, "exit-latency: %s %s: unexpected exit %u (port %d)\n",
				be->name, kind_names[kind], last_exit.reason,
				last_exit.port);
			break;
		}
		if (ret) {
			fprintf(stderr, "exit-latency: %s %s on %s: %s\n",
				be->name, kind_names[kind], be->device,
				strerror(-ret));
			break;
		}
		printf("%s %s %.3f us\n", be->name, kind_names[kind],
		       res->us[kind]);
	}
	res->measured = !ret;
	return ret;
}

static void print_ratios(const struct result *hb, const struct result *kvm)
{
	int kind;

	printf("# %-10s %12s %12s %8s  (target <= %.1f)\n", "exit",
	       "hyperbox us", "kvm us", "ratio", TARGET_RATIO);
	for (kind = 0; kind < NR_KINDS; kind++) {
		double ratio = hb->us[kind] / kvm->us[kind];

		printf("ratio %s %.3f\n", kind_names[kind], ratio);
		printf("# %-10s %12.3f %12.3f %8.3f  %s\n", kind_names[kind],
		       hb->us[kind], kvm->us[kind], ratio,
		       ratio <= TARGET_RATIO ? "meets target" : "above target");
	}
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: exit-latency [--hyperbox] [--kvm] [-n ROUND_TRIPS]\n"
		"Prints '<hypervisor> <exit> <microseconds> us' lines, and\n"
		"'ratio <exit> <hyperbox/kvm>' when both were measured.\n");
}

int main(int argc, char **argv)
{
	struct result hb = { 0 }, kvm = { 0 };
	unsigned int n = DEFAULT_ROUND_TRIPS;
	int want_hb = 0, want_kvm = 0, failed = 0, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hyperbox")) {
			want_hb = 1;
		} else if (!strcmp(argv[i], "--kvm")) {
			want_kvm = 1;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtoul(argv[++i], NULL, 0);
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
	printf("# exit-latency: %u round trips per exit kind, best of %d batches, real-mode guest\n",
	       n, BATCHES);
	if (!want_hb && !want_kvm) {
		/* Measure what exists; absence is not a failure here. */
		if (!access(bench_hyperbox.device, F_OK))
			failed |= bench_one(&bench_hyperbox, n, &hb) != 0;
		else
			printf("# hyperbox: %s missing, skipped\n", bench_hyperbox.device);
		if (!access(bench_kvm.device, F_OK))
			failed |= bench_one(&bench_kvm, n, &kvm) != 0;
		else
			printf("# kvm: %s missing, skipped\n", bench_kvm.device);
	} else {
		if (want_hb)
			failed |= bench_one(&bench_hyperbox, n, &hb) != 0;
		if (want_kvm)
			failed |= bench_one(&bench_kvm, n, &kvm) != 0;
	}
	if (hb.measured && kvm.measured)
		print_ratios(&hb, &kvm);
	return failed ? 1 : 0;
}
