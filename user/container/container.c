// SPDX-License-Identifier: GPL-2.0
/*
 * create and run: the runtime's half of container creation. Every resource
 * taken (state dir, overlay, cgroup, init process, veth, lease) is recorded
 * in struct create_ctx so a failure at any step undoes all of them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <linux/sched.h>

#include "../net/net.h"
#include "cgroup.h"
#include "container.h"
#include "hooks.h"
#include "rootfs.h"
#include "security.h"
#include "sync.h"

struct create_ctx {
	const char *root;
	const char *id;
	int dirfd;
	struct hb_state st;
	struct hb_cgroup cg;
	struct oci_spec *spec;
	struct oci_process process;
	pid_t pid;
	bool in_v2_cgroup;	/* clone3 put the init there already */
	int sync_fd;
	int master;
};

static void ctx_init(struct create_ctx *x, const char *root, const char *id)
{
	memset(x, 0, sizeof(*x));
	x->root = root;
	x->id = id;
	x->dirfd = x->sync_fd = x->master = -1;
}

static void ctx_release(struct create_ctx *x)
{
	if (x->dirfd >= 0)
		close(x->dirfd);
	if (x->sync_fd >= 0)
		close(x->sync_fd);
	if (x->master >= 0)
		close(x->master);
	state_clear(&x->st);
	cgroup_clear(&x->cg);
	spec_free(x->spec);
	ctx_init(x, NULL, NULL);
}

/* Undo everything a failed create took, newest first. */
static void ctx_undo(struct create_ctx *x)
{
	if (x->pid > 0) {
		kill(x->pid, SIGKILL);
		waitpid(x->pid, NULL, 0);
	}
	if (x->st.net_bridge)
		hbnet_detach(x->root, x->st.net_bridge, x->id,
			     x->st.net_host_if, NULL);
	cgroup_destroy(&x->cg, NULL);
	if (x->st.overlay_mount)
		overlay_umount(x->st.overlay_mount, x->st.overlay_work, NULL);
	if (x->dirfd >= 0)
		state_remove_dir(x->root, x->id, NULL);
	/* A container that existed is deleted now: poststop is due. */
	if (x->st.pid)
		hooks_run_warn(x->spec, OCI_HOOK_POSTSTOP, &x->st);
	ctx_release(x);
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

static int split_layers(const char *list, const char *bundle,
			const char ***out, size_t *n)
{
	char *copy = xstrdup(list), *tok, *save = NULL;
	const char **v = xcalloc(64, sizeof(*v));
	size_t k = 0;

	for (tok = strtok_r(copy, ":", &save); tok && k < 63;
	     tok = strtok_r(NULL, ":", &save))
		v[k++] = tok[0] == '/' ? xstrdup(tok) :
			 xasprintf("%s/%s", bundle, tok);
	free(copy);
	*out = v;
	*n = k;
	return 0;
}

/* --layer/--upper or the org.hyperbox.overlay.* annotations. */
static int setup_overlay(struct create_ctx *x, const struct hb_opts *o,
			 hb_err_t *err)
{
	const char *lower = spec_annotation(x->spec, "org.hyperbox.overlay.lower");
	const char *upper = o->upper ? o->upper :
			    spec_annotation(x->spec, "org.hyperbox.overlay.upper");
	const char **layers = o->layers;
	size_t n = o->n_layers, i;
	const char **owned = NULL;
	cleanup_free char *up = NULL, *work = NULL;
	int ret;

	if (!n && lower)
		split_layers(lower, x->st.bundle, &owned, &n);
	if (owned)
		layers = owned;
	if (!n) {
		if (upper)
			return hb_error(err, 0, "overlay: upper layer without lower layers");
		return 0;
	}
	if (!upper)
		return hb_error(err, 0, "overlay: lower layers need --upper DIR");
	up = upper[0] == '/' ? xstrdup(upper) :
	     xasprintf("%s/%s", x->st.bundle, upper);
	work = xasprintf("%s.work", up);
	ret = overlay_mount(layers, n, up, work, x->st.rootfs, err);
	for (i = 0; owned && i < n; i++)
		free((char *)owned[i]);
	free(owned);
	if (ret < 0)
		return -1;
	x->st.overlay_mount = xstrdup(x->st.rootfs);
	x->st.overlay_work = steal_ptr(work);
	return 0;
}

static int write_id_maps(pid_t pid, const struct oci_spec *spec, hb_err_t *err)
{
	const struct {
		const char *file;
		const struct oci_idmap *m;
		size_t n;
	} maps[] = { { "uid_map", spec->uid_mappings, spec->n_uid_mappings },
		     { "gid_map", spec->gid_mappings, spec->n_gid_mappings } };
	size_t i, j;

	if (geteuid() != 0) {
		/* Unprivileged gid_map writes need setgroups denied first. */
		char p[64];

		snprintf(p, sizeof(p), "/proc/%d/setgroups", pid);
		if (write_file(p, "deny", 4, err) < 0)
			return hb_error_wrap(err, "user namespace");
	}
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		cleanup_free char *text = xstrdup("");
		char p[64];

		for (j = 0; j < maps[i].n; j++) {
			char *t = xasprintf("%s%u %u %u\n", text,
					    maps[i].m[j].container_id,
					    maps[i].m[j].host_id,
					    maps[i].m[j].size);
			free(text);
			text = t;
		}
		snprintf(p, sizeof(p), "/proc/%d/%s", pid, maps[i].file);
		if (write_file(p, text, strlen(text), err) < 0)
			return hb_error(err, (*err)->errnum,
					"write %s (bad uid/gid mapping?)",
					maps[i].file);
	}
	return 0;
}

