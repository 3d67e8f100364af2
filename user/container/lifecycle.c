// SPDX-License-Identifier: GPL-2.0
/* start, state, kill, delete: verbs on an existing container's state. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../net/net.h"
#include "cgroup.h"
#include "container.h"
#include "hooks.h"
#include "rootfs.h"
#include "sync.h"

static int open_state(const char *root, const char *id, struct hb_state *st,
		      hb_err_t *err)
{
	int fd = state_lock(root, id, err);

	if (fd < 0)
		return -1;
	if (state_load(fd, id, st, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* poststart and poststop: the hooks kept in the state; failures warn. */
static void run_state_hooks(const struct hb_state *st, enum oci_hook_kind kind)
{
	cleanup_spec struct oci_spec *hooks = NULL;
	cleanup_err hb_err_t err = NULL;

	if (!st->hooks_json)
		return;
	if (spec_load_hooks(st->hooks_json, &hooks, &err) < 0) {
		fprintf(stderr, "hyperbox: warning: %s\n", err->msg);
		return;
	}
	hooks_run_warn(hooks, kind, st);
}

int container_start(const char *root, const char *id, hb_err_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int dirfd = -1, fd = -1;
	struct hb_state st;
	char text[1024];
	enum sync_msg m;
	int r, ret = 0;

	dirfd = open_state(root, id, &st, err);
	if (dirfd < 0)
		return -1;
	if (strcmp(state_status(&st), "created")) {
		ret = hb_error(err, 0, "start `%s`: container is %s, not created",
			       id, state_status(&st));
		goto out;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/start.sock", root, id);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = hb_error(err, errno, "start `%s`: connect to init", id);
		goto out;
	}
	r = sync_recv(fd, &m, text, sizeof(text), NULL);
	unlinkat(dirfd, "start.sock", 0);
	if (r == 0 && m == SYNC_ERROR) {
		ret = hb_error(err, 0, "start `%s`: %s", id, text);
		goto out;
	}
	st.started = true;
	ret = state_save(dirfd, &st, err);
	if (!ret)
		run_state_hooks(&st, OCI_HOOK_POSTSTART);
out:
	state_clear(&st);
	return ret;
}

int container_state_json(const char *root, const char *id, char **out,
			 hb_err_t *err)
{
	cleanup_close int dirfd = -1;
	struct hb_state st;

	dirfd = open_state(root, id, &st, err);
	if (dirfd < 0)
		return -1;
	*out = state_to_oci_json(&st);
	state_clear(&st);
	return 0;
}

static void load_cgroup(const struct hb_state *st, struct hb_cgroup *cg)
{
	int i;

	memset(cg, 0, sizeof(*cg));
	cg->v2 = xstrdup(st->cgroup_v2);
	for (i = 0; i < HB_MAX_V1_CGROUPS && st->cgroup_v1[i]; i++)
		cg->v1[i] = xstrdup(st->cgroup_v1[i]);
}

int container_kill(const char *root, const char *id, int sig, bool all,
		   hb_err_t *err)
{
	cleanup_close int dirfd = -1;
	struct hb_state st;
	int ret = 0;

	dirfd = open_state(root, id, &st, err);
	if (dirfd < 0)
		return -1;
	if (!strcmp(state_status(&st), "stopped")) {
		ret = hb_error(err, 0, "kill `%s`: container is not running", id);
	} else if (all) {
		struct hb_cgroup cg;

		load_cgroup(&st, &cg);
		ret = cgroup_signal_all(&cg, sig, err);
		cgroup_clear(&cg);
		if (kill(st.pid, sig) < 0 && errno != ESRCH && !ret)
			ret = hb_error(err, errno, "kill `%s`", id);
	} else if (kill(st.pid, sig) < 0) {
		ret = hb_error(err, errno, "kill `%s` (pid %d)", id, st.pid);
	}
	state_clear(&st);
	return ret;
}

static void wait_gone(pid_t pid, unsigned long long start_time)
{
	struct timespec ts = { 0, 1000 * 1000 };
	int i;

	for (i = 0; i < 2000; i++) {
		/* Our own child (run): reap it; otherwise init does. */
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		if (!pid_alive(pid) || pid_start_time(pid) != start_time)
			return;
		nanosleep(&ts, NULL);
	}
}

int container_delete(const char *root, const char *id, bool force,
		     hb_err_t *err)
{
	cleanup_close int dirfd = -1;
	struct hb_cgroup cg;
	struct hb_state st;
	const char *status;
	int ret = 0;

	dirfd = open_state(root, id, &st, err);
	if (dirfd < 0) {
		/* create killed before its first state.json: only the dir. */
		if (force && state_check_id(id, NULL) == 0 && err && *err &&
		    !strstr((*err)->msg, "does not exist")) {
			hb_error_free(err);
			return state_remove_dir(root, id, err);
		}
		return -1;
	}
	status = state_status(&st);
	if (!strcmp(status, "running") && !force) {
		state_clear(&st);
		return hb_error(err, 0, "delete `%s`: container is running (use --force)",
				id);
	}
	if (strcmp(status, "stopped")) {
		kill(st.pid, SIGKILL);
		wait_gone(st.pid, st.start_time);
	}
	load_cgroup(&st, &cg);
	if (cgroup_destroy(&cg, err) < 0)
		ret = -1;
	cgroup_clear(&cg);
	if (st.net_bridge &&
	    hbnet_detach(root, st.net_bridge, id, st.net_host_if,
			 ret ? NULL : err) < 0)
		ret = -1;
	if (st.overlay_mount &&
	    overlay_umount(st.overlay_mount, st.overlay_work,
			   ret ? NULL : err) < 0)
		ret = -1;
	if (state_remove_dir(root, id, ret ? NULL : err) < 0)
		ret = -1;
	run_state_hooks(&st, OCI_HOOK_POSTSTOP);
	state_clear(&st);
	return ret < 0 ? hb_error_wrap(err, "delete `%s`", id) : 0;
}
