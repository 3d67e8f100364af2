// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "loader_flat.h"

static int read_all(int fd, uint8_t *dst, uint64_t len)
{
	while (len) {
		ssize_t n = read(fd, dst, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the file shrank under us */
		dst += n;
		len -= n;
	}
	return 0;
}

int loader_flat_load(const char *path, void *mem, uint64_t mem_size,
		     uint64_t load_gpa, uint64_t *image_size,
		     struct hb_err *err)
{
	struct stat st;
	uint64_t size;
	int fd, ret;

	/* O_NONBLOCK: a FIFO must be refused below, not waited on here. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return hb_err_set(err, errno, "cannot open image %s", path);
	if (fstat(fd, &st) < 0) {
		ret = hb_err_set(err, errno, "cannot stat image %s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		ret = hb_err_msg(err, EINVAL,
				 "image %s is not a non-empty regular file", path);
		goto out;
	}
	size = st.st_size;
	if (load_gpa > mem_size || size > mem_size - load_gpa) {
		ret = hb_err_msg(err, EFBIG,
				 "image %s (%llu bytes at 0x%llx) does not fit in %llu bytes of guest memory",
				 path, (unsigned long long)size,
				 (unsigned long long)load_gpa,
				 (unsigned long long)mem_size);
		goto out;
	}
	ret = read_all(fd, (uint8_t *)mem + load_gpa, size);
	if (ret) {
		hb_err_set(err, -ret, "cannot read image %s", path);
		goto out;
	}
	*image_size = size;
out:
	close(fd);
	return ret;
}
