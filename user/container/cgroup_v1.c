// SPDX-License-Identifier: GPL-2.0
/* cgroup v1 fallback for hybrid hosts: memory, pids, cpu, cpuset, blkio. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

/* Mount point of the v1 hierarchy carrying ctrl, from mountinfo. */
static char *v1_mount_of(const char *ctrl)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *found = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	while (!found && getline(&line, &cap, f) > 0) {
		char *sep = strstr(line, " - "), *mnt, *fstype, *opts, *tok;
		char *save = NULL;
		int i;

		if (!sep)
			continue;
		fstype = strtok_r(sep + 3, " ", &save);
		strtok_r(NULL, " ", &save);
		opts = strtok_r(NULL, " \n", &save);
		if (!fstype || strcmp(fstype, "cgroup") || !opts)
			continue;
		for (tok = strtok_r(opts, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (strcmp(tok, ctrl))
				continue;
			mnt = line;
			for (i = 0; i < 4 && mnt; i++) {
				mnt = strchr(mnt, ' ');
				if (mnt)
					mnt++;
			}
			if (mnt)
				found = strndup(mnt, strcspn(mnt, " "));
			break;
		}
	}
	free(line);
	return found;
}

static int write_v1(const char *dir, const char *file, long long v,
		    hb_err_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	if (write_file(path, buf, strlen(buf), NULL) < 0)
		return hb_error(err, errno, "cgroup v1: write `%s` to %s", buf,
				path);
	return 0;
}

/* cpuset v1 refuses tasks until cpus and mems are copied from the parent. */
static void cpuset_inherit(const char *mnt, const char *rel)
{
	cleanup_free char *p = xasprintf("%s%s", mnt, rel);
	char *slash = p + strlen(mnt);

	while ((slash = strchr(slash + 1, '/')) || 1) {
		static const char *const files[] = { "cpuset.cpus",
						     "cpuset.mems" };
		size_t i;

		if (slash)
			*slash = '\0';
		mkdir(p, 0755);
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			cleanup_free char *mine = xasprintf("%s/%s", p, files[i]);
			cleanup_free char *parent = xasprintf("%s/../%s", p,
							      files[i]);
			cleanup_free char *cur = NULL, *val = NULL;

			if (read_file(mine, &cur, NULL, NULL) == 0 &&
			    cur[0] != '\n' && cur[0])
				continue;
			if (read_file(parent, &val, NULL, NULL) == 0)
				write_file(mine, val, strlen(val), NULL);
		}
		if (!slash)
			break;
		*slash = '/';
	}
}

/*
 * Which v1 hierarchies the container joins. On a hybrid host the unified
 * hierarchy already tracks (and kills) the container, so v1 is joined only
 * for a limit v2 cannot enforce there: each v1 join is a cgroup.procs write
 * that waits for an RCU grace period (the threadgroup rwsem taken for
 * writing), most of a container's start time. Without a unified hierarchy
 * (legacy), memory, pids and cpu are always joined: they do the tracking.
 */
void cgroup_v1_plan(const struct oci_spec *spec, const char *rel,
		    struct hb_cgroup *cg)
{
	const struct oci_resources *r = &spec->resources;
	bool all = !cg->v2, lim = spec->has_resources;
	const char *ctrls[5];
	size_t n = 0, i, k = 0;

	if (all || (lim && (r->memory_limit != OCI_UNSET ||
			    r->memory_swap != OCI_UNSET ||
			    r->memory_reservation != OCI_UNSET)))
		ctrls[n++] = "memory";
	if (all || (lim && r->pids_limit != OCI_UNSET))
		ctrls[n++] = "pids";
	if (all || (lim && (r->cpu_period > 0 || r->cpu_quota != OCI_UNSET ||
			    r->cpu_shares > 0)))
		ctrls[n++] = "cpu";
	if (lim && (r->cpus || r->mems))
		ctrls[n++] = "cpuset";
	if (lim && (r->io_weight != OCI_UNSET || r->n_throttle))
		ctrls[n++] = "blkio";
	for (i = 0; i < n && k < HB_MAX_V1_CGROUPS; i++) {
		cleanup_free char *mnt = v1_mount_of(ctrls[i]);
		char *dir;
		size_t j;

		if (!mnt)
			continue;
		dir = xasprintf("%s%s", mnt, rel);
		/* cpu and cpuacct may share one hierarchy with memory etc. */
		for (j = 0; j < k && strcmp(cg->v1[j], dir); j++)
			;
		if (j < k)
			free(dir);
		else
			cg->v1[k++] = dir;
	}
}

int cgroup_v1_create(const struct oci_spec *spec, struct hb_cgroup *cg,
		     hb_err_t *err)
{
	cleanup_free char *cpuset = v1_mount_of("cpuset");
	size_t len = cpuset ? strlen(cpuset) : 0;
	int i, k = 0;

	for (i = 0; i < HB_MAX_V1_CGROUPS && cg->v1[i]; i++) {
		char *dir = cg->v1[i];

		cg->v1[i] = NULL;
		if (cpuset && !strncmp(dir, cpuset, len) && dir[len] == '/')
			cpuset_inherit(cpuset, dir + len);
		if (mkdir_p(dir, 0755, err) < 0) {
			free(dir);
			if (geteuid() != 0 && !spec->has_resources) {
				hb_error_free(err);
				continue;
			}
			return hb_error_wrap(err, "cgroup v1: create");
		}
		cg->v1[k++] = dir;
	}
	return 0;
}

