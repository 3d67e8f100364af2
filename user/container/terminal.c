// SPDX-License-Identifier: GPL-2.0
/* ptys for process.terminal: allocation, --console-socket, and `run -t`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "container.h"

int terminal_open_in_container(const struct oci_process *p, int *master,
			       hb_err_t *err)
{
	cleanup_close int m = -1, s = -1;
	char name[64];

	/* /dev/ptmx -> pts/ptmx: the container's own devpts instance. */
	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return hb_error(err, errno, "open /dev/ptmx");
	if (grantpt(m) < 0 || unlockpt(m) < 0 ||
	    ptsname_r(m, name, sizeof(name)) != 0)
		return hb_error(err, errno, "unlock pty");
	s = open(name, O_RDWR | O_NOCTTY);
	if (s < 0)
		return hb_error(err, errno, "open pty `%s`", name);
	if (p->console_height && p->console_width) {
		struct winsize ws = { .ws_row = p->console_height,
				      .ws_col = p->console_width };

		ioctl(s, TIOCSWINSZ, &ws);
	}
	if (setsid() < 0 && errno != EPERM)
		return hb_error(err, errno, "setsid");
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		return hb_error(err, errno, "make `%s` the controlling tty", name);
	if (dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(s, 2) < 0)
		return hb_error(err, errno, "dup pty to stdio");
	*master = steal_fd(m);
	return 0;
}

int terminal_send_console(const char *sock_path, int master, hb_err_t *err)
{
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char name[] = "/dev/ptmx";
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;

	if (fd < 0)
		return hb_error(err, errno, "console socket");
	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return hb_error(err, 0, "console socket path too long");
	strcpy(sa.sun_path, sock_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return hb_error(err, errno, "connect console socket `%s`",
				sock_path);
	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		return hb_error(err, errno, "send pty to console socket");
	return 0;
}

static int exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

static int block_signals(sigset_t *set)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
				    SIGUSR2, SIGWINCH, SIGCHLD };
	size_t i;

	sigemptyset(set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(set, sigs[i]);
	sigprocmask(SIG_BLOCK, set, NULL);
	return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

void terminal_copy_winsize(int master)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Handles one signalfd event; returns 1 once pid has exited. */
static int on_signal(int sfd, int master, pid_t pid, int *status)
{
	struct signalfd_siginfo si;
	int st;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH && master >= 0)
			terminal_copy_winsize(master);
		else if (si.ssi_signo != SIGCHLD)
			kill(pid, si.ssi_signo);
	}
	if (waitpid(pid, &st, WNOHANG) == pid) {
		*status = exit_code(st);
		return 1;
	}
	return 0;
}

int container_wait_forward(pid_t pid, int *status)
{
	sigset_t set;
	cleanup_close int sfd = block_signals(&set);
	struct pollfd pfd = { sfd, POLLIN, 0 };

	if (sfd < 0)
		return -1;
	for (;;) {
		if (on_signal(sfd, -1, pid, status))
			return 0;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -1;
	}
}

int terminal_relay(int master, pid_t pid, int *status)
{
	struct termios saved, raw;
	bool is_tty = tcgetattr(0, &saved) == 0;
	sigset_t set;
	cleanup_close int sfd = block_signals(&set);
	struct pollfd pfd[3] = { { sfd, POLLIN, 0 }, { 0, POLLIN, 0 },
				 { master, POLLIN, 0 } };
	char buf[8192];
	int done = 0;

	/* The process may have exited before SIGCHLD was blocked. */
	done = on_signal(sfd, master, pid, status);
	if (is_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		terminal_copy_winsize(master);
	}
	while (!done) {
		ssize_t n;

		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				pfd[1].fd = -1;
			else
				write_all(master, buf, n);
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				pfd[2].fd = -1;
			else
				write_all(1, buf, n);
		}
		if (pfd[0].revents & POLLIN)
			done = on_signal(sfd, master, pid, status);
	}
	/* Drain what the process wrote just before exiting. */
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));

		if (n <= 0)
			break;
		write_all(1, buf, n);
	}
	if (is_tty)
		tcsetattr(0, TCSANOW, &saved);
	return 0;
}
