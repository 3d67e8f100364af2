// SPDX-License-Identifier: GPL-2.0
/* Used only when the binary is linked without the OCI runtime. */
#include <stdio.h>

#include "oci_dispatch.h"
#include "vm_cmds.h"

__attribute__((weak)) int oci_cli_main(int argc, char **argv)
{
	fprintf(stderr, "hyperbox: unknown command '%s' (see hyperbox --help)\n",
		argc > 1 ? argv[1] : "");
	return HB_CLI_EXIT_FAILURE;
}
