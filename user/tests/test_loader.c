// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../vmm/flat_vm.h"
#include "../vmm/loader_flat.h"

static char path[] = "/tmp/hb-test-image-XXXXXX";

static int write_image(void **state)
{
	static const char image[] = "\xf4guest-image";
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0 || write(fd, image, sizeof(image) - 1) != sizeof(image) - 1)
		return -1;
	close(fd);
	return 0;
}

static int remove_image(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void loads_at_gpa(void **state)
{
	uint8_t mem[0x2000];
	struct hb_err err = { 0 };
	uint64_t size = 0;

	(void)state;
	memset(mem, 0, sizeof(mem));
	assert_int_equal(loader_flat_load(path, mem, sizeof(mem), 0x1000, &size, &err), 0);
	assert_int_equal(size, 12);
	assert_int_equal(mem[0x1000], 0xf4);
	assert_memory_equal(mem + 0x1001, "guest-image", 11);
	assert_int_equal(mem[0xfff], 0);
	assert_int_equal(mem[0x100c], 0);
}

static void rejects_what_does_not_fit(void **state)
{
	uint8_t mem[0x1000];
	struct hb_err err = { 0 };
	uint64_t size = 0;

	(void)state;
	assert_int_equal(loader_flat_load(path, mem, sizeof(mem), 0xff8, &size, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "does not fit"));
	assert_int_equal(loader_flat_load(path, mem, sizeof(mem), 0x2000, &size, &err), -EFBIG);
	assert_int_equal(loader_flat_load(path, mem, sizeof(mem), UINT64_MAX, &size, &err), -EFBIG);
	assert_int_equal(loader_flat_load(path, mem, sizeof(mem), 0xff4, &size, &err), 0);
}

static void reports_missing_and_empty_files(void **state)
{
	uint8_t mem[0x1000];
	struct hb_err err = { 0 };
	uint64_t size;

	(void)state;
	assert_int_equal(loader_flat_load("/nonexistent/img", mem, sizeof(mem), 0, &size, &err), -ENOENT);
	assert_string_equal(err.msg, "cannot open image /nonexistent/img: No such file or directory");
	assert_int_equal(loader_flat_load("/dev/null", mem, sizeof(mem), 0, &size, &err), -EINVAL);
	assert_int_equal(loader_flat_load("/tmp", mem, sizeof(mem), 0, &size, &err), -EINVAL);
}

static void config_checks(void **state)
{
	struct flat_vm_config cfg = {
		.image = path, .mem_size = 16 << 20, .mode = VMM_MODE_LONG,
		.entry = 0x100000,
	};
	struct hb_err err = { 0 };

	(void)state;
	assert_int_equal(flat_vm_check_config(&cfg, &err), 0);
	cfg.entry = 0x3000;	/* inside the long-mode page tables */
	assert_int_equal(flat_vm_check_config(&cfg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "overlaps the long-mode tables"));
	cfg.mode = VMM_MODE_REAL;	/* real mode writes no tables */
	assert_int_equal(flat_vm_check_config(&cfg, &err), 0);
	cfg.entry = 16 << 20;
	assert_int_equal(flat_vm_check_config(&cfg, &err), -EINVAL);
	cfg.entry = 0;
	cfg.mem_size = 12345;
	assert_int_equal(flat_vm_check_config(&cfg, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_at_gpa),
		cmocka_unit_test(rejects_what_does_not_fit),
		cmocka_unit_test(reports_missing_and_empty_files),
		cmocka_unit_test(config_checks),
	};

	return cmocka_run_group_tests(tests, write_image, remove_image);
}
