// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int hb_verror(hb_err_t *err, int errnum, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (!err)
		return -1;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (msg && errnum) {
		char *full = NULL;

		if (asprintf(&full, "%s: %s", msg, strerror(errnum)) >= 0) {
			free(msg);
			msg = full;
		}
	}
	hb_error_free(err);
	*err = calloc(1, sizeof(**err));
	if (!*err) {
		free(msg);
		return -1;
	}
	(*err)->errnum = errnum;
	(*err)->msg = msg ? msg : strdup("out of memory");
	return -1;
}

int hb_error(hb_err_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = hb_verror(err, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

int hb_error_wrap(hb_err_t *err, const char *fmt, ...)
{
	char *prefix = NULL, *full = NULL;
	va_list ap;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		prefix = NULL;
	va_end(ap);
	if (prefix && asprintf(&full, "%s: %s", prefix, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = full;
	}
	free(prefix);
	return -1;
}

void hb_error_free(hb_err_t *err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

void hb_freep(void *p)
{
	free(*(void **)p);
}

void hb_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
	*fd = -1;
}

void hb_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
	*f = NULL;
}

void hb_strvfreep(char ***v)
{
	char **p;

	if (!*v)
		return;
	for (p = *v; *p; p++)
		free(*p);
	free(*v);
}

static void oom(void)
{
	fputs("hyperbox: out of memory\n", stderr);
	abort();
}

char *xstrdup(const char *s)
{
	char *r;

	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		oom();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	char *r;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		oom();
	va_end(ap);
	return r;
}

void *xcalloc(size_t n, size_t size)
{
	void *r = calloc(n ? n : 1, size ? size : 1);

	if (!r)
		oom();
	return r;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int write_file(const char *path, const char *data, size_t len, hb_err_t *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				    0644);

	if (fd < 0)
		return hb_error(err, errno, "open `%s`", path);
	if (write_all(fd, data, len) < 0)
		return hb_error(err, errno, "write `%s`", path);
	return 0;
}

int write_file_fmt(const char *path, hb_err_t *err, const char *fmt, ...)
{
	cleanup_free char *data = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&data, fmt, ap);
	va_end(ap);
	if (n < 0)
		return hb_error(err, ENOMEM, "format `%s`", path);
	return write_file(path, data, n, err);
}

int write_file_at(int dirfd, const char *name, const char *data,
		  hb_err_t *err)
{
	cleanup_close int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return hb_error(err, errno, "open `%s`", name);
	if (write_all(fd, data, strlen(data)) < 0)
		return hb_error(err, errno, "write `%s` to `%s`", data, name);
	return 0;
}

int read_file(const char *path, char **out, size_t *len, hb_err_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hb_error(err, errno, "open `%s`", path);
	return read_fd(fd, path, out, len, err);
}

int read_fd(int fd, const char *path, char **out, size_t *len, hb_err_t *err)
{
	cleanup_free char *buf = NULL;
	size_t cap = 0, used = 0;

	for (;;) {
		ssize_t n;

		if (cap - used < 4096) {
			char *nb = realloc(buf, cap + 8192);

			if (!nb)
				return hb_error(err, ENOMEM, "read `%s`", path);
			buf = nb;
			cap += 8192;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hb_error(err, errno, "read `%s`", path);
		if (n == 0)
			break;
		used += n;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = steal_ptr(buf);
	return 0;
}

int mkdir_p(const char *path, mode_t mode, hb_err_t *err)
{
	cleanup_free char *tmp = xstrdup(path);
	char *p;

	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return hb_error(err, errno, "mkdir `%s`", tmp);
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return hb_error(err, errno, "mkdir `%s`", tmp);
	return 0;
}

static int read_stat_field(pid_t pid, int field, char *out, size_t outlen)
{
	char path[64], buf[1024], *p;
	cleanup_close int fd = -1;
	ssize_t n;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields restart after ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p += 2;
	for (i = 3; i < field && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	n = strcspn(p, " \n");
	if ((size_t)n >= outlen)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

bool pid_alive(pid_t pid)
{
	char state[8];

	if (pid <= 0)
		return false;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	if (read_stat_field(pid, 3, state, sizeof(state)) < 0)
		return false;
	return state[0] != 'Z' && state[0] != 'X';
}

unsigned long long pid_start_time(pid_t pid)
{
	char v[32];

	if (read_stat_field(pid, 22, v, sizeof(v)) < 0)
		return 0;
	return strtoull(v, NULL, 10);
}
