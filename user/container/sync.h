/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages between the runtime and the container's init before it execs:
 * a small header, an optional text payload and an optional passed fd.
 */
#ifndef HB_SYNC_H
#define HB_SYNC_H

#include <stddef.h>

enum sync_msg {
	SYNC_GO = 1,	/* parent: id maps, cgroup and network are in place */
	SYNC_READY,	/* child: rootfs done, waiting for start */
	SYNC_PTY,	/* child: pty master attached as fd */
	SYNC_START,	/* parent: exec the process now */
	SYNC_ERROR,	/* either side: payload is the error text */
	SYNC_HOOKS,	/* child: mounts done, run the runtime's create hooks */
	SYNC_HOOKS_DONE,/* parent: they ran; fd: the state JSON (a memfd) */
};

int sync_send(int sock, enum sync_msg type, const char *text, int fd);
/* Returns 0 and fills *type, 1 on EOF, -1 on error. *fd = -1 if none. */
int sync_recv(int sock, enum sync_msg *type, char *text, size_t len,
	      int *fd);

#endif
