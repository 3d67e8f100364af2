/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The container verbs live in user/cli/oci_cli.c (container engineer).
 * Until their header exists the prototype is declared here; the weak
 * fallback in oci_fallback.c is replaced by their strong definition.
 */
#ifndef CLI_OCI_DISPATCH_H
#define CLI_OCI_DISPATCH_H

#if __has_include("oci_cli.h")
#include "oci_cli.h"
#else
/* Receives the full argc/argv of main() (argv[1] is the verb). */
int oci_cli_main(int argc, char **argv);
#endif

#endif /* CLI_OCI_DISPATCH_H */
