// SPDX-License-Identifier: GPL-2.0
/* Stand-in for user/cli/main.c so the runtime can be tested on its own. */
#include "../../user/cli/oci_cli.h"

int main(int argc, char **argv)
{
	return oci_cli_main(argc, argv);
}
