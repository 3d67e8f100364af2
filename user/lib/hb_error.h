/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small error object in the style of crun: every fallible function that
 * can fail for a reason a user should read takes a struct hb_err and returns
 * a negative errno, with the message naming the step that failed.
 */
#ifndef HB_ERROR_H
#define HB_ERROR_H

#include <stdarg.h>

struct hb_err {
	int code;		/* positive errno, 0 when no error */
	char msg[256];
};

/* Records "<formatted>: <strerror(code)>" and returns -code. */
int hb_err_set(struct hb_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records the formatted text as is (for errors that are not an errno). */
int hb_err_msg(struct hb_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* HB_ERROR_H */
