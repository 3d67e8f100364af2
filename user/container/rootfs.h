/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HB_ROOTFS_H
#define HB_ROOTFS_H

#include <stdbool.h>

#include "spec.h"

/*
 * Run in the container's init, inside its new mount namespace:
 * rootfs_prepare does the mounts from the spec and the default /dev (the
 * create hooks run after it), rootfs_pivot the pivot_root (MS_MOVE +
 * chroot when / is a ramfs); afterwards cwd is "/". rootfs_finalize then
 * applies masked and read-only paths and the read-only root, once sysctls
 * have been written.
 */
int rootfs_prepare(const struct oci_spec *spec, const char *rootfs,
		   hb_err_t *err);
int rootfs_pivot(const char *rootfs, bool no_pivot, hb_err_t *err);
int rootfs_finalize(const struct oci_spec *spec, hb_err_t *err);

/* Host side: OverlayFS of lowers (first = top) and upper onto target. */
int overlay_mount(const char *const *lowers, size_t n_lowers,
		  const char *upper, const char *work, const char *target,
		  hb_err_t *err);
int overlay_umount(const char *target, const char *work, hb_err_t *err);

/* Mount option parsing, exposed for the unit tests. */
struct mount_opts {
	unsigned long flags;		/* MS_* for mount(2) */
	unsigned long clear;		/* flags explicitly turned off */
	unsigned long propagation;	/* MS_SHARED etc., 0 if none */
	bool bind, rbind;
	char data[1024];		/* fs specific, comma separated */
};
void mount_opts_parse(const char *const *opts, size_t n,
		      struct mount_opts *out);

#endif
