/* SPDX-License-Identifier: GPL-2.0 */
/* Option parsing for `hyperbox vm run`, kept apart so it is unit-tested. */
#ifndef CLI_VM_ARGS_H
#define CLI_VM_ARGS_H

#include <stdbool.h>

#include "../lib/hb_error.h"
#include "../vmm/flat_vm.h"

struct vm_run_args {
	struct flat_vm_config cfg;
	bool entry_given;
	bool help;
};

/*
 * Parses the arguments after "vm run": --image FILE, --mem SIZE,
 * --mode real|protected|long, --entry ADDR, --device PATH, --help; each
 * also as --opt=value. Fills defaults (16 MiB, long mode, the mode's
 * default entry). Returns 0 or -EINVAL with a message in @err.
 */
int vm_run_args_parse(int argc, char **argv, struct vm_run_args *args,
		      struct hb_err *err);

#endif /* CLI_VM_ARGS_H */
