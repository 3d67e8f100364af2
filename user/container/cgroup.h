/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One cgroup per container. On a unified (v2) host every controller comes
 * from /sys/fs/cgroup; on a hybrid host the cgroup2 tree (if any) is used
 * for tracking and memory, pids, cpu (and cpuset, blkio when asked for) are
 * enforced through their v1 hierarchies instead of refusing to run.
 */
#ifndef HB_CGROUP_H
#define HB_CGROUP_H

#include "spec.h"
#include "state.h"

struct hb_cgroup {
	char *v2;
	char *v1[HB_MAX_V1_CGROUPS];
};

enum cgroup_mode { CGROUP_UNIFIED, CGROUP_HYBRID, CGROUP_LEGACY };

enum cgroup_mode cgroup_detect_mode(void);
/* "/hyperbox/ID" unless linux.cgroupsPath says otherwise. */
char *cgroup_relative_path(const struct oci_spec *spec, const char *id,
			   bool systemd);
/*
 * Paths first, directories second: the caller records the planned paths
 * in state.json before anything exists, so a runtime killed in between
 * leaves nothing `delete --force` cannot find.
 */
void cgroup_plan(const struct oci_spec *spec, const char *id, bool systemd,
		 struct hb_cgroup *cg);
int cgroup_create(const struct oci_spec *spec, struct hb_cgroup *cg,
		  hb_err_t *err);
int cgroup_enter(const struct hb_cgroup *cg, pid_t pid, bool skip_v2,
		 hb_err_t *err);
/* Send sig to every process in the container's cgroup. */
int cgroup_signal_all(const struct hb_cgroup *cg, int sig, hb_err_t *err);
/* Kill what is left (cgroup.kill when the kernel has it) and rmdir. */
int cgroup_destroy(struct hb_cgroup *cg, hb_err_t *err);
void cgroup_clear(struct hb_cgroup *cg);

/* v2 value conversions, exposed for the unit tests. */
uint64_t cgroup_shares_to_weight(uint64_t shares);
uint64_t cgroup_blkio_to_io_weight(uint64_t weight);

/* cgroup_devices.c: linux.resources.devices as a BPF device filter on dir. */
int cgroup_apply_devices(const struct oci_spec *spec, const char *dir,
			 hb_err_t *err);

/* cgroup_v1.c */
void cgroup_v1_plan(const struct oci_spec *spec, const char *rel,
		    struct hb_cgroup *cg);
int cgroup_v1_create(const struct oci_spec *spec, struct hb_cgroup *cg,
		     hb_err_t *err);
int cgroup_v1_apply(const struct oci_spec *spec, const struct hb_cgroup *cg,
		    hb_err_t *err);

#endif
