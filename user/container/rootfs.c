// SPDX-License-Identifier: GPL-2.0
/*
 * Container root filesystem. Mount targets are resolved with openat2()
 * RESOLVE_IN_ROOT and mounted through /proc/self/fd, so a symlink inside an
 * image cannot redirect a mount onto the host (the runc CVE-2021-30465
 * class of bugs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup.h"
#include "rootfs.h"

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	return syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* Create dest (a directory, or an empty file) and every missing parent. */
static int ensure_path(int rootfd, const char *dest, bool dir, hb_err_t *err)
{
	cleanup_free char *p = xstrdup(dest);
	char *slash = p;

	for (;;) {
		cleanup_close int fd = -1, parent = -1;
		bool last;
		char *name;

		while (*slash == '/')
			slash++;
		slash = strchr(slash, '/');
		last = !slash;
		if (slash)
			*slash = '\0';
		fd = openat2_in_root(rootfd, p, O_PATH);
		if (fd < 0 && errno != ENOENT)
			return hb_error(err, errno, "resolve `%s` in rootfs", p);
		if (fd < 0) {
			name = strrchr(p, '/');
			*name = '\0';
			parent = openat2_in_root(rootfd, p, O_PATH | O_DIRECTORY);
			*name++ = '/';
			if (parent < 0)
				return hb_error(err, errno, "resolve parent of `%s`",
						p);
			if (!last || dir) {
				if (mkdirat(parent, name, 0755) < 0 &&
				    errno != EEXIST)
					return hb_error(err, errno, "mkdir `%s`", p);
			} else {
				int f = openat(parent, name,
					       O_CREAT | O_WRONLY | O_CLOEXEC,
					       0644);

				if (f < 0)
					return hb_error(err, errno, "create `%s`",
							p);
				close(f);
			}
		}
		if (last)
			return 0;
		*slash = '/';
	}
}

static int open_target(int rootfd, const char *dest, bool dir, hb_err_t *err)
{
	int fd;

	if (ensure_path(rootfd, dest, dir, err) < 0)
		return -1;
	fd = openat2_in_root(rootfd, dest, O_PATH);
	if (fd < 0)
		return hb_error(err, errno, "resolve `%s` in rootfs", dest);
	return fd;
}

/* Flags a user namespace may not drop from a bind mount's source. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	return f;
}

static bool src_is_file(const char *src)
{
	struct stat st;

	return stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
}

/*
 * A mount on /proc/self/fd/N lands on top of the dentry N refers to, so
 * remount and propagation changes need a fresh fd for the new mount's root.
 */
static int reopen_target(int rootfd, const char *dest, char *target,
			 size_t len, int *fd, hb_err_t *err)
{
	if (rootfd < 0)
		return 0;
	if (*fd >= 0)
		close(*fd);
	*fd = openat2_in_root(rootfd, dest, O_PATH);
	if (*fd < 0)
		return hb_error(err, errno, "reopen mount `%s`", dest);
	snprintf(target, len, "/proc/self/fd/%d", *fd);
	return 0;
}

static int do_bind(const char *src, int rootfd, const char *dest,
		   const struct mount_opts *o, hb_err_t *err)
{
	unsigned long f = MS_BIND | (o->rbind ? MS_REC : 0);
	unsigned long want = o->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV |
					 MS_NOEXEC | MS_NOATIME | MS_RELATIME |
					 MS_STRICTATIME | MS_NODIRATIME);
	cleanup_close int fd = -1;
	char target[PATH_MAX];

	if (rootfd >= 0) {
		fd = open_target(rootfd, dest, !src_is_file(src), err);
		if (fd < 0)
			return -1;
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	} else {
		snprintf(target, sizeof(target), "%s", dest);
	}
	if (mount(src, target, NULL, f, NULL) < 0)
		return hb_error(err, errno, "bind mount `%s` on `%s`", src, dest);
	if (!want && !o->propagation)
		return 0;
	if (reopen_target(rootfd, dest, target, sizeof(target), &fd, err) < 0)
		return -1;
	f = MS_BIND | MS_REMOUNT | want | locked_flags(target);
	if (want && mount(NULL, target, NULL, f, NULL) < 0)
		return hb_error(err, errno, "remount `%s` with options", dest);
	if (o->propagation && mount(NULL, target, NULL, o->propagation, NULL) < 0)
		return hb_error(err, errno, "set propagation of `%s`", dest);
	return 0;
}

