// SPDX-License-Identifier: GPL-2.0
/*
 * exec: run another process in a running container. The runtime becomes a
 * child subreaper, forks a helper that joins the cgroup and namespaces of
 * the container's init, and the helper forks the process (a pid namespace
 * is only entered by children). Both report back over one socketpair.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "container.h"
#include "security.h"
#include "sync.h"

static const struct {
	int flag;
	const char *name;
} ns_files[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWIPC, "ipc" },
	{ CLONE_NEWUTS, "uts" },   { CLONE_NEWNET, "net" },
	{ CLONE_NEWPID, "pid" },   { CLONE_NEWCGROUP, "cgroup" },
	{ CLONE_NEWNS, "mnt" },
};

static int build_process(struct oci_spec *spec, const struct hb_exec_opts *o,
			 struct oci_process *p, hb_err_t *err)
{
	if (o->process_file) {
		cleanup_free char *text = NULL;
		struct json_object *obj;
		int ret;

		if (read_file(o->process_file, &text, NULL, err) < 0)
			return -1;
		obj = json_tokener_parse(text);
		if (!obj)
			return hb_error(err, 0, "%s: invalid JSON", o->process_file);
		ret = spec_parse_process_json(spec, obj, p, err);
		/* Strings point into obj: keep it alive with the spec. */
		json_object_object_add(spec->json, "hyperbox.exec", obj);
		return ret;
	}
	*p = spec->process;
	p->args = o->args;
	p->n_args = o->n_args;
	p->terminal = o->tty;
	if (o->cwd)
		p->cwd = o->cwd;
	if (o->n_env) {
		const char **env = xcalloc(p->n_env + o->n_env + 1, sizeof(*env));

		memcpy(env, p->env, p->n_env * sizeof(*env));
		memcpy(env + p->n_env, o->env, o->n_env * sizeof(*env));
		p->env = env;	/* leaked on purpose: lives until exec */
		p->n_env += o->n_env;
	}
	if (o->user) {
		unsigned int uid, gid;
		int n = sscanf(o->user, "%u:%u", &uid, &gid);

		if (n < 1)
			return hb_error(err, 0, "exec: bad --user `%s`", o->user);
		p->uid = uid;
		p->gid = n == 2 ? gid : 0;
	}
	return 0;
}

