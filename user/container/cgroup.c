// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup.h"

#define CG_ROOT "/sys/fs/cgroup"

static bool is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

enum cgroup_mode cgroup_detect_mode(void)
{
	if (is_cgroup2(CG_ROOT))
		return CGROUP_UNIFIED;
	if (is_cgroup2(CG_ROOT "/unified"))
		return CGROUP_HYBRID;
	return CGROUP_LEGACY;
}

char *cgroup_relative_path(const struct oci_spec *spec, const char *id,
			   bool systemd)
{
	const char *p = spec->cgroups_path;

	if (!p || !*p)
		return xasprintf("/hyperbox/%s", id);
	/* systemd "slice:prefix:name"; we only speak cgroupfs. */
	if (systemd || strchr(p, ':')) {
		char *copy = xstrdup(p), *slice, *prefix, *name, *r;

		slice = strtok(copy, ":");
		prefix = strtok(NULL, ":");
		name = strtok(NULL, ":");
		if (!name)
			name = (char *)id;
		r = xasprintf("/%s/%s%s%s.scope", slice ? slice : "system.slice",
			      prefix ? prefix : "", prefix ? "-" : "", name);
		free(copy);
		return r;
	}
	return xasprintf("%s%s", p[0] == '/' ? "" : "/", p);
}

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_blkio_to_io_weight(uint64_t weight)
{
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + (weight - 10) * 9999 / 990;
}

static int write_cg(const char *dir, const char *file, hb_err_t *err,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int write_cg(const char *dir, const char *file, hb_err_t *err,
		    const char *fmt, ...)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_free char *val = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&val, fmt, ap);
	va_end(ap);
	if (n < 0)
		return hb_error(err, ENOMEM, "format %s", file);
	if (write_file(path, val, n, NULL) < 0)
		return hb_error(err, errno, "cgroup: write `%s` to %s", val,
				path);
	return 0;
}

/* Enable the controllers we use in every ancestor's subtree_control. */
static void v2_enable_controllers(const char *root, const char *rel)
{
	static const char *const ctrls[] = { "cpu", "memory", "pids", "io",
					     "cpuset" };
	cleanup_free char *p = xasprintf("%s%s", root, rel);
	cleanup_free char *avail = NULL;
	char *slash = p + strlen(root);
	size_t i;

	for (;;) {
		cleanup_free char *cf = NULL;

		*slash = '\0';
		cf = xasprintf("%s/cgroup.controllers", *p ? p : "/");
		free(avail);
		avail = NULL;
		if (read_file(cf, &avail, NULL, NULL) == 0) {
			for (i = 0; i < ARRAY_SIZE(ctrls); i++) {
				cleanup_free char *sc =
					xasprintf("%s/cgroup.subtree_control", p);
				char buf[32];

				if (!strstr(avail, ctrls[i]))
					continue;
				snprintf(buf, sizeof(buf), "+%s", ctrls[i]);
				write_file(sc, buf, strlen(buf), NULL);
			}
		}
		*slash = '/';
		slash = strchr(slash + 1, '/');
		if (!slash)
			break;
		mkdir(p, 0755);
	}
}

