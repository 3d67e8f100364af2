/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running OCI hooks: each hook of a kind in order, the container's state
 * JSON on its stdin, no runtime fd inherited, killed at its timeout.
 */
#ifndef HB_HOOKS_H
#define HB_HOOKS_H

#include "spec.h"
#include "state.h"

static inline bool hooks_any(const struct oci_spec *spec,
			     enum oci_hook_kind kind)
{
	return spec && spec->hooks.n[kind];
}

/* Stops at the first hook that fails, times out or cannot be run. */
int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind,
	      const char *state_json, hb_err_t *err);
/* The same state with another "status" (startContainer sees "created"). */
char *hooks_state_with_status(const char *state_json, const char *status);
/* A sealed-off copy of the state for the container's init: a memfd. */
int hooks_state_fd(const char *state_json, hb_err_t *err);
char *hooks_state_read(int fd, hb_err_t *err);
/*
 * For poststart and poststop, whose failures are only warnings: the state
 * JSON is built from @st only when there is a hook to give it to.
 */
void hooks_run_warn(const struct oci_spec *spec, enum oci_hook_kind kind,
		    const struct hb_state *st);

#endif
