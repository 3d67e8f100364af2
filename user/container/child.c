// SPDX-License-Identifier: GPL-2.0
/*
 * The container's init from clone() to execve(): namespaces, rootfs,
 * terminal, then wait for `start`, drop privileges and exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../net/net.h"
#include "container.h"
#include "hooks.h"
#include "rootfs.h"
#include "security.h"
#include "sync.h"

extern char **environ;

static void __attribute__((noreturn)) fail(int fd, hb_err_t *err)
{
	const char *msg = (err && *err) ? (*err)->msg : "container init failed";

	if (fd < 0 || sync_send(fd, SYNC_ERROR, msg, -1) < 0)
		fprintf(stderr, "hyperbox: %s\n", msg);
	_exit(127);
}

static int join_namespaces(const struct oci_spec *spec, hb_err_t *err)
{
	/* User first: it decides our capabilities over the others. */
	static const int order[] = { CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS,
				     CLONE_NEWNET, CLONE_NEWCGROUP,
				     CLONE_NEWNS };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		const struct oci_namespace *ns = spec_namespace(spec, order[i]);
		cleanup_close int fd = -1;

		if (!ns || !ns->path)
			continue;
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return hb_error(err, errno, "open %s namespace `%s`",
					ns_name_from_flag(ns->flag), ns->path);
		if (setns(fd, ns->flag) < 0)
			return hb_error(err, errno, "join %s namespace `%s`",
					ns_name_from_flag(ns->flag), ns->path);
	}
	return 0;
}