static int v2_apply(const struct oci_spec *spec, const char *dir,
		    hb_err_t *err)
{
	const struct oci_resources *r = &spec->resources;
	size_t i;

	if (!spec->has_resources)
		return 0;
	if (r->memory_limit != OCI_UNSET &&
	    (r->memory_limit < 0 ? write_cg(dir, "memory.max", err, "max") :
	     write_cg(dir, "memory.max", err, "%lld",
		      (long long)r->memory_limit)) < 0)
		return -1;
	if (r->memory_reservation != OCI_UNSET && r->memory_reservation >= 0 &&
	    write_cg(dir, "memory.low", err, "%lld",
		     (long long)r->memory_reservation) < 0)
		return -1;
	if (r->memory_swap != OCI_UNSET) {
		/* OCI swap is memory+swap; v2 counts swap alone. */
		if (r->memory_swap < 0) {
			if (write_cg(dir, "memory.swap.max", err, "max") < 0 &&
			    (*err)->errnum != ENOENT)
				return -1;
		} else {
			long long lim = r->memory_limit > 0 ? r->memory_limit : 0;

			if (r->memory_swap < lim)
				return hb_error(err, 0, "cgroup: memory.swap %lld below memory.limit %lld",
						(long long)r->memory_swap, lim);
			if (write_cg(dir, "memory.swap.max", err, "%lld",
				     (long long)r->memory_swap - lim) < 0 &&
			    (*err)->errnum != ENOENT)
				return -1;
		}
		hb_error_free(err);
	}
	if (r->pids_limit != OCI_UNSET &&
	    (r->pids_limit <= 0 ? write_cg(dir, "pids.max", err, "max") :
	     write_cg(dir, "pids.max", err, "%lld",
		      (long long)r->pids_limit)) < 0)
		return -1;
	if (r->cpu_quota != OCI_UNSET || r->cpu_period != OCI_UNSET) {
		long long period = r->cpu_period > 0 ? r->cpu_period : 100000;

		if (r->cpu_quota > 0 ?
		    write_cg(dir, "cpu.max", err, "%lld %lld",
			     (long long)r->cpu_quota, period) < 0 :
		    write_cg(dir, "cpu.max", err, "max %lld", period) < 0)
			return -1;
	}
	if (r->cpu_shares > 0 &&
	    write_cg(dir, "cpu.weight", err, "%llu", (unsigned long long)
		     cgroup_shares_to_weight(r->cpu_shares)) < 0)
		return -1;
	if (r->cpus && *r->cpus &&
	    write_cg(dir, "cpuset.cpus", err, "%s", r->cpus) < 0)
		return -1;
	if (r->mems && *r->mems &&
	    write_cg(dir, "cpuset.mems", err, "%s", r->mems) < 0)
		return -1;
	if (r->io_weight > 0 &&
	    write_cg(dir, "io.weight", err, "default %llu", (unsigned long long)
		     cgroup_blkio_to_io_weight(r->io_weight)) < 0)
		return -1;
	for (i = 0; i < r->n_throttle; i++)
		if (write_cg(dir, "io.max", err, "%lld:%lld %s=%llu",
			     (long long)r->throttle[i].major,
			     (long long)r->throttle[i].minor, r->throttle[i].key,
			     (unsigned long long)r->throttle[i].rate) < 0)
			return -1;
	for (i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;

		if (strchr(k, '/') || k[0] == '.')
			return hb_error(err, 0, "cgroup: invalid unified key `%s`",
					k);
		if (write_cg(dir, k, err, "%s", r->unified[i].value) < 0)
			return -1;
	}
	return 0;
}

static bool wants_resources(const struct oci_spec *spec)
{
	const struct oci_resources *r = &spec->resources;

	return spec->has_resources &&
	       (r->memory_limit != OCI_UNSET || r->pids_limit != OCI_UNSET ||
		r->cpu_quota != OCI_UNSET || r->cpu_shares != OCI_UNSET ||
		r->cpus || r->mems || r->n_unified || r->n_throttle ||
		r->io_weight != OCI_UNSET);
}

void cgroup_plan(const struct oci_spec *spec, const char *id, bool systemd,
		 struct hb_cgroup *cg)
{
	enum cgroup_mode mode = cgroup_detect_mode();
	cleanup_free char *rel = cgroup_relative_path(spec, id, systemd);

	memset(cg, 0, sizeof(*cg));
	if (mode == CGROUP_UNIFIED)
		cg->v2 = xasprintf("%s%s", CG_ROOT, rel);
	else if (mode == CGROUP_HYBRID)
		cg->v2 = xasprintf("%s%s", CG_ROOT "/unified", rel);
	if (mode != CGROUP_UNIFIED)
		cgroup_v1_plan(spec, rel, cg);
}

