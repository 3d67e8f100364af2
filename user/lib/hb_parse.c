// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hb_parse.h"

/* strtoull() alone accepts "-1", leading spaces and empty input; we do not. */
static int parse_digits(const char *text, uint64_t *out, char **end)
{
	unsigned long long value;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtoull(text, end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end == text)
		return -EINVAL;
	*out = value;
	return 0;
}

int hb_parse_u64(const char *text, uint64_t *out)
{
	char *end;
	int ret = parse_digits(text, out, &end);

	if (ret)
		return ret;
	return *end ? -EINVAL : 0;
}

static int unit_shift(const char *suffix, unsigned int *shift)
{
	static const char units[] = "KMGT";
	const char *pos;

	if (!*suffix) {
		*shift = 0;
		return 0;
	}
	pos = strchr(units, toupper((unsigned char)suffix[0]));
	if (!pos)
		return -EINVAL;
	*shift = 10 * (unsigned int)(pos - units + 1);
	suffix++;
	if (!strcmp(suffix, "") || !strcasecmp(suffix, "B") ||
	    !strcasecmp(suffix, "iB"))
		return 0;
	return -EINVAL;
}

int hb_parse_size(const char *text, uint64_t *out)
{
	unsigned int shift;
	uint64_t value;
	char *end;
	int ret;

	ret = parse_digits(text, &value, &end);
	if (ret)
		return ret;
	ret = unit_shift(end, &shift);
	if (ret)
		return ret;
	if (shift && value > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = value << shift;
	return 0;
}
