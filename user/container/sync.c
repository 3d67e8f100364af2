// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sync.h"

struct sync_hdr {
	int type;
	int len;
	char text[1024];
};

int sync_send(int sock, enum sync_msg type, const char *text, int fd)
{
	struct sync_hdr h = { .type = type };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr msg = { 0 };
	ssize_t n;

	if (text) {
		strncpy(h.text, text, sizeof(h.text) - 1);
		h.len = strlen(h.text);
	}
	iov.iov_base = &h;
	iov.iov_len = sizeof(h);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(h) ? 0 : -1;
}

int sync_recv(int sock, enum sync_msg *type, char *text, size_t len,
	      int *fd)
{
	struct sync_hdr h;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;
	ssize_t n;

	if (fd)
		*fd = -1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 1;
	if (n != (ssize_t)sizeof(h))
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    fd)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	*type = h.type;
	if (text && len) {
		h.text[sizeof(h.text) - 1] = '\0';
		strncpy(text, h.text, len - 1);
		text[len - 1] = '\0';
	}
	return 0;
}