int cgroup_create(const struct oci_spec *spec, struct hb_cgroup *cg,
		  hb_err_t *err)
{
	bool unified = cgroup_detect_mode() == CGROUP_UNIFIED;
	int i;

	/* Never adopt (and later kill) a cgroup someone else is using. */
	for (i = -1; i < HB_MAX_V1_CGROUPS; i++) {
		const char *dir = i < 0 ? cg->v2 : cg->v1[i];
		cleanup_free char *procs = NULL, *text = NULL;

		if (!dir)
			continue;
		procs = xasprintf("%s/cgroup.procs", dir);
		if (read_file(procs, &text, NULL, NULL) == 0 && text[0]) {
			hb_error(err, 0, "cgroup `%s` is in use by other processes",
				 dir);
			cgroup_clear(cg);
			return -1;
		}
	}
	if (cg->v2) {
		if (unified)
			v2_enable_controllers(CG_ROOT, cg->v2 + strlen(CG_ROOT));
		if (mkdir_p(cg->v2, 0755, err) < 0) {
			/* Rootless without a delegated cgroup: run without. */
			if (geteuid() != 0 && !wants_resources(spec)) {
				hb_error_free(err);
				cgroup_clear(cg);
				return 0;
			}
			hb_error_wrap(err, "cgroup: create");
			goto fail;
		}
	}
	if (cgroup_apply_devices(spec, cg->v2, err) < 0) {
		/* Unprivileged users cannot load BPF: they get no filter. */
		if (geteuid() == 0)
			goto fail;
		hb_error_free(err);
	}
	if (!unified) {
		if (cgroup_v1_create(spec, cg, err) < 0 ||
		    cgroup_v1_apply(spec, cg, err) < 0)
			goto fail;
		return 0;
	}
	if (v2_apply(spec, cg->v2, err) < 0)
		goto fail;
	return 0;
fail:
	cgroup_destroy(cg, NULL);
	return -1;
}

static int enter_one(const char *dir, pid_t pid, hb_err_t *err)
{
	return write_cg(dir, "cgroup.procs", err, "%d", pid);
}

int cgroup_enter(const struct hb_cgroup *cg, pid_t pid, bool skip_v2,
		 hb_err_t *err)
{
	int i;

	if (cg->v2 && !skip_v2 && enter_one(cg->v2, pid, err) < 0)
		return -1;
	for (i = 0; i < HB_MAX_V1_CGROUPS && cg->v1[i]; i++)
		if (enter_one(cg->v1[i], pid, err) < 0)
			return -1;
	return 0;
}

static const char *tracking_dir(const struct hb_cgroup *cg)
{
	return cg->v2 ? cg->v2 : cg->v1[0];
}

/* Returns the number of processes signalled. */
static int signal_procs(const char *dir, int sig)
{
	cleanup_free char *path = xasprintf("%s/cgroup.procs", dir);
	cleanup_free char *text = NULL;
	char *p, *end;
	int n = 0;

	if (read_file(path, &text, NULL, NULL) < 0)
		return 0;
	for (p = text; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0 && kill(pid, sig) == 0)
			n++;
	}
	return n;
}

int cgroup_signal_all(const struct hb_cgroup *cg, int sig, hb_err_t *err)
{
	const char *dir = tracking_dir(cg);

	if (!dir)
		return hb_error(err, 0, "container has no cgroup to signal");
	signal_procs(dir, sig);
	return 0;
}

static int rmdir_retry(const char *dir, hb_err_t *err)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	int i;

	for (i = 0; i < 500; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		signal_procs(dir, SIGKILL);
		nanosleep(&ts, NULL);
	}
	return hb_error(err, errno, "cgroup: remove `%s`", dir);
}

int cgroup_destroy(struct hb_cgroup *cg, hb_err_t *err)
{
	int i, ret = 0;

	if (cg->v2) {
		cleanup_free char *kill_file = xasprintf("%s/cgroup.kill",
							 cg->v2);

		if (write_file(kill_file, "1", 1, NULL) < 0)
			signal_procs(cg->v2, SIGKILL);
		if (rmdir_retry(cg->v2, err) < 0)
			ret = -1;
	}
	for (i = 0; i < HB_MAX_V1_CGROUPS && cg->v1[i]; i++) {
		signal_procs(cg->v1[i], SIGKILL);
		if (rmdir_retry(cg->v1[i], ret ? NULL : err) < 0)
			ret = -1;
	}
	return ret;
}

void cgroup_clear(struct hb_cgroup *cg)
{
	int i;

	free(cg->v2);
	for (i = 0; i < HB_MAX_V1_CGROUPS; i++)
		free(cg->v1[i]);
	memset(cg, 0, sizeof(*cg));
}
