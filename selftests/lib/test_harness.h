/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small kselftest-style harness printing TAP 13.
 *
 * A test program defines tests with HB_TEST(name) { ... } and links
 * test_harness.c, which provides main(). Every test runs in its own child
 * process (a failed assertion or a crash fails only that test) with a
 * timeout. Exit status: 0 all passed or skipped, 1 something failed,
 * 4 (KSFT_SKIP) when every test skipped. A test that ends in an emulator
 * fault (test_emulator_fault()) runs once more, with a "# emulator
 * fault" line; a second one fails it.
 *
 * Usage: <program> [-l] [-t NAME]...   (-l lists, -t runs only NAME)
 */
#ifndef HB_TEST_HARNESS_H
#define HB_TEST_HARNESS_H

#include <stdint.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4
/*
 * Not kselftest's: the emulator under the test (QEMU's nested SVM) broke
 * the CPU's own contract, as the module saw and reported. The harness runs
 * the test once more; a second such fault fails it.
 */
#define HB_TEST_EMULATOR_FAULT	75

#define HB_TEST_DEFAULT_TIMEOUT	120	/* seconds; TCG is slow */

struct hb_test {
	const char *name;
	void (*fn)(void);
	unsigned int timeout;
	unsigned int line;	/* tests run in source order */
};

#define HB_TEST_TIMEOUT(test_name, secs)				\
	static void test_name(void);					\
	static const struct hb_test hb_test_desc_##test_name		\
	__attribute__((used, section("hb_tests"),			\
		       aligned(sizeof(void *)))) = {			\
		.name = #test_name, .fn = test_name,			\
		.timeout = (secs), .line = __LINE__,			\
	};								\
	static void test_name(void)

#define HB_TEST(test_name) HB_TEST_TIMEOUT(test_name, HB_TEST_DEFAULT_TIMEOUT)

/* In a test: end it as skipped / failed; the reason becomes TAP output. */
void test_skip(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
/* In a test: the emulator broke the CPU contract (HB_TEST_EMULATOR_FAULT). */
void test_emulator_fault(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/* A "# ..." diagnostic line. */
void test_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			test_fail(__FILE__, __LINE__,			\
				  "'%s' failed: " fmt, #cond,		\
				  ##__VA_ARGS__);			\
	} while (0)

#define TEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);	\
		if (__a != __b)						\
			test_fail(__FILE__, __LINE__,			\
				  "%s == %s failed: 0x%llx != 0x%llx",	\
				  #a, #b, (unsigned long long)__a,	\
				  (unsigned long long)__b);		\
	} while (0)

/* For libhyperbox calls: they return a negative errno. */
#define TEST_ASSERT_ERRNO(expr, err)					\
	do {								\
		long __r = (long)(expr);				\
		int __e = (err);					\
		if (__r != -(long)__e)					\
			test_fail(__FILE__, __LINE__,			\
				  "%s returned %ld (%s), expected -%d (%s)", \
				  #expr, __r,				\
				  __r < 0 ? strerror((int)-__r) : "success", \
				  __e, strerror(__e));			\
	} while (0)

#define TEST_ASSERT_OK(expr)						\
	do {								\
		long __r = (long)(expr);				\
		if (__r < 0)						\
			test_fail(__FILE__, __LINE__, "%s: %s", #expr,	\
				  strerror((int)-__r));			\
	} while (0)

/*
 * Optional hook run by main() after the last test, in the parent; returns
 * KSFT_PASS, KSFT_FAIL or KSFT_SKIP with a reason in @why. Programs that
 * link hb_util.c get its leak check (debugfs counters) this way.
 */
extern int (*hb_test_finish_hook)(char *why, unsigned long len);

#endif /* HB_TEST_HARNESS_H */