static const char *dir_for(const struct hb_cgroup *cg, const char *ctrl)
{
	int i;

	for (i = 0; i < HB_MAX_V1_CGROUPS && cg->v1[i]; i++) {
		cleanup_free char *probe = NULL;

		if (!strcmp(ctrl, "memory"))
			probe = xasprintf("%s/memory.limit_in_bytes", cg->v1[i]);
		else if (!strcmp(ctrl, "pids"))
			probe = xasprintf("%s/pids.max", cg->v1[i]);
		else if (!strcmp(ctrl, "cpu"))
			probe = xasprintf("%s/cpu.cfs_quota_us", cg->v1[i]);
		else if (!strcmp(ctrl, "cpuset"))
			probe = xasprintf("%s/cpuset.cpus", cg->v1[i]);
		else
			probe = xasprintf("%s/blkio.throttle.read_bps_device",
					  cg->v1[i]);
		if (access(probe, F_OK) == 0)
			return cg->v1[i];
	}
	return NULL;
}

static int need(const char *dir, const char *ctrl, hb_err_t *err)
{
	if (!dir)
		return hb_error(err, 0, "cgroup v1: controller `%s` not mounted",
				ctrl);
	return 0;
}

int cgroup_v1_apply(const struct oci_spec *spec, const struct hb_cgroup *cg,
		    hb_err_t *err)
{
	const struct oci_resources *r = &spec->resources;
	const char *mem = dir_for(cg, "memory"), *pids = dir_for(cg, "pids");
	const char *cpu = dir_for(cg, "cpu");
	size_t i;

	if (!spec->has_resources)
		return 0;
	if (r->memory_limit != OCI_UNSET) {
		if (need(mem, "memory", err) < 0 ||
		    write_v1(mem, "memory.limit_in_bytes", r->memory_limit,
			     err) < 0)
			return -1;
	}
	if (r->memory_swap != OCI_UNSET && mem) {
		cleanup_free char *p = xasprintf("%s/memory.memsw.limit_in_bytes",
						 mem);

		if (access(p, F_OK) == 0 &&
		    write_v1(mem, "memory.memsw.limit_in_bytes", r->memory_swap,
			     err) < 0)
			return -1;
	}
	if (r->memory_reservation != OCI_UNSET && mem &&
	    write_v1(mem, "memory.soft_limit_in_bytes", r->memory_reservation,
		     err) < 0)
		return -1;
	if (r->pids_limit != OCI_UNSET) {
		cleanup_free char *p = NULL;

		if (need(pids, "pids", err) < 0)
			return -1;
		p = xasprintf("%s/pids.max", pids);
		if (r->pids_limit <= 0 ? write_file(p, "max", 3, err) < 0 :
		    write_v1(pids, "pids.max", r->pids_limit, err) < 0)
			return -1;
	}
	if (r->cpu_period > 0 || r->cpu_quota != OCI_UNSET || r->cpu_shares > 0) {
		if (need(cpu, "cpu", err) < 0)
			return -1;
		if (r->cpu_period > 0 &&
		    write_v1(cpu, "cpu.cfs_period_us", r->cpu_period, err) < 0)
			return -1;
		if (r->cpu_quota != OCI_UNSET &&
		    write_v1(cpu, "cpu.cfs_quota_us",
			     r->cpu_quota > 0 ? r->cpu_quota : -1, err) < 0)
			return -1;
		if (r->cpu_shares > 0 &&
		    write_v1(cpu, "cpu.shares", r->cpu_shares, err) < 0)
			return -1;
	}
	if (r->cpus || r->mems) {
		const char *cs = dir_for(cg, "cpuset");
		cleanup_free char *cpus = NULL, *mems = NULL;

		if (need(cs, "cpuset", err) < 0)
			return -1;
		cpus = xasprintf("%s/cpuset.cpus", cs);
		mems = xasprintf("%s/cpuset.mems", cs);
		if (r->cpus && write_file(cpus, r->cpus, strlen(r->cpus), err) < 0)
			return -1;
		if (r->mems && write_file(mems, r->mems, strlen(r->mems), err) < 0)
			return -1;
	}
	if (r->io_weight > 0) {
		const char *bl = dir_for(cg, "blkio");
		cleanup_free char *cfq = NULL;

		if (need(bl, "blkio", err) < 0)
			return -1;
		/* CFQ's blkio.weight, or BFQ's under another name. */
		cfq = xasprintf("%s/blkio.weight", bl);
		if (write_v1(bl, access(cfq, F_OK) == 0 ? "blkio.weight" :
			     "blkio.bfq.weight", r->io_weight, err) < 0)
			return -1;
	}
	for (i = 0; i < r->n_throttle; i++) {
		const char *bl = dir_for(cg, "blkio");
		const char *k = r->throttle[i].key;
		cleanup_free char *file = NULL;

		if (need(bl, "blkio", err) < 0)
			return -1;
		file = xasprintf("%s/blkio.throttle.%s_%s_device", bl,
				 k[0] == 'r' ? "read" : "write",
				 strstr(k, "iops") ? "iops" : "bps");
		if (write_file_fmt(file, err, "%lld:%lld %llu",
				   (long long)r->throttle[i].major,
				   (long long)r->throttle[i].minor,
				   (unsigned long long)r->throttle[i].rate) < 0)
			return -1;
	}
	return 0;
}
