/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HB_OCI_CLI_H
#define HB_OCI_CLI_H

/*
 * The OCI runtime verbs of `hyperbox` (create, start, state, kill, delete,
 * run, exec, list, spec, net). argv is the full command line, argv[0] the
 * program, global flags (--root, --log, ...) may precede the verb.
 * Returns the process exit code.
 */
int oci_cli_main(int argc, char **argv);

/* Signal by name ("TERM", "SIGKILL", "RTMIN+1") or number; -1 if unknown. */
int oci_parse_signal(const char *s);

#endif
