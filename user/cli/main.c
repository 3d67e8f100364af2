// SPDX-License-Identifier: GPL-2.0
/*
 * The hyperbox command: VM verbs here, every other verb goes to the OCI
 * runtime (oci_cli_main, owned by user/container).
 */
#include <stdio.h>
#include <string.h>

#include "../lib/libhyperbox.h"
#include "oci_dispatch.h"
#include "vm_cmds.h"

#ifndef HYPERBOX_VERSION
#define HYPERBOX_VERSION "0.1.0"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hyperbox COMMAND [ARGS...]\n"
		"\n"
		"Virtual machines:\n"
		"  info                 show what /dev/hyperbox supports\n"
		"  vm run --image FILE  run a flat binary guest (hyperbox vm run --help)\n"
		"\n"
		"Containers (OCI runtime): create, start, state, kill, delete, run, ...\n"
		"\n"
		"  --help, --version\n");
}

int main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;

	if (!verb) {
		usage(stderr);
		return HB_CLI_EXIT_FAILURE;
	}
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h") ||
	    !strcmp(verb, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(verb, "--version") || !strcmp(verb, "version")) {
		printf("hyperbox %s (API %d)\n", HYPERBOX_VERSION,
		       HB_API_VERSION);
		return 0;
	}
	if (!strcmp(verb, "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(verb, "vm"))
		return cmd_vm(argc - 1, argv + 1);
	return oci_cli_main(argc, argv);
}
