// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "test_harness.h"

extern const struct hb_test __start_hb_tests[], __stop_hb_tests[];

int (*hb_test_finish_hook)(char *why, unsigned long len);

/* The child tells the parent why it skipped or failed through this pipe. */
static int reason_fd = -1;

static void send_reason(const char *fmt, va_list ap)
{
	char buf[512];
	int len = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (reason_fd >= 0 && len > 0 &&
	    write(reason_fd, buf, strnlen(buf, sizeof(buf) - 1)) < 0)
		return;
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_reason(fmt, ap);
	va_end(ap);
	fflush(stdout);
	_exit(KSFT_SKIP);
}

void test_emulator_fault(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_reason(fmt, ap);
	va_end(ap);
	fflush(stdout);
	_exit(HB_TEST_EMULATOR_FAULT);
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(KSFT_FAIL);
}

void test_log(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int by_line(const void *a, const void *b)
{
	const struct hb_test *x = *(const struct hb_test *const *)a;
	const struct hb_test *y = *(const struct hb_test *const *)b;

	return (int)x->line - (int)y->line;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits for @pid for at most @timeout seconds; kills it after that. */
static int wait_child(pid_t pid, unsigned int timeout, int *timed_out)
{
	double deadline = now() + timeout;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int status;

	*timed_out = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*timed_out = 1;
			return status;
		}
		nanosleep(&tick, NULL);
	}
}

/*
 * Returns KSFT_PASS, KSFT_FAIL, KSFT_SKIP or HB_TEST_EMULATOR_FAULT;
 * @reason gets the child's why.
 */
static int run_one(const struct hb_test *t, char *reason, size_t len)
{
	int pipefd[2], status, timed_out;
	ssize_t n;
	pid_t pid;

	reason[0] = 0;
	if (pipe(pipefd) < 0)
		return KSFT_FAIL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return KSFT_FAIL;
	if (pid == 0) {
		close(pipefd[0]);
		reason_fd = pipefd[1];
		t->fn();
		fflush(stdout);
		_exit(KSFT_PASS);
	}
	close(pipefd[1]);
	status = wait_child(pid, t->timeout, &timed_out);
	n = read(pipefd[0], reason, len - 1);
	reason[n > 0 ? n : 0] = 0;
	close(pipefd[0]);
	if (timed_out) {
		snprintf(reason, len, "timed out after %u s", t->timeout);
		return KSFT_FAIL;
	}
	if (status < 0)
		return KSFT_FAIL;
	if (WIFSIGNALED(status)) {
		snprintf(reason, len, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		return KSFT_FAIL;
	}
	switch (WEXITSTATUS(status)) {
	case KSFT_PASS:
	case KSFT_SKIP:
	case HB_TEST_EMULATOR_FAULT:
		return WEXITSTATUS(status);
	default:
		return KSFT_FAIL;
	}
}

static int selected(const struct hb_test *t, int argc, char **argv)
{
	int i, any = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			any = 1;
			if (!strcmp(argv[++i], t->name))
				return 1;
		}
	}
	return !any;
}

int main(int argc, char **argv)
{
	size_t nr = __stop_hb_tests - __start_hb_tests, i, planned = 0;
	const struct hb_test **tests = calloc(nr + 1, sizeof(*tests));
	unsigned int pass = 0, fail = 0, skip = 0, n = 0, emulator_faults = 0;
	char reason[512];

	if (!tests)
		return KSFT_FAIL;
	for (i = 0; i < nr; i++)
		tests[i] = &__start_hb_tests[i];
	qsort(tests, nr, sizeof(*tests), by_line);
	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < nr; i++)
			printf("%s\n", tests[i]->name);
		return 0;
	}
	for (i = 0; i < nr; i++)
		planned += selected(tests[i], argc, argv);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%zu\n", planned + !!hb_test_finish_hook);
	for (i = 0; i < nr; i++) {
		const struct hb_test *t = tests[i];
		double t0 = now();
		int r;

		if (!selected(t, argc, argv))
			continue;
		printf("# RUN %s\n", t->name);
		r = run_one(t, reason, sizeof(reason));
		if (r == HB_TEST_EMULATOR_FAULT) {
			printf("# emulator fault: %s; running %s again\n",
			       reason, t->name);
			emulator_faults++;
			r = run_one(t, reason, sizeof(reason));
			if (r == HB_TEST_EMULATOR_FAULT)
				snprintf(reason + strlen(reason),
					 sizeof(reason) - strlen(reason),
					 " (the second emulator fault in a row)");
		}
		n++;
		if (r == KSFT_PASS) {
			pass++;
			printf("ok %u %s # %.2fs\n", n, t->name, now() - t0);
		} else if (r == KSFT_SKIP) {
			skip++;
			printf("ok %u %s # SKIP %s\n", n, t->name, reason);
		} else {
			fail++;
			if (reason[0])
				printf("# %s\n", reason);
			printf("not ok %u %s\n", n, t->name);
		}
	}
	if (hb_test_finish_hook) {
		n++;
		reason[0] = 0;
		switch (hb_test_finish_hook(reason, sizeof(reason))) {
		case KSFT_PASS:
			pass++;
			printf("ok %u no_leaks_after_tests\n", n);
			break;
		case KSFT_SKIP:
			skip++;
			printf("ok %u no_leaks_after_tests # SKIP %s\n", n, reason);
			break;
		default:
			fail++;
			printf("# %s\nnot ok %u no_leaks_after_tests\n", reason, n);
		}
	}
	if (emulator_faults)
		printf("# emulator faults (tests run again): %u\n",
		       emulator_faults);
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       pass, fail, skip);
	free(tests);
	if (fail)
		return KSFT_FAIL;
	return pass ? KSFT_PASS : KSFT_SKIP;
}