static int clone_flags(const struct oci_spec *spec)
{
	int flags = 0;
	size_t i;

	for (i = 0; i < spec->n_namespaces; i++)
		if (!spec->namespaces[i].path &&
		    spec->namespaces[i].flag != CLONE_NEWCGROUP)
			flags |= spec->namespaces[i].flag;
	return flags;
}

static int join_pid_ns(const struct oci_spec *spec, hb_err_t *err)
{
	const struct oci_namespace *ns = spec_namespace(spec, CLONE_NEWPID);
	cleanup_close int fd = -1;

	if (!ns || !ns->path)
		return 0;
	fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hb_error(err, errno, "open pid namespace `%s`", ns->path);
	/* Only our children enter it; the runtime itself stays put. */
	if (setns(fd, CLONE_NEWPID) < 0)
		return hb_error(err, errno, "join pid namespace `%s`", ns->path);
	return 0;
}

/*
 * clone3(CLONE_INTO_CGROUP) starts the init inside its v2 cgroup: no later
 * write to cgroup.procs, whose migration waits for an RCU grace period.
 * Older kernels get plain clone() and cgroup_enter() does the move.
 */
static pid_t clone_init(struct create_ctx *x, int flags)
{
	struct clone_args args = { .flags = flags, .exit_signal = SIGCHLD };
	cleanup_close int cgfd = -1;
	pid_t pid;

	if (x->cg.v2)
		cgfd = open(x->cg.v2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = cgfd;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			x->in_v2_cgroup = true;
			return pid;
		}
	}
	return syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

static int start_socket(const char *root, const char *id, hb_err_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/start.sock",
			     root, id) >= sizeof(sa.sun_path))
		return hb_error(err, 0, "state path too long for start.sock");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hb_error(err, errno, "socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0) {
		close(fd);
		return hb_error(err, errno, "listen on `%s`", sa.sun_path);
	}
	return fd;
}

/* prestart and createRuntime, then the state goes to the init (a memfd). */
static int run_runtime_hooks(struct create_ctx *x, hb_err_t *err)
{
	cleanup_free char *state = state_to_oci_json(&x->st);
	int fd;

	if (hooks_run(x->spec, OCI_HOOK_PRESTART, state, err) < 0 ||
	    hooks_run(x->spec, OCI_HOOK_CREATE_RUNTIME, state, err) < 0)
		return -1;
	fd = hooks_state_fd(state, err);
	if (fd < 0)
		return -1;
	if (sync_send(x->sync_fd, SYNC_HOOKS_DONE, NULL, fd) < 0) {
		close(fd);
		return hb_error(err, errno, "hand the state to container init");
	}
	close(fd);
	return 0;
}

static int wait_ready(struct create_ctx *x, hb_err_t *err)
{
	char text[1024];

	for (;;) {
		enum sync_msg m;
		int fd, r = sync_recv(x->sync_fd, &m, text, sizeof(text), &fd);

		if (r == 1)
			return hb_error(err, 0, "container init exited during setup");
		if (r < 0)
			return hb_error(err, errno, "read from container init");
		if (m == SYNC_PTY)
			x->master = fd;
		else if (m == SYNC_HOOKS && run_runtime_hooks(x, err) < 0)
			return -1;
		else if (m == SYNC_READY)
			return 0;
		else if (m == SYNC_ERROR)
			return hb_error(err, 0, "%s", text);
	}
}

static int write_pid_file(const char *path, pid_t pid, hb_err_t *err)
{
	cleanup_free char *tmp = xasprintf("%s.hb-tmp", path);

	if (write_file_fmt(tmp, err, "%d", pid) < 0)
		return hb_error_wrap(err, "pid file");
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return hb_error(err, errno, "write pid file `%s`", path);
	}
	return 0;
}

