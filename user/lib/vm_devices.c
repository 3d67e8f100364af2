// SPDX-License-Identifier: GPL-2.0
/* libhyperbox: doorbells, interrupt lines (irqfd) and ring devices. */
#include <errno.h>
#include <sys/ioctl.h>

#include "libhyperbox.h"

static int hb_ioctl_ptr(int fd, unsigned long req, const void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

int hb_register_doorbell(int vm_fd, const struct hb_doorbell *doorbell)
{
	return hb_ioctl_ptr(vm_fd, HB_REGISTER_DOORBELL, doorbell);
}

int hb_register_irqfd(int vm_fd, const struct hb_irqfd *irqfd)
{
	return hb_ioctl_ptr(vm_fd, HB_REGISTER_IRQFD, irqfd);
}

int hb_create_ring(int vm_fd, const struct hb_ring_config *config)
{
	return hb_ioctl_ptr(vm_fd, HB_CREATE_RING, config);
}

int hb_ring_stop(int ring_fd, struct hb_ring_state *state)
{
	return hb_ioctl_ptr(ring_fd, HB_RING_STOP, state);
}

int hb_ring_start(int ring_fd, const struct hb_ring_state *state)
{
	return hb_ioctl_ptr(ring_fd, HB_RING_START, state);
}

int hb_ring_get_stats(int ring_fd, struct hb_ring_stats *stats)
{
	return hb_ioctl_ptr(ring_fd, HB_RING_GET_STATS, stats);
}
