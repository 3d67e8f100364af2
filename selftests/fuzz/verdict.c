// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's verdicts: live-object counters, kernel log splats, and a
 * last check that the module still runs an ordinary guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../../user/vmm/cpu_mode.h"
#include "fuzz.h"
#include "verdict.h"

#define HB_DEBUGFS	"/sys/kernel/debug/hyperbox"

/* The first four always exist; the others come with newer modules. */
static const char *const counters[] = {
	"vms", "vcpus", "mapped_pages", "tdp_tables", "rings", "doorbells",
	"irqfds", "ring_workers",
};

#define NR_REQUIRED	4

int verdict_counters_zero(char *why, size_t len)
{
	unsigned long long v;
	char path[128];
	size_t i, off = 0;
	int bad = 0;
	FILE *f;

	if (access(HB_DEBUGFS, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(path, sizeof(path), HB_DEBUGFS "/%s", counters[i]);
		f = fopen(path, "re");
		if (!f && i < NR_REQUIRED)
			return -ENOENT;
		if (!f)
			continue;
		if (fscanf(f, "%llu", &v) != 1)
			v = ~0ull;
		fclose(f);
		if (v)
			bad = 1;
		if (why && off < len)
			off += snprintf(why + off, len - off, "%s%s=%llu",
					i ? " " : "debugfs: ", counters[i], v);
	}
	return bad;
}

int verdict_counters_settle(char *why, size_t len)
{
	char buf[256];
	int i, ret = 0;

	for (i = 0; i < 200; i++) {
		ret = verdict_counters_zero(buf, sizeof(buf));
		if (ret <= 0)
			return 0;
		usleep(10000);
	}
	snprintf(why, len, "%s", buf);
	return ret;
}

static int kmsg_fd = -1;
static int kmsg_dumping;

void verdict_kmsg_dump_rest(void)
{
	char why[16];

	kmsg_dumping = 1;
	verdict_kmsg_splat(why, sizeof(why));
}

void verdict_kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

int verdict_kmsg_splat(char *why, size_t len)
{
	static const char *const pats[] = {
		"Oops", "BUG:", "WARNING:", "KASAN", "UBSAN", "lockdep",
		"possible circular locking", "possible recursive locking",
		"soft lockup", "hard LOCKUP", "detected stall",
		"general protection", "Call Trace", "Kernel panic",
		"blocked for more than", "unable to handle", "refcount_t:",
		"list_add corruption", "list_del corruption", "double fault",
		"kmemleak: ",
	};
	char rec[2048], *msg;
	ssize_t n;
	size_t i;
	int found = 0;

	if (kmsg_fd < 0)
		return 0;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		/* Once something was found, show everything (backtraces). */
		if (kmsg_dumping) {
			printf("# kmsg: %s", msg);
			continue;
		}
		for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
			if (!strstr(msg, pats[i]))
				continue;
			if (!found++)
				snprintf(why, len, "kernel log: %.400s", msg);
			printf("# kmsg: %s", msg);
			kmsg_dumping = 1;
			break;
		}
	}
	return found;
}

static const uint8_t sanity_code[] = {
	0xb0, 0x5a,		/* mov al, 0x5a */
	0xe6, 0x42,		/* out 0x42, al */
	0xf4,			/* hlt */
};

static int sanity_vm(int sys, char *why, size_t len)
{
	struct vmm_mode_setup setup = { .mode = VMM_MODE_REAL };
	size_t memsz = 1 << 20;
	struct hb_memory_region m = { .memory_size = memsz };
	struct hb_err err = { 0 };
	struct hb_sregs s;
	struct hb_regs r;
	struct hb_run *run = MAP_FAILED;
	int vm, vcpu, ret = 1;
	uint8_t *mem;

	mem = mmap(NULL, memsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vm = ioctl(sys, HB_CREATE_VM, 0);
	if (mem == MAP_FAILED || vm < 0) {
		snprintf(why, len, "HB_CREATE_VM: %s", strerror(errno));
		return 1;
	}
	memcpy(mem + 0x7c00, sanity_code, sizeof(sanity_code));
	m.userspace_addr = (uint64_t)(uintptr_t)mem;
	vcpu = -1;
	if (ioctl(vm, HB_SET_MEMORY_REGION, &m) ||
	    (vcpu = ioctl(vm, HB_CREATE_VCPU, 0)) < 0) {
		snprintf(why, len, "setting up the VM: %s", strerror(errno));
		goto out;
	}
	run = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	setup.mem = mem;
	setup.mem_size = memsz;
	setup.entry = 0x7c00;
	if (run == MAP_FAILED || ioctl(vcpu, HB_GET_SREGS, &s) ||
	    vmm_cpu_mode_setup(&setup, &r, &s, &err) ||
	    ioctl(vcpu, HB_SET_SREGS, &s) || ioctl(vcpu, HB_SET_REGS, &r)) {
		snprintf(why, len, "setting up the vCPU: %s", strerror(errno));
		goto out;
	}
	if (ioctl(vcpu, HB_RUN, 0) || run->exit_reason != HB_EXIT_IO ||
	    run->io.port != 0x42 || ((uint8_t *)run)[run->io.data_offset] != 0x5a) {
		snprintf(why, len, "first HB_RUN: %s, exit %u port 0x%x",
			 strerror(errno), run->exit_reason, run->io.port);
		goto out;
	}
	if (ioctl(vcpu, HB_RUN, 0) || run->exit_reason != HB_EXIT_HLT) {
		snprintf(why, len, "second HB_RUN: %s, exit %u (expected HLT)",
			 strerror(errno), run->exit_reason);
		goto out;
	}
	ret = 0;
out:
	/* The mapping holds the vCPU file: it must go for the counters. */
	if (run != MAP_FAILED)
		munmap(run, 8192);
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
	munmap(mem, memsz);
	return ret;
}

int verdict_sanity_run(char *why, size_t len)
{
	int sys = open("/dev/hyperbox", O_RDWR | O_CLOEXEC);
	int ret;

	if (sys < 0) {
		snprintf(why, len, "/dev/hyperbox: %s", strerror(errno));
		return 1;
	}
	ret = sanity_vm(sys, why, len);
	close(sys);
	if (!ret && verdict_counters_settle(why, len) > 0)
		ret = 1;
	return ret;
}

void verdict_print_module_text(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/module/hyperbox/sections/.text", "re");

	if (f && fgets(buf, sizeof(buf), f))
		printf("# hyperbox.ko .text at %s", buf);
	if (f)
		fclose(f);
}
