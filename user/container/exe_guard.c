// SPDX-License-Identifier: GPL-2.0
/* CVE-2019-5736: run the runtime from a sealed memfd copy of itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "security.h"

#define GUARD_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool exe_guard_active(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & GUARD_SEALS) == GUARD_SEALS;
}

int exe_guard_reexec(char **argv, hb_err_t *err)
{
	cleanup_close int src = -1, mfd = -1;
	struct stat st;
	off_t off = 0;

	if (exe_guard_active())
		return 0;
	src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return hb_error(err, errno, "open /proc/self/exe");
	if (fstat(src, &st) < 0)
		return hb_error(err, errno, "stat /proc/self/exe");
	mfd = memfd_create("hyperbox", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return hb_error(err, errno, "memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hb_error(err, errno, "copy runtime binary");
	}
	if (fcntl(mfd, F_ADD_SEALS, GUARD_SEALS) < 0)
		return hb_error(err, errno, "seal runtime copy");
	fexecve(mfd, argv, environ);
	return hb_error(err, errno, "re-exec sealed runtime copy");
}
