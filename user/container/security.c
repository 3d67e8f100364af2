// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "security.h"

int security_set_rlimits(const struct oci_process *p, hb_err_t *err)
{
	size_t i;

	for (i = 0; i < p->n_rlimits; i++) {
		struct rlimit r = { .rlim_cur = p->rlimits[i].soft,
				    .rlim_max = p->rlimits[i].hard };

		if (setrlimit(p->rlimits[i].resource, &r) < 0)
			return hb_error(err, errno, "setrlimit %d to %llu:%llu",
					p->rlimits[i].resource,
					(unsigned long long)r.rlim_cur,
					(unsigned long long)r.rlim_max);
	}
	return 0;
}

int security_set_oom_score_adj(pid_t pid, const struct oci_process *p,
			       hb_err_t *err)
{
	char path[64];

	if (!p->has_oom_score_adj)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	return write_file_fmt(path, err, "%d", p->oom_score_adj);
}

static bool in_list(const int *v, size_t n, int cap)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == cap)
			return true;
	return false;
}

int security_drop_bounding(const struct oci_process *p, hb_err_t *err)
{
	int cap, last = cap_max_bits() - 1;

	if (!p->caps.present)
		return 0;
	for (cap = 0; cap <= last; cap++) {
		if (in_list(p->caps.bounding, p->caps.n_bounding, cap))
			continue;
		if (cap_drop_bound(cap) < 0 && errno != EINVAL)
			return hb_error(err, errno, "drop capability %s from bounding set",
					cap_to_name(cap));
	}
	return 0;
}

int security_set_user(const struct oci_process *p, bool in_userns,
		      hb_err_t *err)
{
	/* Keep permitted caps across setuid; security_set_caps trims them. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hb_error(err, errno, "prctl PR_SET_KEEPCAPS");
	if (setgroups(p->n_additional_gids, p->additional_gids) < 0 &&
	    !(in_userns && errno == EPERM && !p->n_additional_gids))
		return hb_error(err, errno, "setgroups");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return hb_error(err, errno, "setresgid %u", p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return hb_error(err, errno, "setresuid %u", p->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hb_error(err, errno, "prctl PR_SET_KEEPCAPS");
	return 0;
}

static int set_flag(cap_t caps, cap_flag_t flag, const int *v, size_t n,
		    hb_err_t *err)
{
	cap_value_t vals[64];
	size_t i, k = 0;
	int last = cap_max_bits() - 1;

	for (i = 0; i < n && k < ARRAY_SIZE(vals); i++)
		if (v[i] <= last)
			vals[k++] = v[i];
	if (k && cap_set_flag(caps, flag, k, vals, CAP_SET) < 0)
		return hb_error(err, errno, "cap_set_flag");
	return 0;
}

int security_set_caps(const struct oci_process *p, hb_err_t *err)
{
	const struct oci_caps *c = &p->caps;
	cap_t caps;
	size_t i;
	int ret = 0;

	if (!c->present)
		return 0;
	caps = cap_init();
	if (!caps)
		return hb_error(err, errno, "cap_init");
	if (set_flag(caps, CAP_EFFECTIVE, c->effective, c->n_effective, err) ||
	    set_flag(caps, CAP_PERMITTED, c->permitted, c->n_permitted, err) ||
	    set_flag(caps, CAP_INHERITABLE, c->inheritable, c->n_inheritable,
		     err) ||
	    set_flag(caps, CAP_INHERITABLE, c->ambient, c->n_ambient, err))
		ret = -1;
	if (!ret && cap_set_proc(caps) < 0)
		ret = hb_error(err, errno, "set capabilities (capset)");
	cap_free(caps);
	if (ret)
		return ret;
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return hb_error(err, errno, "reset ambient capabilities");
	for (i = 0; i < c->n_ambient; i++) {
		if (!in_list(c->permitted, c->n_permitted, c->ambient[i]))
			continue;
		if (cap_set_ambient(c->ambient[i], CAP_SET) < 0 &&
		    errno != EINVAL)
			return hb_error(err, errno, "raise ambient %s",
					cap_to_name(c->ambient[i]));
	}
	return 0;
}

int security_no_new_privs(const struct oci_process *p, hb_err_t *err)
{
	if (p->no_new_privileges &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hb_error(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
	return 0;
}

int security_cloexec_fds(int n_preserve, hb_err_t *err)
{
	int fd, first = 3 + n_preserve;

	/* stdio and LISTEN_FDS-style preserved fds 3..3+n-1 pass through. */
	for (fd = 0; fd < first; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0 && (fl & FD_CLOEXEC))
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return hb_error(err, errno, "close_range from fd %d", first);
	return 0;
}
