// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../cli/vm_args.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)(sizeof(ARGV(__VA_ARGS__)) / sizeof(char *)))
#define PARSE(args, err, ...) \
	vm_run_args_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), args, err)

static void defaults(void **state)
{
	struct vm_run_args args;
	struct hb_err err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&args, &err, "--image", "g.bin"), 0);
	assert_string_equal(args.cfg.image, "g.bin");
	assert_int_equal(args.cfg.mem_size, 16 << 20);
	assert_int_equal(args.cfg.mode, VMM_MODE_LONG);
	assert_int_equal(args.cfg.entry, 0x100000);
	assert_null(args.cfg.device);
	assert_false(args.help);
}

static void all_options(void **state)
{
	struct vm_run_args args;
	struct hb_err err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&args, &err, "--mode", "real", "--mem=1M",
			       "--image=x", "--device", "/dev/hb2"), 0);
	assert_int_equal(args.cfg.mode, VMM_MODE_REAL);
	assert_int_equal(args.cfg.mem_size, 1 << 20);
	assert_int_equal(args.cfg.entry, 0x7c00);
	assert_string_equal(args.cfg.device, "/dev/hb2");
	assert_int_equal(PARSE(&args, &err, "--image", "x", "--mode",
			       "protected", "--entry", "0x200000"), 0);
	assert_int_equal(args.cfg.mode, VMM_MODE_PROTECTED);
	assert_int_equal(args.cfg.entry, 0x200000);
	assert_true(args.entry_given);
}

static void help_wins(void **state)
{
	struct vm_run_args args;
	struct hb_err err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&args, &err, "--help"), 0);
	assert_true(args.help);
	assert_int_equal(PARSE(&args, &err, "--mem", "1M", "-h"), 0);
	assert_true(args.help);
}

static void errors_say_what_is_wrong(void **state)
{
	struct vm_run_args args;
	struct hb_err err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&args, &err, "--mem", "1M"), -EINVAL);
	assert_string_equal(err.msg, "--image FILE is required");
	assert_int_equal(PARSE(&args, &err, "--image"), -EINVAL);
	assert_string_equal(err.msg, "--image needs a value");
	assert_int_equal(PARSE(&args, &err, "--image", "x", "--mem", "lots"), -EINVAL);
	assert_non_null(strstr(err.msg, "bad --mem 'lots'"));
	assert_int_equal(PARSE(&args, &err, "--image", "x", "--mem", "0"), -EINVAL);
	assert_int_equal(PARSE(&args, &err, "--image", "x", "--mode", "smm"), -EINVAL);
	assert_non_null(strstr(err.msg, "bad --mode 'smm'"));
	assert_int_equal(PARSE(&args, &err, "--image", "x", "--entry", "1M"), -EINVAL);
	assert_int_equal(PARSE(&args, &err, "--image", "x", "--verbose"), -EINVAL);
	assert_string_equal(err.msg, "unknown argument '--verbose'");
	assert_int_equal(PARSE(&args, &err, "--imagex", "x"), -EINVAL);
	assert_int_equal(PARSE(&args, &err, "x.bin"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(all_options),
		cmocka_unit_test(help_wins),
		cmocka_unit_test(errors_say_what_is_wrong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