static int apply_sysctl(const struct oci_spec *spec, hb_err_t *err)
{
	size_t i;

	for (i = 0; i < spec->n_sysctl; i++) {
		cleanup_free char *path = xasprintf("/proc/sys/%s",
						    spec->sysctl[i].key);
		char *p;

		if (strstr(spec->sysctl[i].key, ".."))
			return hb_error(err, 0, "invalid sysctl `%s`",
					spec->sysctl[i].key);
		for (p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (write_file(path, spec->sysctl[i].value,
			       strlen(spec->sysctl[i].value), err) < 0)
			return hb_error_wrap(err, "sysctl");
	}
	return 0;
}

static int setup_stdio_terminal(struct hb_container *c, hb_err_t *err)
{
	cleanup_close int master = -1;

	if (!c->process->terminal) {
		/* A detached init must not keep the runtime's session. */
		setsid();
		return 0;
	}
	if (terminal_open_in_container(c->process, &master, err) < 0)
		return -1;
	if (sync_send(c->sync_fd, SYNC_PTY, NULL, master) < 0)
		return hb_error(err, errno, "send pty master to runtime");
	return 0;
}

/* Block until `start` connects (create) or the runtime says go (run). */
static int wait_for_start(struct hb_container *c, hb_err_t *err)
{
	struct pollfd pfd[2] = { { c->sync_fd, POLLIN, 0 },
				 { c->listen_fd, POLLIN, 0 } };

	for (;;) {
		enum sync_msg m;
		int r;

		r = poll(pfd, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return hb_error(err, errno, "poll for start");
		if (pfd[1].revents & POLLIN) {
			int conn = accept4(c->listen_fd, NULL, NULL,
					   SOCK_CLOEXEC);

			if (conn < 0)
				continue;
			close(c->listen_fd);
			if (c->sync_fd >= 0)
				close(c->sync_fd);
			return conn;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			r = sync_recv(c->sync_fd, &m, NULL, 0, NULL);
			if (r == 0 && m == SYNC_START)
				return c->sync_fd;
			/* The `create` runtime exited: only start.sock remains. */
			close(c->sync_fd);
			c->sync_fd = -1;
			pfd[0].fd = -1;
			if (c->listen_fd < 0)
				return hb_error(err, 0, "runtime went away");
		}
	}
}

/*
 * Between the mounts and the pivot: the runtime runs prestart and
 * createRuntime (in its own namespaces) and hands back the state it gave
 * them, then createContainer runs here, in the container's namespaces
 * while host paths still resolve. *state is kept for startContainer;
 * NULL when the spec has no create or start hooks (no round trip then).
 */
static int run_create_hooks(struct hb_container *c, char **state,
			    hb_err_t *err)
{
	const struct oci_spec *spec = c->spec;
	enum sync_msg m;
	int fd;

	*state = NULL;
	if (!hooks_any(spec, OCI_HOOK_PRESTART) &&
	    !hooks_any(spec, OCI_HOOK_CREATE_RUNTIME) &&
	    !hooks_any(spec, OCI_HOOK_CREATE_CONTAINER) &&
	    !hooks_any(spec, OCI_HOOK_START_CONTAINER))
		return 0;
	if (sync_send(c->sync_fd, SYNC_HOOKS, NULL, -1) < 0)
		return hb_error(err, errno, "ask the runtime to run hooks");
	/* Anything else: a runtime hook failed and the runtime says so. */
	if (sync_recv(c->sync_fd, &m, NULL, 0, &fd) != 0 ||
	    m != SYNC_HOOKS_DONE || fd < 0)
		_exit(1);
	*state = hooks_state_read(fd, err);
	close(fd);
	if (!*state)
		return -1;
	return hooks_run(spec, OCI_HOOK_CREATE_CONTAINER, *state, err);
}

/* startContainer: in the container, after the pivot, before the exec. */
static int run_start_hooks(const struct oci_spec *spec, const char *state,
			   hb_err_t *err)
{
	cleanup_free char *created = NULL;

	if (!state || !hooks_any(spec, OCI_HOOK_START_CONTAINER))
		return 0;
	created = hooks_state_with_status(state, "created");
	return hooks_run(spec, OCI_HOOK_START_CONTAINER, created, err);
}

static int exec_program(const struct oci_process *p)
{
	environ = (char **)p->env;
	execvp(p->args[0], (char *const *)p->args);
	return -1;
}

void container_finish_exec(const struct oci_spec *spec,
			   const struct oci_process *p, bool in_userns,
			   int preserve_fds, int report_fd)
{
	cleanup_err hb_err_t err = NULL;
	bool early_cwd = chdir(p->cwd) == 0;
	sigset_t none;
	int sig;

	/* The process starts with default dispositions and nothing blocked. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (security_drop_bounding(p, &err) < 0 ||
	    security_set_user(p, in_userns, &err) < 0)
		fail(report_fd, &err);
	if (!early_cwd && chdir(p->cwd) < 0) {
		hb_error(&err, errno, "chdir to cwd `%s`", p->cwd);
		fail(report_fd, &err);
	}
	/* Without no_new_privs only CAP_SYS_ADMIN may load a filter. */
	if (!p->no_new_privileges && seccomp_apply(spec->seccomp, &err) < 0)
		fail(report_fd, &err);
	if (security_set_caps(p, &err) < 0 ||
	    security_no_new_privs(p, &err) < 0)
		fail(report_fd, &err);
	if (p->no_new_privileges && seccomp_apply(spec->seccomp, &err) < 0)
		fail(report_fd, &err);
	if (security_cloexec_fds(preserve_fds, &err) < 0)
		fail(report_fd, &err);
	if (report_fd >= 0 && report_fd < 3 + preserve_fds)
		report_fd = -1;
	exec_program(p);
	hb_error(&err, errno, "exec `%s`", p->args[0]);
	fail(report_fd, &err);
}

void container_init(struct hb_container *c)
{
	const struct oci_spec *spec = c->spec;
	cleanup_err hb_err_t err = NULL;
	cleanup_free char *state = NULL;
	enum sync_msg m;
	int report_fd;

	if (sync_recv(c->sync_fd, &m, NULL, 0, NULL) != 0 || m != SYNC_GO)
		_exit(1);
	if (join_namespaces(spec, &err) < 0)
		fail(c->sync_fd, &err);
	if (c->new_userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		hb_error(&err, errno, "become root in the user namespace");
		fail(c->sync_fd, &err);
	}
	if (spec_has_namespace(spec, CLONE_NEWCGROUP) &&
	    !spec_namespace(spec, CLONE_NEWCGROUP)->path &&
	    unshare(CLONE_NEWCGROUP) < 0) {
		hb_error(&err, errno, "unshare cgroup namespace");
		fail(c->sync_fd, &err);
	}
	if (spec_has_namespace(spec, CLONE_NEWNET) &&
	    !spec_namespace(spec, CLONE_NEWNET)->path &&
	    hbnet_loopback_up(&err) < 0)
		fail(c->sync_fd, &err);
	if (spec->hostname && spec_has_namespace(spec, CLONE_NEWUTS) &&
	    sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
		hb_error(&err, errno, "sethostname `%s`", spec->hostname);
		fail(c->sync_fd, &err);
	}
	if (spec_has_namespace(spec, CLONE_NEWNS) &&
	    rootfs_prepare(spec, c->rootfs, &err) < 0)
		fail(c->sync_fd, &err);
	if (run_create_hooks(c, &state, &err) < 0)
		fail(c->sync_fd, &err);
	if (spec_has_namespace(spec, CLONE_NEWNS)) {
		if (rootfs_pivot(c->rootfs, c->opts->no_pivot, &err) < 0)
			fail(c->sync_fd, &err);
	} else if (chroot(c->rootfs) < 0 || chdir("/") < 0) {
		hb_error(&err, errno, "chroot to `%s`", c->rootfs);
		fail(c->sync_fd, &err);
	}
	if (apply_sysctl(spec, &err) < 0 ||
	    (spec_has_namespace(spec, CLONE_NEWNS) &&
	     rootfs_finalize(spec, &err) < 0) ||
	    setup_stdio_terminal(c, &err) < 0 ||
	    security_set_rlimits(c->process, &err) < 0)
		fail(c->sync_fd, &err);
	if (sync_send(c->sync_fd, SYNC_READY, NULL, -1) < 0)
		_exit(1);
	report_fd = wait_for_start(c, &err);
	if (report_fd < 0)
		fail(-1, &err);
	if (run_start_hooks(spec, state, &err) < 0)
		fail(report_fd, &err);
	container_finish_exec(spec, c->process, c->new_userns,
			      c->preserve_fds, report_fd);
}
