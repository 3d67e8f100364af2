/* SPDX-License-Identifier: GPL-2.0 */
/* The `hyperbox info` and `hyperbox vm ...` verbs. */
#ifndef CLI_VM_CMDS_H
#define CLI_VM_CMDS_H

/* Exit status for failures of hyperbox itself, as `docker run` uses. */
#define HB_CLI_EXIT_FAILURE	125

/* argv[0] is the verb ("info" / "vm"); return the process exit status. */
int cmd_info(int argc, char **argv);
int cmd_vm(int argc, char **argv);

#endif /* CLI_VM_CMDS_H */
