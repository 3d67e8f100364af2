// SPDX-License-Identifier: GPL-2.0
/* cmocka: the IPAM lease file, including concurrent allocation. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../user/net/net.h"

static char dir[64], file[96];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hb-ipam-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/br.ipam", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(file);
	rmdir(dir);
	return 0;
}

static void test_allocate_release(void **state)
{
	char a[64], gw[32];
	hb_err_t err = NULL;
	(void)state;

	assert_int_equal(ipam_init(file, "10.5.0.1/24", &err), 0);
	assert_int_not_equal(ipam_init(file, "10.5.0.1/24", &err), 0);
	hb_error_free(&err);
	assert_int_equal(ipam_allocate(file, "c1", a, sizeof(a), gw, sizeof(gw),
				       &err), 0);
	assert_string_equal(a, "10.5.0.2/24");
	assert_string_equal(gw, "10.5.0.1");
	assert_int_equal(ipam_allocate(file, "c2", a, sizeof(a), NULL, 0, &err), 0);
	assert_string_equal(a, "10.5.0.3/24");
	/* One container, one address. */
	assert_int_not_equal(ipam_allocate(file, "c2", a, sizeof(a), NULL, 0,
					   &err), 0);
	assert_non_null(strstr(err->msg, "already has"));
	hb_error_free(&err);
	assert_int_equal(ipam_release(file, "c1", &err), 0);
	assert_int_equal(ipam_count(file, &err), 1);
	/* The lowest free address is reused. */
	assert_int_equal(ipam_allocate(file, "c3", a, sizeof(a), NULL, 0, &err), 0);
	assert_string_equal(a, "10.5.0.2/24");
}

static void test_gateway_in_middle_and_exhaustion(void **state)
{
	char a[64];
	hb_err_t err = NULL;
	int i;
	(void)state;

	/* /30: hosts .1 and .2; the gateway takes .2, one lease remains. */
	assert_int_equal(ipam_init(file, "10.6.0.2/30", &err), 0);
	assert_int_equal(ipam_allocate(file, "x", a, sizeof(a), NULL, 0, &err), 0);
	assert_string_equal(a, "10.6.0.1/30");
	for (i = 0; i < 2; i++) {
		assert_int_not_equal(ipam_allocate(file, "y", a, sizeof(a), NULL,
						   0, &err), 0);
		assert_non_null(strstr(err->msg, "no free address"));
		hb_error_free(&err);
	}
}

static void test_bad_input(void **state)
{
	hb_err_t err = NULL;
	char a[64];
	(void)state;

	assert_int_not_equal(ipam_init(file, "10.7.0.0/24", &err), 0);
	hb_error_free(&err);
	assert_int_not_equal(ipam_init(file, "10.7.0.1", &err), 0);
	hb_error_free(&err);
	assert_int_not_equal(ipam_init(file, "300.1.1.1/24", &err), 0);
	hb_error_free(&err);
	assert_int_not_equal(ipam_allocate("/nonexistent/x.ipam", "c", a,
					   sizeof(a), NULL, 0, &err), 0);
	hb_error_free(&err);
	assert_int_equal(access(file, F_OK), -1);
}

/* 40 processes allocate at once: every address handed out exactly once. */
static void test_concurrent(void **state)
{
	enum { N = 40 };
	char a[64], line[128];
	hb_err_t err = NULL;
	FILE *f;
	int i, n = 0, seen[256] = { 0 };
	(void)state;

	assert_int_equal(ipam_init(file, "10.8.0.1/24", &err), 0);
	for (i = 0; i < N; i++) {
		if (fork() == 0) {
			char id[16];

			snprintf(id, sizeof(id), "c%d", i);
			_exit(ipam_allocate(file, id, a, sizeof(a), NULL, 0,
					    NULL) ? 1 : 0);
		}
	}
	for (i = 0; i < N; i++) {
		int st;

		wait(&st);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	f = fopen(file, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned int b1, b2, b3, b4;

		if (sscanf(line, "%u.%u.%u.%u ", &b1, &b2, &b3, &b4) != 4)
			continue;
		assert_int_equal(seen[b4], 0);
		seen[b4] = 1;
		n++;
	}
	fclose(f);
	assert_int_equal(n, N);
	assert_int_equal(ipam_count(file, &err), N);
}

static void test_host_ifname(void **state)
{
	char a[16], b[16];
	(void)state;

	hbnet_host_ifname("container-with-a-very-long-name-0123456789", a);
	hbnet_host_ifname("other", b);
	assert_true(strlen(a) <= 15);
	assert_string_not_equal(a, b);
	assert_memory_equal(a, "hbv", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_allocate_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_in_middle_and_exhaustion,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test(test_host_ifname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