static const char *bridge_of(const struct hb_opts *o,
			     const struct oci_spec *spec)
{
	return o->net_bridge ? o->net_bridge :
	       spec_annotation(spec, "org.hyperbox.net.bridge");
}

static int spawn_init(struct create_ctx *x, const struct hb_opts *o, bool run,
		      hb_err_t *err)
{
	struct hb_container c = { .id = x->id, .opts = o, .spec = x->spec,
				  .process = &x->process,
				  .rootfs = x->st.rootfs, .listen_fd = -1,
				  .preserve_fds = o->preserve_fds };
	int sv[2];

	c.new_userns = spec_has_namespace(x->spec, CLONE_NEWUSER);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return hb_error(err, errno, "socketpair");
	if (!run) {
		c.listen_fd = start_socket(x->root, x->id, err);
		if (c.listen_fd < 0) {
			close(sv[0]);
			close(sv[1]);
			return -1;
		}
	}
	if (join_pid_ns(x->spec, err) < 0)
		goto fail;
	x->pid = clone_init(x, clone_flags(x->spec));
	if (x->pid < 0) {
		x->pid = 0;
		hb_error(err, errno, "clone container init");
		goto fail;
	}
	if (x->pid == 0) {
		/* The state lock must not outlive `create` in the init. */
		close(x->dirfd);
		close(sv[0]);
		c.sync_fd = sv[1];
		container_init(&c);
	}
	close(sv[1]);
	if (c.listen_fd >= 0)
		close(c.listen_fd);
	x->sync_fd = sv[0];
	return 0;
fail:
	close(sv[0]);
	close(sv[1]);
	if (c.listen_fd >= 0)
		close(c.listen_fd);
	return -1;
}

static int configure_init(struct create_ctx *x, const struct hb_opts *o,
			  hb_err_t *err)
{
	const char *bridge = bridge_of(o, x->spec);

	if (spec_has_namespace(x->spec, CLONE_NEWUSER) &&
	    !spec_namespace(x->spec, CLONE_NEWUSER)->path &&
	    write_id_maps(x->pid, x->spec, err) < 0)
		return -1;
	if (cgroup_enter(&x->cg, x->pid, x->in_v2_cgroup, err) < 0 ||
	    security_set_oom_score_adj(x->pid, &x->process, err) < 0)
		return -1;
	if (bridge) {
		char host_if[16], addr[64];

		if (!spec_has_namespace(x->spec, CLONE_NEWNET) ||
		    spec_namespace(x->spec, CLONE_NEWNET)->path)
			return hb_error(err, 0, "network `%s` needs a new network namespace",
					bridge);
		if (hbnet_attach(x->root, bridge, x->id, x->pid, host_if, addr,
				 sizeof(addr), err) < 0)
			return -1;
		x->st.net_bridge = xstrdup(bridge);
		x->st.net_host_if = xstrdup(host_if);
		x->st.net_addr = xstrdup(addr);
	}
	if (sync_send(x->sync_fd, SYNC_GO, NULL, -1) < 0)
		return hb_error(err, errno, "signal container init");
	return wait_ready(x, err);
}

static int load_bundle(struct create_ctx *x, const struct hb_opts *o,
		       hb_err_t *err)
{
	char buf[PATH_MAX];
	cleanup_free char *config = NULL, *rootfs = NULL;
	struct json_object *ann;

	if (!realpath(o->bundle ? o->bundle : ".", buf))
		return hb_error(err, errno, "bundle `%s`",
				o->bundle ? o->bundle : ".");
	x->st.bundle = xstrdup(buf);
	config = xasprintf("%s/config.json", buf);
	if (spec_load_file(config, &x->spec, err) < 0)
		return -1;
	if (seccomp_check(x->spec->seccomp, err) < 0)
		return -1;
	if (!x->spec->has_process)
		return hb_error(err, 0, "config.json: process: required to create a container");
	x->process = x->spec->process;
	if (o->tty)
		x->process.terminal = true;
	rootfs = x->spec->root_path[0] == '/' ? xstrdup(x->spec->root_path) :
		 xasprintf("%s/%s", buf, x->spec->root_path);
	x->st.rootfs = steal_ptr(rootfs);
	if (json_object_object_get_ex(x->spec->json, "annotations", &ann))
		x->st.annotations_json = xstrdup(json_object_to_json_string(ann));
	/* start and delete run poststart and poststop from the state. */
	if (json_object_object_get_ex(x->spec->json, "hooks", &ann))
		x->st.hooks_json = xstrdup(json_object_to_json_string(ann));
	return 0;
}

