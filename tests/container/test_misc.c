// SPDX-License-Identifier: GPL-2.0
/* cmocka: mount options, signals, cgroup conversions, IDs, state files. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../user/cli/oci_cli.h"
#include "../../user/container/cgroup.h"
#include "../../user/container/rootfs.h"
#include "../../user/container/state.h"

static void test_mount_opts(void **state)
{
	const char *o1[] = { "nosuid", "noexec", "mode=755", "size=64k", "ro",
			     "rw", "rprivate", "tmpcopyup" };
	const char *o2[] = { "rbind", "ro", "nodev" };
	struct mount_opts m;
	(void)state;

	mount_opts_parse(o1, 8, &m);
	assert_int_equal(m.flags, MS_NOSUID | MS_NOEXEC);
	assert_int_equal(m.clear & MS_RDONLY, MS_RDONLY);
	assert_int_equal(m.propagation, MS_PRIVATE | MS_REC);
	assert_string_equal(m.data, "mode=755,size=64k");
	assert_false(m.bind);
	mount_opts_parse(o2, 3, &m);
	assert_true(m.bind && m.rbind);
	assert_int_equal(m.flags, MS_RDONLY | MS_NODEV);
	assert_string_equal(m.data, "");
}

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(oci_parse_signal("KILL"), SIGKILL);
	assert_int_equal(oci_parse_signal("SIGTERM"), SIGTERM);
	assert_int_equal(oci_parse_signal("sigusr1"), SIGUSR1);
	assert_int_equal(oci_parse_signal("9"), 9);
	assert_int_equal(oci_parse_signal("15"), SIGTERM);
	assert_int_equal(oci_parse_signal("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(oci_parse_signal("NOPE"), -1);
	assert_int_equal(oci_parse_signal("0"), -1);
	assert_int_equal(oci_parse_signal("999"), -1);
	assert_int_equal(oci_parse_signal(""), -1);
}

static void test_cgroup_conversions(void **state)
{
	struct oci_spec s = { 0 };
	char *p;
	(void)state;

	assert_int_equal(cgroup_shares_to_weight(2), 1);
	assert_int_equal(cgroup_shares_to_weight(1024), 39);
	assert_int_equal(cgroup_shares_to_weight(262144), 10000);
	assert_int_equal(cgroup_blkio_to_io_weight(10), 1);
	assert_int_equal(cgroup_blkio_to_io_weight(1000), 10000);
	p = cgroup_relative_path(&s, "abc", false);
	assert_string_equal(p, "/hyperbox/abc");
	free(p);
	s.cgroups_path = "machine/x";
	p = cgroup_relative_path(&s, "abc", false);
	assert_string_equal(p, "/machine/x");
	free(p);
	s.cgroups_path = "system.slice:libpod:abc";
	p = cgroup_relative_path(&s, "abc", true);
	assert_string_equal(p, "/system.slice/libpod-abc.scope");
	free(p);
}

static void test_ids(void **state)
{
	hb_err_t err = NULL;
	(void)state;

	assert_int_equal(state_check_id("abc-123_x.y", &err), 0);
	assert_int_not_equal(state_check_id("../etc", &err), 0);
	hb_error_free(&err);
	assert_int_not_equal(state_check_id("..", &err), 0);
	hb_error_free(&err);
	assert_int_not_equal(state_check_id("a b", &err), 0);
	hb_error_free(&err);
	assert_int_not_equal(state_check_id("", &err), 0);
	hb_error_free(&err);
}

static void test_state_roundtrip(void **state)
{
	char root[] = "/tmp/hb-state-XXXXXX";
	struct hb_state st = { 0 }, back;
	hb_err_t err = NULL;
	char *json;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(root));
	fd = state_create_dir(root, "box", &err);
	assert_true(fd >= 0);
	assert_int_equal(state_create_dir(root, "box", &err), -1);
	assert_non_null(strstr(err->msg, "already exists"));
	hb_error_free(&err);
	st.id = "box";
	st.bundle = "/b";
	st.pid = getpid();
	st.start_time = pid_start_time(getpid());
	st.cgroup_v1[0] = "/sys/fs/cgroup/memory/x";
	st.annotations_json = "{\"k\":\"v\"}";
	st.hooks_json = "{\"poststop\":[{\"path\":\"/bin/true\"}]}";
	st.created = "2026-01-01T00:00:00Z";
	assert_int_equal(state_save(fd, &st, &err), 0);
	assert_int_equal(state_load(fd, "box", &back, &err), 0);
	assert_string_equal(back.bundle, "/b");
	assert_string_equal(back.cgroup_v1[0], "/sys/fs/cgroup/memory/x");
	assert_string_equal(back.hooks_json, st.hooks_json);
	assert_string_equal(state_status(&back), "created");
	back.started = true;
	assert_string_equal(state_status(&back), "running");
	back.start_time++;
	assert_string_equal(state_status(&back), "stopped");
	json = state_to_oci_json(&back);
	assert_non_null(strstr(json, "\"status\":\"stopped\""));
	assert_non_null(strstr(json, "\"k\":\"v\""));
	/* The hooks are the runtime's business, not part of OCI state. */
	assert_null(strstr(json, "poststop"));
	free(json);
	state_clear(&back);
	close(fd);
	assert_int_equal(state_remove_dir(root, "box", &err), 0);
	assert_int_equal(rmdir(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_opts),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_cgroup_conversions),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_state_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
