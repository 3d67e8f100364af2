// SPDX-License-Identifier: GPL-2.0
/*
 * End to end through the `hyperbox` command: the demo guests print their
 * greeting in every CPU mode and the guest's exit status becomes ours.
 * Finds the binary in $HB_BIN (set by the test guest's /init) or
 * ../user/hyperbox, the guests in $HB_ROOT/guests or ../guests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include "lib/hb_util.h"

static const char *hyperbox_bin(void)
{
	const char *bin = getenv("HB_BIN");

	if (!bin)
		bin = "../user/hyperbox";
	if (access(bin, X_OK))
		test_skip("no hyperbox binary at %s", bin);
	return bin;
}

static void guest_path(char *buf, size_t len, const char *name)
{
	const char *root = getenv("HB_ROOT");

	if (root)
		snprintf(buf, len, "%s/guests/%s", root, name);
	else
		snprintf(buf, len, "../guests/%s", name);
	if (access(buf, R_OK))
		test_skip("no demo guest %s", buf);
}

/* Runs hyperbox with @args; returns its exit status, output in @out. */
static int run_hyperbox(char *const args[], char *out, size_t len)
{
	int pipefd[2], status;
	size_t have = 0;
	ssize_t n;
	pid_t pid;

	TEST_ASSERT(!pipe(pipefd), "pipe");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execv(args[0], args);
		_exit(127);
	}
	close(pipefd[1]);
	while (have < len - 1 &&
	       (n = read(pipefd[0], out + have, len - 1 - have)) > 0)
		have += n;
	out[have] = 0;
	close(pipefd[0]);
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	TEST_ASSERT(WIFEXITED(status), "hyperbox died: status 0x%x", status);
	return WEXITSTATUS(status);
}

static void expect_greeting(const char *mode, const char *greeting)
{
	char image[256], out[1024], bin[256];
	char *args[] = { bin, "vm", "run", "--image", image, "--mode",
			 (char *)mode, NULL };
	int status;

	open_hyperbox();
	snprintf(bin, sizeof(bin), "%s", hyperbox_bin());
	snprintf(out, sizeof(out), "hello-%s.bin", mode);
	guest_path(image, sizeof(image), out);
	status = run_hyperbox(args, out, sizeof(out));
	TEST_ASSERT(status == 0, "exit status %d, output: %s", status, out);
	TEST_ASSERT(strstr(out, greeting), "no greeting in: %s", out);
}

HB_TEST(demo_guest_in_real_mode)
{
	expect_greeting("real", "Hello from a real-mode hyperbox guest!\n");
}

HB_TEST(demo_guest_in_protected_mode)
{
	expect_greeting("protected", "Hello from a 32-bit protected-mode hyperbox guest!\n");
}

HB_TEST(demo_guest_in_long_mode)
{
	expect_greeting("long", "Hello from a 64-bit long-mode hyperbox guest!\n");
}

static void write_image(const char *path, const void *code, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	TEST_ASSERT(fd >= 0 && write(fd, code, len) == (ssize_t)len,
		    "writing %s: %s", path, strerror(errno));
	close(fd);
}

HB_TEST(guest_exit_status_becomes_ours)
{
	/* mov $HB_HC_EXIT, %eax; mov $42, %edi; vmmcall */
	static const unsigned char exit42[] = {
		0xb8, 0x01, 0x00, 0x00, 0x00, 0xbf, 0x2a, 0x00, 0x00, 0x00,
		0x0f, 0x01, 0xd9,
	};
	char image[] = "/tmp/hb-cli-exit42-XXXXXX", out[1024], bin[256];
	char *args[] = { bin, "vm", "run", "--image", image, NULL };
	int fd;

	open_hyperbox();
	snprintf(bin, sizeof(bin), "%s", hyperbox_bin());
	fd = mkstemp(image);
	TEST_ASSERT(fd >= 0, "mkstemp");
	close(fd);
	write_image(image, exit42, sizeof(exit42));
	TEST_ASSERT_EQ(run_hyperbox(args, out, sizeof(out)), 42);
	unlink(image);
}

HB_TEST(triple_fault_is_a_clear_error)
{
	static const unsigned char ud2[] = { 0x0f, 0x0b };
	char image[] = "/tmp/hb-cli-ud2-XXXXXX", out[1024], bin[256];
	char *args[] = { bin, "vm", "run", "--image", image, NULL };
	int fd, status;

	open_hyperbox();
	snprintf(bin, sizeof(bin), "%s", hyperbox_bin());
	fd = mkstemp(image);
	TEST_ASSERT(fd >= 0, "mkstemp");
	close(fd);
	write_image(image, ud2, sizeof(ud2));
	status = run_hyperbox(args, out, sizeof(out));
	unlink(image);
	TEST_ASSERT(status == 125, "exit status %d, output: %s", status, out);
	TEST_ASSERT(strstr(out, "triple-fault"), "unclear error: %s", out);
}
