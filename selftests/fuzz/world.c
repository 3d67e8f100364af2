// SPDX-License-Identifier: GPL-2.0
/*
 * The objects of one iteration: fds by kind and guest memory regions.
 * The lock only guards the table; ioctls run unlocked on whatever fd number
 * was picked, so another thread may close it meanwhile (that is the point).
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

int world_pick(struct fuzz_world *w, enum fuzz_fd_kind kind)
{
	int i, n = 0, idx = -1;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < FUZZ_MAX_FDS; i++) {
		if (w->fds[i].kind != kind)
			continue;
		/* Reservoir sampling: a uniform pick in one pass. */
		if (rnd(++n) == 0)
			idx = i;
	}
	pthread_mutex_unlock(&w->lock);
	return idx;
}

int world_pick_any(struct fuzz_world *w)
{
	int i, n = 0, idx = -1;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < FUZZ_MAX_FDS; i++) {
		if (w->fds[i].kind == FD_NONE)
			continue;
		if (rnd(++n) == 0)
			idx = i;
	}
	pthread_mutex_unlock(&w->lock);
	return idx;
}

int world_add(struct fuzz_world *w, enum fuzz_fd_kind kind, int fd, int vm)
{
	int i;

	if (fd < 0)
		return -1;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < FUZZ_MAX_FDS; i++) {
		if (w->fds[i].kind == FD_NONE) {
			w->fds[i] = (struct fuzz_fd){ kind, fd, vm, NULL };
			pthread_mutex_unlock(&w->lock);
			return i;
		}
	}
	pthread_mutex_unlock(&w->lock);
	close(fd);
	return -1;
}

void world_close(struct fuzz_world *w, int idx)
{
	struct fuzz_fd f;

	if (idx < 0)
		return;
	pthread_mutex_lock(&w->lock);
	f = w->fds[idx];
	w->fds[idx].kind = FD_NONE;
	w->fds[idx].run = NULL;
	pthread_mutex_unlock(&w->lock);
	if (f.kind == FD_NONE)
		return;
	/*
	 * The run page stays mapped when the vCPU fd closes half the time:
	 * the mapping alone must keep the page (not the vCPU) alive. Another
	 * thread may still be using it, so it is never unmapped here.
	 */
	close(f.fd);
}

void world_close_all(struct fuzz_world *w)
{
	int i;

	for (i = 0; i < FUZZ_MAX_FDS; i++)
		world_close(w, i);
}

struct fuzz_region *world_region(struct fuzz_world *w)
{
	return &w->regions[rnd(FUZZ_MAX_REGIONS)];
}

void count_ioctl(struct fuzz_world *w)
{
	__atomic_add_fetch(w->ioctls, 1, __ATOMIC_RELAXED);
}

long fuzz_ioctl(struct fuzz_world *w, int fd, unsigned long cmd, void *arg)
{
	long ret;

	count_ioctl(w);
	ret = ioctl(fd, cmd, arg);
	return ret < 0 ? -errno : ret;
}
