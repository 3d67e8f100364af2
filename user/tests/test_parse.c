// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../lib/hb_parse.h"

static void size_units(void **state)
{
	static const struct {
		const char *text;
		uint64_t value;
	} cases[] = {
		{ "0", 0 }, { "4096", 4096 }, { "0x1000", 0x1000 },
		{ "64K", 64 << 10 }, { "64k", 64 << 10 }, { "16M", 16 << 20 },
		{ "16MiB", 16 << 20 }, { "16MB", 16 << 20 }, { "2G", 2ull << 30 },
		{ "1T", 1ull << 40 }, { "0x10M", 16 << 20 },
	};
	unsigned int i;
	uint64_t v;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(hb_parse_size(cases[i].text, &v), 0);
		assert_int_equal(v, cases[i].value);
	}
}

static void size_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"", "M", "-1", " 16M", "16X", "16MM", "16Mx", "1.5G", "16 M",
		"0x", NULL,
	};
	unsigned int i;
	uint64_t v = 42;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hb_parse_size(bad[i], &v), -EINVAL);
	assert_int_equal(v, 42);
}

static void size_overflow(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(hb_parse_size("16777216T", &v), -ERANGE);
	assert_int_equal(hb_parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(hb_parse_size("16777215T", &v), 0);
	assert_int_equal(v, 16777215ull << 40);
}

static void u64_numbers(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(hb_parse_u64("0x7c00", &v), 0);
	assert_int_equal(v, 0x7c00);
	assert_int_equal(hb_parse_u64("1048576", &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(hb_parse_u64("0xffffffffffffffff", &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(hb_parse_u64("1M", &v), -EINVAL);
	assert_int_equal(hb_parse_u64("", &v), -EINVAL);
	assert_int_equal(hb_parse_u64("-5", &v), -EINVAL);
	assert_int_equal(hb_parse_u64("0x1g", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_units),
		cmocka_unit_test(size_rejects_garbage),
		cmocka_unit_test(size_overflow),
		cmocka_unit_test(u64_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