static int join_container(pid_t pid, const struct oci_spec *spec,
			  const struct hb_state *st, hb_err_t *err)
{
	int fds[ARRAY_SIZE(ns_files)];
	size_t i;
	int ret = 0;

	/* Enter every cgroup first, while the host's /sys is still visible. */
	for (i = 0; i <= HB_MAX_V1_CGROUPS; i++) {
		const char *dir = i ? st->cgroup_v1[i - 1] : st->cgroup_v2;
		cleanup_free char *procs = NULL;

		if (!dir) {
			if (i)
				break;
			continue;
		}
		procs = xasprintf("%s/cgroup.procs", dir);
		if (write_file(procs, "0", 1, err) < 0)
			return hb_error_wrap(err, "join cgroup");
	}
	/* Open all first: after entering mnt, /proc/PID may not be ours. */
	for (i = 0; i < ARRAY_SIZE(ns_files); i++) {
		char path[64];

		fds[i] = -1;
		if (!spec_has_namespace(spec, ns_files[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid,
			 ns_files[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			ret = hb_error(err, errno, "open `%s`", path);
	}
	for (i = 0; !ret && i < ARRAY_SIZE(ns_files); i++)
		if (fds[i] >= 0 && setns(fds[i], ns_files[i].flag) < 0)
			ret = hb_error(err, errno, "join %s namespace of %d",
				       ns_files[i].name, pid);
	for (i = 0; i < ARRAY_SIZE(ns_files); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}

static void __attribute__((noreturn))
exec_helper(int sock, pid_t target, const struct oci_spec *spec,
	    const struct hb_state *st, const struct oci_process *p,
	    int preserve_fds)
{
	cleanup_err hb_err_t err = NULL;
	char buf[32];
	pid_t pid;

	if (join_container(target, spec, st, &err) < 0)
		goto fail;
	pid = fork();
	if (pid < 0) {
		hb_error(&err, errno, "fork into container");
		goto fail;
	}
	if (pid == 0) {
		if (spec_has_namespace(spec, CLONE_NEWUSER) &&
		    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
			hb_error(&err, errno, "become root in user namespace");
			goto fail;
		}
		if (p->terminal) {
			int master;

			if (terminal_open_in_container(p, &master, &err) < 0)
				goto fail;
			sync_send(sock, SYNC_PTY, NULL, master);
			close(master);
		} else {
			setsid();
		}
		if (security_set_rlimits(p, &err) < 0)
			goto fail;
		container_finish_exec(spec, p,
				      spec_has_namespace(spec, CLONE_NEWUSER),
				      preserve_fds, sock);
	}
	snprintf(buf, sizeof(buf), "%d", pid);
	sync_send(sock, SYNC_READY, buf, -1);
	_exit(0);
fail:
	sync_send(sock, SYNC_ERROR, err ? err->msg : "exec failed", -1);
	_exit(127);
}

/* READY carries the pid; then EOF (exec'd) or ERROR. */
static int collect(int sock, pid_t *pid, int *master, hb_err_t *err)
{
	char text[1024];

	*pid = 0;
	for (;;) {
		enum sync_msg m;
		int fd, r = sync_recv(sock, &m, text, sizeof(text), &fd);

		if (r == 1)
			return *pid ? 0 : hb_error(err, 0, "exec helper died");
		if (r < 0)
			return hb_error(err, errno, "read from exec helper");
		if (m == SYNC_ERROR)
			return hb_error(err, 0, "%s", text);
		if (m == SYNC_PTY)
			*master = fd;
		if (m == SYNC_READY)
			*pid = atoi(text);
	}
}

int container_exec(const char *root, const char *id,
		   const struct hb_exec_opts *o, int *status, hb_err_t *err)
{
	cleanup_spec struct oci_spec *spec = NULL;
	cleanup_close int master = -1;
	cleanup_free char *config = NULL;
	struct oci_process p;
	struct hb_state st;
	int dirfd, sv[2], ret = -1;
	pid_t helper, pid;

	dirfd = state_lock(root, id, err);
	if (dirfd < 0)
		return -1;
	ret = state_load(dirfd, id, &st, err);
	close(dirfd);
	if (ret < 0)
		return -1;
	ret = -1;
	if (strcmp(state_status(&st), "running") &&
	    strcmp(state_status(&st), "created")) {
		hb_error(err, 0, "exec `%s`: container is not running", id);
		goto out;
	}
	config = xasprintf("%s/config.json", st.bundle);
	if (spec_load_file(config, &spec, err) < 0 ||
	    build_process(spec, o, &p, err) < 0)
		goto out;
	if (p.terminal && o->detach && !o->console_socket) {
		hb_error(err, 0, "exec -d -t needs --console-socket");
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		hb_error(err, errno, "socketpair");
		goto out;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	helper = fork();
	if (helper == 0) {
		close(sv[0]);
		exec_helper(sv[1], st.pid, spec, &st, &p, o->preserve_fds);
	}
	close(sv[1]);
	if (helper < 0) {
		close(sv[0]);
		hb_error(err, errno, "fork exec helper");
		goto out;
	}
	ret = collect(sv[0], &pid, &master, err);
	close(sv[0]);
	waitpid(helper, NULL, 0);
	if (ret < 0) {
		if (pid > 0)
			kill(pid, SIGKILL);
		goto out;
	}
	if (o->pid_file)
		write_file_fmt(o->pid_file, NULL, "%d", pid);
	if (master >= 0 && o->console_socket) {
		ret = terminal_send_console(o->console_socket, master, err);
		close(master);
		master = -1;
		if (ret < 0)
			goto out;
	}
	if (o->detach) {
		*status = 0;
	} else if (master >= 0) {
		terminal_relay(master, pid, status);
	} else {
		container_wait_forward(pid, status);
	}
	ret = 0;
out:
	state_clear(&st);
	return ret < 0 ? hb_error_wrap(err, "exec in `%s`", id) : 0;
}
