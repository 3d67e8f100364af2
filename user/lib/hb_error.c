// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "hb_error.h"

static int hb_err_vformat(struct hb_err *err, int code, int with_errno,
			  const char *fmt, va_list ap)
{
	size_t len;

	if (code < 0)
		code = -code;
	if (!err)
		return -code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	len = strlen(err->msg);
	if (with_errno && len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
			 strerror(code));
	return -code;
}

int hb_err_set(struct hb_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = hb_err_vformat(err, code, 1, fmt, ap);
	va_end(ap);
	return ret;
}

int hb_err_msg(struct hb_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = hb_err_vformat(err, code, 0, fmt, ap);
	va_end(ap);
	return ret;
}
