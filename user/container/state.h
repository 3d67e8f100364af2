/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-container state directory: ROOT/ID/state.json plus a flock on the
 * directory itself, so concurrent verbs on one container serialise.
 */
#ifndef HB_STATE_H
#define HB_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

#define HB_MAX_V1_CGROUPS 8

struct hb_state {
	char *id;
	char *bundle;
	char *rootfs;
	pid_t pid;
	unsigned long long start_time;	/* /proc/PID/stat field 22 */
	bool started;
	char *created;			/* RFC 3339 */
	char *cgroup_v2;		/* absolute dir or NULL */
	char *cgroup_v1[HB_MAX_V1_CGROUPS];
	char *overlay_mount;		/* unmounted on delete */
	char *overlay_work;		/* workdir to remove on delete */
	char *net_bridge;
	char *net_host_if;
	char *net_addr;
	char *annotations_json;		/* copied from config.json */
	char *hooks_json;		/* config.json "hooks", for start/delete */
};

/* "running", "created", "stopped": from the pid, its start time, started. */
const char *state_status(const struct hb_state *st);

const char *state_default_root(void);
/* Validate an ID: no '/', no "..", printable, <= 128 chars. */
int state_check_id(const char *id, hb_err_t *err);

/* mkdir ROOT/ID exclusively and lock it; returns the locked dir fd. */
int state_create_dir(const char *root, const char *id, hb_err_t *err);
/* Open and lock an existing container's directory. */
int state_lock(const char *root, const char *id, hb_err_t *err);
int state_remove_dir(const char *root, const char *id, hb_err_t *err);

int state_save(int dirfd, const struct hb_state *st, hb_err_t *err);
int state_load(int dirfd, const char *id, struct hb_state *st, hb_err_t *err);
void state_clear(struct hb_state *st);

/* OCI `state` JSON (ociVersion, id, status, pid, bundle, annotations). */
char *state_to_oci_json(const struct hb_state *st);

/* Calls fn for every container under root; stops on a negative return. */
int state_foreach(const char *root,
		  int (*fn)(const char *id, void *arg), void *arg,
		  hb_err_t *err);

#endif
