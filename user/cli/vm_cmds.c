// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/libhyperbox.h"
#include "../vmm/flat_vm.h"
#include "vm_args.h"
#include "vm_cmds.h"

static void vm_usage(FILE *out)
{
	fprintf(out,
		"Usage: hyperbox vm run --image FILE [--mem SIZE] [--mode real|protected|long]\n"
		"                       [--entry ADDR] [--device PATH]\n"
		"\n"
		"Loads the flat binary FILE at guest-physical ADDR (default 0x7c00 in real mode,\n"
		"0x100000 otherwise), starts one vCPU there in the given mode (default long), prints\n"
		"what the guest writes to the serial port 0x3f8 and exits with the status the guest\n"
		"passes to hypercall %d (HB_HC_EXIT, VMMCALL with RAX=%d, RDI=status). A guest that\n"
		"halts exits 0. SIZE accepts K/M/G suffixes (default 16M). Failures of hyperbox\n"
		"itself exit %d.\n", 1, 1, HB_CLI_EXIT_FAILURE);
}

static int vm_run(int argc, char **argv)
{
	struct vm_run_args args;
	struct hb_err err = { 0 };
	struct vmm_stop stop;
	struct flat_vm vm;
	int ret;

	if (vm_run_args_parse(argc, argv, &args, &err)) {
		fprintf(stderr, "hyperbox vm run: %s (see --help)\n", err.msg);
		return HB_CLI_EXIT_FAILURE;
	}
	if (args.help) {
		vm_usage(stdout);
		return 0;
	}
	ret = flat_vm_create(&vm, &args.cfg, &err);
	if (!ret)
		ret = flat_vm_run(&vm, &stop, &err);
	flat_vm_destroy(&vm);
	if (ret) {
		fprintf(stderr, "hyperbox vm run: %s\n", err.msg);
		return HB_CLI_EXIT_FAILURE;
	}
	return (int)(stop.status & 0xff);
}

int cmd_vm(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		vm_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? HB_CLI_EXIT_FAILURE : 0;
	}
	if (!strcmp(argv[1], "run"))
		return vm_run(argc - 2, argv + 2);
	fprintf(stderr, "hyperbox vm: unknown subcommand '%s' (try: hyperbox vm run --help)\n",
		argv[1]);
	return HB_CLI_EXIT_FAILURE;
}

static const struct {
	unsigned int cap;
	const char *name;
	int is_count;	/* print the value rather than yes/no */
} info_caps[] = {
	{ HB_CAP_SVM, "AMD SVM backend", 0 },
	{ HB_CAP_VMX, "Intel VMX backend", 0 },
	{ HB_CAP_NPT, "nested page tables (NPT)", 0 },
	{ HB_CAP_EPT, "extended page tables (EPT)", 0 },
	{ HB_CAP_UNRESTRICTED, "real mode runs natively", 0 },
	{ HB_CAP_READONLY_MEM, "read-only memory slots", 0 },
	{ HB_CAP_IMMEDIATE_EXIT, "immediate_exit", 0 },
	{ HB_CAP_MMIO, "MMIO exits (in-kernel decode)", 0 },
	{ HB_CAP_IRQ_WINDOW, "interrupt window exits", 0 },
	{ HB_CAP_VCPU_EVENTS, "vCPU event save/restore", 0 },
	{ HB_CAP_CPUID, "CPUID table", 0 },
	{ HB_CAP_MSRS, "MSR save/restore", 0 },
	{ HB_CAP_FPU, "FPU save/restore", 0 },
	{ HB_CAP_DOORBELL, "doorbells", 0 },
	{ HB_CAP_IRQFD, "interrupt lines (irqfd)", 0 },
	{ HB_CAP_RING, "ring device backends (mask)", 1 },
	{ HB_CAP_MAX_VCPUS, "vCPUs per VM", 1 },
	{ HB_CAP_NR_MEMSLOTS, "memory slots per VM", 1 },
	{ HB_CAP_MAX_MEM_SIZE_MB, "max slot size (MiB)", 1 },
};

int cmd_info(int argc, char **argv)
{
	const char *dev = HB_DEVICE_PATH;
	unsigned int i;
	int fd, ret;

	if (argc == 3 && !strcmp(argv[1], "--device")) {
		dev = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "Usage: hyperbox info [--device PATH]\n");
		return HB_CLI_EXIT_FAILURE;
	}
	fd = hb_open(dev);
	if (fd < 0) {
		fprintf(stderr, "hyperbox info: cannot open %s: %s (is hyperbox.ko loaded?)\n",
			dev, strerror(-fd));
		return HB_CLI_EXIT_FAILURE;
	}
	ret = hb_get_api_version(fd);
	if (ret < 0) {
		fprintf(stderr, "hyperbox info: HB_GET_API_VERSION: %s\n",
			strerror(-ret));
		close(fd);
		return HB_CLI_EXIT_FAILURE;
	}
	printf("%-28s %s\n", "device", dev);
	printf("%-28s %d (this binary: %d)\n", "API version", ret,
	       HB_API_VERSION);
	for (i = 0; i < sizeof(info_caps) / sizeof(info_caps[0]); i++) {
		ret = hb_check_extension(fd, info_caps[i].cap);
		if (ret < 0)
			printf("%-28s error: %s\n", info_caps[i].name,
			       strerror(-ret));
		else if (info_caps[i].is_count)
			printf("%-28s %d\n", info_caps[i].name, ret);
		else
			printf("%-28s %s\n", info_caps[i].name,
			       ret > 0 ? "yes" : "no");
	}
	close(fd);
	return 0;
}
