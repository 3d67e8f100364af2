/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error objects and cleanup helpers shared by the container runtime and the
 * network library. A fallible function takes a `struct hb_error **err`,
 * returns a negative value on failure and fills *err with a message naming
 * the step that failed (crun style), so the CLI prints one actionable line.
 */
#ifndef HB_UTIL_H
#define HB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct hb_error {
	int errnum;	/* errno of the failed call, 0 if not a syscall */
	char *msg;
};

typedef struct hb_error *hb_err_t;

int hb_error(hb_err_t *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix an existing error with more context ("create: " + msg). */
int hb_error_wrap(hb_err_t *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hb_error_free(hb_err_t *err);

void hb_freep(void *p);
void hb_closep(int *fd);
void hb_fclosep(FILE **f);
void hb_strvfreep(char ***v);

#define cleanup_free __attribute__((cleanup(hb_freep)))
#define cleanup_close __attribute__((cleanup(hb_closep)))
#define cleanup_fclose __attribute__((cleanup(hb_fclosep)))
#define cleanup_strv __attribute__((cleanup(hb_strvfreep)))
#define cleanup_err __attribute__((cleanup(hb_error_free)))

/* Hand ownership out of a cleanup variable. */
#define steal_ptr(p) ({ __typeof__(p) __tmp = (p); (p) = NULL; __tmp; })
#define steal_fd(fd) ({ int __tmp = (fd); (fd) = -1; __tmp; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);

int write_file(const char *path, const char *data, size_t len, hb_err_t *err);
int write_file_fmt(const char *path, hb_err_t *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int write_file_at(int dirfd, const char *name, const char *data,
		  hb_err_t *err);
/* Read a whole file, NUL terminated; *len gets the size if non-NULL. */
int read_file(const char *path, char **out, size_t *len, hb_err_t *err);
/* The same from an open fd, to its end; @path names it in errors. */
int read_fd(int fd, const char *path, char **out, size_t *len, hb_err_t *err);
int mkdir_p(const char *path, mode_t mode, hb_err_t *err);
/* Write all of buf, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/* Alive and not a zombie (a runtime whose init was reparented may see it). */
bool pid_alive(pid_t pid);
/* Field 22 of /proc/PID/stat: tells a reused pid from ours. */
unsigned long long pid_start_time(pid_t pid);

#endif
