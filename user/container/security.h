/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HB_SECURITY_H
#define HB_SECURITY_H

#include "spec.h"

int security_set_rlimits(const struct oci_process *p, hb_err_t *err);
int security_set_oom_score_adj(pid_t pid, const struct oci_process *p,
			       hb_err_t *err);
/* Bounding set first (needs CAP_SETPCAP), then drop to the spec's user. */
int security_drop_bounding(const struct oci_process *p, hb_err_t *err);
int security_set_user(const struct oci_process *p, bool in_userns,
		      hb_err_t *err);
int security_set_caps(const struct oci_process *p, hb_err_t *err);
int security_no_new_privs(const struct oci_process *p, hb_err_t *err);
/* No runtime fd reaches the container: close_range(3 + n, ~0, CLOEXEC). */
int security_cloexec_fds(int n_preserve, hb_err_t *err);

int seccomp_apply(const struct oci_seccomp *s, hb_err_t *err);
int seccomp_check(const struct oci_seccomp *s, hb_err_t *err);

/*
 * CVE-2019-5736: a container process that can open /proc/PID/exe of the
 * runtime (before its exec, or during `exec`) could overwrite the runtime
 * binary on the host. Re-exec ourselves from a sealed, read-only memfd
 * copy so that /proc/PID/exe never names the real binary.
 * Returns 0 if already running from the sealed copy.
 */
int exe_guard_reexec(char **argv, hb_err_t *err);
bool exe_guard_active(void);

#endif