static bool host_is_cgroup2(void)
{
	struct statvfs sv;

	return statvfs("/sys/fs/cgroup/cgroup.controllers", &sv) == 0;
}

/* Inode numbers of the initial namespaces (include/linux/proc_ns.h). */
#define PROC_USER_INIT_INO	0xEFFFFFFDU
#define PROC_CGROUP_INIT_INO	0xEFFFFFFBU

static bool in_init_ns(const char *ns, ino_t init_ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return stat(path, &st) == 0 && st.st_ino == init_ino;
}

/*
 * The host's cgroup2 mount, to bind instead of mounting cgroup2 afresh, or
 * NULL. A new cgroup2 mount made from the initial cgroup namespace applies
 * its options to the host's hierarchy: it would clear the host's
 * nsdelegate and memory_recursiveprot, and since Linux 6.17 it waits for
 * an RCU grace period (the favordynmods switch write-locks the threadgroup
 * rwsem), most of a container's start time. A bind shows the same tree.
 * In a cgroup namespace of its own the container mounts its own root.
 */
static const char *host_cgroup2_mount(void)
{
	if (!in_init_ns("cgroup", PROC_CGROUP_INIT_INO) ||
	    !in_init_ns("user", PROC_USER_INIT_INO))
		return NULL;
	switch (cgroup_detect_mode()) {
	case CGROUP_UNIFIED:
		return "/sys/fs/cgroup";
	case CGROUP_HYBRID:
		return "/sys/fs/cgroup/unified";
	default:
		return NULL;
	}
}

static int mount_one(int rootfd, const struct oci_mount *m, hb_err_t *err)
{
	const char *type = m->type ? m->type : "none";
	cleanup_close int fd = -1;
	struct mount_opts o;
	char target[PATH_MAX];

	mount_opts_parse(m->options, m->n_options, &o);
	if (!strcmp(type, "bind"))
		o.bind = true;
	if (o.bind) {
		if (!m->source)
			return hb_error(err, 0, "mount `%s`: bind without source",
					m->destination);
		if (access(m->source, F_OK) < 0)
			return hb_error(err, errno, "bind source `%s`", m->source);
		return do_bind(m->source, rootfd, m->destination, &o, err);
	}
	if (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2")) {
		const char *host = host_cgroup2_mount();

		if (host)
			return do_bind(host, rootfd, m->destination, &o, err);
	}
	fd = open_target(rootfd, m->destination, true, err);
	if (fd < 0)
		return -1;
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);

	if (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2")) {
		/*
		 * Hybrid hosts keep controllers in v1; a container still gets
		 * the unified hierarchy. A failure here (no cgroup namespace,
		 * rootless) leaves /sys/fs/cgroup empty, as crun does.
		 */
		if (mount("cgroup2", target, "cgroup2",
			  o.flags & ~MS_REMOUNT, NULL) < 0 && host_is_cgroup2() &&
		    errno != EPERM && errno != EBUSY)
			return hb_error(err, errno, "mount cgroup2 on `%s`",
					m->destination);
	} else if (mount(m->source ? m->source : type, target, type,
			 o.flags & ~MS_REMOUNT, o.data[0] ? o.data : NULL) < 0) {
		int e = errno;

		/* sysfs needs a net ns we own; fall back to the host's. */
		if (!strcmp(type, "sysfs") && (e == EPERM || e == EBUSY)) {
			struct mount_opts ro = { .flags = MS_RDONLY | MS_NOSUID |
						 MS_NODEV | MS_NOEXEC,
						 .rbind = true };

			return do_bind("/sys", rootfd, m->destination, &ro, err);
		}
		return hb_error(err, e, "mount %s on `%s`", type, m->destination);
	}
	if (!o.propagation)
		return 0;
	if (reopen_target(rootfd, m->destination, target, sizeof(target), &fd,
			  err) < 0)
		return -1;
	if (mount(NULL, target, NULL, o.propagation, NULL) < 0)
		return hb_error(err, errno, "set propagation of `%s`",
				m->destination);
	return 0;
}