static void record_cgroup(struct hb_state *st, const struct hb_cgroup *cg)
{
	int i;

	free(st->cgroup_v2);
	st->cgroup_v2 = xstrdup(cg->v2);
	for (i = 0; i < HB_MAX_V1_CGROUPS; i++) {
		free(st->cgroup_v1[i]);
		st->cgroup_v1[i] = xstrdup(cg->v1[i]);
	}
}

static int do_create(struct create_ctx *x, const struct hb_opts *o, bool run,
		     hb_err_t *err)
{
	struct stat sb;

	if (load_bundle(x, o, err) < 0)
		return -1;
	if (x->process.terminal && !run && !o->console_socket)
		return hb_error(err, 0, "process.terminal needs --console-socket with create");
	x->dirfd = state_create_dir(x->root, x->id, err);
	if (x->dirfd < 0)
		return -1;
	x->st.id = xstrdup(x->id);
	/*
	 * state.json is rewritten as each resource is taken, so a `create`
	 * killed at any point can still be cleaned up by `delete --force`.
	 */
	if (state_save(x->dirfd, &x->st, err) < 0 ||
	    setup_overlay(x, o, err) < 0 ||
	    state_save(x->dirfd, &x->st, err) < 0)
		return -1;
	if (stat(x->st.rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return hb_error(err, errno ? errno : ENOTDIR, "root.path `%s`",
				x->st.rootfs);
	cgroup_plan(x->spec, x->id, o->systemd_cgroup, &x->cg);
	record_cgroup(&x->st, &x->cg);
	if (state_save(x->dirfd, &x->st, err) < 0 ||
	    cgroup_create(x->spec, &x->cg, err) < 0)
		return -1;
	/* Rootless may have dropped the paths it could not create. */
	record_cgroup(&x->st, &x->cg);
	if (state_save(x->dirfd, &x->st, err) < 0 ||
	    spawn_init(x, o, run, err) < 0)
		return -1;
	x->st.pid = x->pid;
	x->st.start_time = pid_start_time(x->pid);
	if (state_save(x->dirfd, &x->st, err) < 0 ||
	    configure_init(x, o, err) < 0)
		return -1;
	x->st.created = now_rfc3339();
	if (state_save(x->dirfd, &x->st, err) < 0)
		return -1;
	if (o->pid_file && write_pid_file(o->pid_file, x->pid, err) < 0)
		return -1;
	if (x->master >= 0 && o->console_socket) {
		if (terminal_send_console(o->console_socket, x->master, err) < 0)
			return -1;
		close(x->master);
		x->master = -1;
	}
	return 0;
}

int container_create(const char *id, const struct hb_opts *o, hb_err_t *err)
{
	struct create_ctx x;

	ctx_init(&x, o->root, id);
	if (do_create(&x, o, false, err) < 0) {
		ctx_undo(&x);
		return hb_error_wrap(err, "create `%s`", id);
	}
	ctx_release(&x);
	return 0;
}

/* After SYNC_START: EOF means execve closed the socket, else an error. */
static int wait_exec(int fd, hb_err_t *err)
{
	char text[1024];
	enum sync_msg m;
	int r = sync_recv(fd, &m, text, sizeof(text), NULL);

	if (r == 1)
		return 0;
	if (r == 0 && m == SYNC_ERROR)
		return hb_error(err, 0, "%s", text);
	return hb_error(err, errno, "start: container init did not exec");
}

int container_run(const char *id, const struct hb_opts *o, int *status,
		  hb_err_t *err)
{
	struct create_ctx x;
	cleanup_err hb_err_t derr = NULL;
	int master;

	ctx_init(&x, o->root, id);
	if (do_create(&x, o, true, err) < 0)
		goto fail;
	if (x.master >= 0)
		terminal_copy_winsize(x.master);
	if (sync_send(x.sync_fd, SYNC_START, NULL, -1) < 0) {
		hb_error(err, errno, "start container init");
		goto fail;
	}
	if (wait_exec(x.sync_fd, err) < 0)
		goto fail;
	x.st.started = true;
	if (state_save(x.dirfd, &x.st, err) < 0)
		goto fail;
	hooks_run_warn(x.spec, OCI_HOOK_POSTSTART, &x.st);
	/* Let state/kill/exec in while we wait. */
	close(x.dirfd);
	x.dirfd = -1;
	if (o->detach) {
		ctx_release(&x);
		*status = 0;
		return 0;
	}
	master = x.master;
	if (master >= 0)
		terminal_relay(master, x.pid, status);
	else
		container_wait_forward(x.pid, status);
	x.pid = 0;
	ctx_release(&x);
	if (container_delete(o->root, id, true, &derr) < 0)
		fprintf(stderr, "hyperbox: %s\n", derr->msg);
	return 0;
fail:
	ctx_undo(&x);
	return hb_error_wrap(err, "run `%s`", id);
}
