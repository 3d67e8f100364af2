/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The OCI lifecycle: create (init waits), start, state, kill, delete, plus
 * run (create + start + wait) and exec (join a running container).
 */
#ifndef HB_CONTAINER_H
#define HB_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"
#include "state.h"

struct hb_opts {
	const char *root;		/* --root, state directory */
	bool systemd_cgroup;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool tty;			/* run -t: force process.terminal */
	bool detach;			/* run -d */
	int preserve_fds;
	const char *net_bridge;		/* --network BRIDGE */
	const char **layers;		/* --layer DIR (top first) */
	size_t n_layers;
	const char *upper;		/* --upper DIR */
};

/* Shared by the runtime and the container's init between clone and exec. */
struct hb_container {
	const char *id;
	const struct hb_opts *opts;
	struct oci_spec *spec;
	const struct oci_process *process;
	char *rootfs;
	int sync_fd;
	int listen_fd;		/* start.sock, create only */
	bool new_userns;
	int preserve_fds;
};

int container_create(const char *id, const struct hb_opts *o, hb_err_t *err);
int container_start(const char *root, const char *id, hb_err_t *err);
/* Runs to completion; *status gets the exit code (128+sig if killed). */
int container_run(const char *id, const struct hb_opts *o, int *status,
		  hb_err_t *err);
int container_state_json(const char *root, const char *id, char **out,
			 hb_err_t *err);
int container_kill(const char *root, const char *id, int sig, bool all,
		   hb_err_t *err);
int container_delete(const char *root, const char *id, bool force,
		     hb_err_t *err);

struct hb_exec_opts {
	const char *process_file;	/* --process process.json */
	const char **args;
	size_t n_args;
	const char **env;
	size_t n_env;
	const char *cwd;
	bool tty;
	bool detach;
	const char *pid_file;
	const char *console_socket;
	const char *user;		/* "uid[:gid]" */
	int preserve_fds;
};
int container_exec(const char *root, const char *id,
		   const struct hb_exec_opts *o, int *status, hb_err_t *err);

/* child.c: the container's init until execve; never returns. */
void __attribute__((noreturn)) container_init(struct hb_container *c);
/* Steps shared with exec: user, caps, nnp, seccomp, fds, then execve. */
void __attribute__((noreturn)) container_finish_exec(
	const struct oci_spec *spec, const struct oci_process *p,
	bool in_userns, int preserve_fds, int report_fd);

/* terminal.c */
int terminal_open_in_container(const struct oci_process *p, int *master,
			       hb_err_t *err);
int terminal_send_console(const char *sock_path, int master, hb_err_t *err);
/* Our terminal's size onto the pty, before the process can ask for it. */
void terminal_copy_winsize(int master);
/* Relay stdin/stdout <-> master with the tty in raw mode until pid exits. */
int terminal_relay(int master, pid_t pid, int *status);

/* Wait for pid forwarding terminating signals; exit code like a shell. */
int container_wait_forward(pid_t pid, int *status);

#endif