static const char *const default_devs[] = { "null", "zero", "full", "random",
					    "urandom", "tty" };

static int setup_dev(int rootfd, const struct oci_spec *spec, hb_err_t *err)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "dev/fd" },
		{ "/proc/self/fd/0", "dev/stdin" },
		{ "/proc/self/fd/1", "dev/stdout" },
		{ "/proc/self/fd/2", "dev/stderr" },
		{ "pts/ptmx", "dev/ptmx" },
	};
	cleanup_close int devfd = openat2_in_root(rootfd, "/dev",
						  O_PATH | O_DIRECTORY);
	struct mount_opts none = { 0 };
	size_t i;

	if (devfd < 0)
		return 0;
	for (i = 0; i < ARRAY_SIZE(default_devs); i++) {
		cleanup_free char *dest = xasprintf("/dev/%s", default_devs[i]);
		struct stat st;

		if (fstatat(devfd, default_devs[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (S_ISCHR(st.st_mode) || S_ISLNK(st.st_mode)))
			continue;
		/* A bind from the host works inside user namespaces too. */
		if (do_bind(dest, rootfd, dest, &none, err) < 0)
			return -1;
	}
	for (i = 0; i < spec->n_devices; i++) {
		const struct oci_device *d = &spec->devices[i];
		cleanup_close int parent = -1;
		mode_t type = d->type == 'b' ? S_IFBLK :
			      d->type == 'p' ? S_IFIFO : S_IFCHR;
		cleanup_free char *dir = xstrdup(d->path);
		char *base = strrchr(dir, '/');

		*base++ = '\0';
		if (ensure_path(rootfd, *dir ? dir : "/", true, err) < 0)
			return -1;
		parent = openat2_in_root(rootfd, *dir ? dir : "/",
					 O_PATH | O_DIRECTORY);
		if (parent < 0)
			return hb_error(err, errno, "resolve `%s`", dir);
		if (mknodat(parent, base, type | (d->mode & 07777),
			    makedev(d->major, d->minor)) == 0) {
			fchownat(parent, base, d->uid, d->gid, 0);
			continue;
		}
		if (errno == EEXIST)
			continue;
		if (do_bind(d->path, rootfd, d->path, &none, err) < 0)
			return -1;
	}
	for (i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], rootfd, links[i][1]) < 0 &&
		    errno != EEXIST)
			return hb_error(err, errno, "symlink `/%s`", links[i][1]);
	return 0;
}

int rootfs_pivot(const char *rootfs, bool no_pivot, hb_err_t *err)
{
	if (chdir(rootfs) < 0)
		return hb_error(err, errno, "chdir to rootfs `%s`", rootfs);
	if (!no_pivot) {
		if (syscall(SYS_pivot_root, ".", ".") == 0) {
			/* The old root now sits on top of the new one. */
			if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
				return hb_error(err, errno, "make old root slave");
			if (umount2(".", MNT_DETACH) < 0)
				return hb_error(err, errno, "detach old root");
			if (chdir("/") < 0)
				return hb_error(err, errno, "chdir /");
			return 0;
		}
		/* EINVAL: / is the initramfs, which cannot be pivoted away. */
		if (errno != EINVAL)
			return hb_error(err, errno, "pivot_root to `%s`", rootfs);
	}
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return hb_error(err, errno, "move rootfs `%s` to /", rootfs);
	if (chroot(".") < 0)
		return hb_error(err, errno, "chroot to rootfs");
	if (chdir("/") < 0)
		return hb_error(err, errno, "chdir /");
	return 0;
}

