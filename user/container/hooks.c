// SPDX-License-Identifier: GPL-2.0
/*
 * OCI hooks (runtime-spec runtime.md "Lifecycle", config.md "Hooks"): a
 * hook gets the state of the container on stdin and must exit 0 within
 * its timeout. The state goes through a socket rather than a pipe so that
 * a hook which never reads it cannot kill the runtime with SIGPIPE, and
 * the write is non-blocking so that it cannot outlast the timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "hooks.h"

static void __attribute__((noreturn)) exec_hook(const struct oci_hook *h,
						int in)
{
	const char *argv_default[] = { h->path, NULL };
	const char *env_empty[] = { NULL };
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, STDIN_FILENO) < 0)
		_exit(127);
	/* Nothing of the runtime's (state lock, sync sockets) leaks in. */
	close_range(3, ~0U, 0);
	execve(h->path, (char *const *)(h->args ? h->args : argv_default),
	       (char *const *)(h->env ? h->env : env_empty));
	fprintf(stderr, "hyperbox: exec hook `%s`: %s\n", h->path,
		strerror(errno));
	_exit(127);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Feeds the state and waits for the exit; -1 with errno = ETIME on timeout. */
static int feed_and_wait(pid_t pid, int pidfd, int out, const char *state,
			 long long deadline, int *status)
{
	size_t len = strlen(state), done = 0;

	for (;;) {
		struct pollfd p[2] = { { pidfd, POLLIN, 0 },
				       { done < len ? out : -1, POLLOUT, 0 } };
		long long left = deadline ? deadline - now_ms() : -1;
		int r;

		if (deadline && left <= 0) {
			errno = ETIME;
			return -1;
		}
		r = poll(p, 2, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		if (p[1].revents & POLLOUT) {
			ssize_t n = send(out, state + done, len - done,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0)
				done += n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR)
				done = len;	/* the hook closed stdin */
			if (done == len)
				shutdown(out, SHUT_WR);
		} else if (p[1].revents & (POLLERR | POLLHUP)) {
			done = len;
		}
		if (p[0].revents & POLLIN)
			return waitpid(pid, status, 0) == pid ? 0 : -1;
	}
}

static int run_one(const struct oci_hook *h, const char *kind,
		   const char *state, hb_err_t *err)
{
	long long deadline = h->timeout ? now_ms() + h->timeout * 1000 : 0;
	int sv[2], pidfd, status = 0, ret;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return hb_error(err, errno, "%s hook `%s`: socketpair", kind,
				h->path);
	pid = fork();
	if (pid < 0) {
		ret = hb_error(err, errno, "%s hook `%s`: fork", kind, h->path);
		goto out;
	}
	if (pid == 0)
		exec_hook(h, sv[1]);
	close(sv[1]);
	sv[1] = -1;
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		ret = hb_error(err, errno, "%s hook `%s`: pidfd_open", kind,
			       h->path);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	ret = feed_and_wait(pid, pidfd, sv[0], state, deadline, &status);
	close(pidfd);
	if (ret < 0) {
		int e = errno;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ret = e == ETIME ?
		      hb_error(err, 0, "%s hook `%s` timed out after %lld s",
			       kind, h->path, (long long)h->timeout) :
		      hb_error(err, e, "%s hook `%s`: wait", kind, h->path);
	} else if (WIFSIGNALED(status)) {
		ret = hb_error(err, 0, "%s hook `%s` killed by signal %d",
			       kind, h->path, WTERMSIG(status));
	} else if (WEXITSTATUS(status)) {
		ret = hb_error(err, 0, "%s hook `%s` exited with status %d",
			       kind, h->path, WEXITSTATUS(status));
	}
out:
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return ret;
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind,
	      const char *state_json, hb_err_t *err)
{
	size_t i;

	for (i = 0; spec && i < spec->hooks.n[kind]; i++)
		if (run_one(&spec->hooks.list[kind][i],
			    spec_hook_kind_name(kind), state_json, err) < 0)
			return -1;
	return 0;
}

void hooks_run_warn(const struct oci_spec *spec, enum oci_hook_kind kind,
		    const struct hb_state *st)
{
	cleanup_free char *state_json = NULL;
	size_t i;

	if (!hooks_any(spec, kind))
		return;
	state_json = state_to_oci_json(st);
	for (i = 0; i < spec->hooks.n[kind]; i++) {
		cleanup_err hb_err_t err = NULL;

		if (run_one(&spec->hooks.list[kind][i],
			    spec_hook_kind_name(kind), state_json, &err) < 0)
			fprintf(stderr, "hyperbox: warning: %s\n", err->msg);
	}
}

char *hooks_state_with_status(const char *state_json, const char *status)
{
	struct json_object *o = json_tokener_parse(state_json);
	char *out;

	if (!o)
		return xstrdup(state_json);
	json_object_object_add(o, "status", json_object_new_string(status));
	out = xstrdup(json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

int hooks_state_fd(const char *state_json, hb_err_t *err)
{
	int fd = memfd_create("hyperbox-state", MFD_CLOEXEC);

	if (fd < 0)
		return hb_error(err, errno, "memfd_create");
	if (write_all(fd, state_json, strlen(state_json)) < 0) {
		close(fd);
		return hb_error(err, errno, "write the state for the hooks");
	}
	return fd;
}

char *hooks_state_read(int fd, hb_err_t *err)
{
	char *state;

	/* The runtime's write left the shared offset at the end. */
	if (lseek(fd, 0, SEEK_SET) < 0) {
		hb_error(err, errno, "read the state for the hooks");
		return NULL;
	}
	return read_fd(fd, "the state for the hooks", &state, NULL, err) < 0 ?
	       NULL : state;
}