static int mask_paths(const struct oci_spec *spec, hb_err_t *err)
{
	size_t i;

	for (i = 0; i < spec->n_masked_paths; i++) {
		const char *p = spec->masked_paths[i];
		struct stat st;

		if (stat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0k") < 0)
				return hb_error(err, errno, "mask `%s`", p);
		} else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
			return hb_error(err, errno, "mask `%s`", p);
		}
	}
	for (i = 0; i < spec->n_readonly_paths; i++) {
		const char *p = spec->readonly_paths[i];

		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return hb_error(err, errno, "bind readonly path `%s`", p);
		}
		if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY |
			  locked_flags(p), NULL) < 0)
			return hb_error(err, errno, "make `%s` read-only", p);
	}
	return 0;
}

static unsigned long root_propagation(const struct oci_spec *spec)
{
	struct mount_opts o;
	const char *p = spec->rootfs_propagation;

	if (!p || !*p)
		return MS_REC | MS_PRIVATE;
	mount_opts_parse(&p, 1, &o);
	return o.propagation ? o.propagation : MS_REC | MS_PRIVATE;
}

int rootfs_prepare(const struct oci_spec *spec, const char *rootfs,
		   hb_err_t *err)
{
	cleanup_close int rootfd = -1;
	unsigned long prop = root_propagation(spec);
	size_t i;

	/* Keep our mounts from propagating back to the host. */
	if (mount(NULL, "/", NULL,
		  (prop & MS_SHARED) ? MS_REC | MS_SLAVE : prop, NULL) < 0)
		return hb_error(err, errno, "make / %s",
				(prop & MS_SHARED) ? "rslave" : "private");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hb_error(err, errno, "bind rootfs `%s`", rootfs);
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return hb_error(err, errno, "open rootfs `%s`", rootfs);
	for (i = 0; i < spec->n_mounts; i++)
		if (mount_one(rootfd, &spec->mounts[i], err) < 0)
			return -1;
	return setup_dev(rootfd, spec, err);
}

int rootfs_finalize(const struct oci_spec *spec, hb_err_t *err)
{
	unsigned long prop = root_propagation(spec);

	if (mask_paths(spec, err) < 0)
		return -1;
	if (spec->root_readonly &&
	    mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY |
		  locked_flags("/"), NULL) < 0)
		return hb_error(err, errno, "remount rootfs read-only");
	if ((prop & MS_SHARED) && mount(NULL, "/", NULL, prop, NULL) < 0)
		return hb_error(err, errno, "set rootfs propagation");
	return 0;
}

int overlay_mount(const char *const *lowers, size_t n_lowers,
		  const char *upper, const char *work, const char *target,
		  hb_err_t *err)
{
	cleanup_free char *data = NULL;
	size_t i, len = 64 + strlen(upper) + strlen(work);

	if (!n_lowers)
		return hb_error(err, 0, "overlay: no lower layer given");
	for (i = 0; i < n_lowers; i++) {
		if (strchr(lowers[i], ':') || strchr(lowers[i], ','))
			return hb_error(err, 0, "overlay: layer `%s` has ':' or ','",
					lowers[i]);
		len += strlen(lowers[i]) + 1;
	}
	data = xcalloc(1, len);
	strcpy(data, "lowerdir=");
	for (i = 0; i < n_lowers; i++) {
		if (i)
			strcat(data, ":");
		strcat(data, lowers[i]);
	}
	strcat(data, ",upperdir=");
	strcat(data, upper);
	strcat(data, ",workdir=");
	strcat(data, work);
	if (mkdir_p(upper, 0755, err) < 0 || mkdir_p(work, 0700, err) < 0 ||
	    mkdir_p(target, 0755, err) < 0)
		return hb_error_wrap(err, "overlay");
	if (mount("overlay", target, "overlay", 0, data) < 0)
		return hb_error(err, errno, "mount overlay on `%s`", target);
	return 0;
}

int overlay_umount(const char *target, const char *work, hb_err_t *err)
{
	if (umount2(target, MNT_DETACH) < 0 && errno != EINVAL &&
	    errno != ENOENT)
		return hb_error(err, errno, "unmount overlay `%s`", target);
	if (work) {
		cleanup_free char *inner = xasprintf("%s/work", work);

		rmdir(inner);
		rmdir(work);
	}
	return 0;
}
