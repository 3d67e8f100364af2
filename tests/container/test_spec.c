// SPDX-License-Identifier: GPL-2.0
/* cmocka: config.json parsing, good and bad. */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/capability.h>
#include <cmocka.h>

#include "../../user/container/spec.h"

#define MINIMAL_PROCESS "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}"

static const char good[] =
"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
"\"hostname\":\"box\","
"\"process\":{\"terminal\":false,\"user\":{\"uid\":1000,\"gid\":100,"
"\"additionalGids\":[5,6]},\"args\":[\"sh\",\"-c\",\"true\"],"
"\"env\":[\"PATH=/bin\"],\"cwd\":\"/tmp\",\"noNewPrivileges\":true,"
"\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"],"
"\"effective\":[\"CAP_KILL\"]},"
"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":100,\"hard\":200}],"
"\"oomScoreAdj\":-5},"
"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
"{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/tmp\","
"\"options\":[\"rbind\",\"ro\"]}],"
"\"annotations\":{\"org.hyperbox.net.bridge\":\"hb0\"},"
"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
"{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},{\"type\":\"user\"}],"
"\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
"\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
"\"resources\":{\"memory\":{\"limit\":67108864,\"swap\":-1},"
"\"pids\":{\"limit\":32},\"cpu\":{\"quota\":50000,\"period\":100000,"
"\"shares\":512,\"cpus\":\"0\"},\"blockIO\":{\"weight\":500,"
"\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}]},"
"\"unified\":{\"memory.high\":\"100M\"},"
"\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,"
"\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}]},"
"\"cgroupsPath\":\"/test/box\",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
"\"architectures\":[\"SCMP_ARCH_X86_64\"],"
"\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
"\"errnoRet\":1,\"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_NE\"}]}]},"
"\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
"\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,"
"\"minor\":229}]}}";

static void test_good_spec(void **state)
{
	struct oci_spec *s = NULL;
	hb_err_t err = NULL;
	(void)state;

	assert_int_equal(spec_load_string(good, &s, &err), 0);
	assert_null(err);
	assert_string_equal(s->root_path, "rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "box");
	assert_int_equal(s->process.uid, 1000);
	assert_int_equal(s->process.gid, 100);
	assert_int_equal(s->process.n_additional_gids, 2);
	assert_int_equal(s->process.n_args, 3);
	assert_null(s->process.args[3]);
	assert_string_equal(s->process.cwd, "/tmp");
	assert_true(s->process.no_new_privileges);
	assert_true(s->process.caps.present);
	assert_int_equal(s->process.caps.n_bounding, 2);
	assert_int_equal(s->process.caps.bounding[0], CAP_KILL);
	assert_int_equal(s->process.caps.n_permitted, 0);
	assert_int_equal(s->process.n_rlimits, 1);
	assert_int_equal(s->process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s->process.rlimits[0].hard, 200);
	assert_true(s->process.has_oom_score_adj);
	assert_int_equal(s->process.oom_score_adj, -5);
	assert_int_equal(s->n_mounts, 2);
	assert_int_equal(s->mounts[1].n_options, 2);
	assert_string_equal(spec_annotation(s, "org.hyperbox.net.bridge"), "hb0");
	assert_int_equal(s->n_namespaces, 4);
	assert_true(spec_has_namespace(s, CLONE_NEWPID));
	assert_false(spec_has_namespace(s, CLONE_NEWUTS));
	assert_string_equal(spec_namespace(s, CLONE_NEWNET)->path,
			    "/proc/1/ns/net");
	assert_int_equal(s->n_uid_mappings, 1);
	assert_int_equal(s->uid_mappings[0].host_id, 1000);
	assert_int_equal(s->resources.memory_limit, 67108864);
	assert_int_equal(s->resources.memory_swap, -1);
	assert_int_equal(s->resources.pids_limit, 32);
	assert_int_equal(s->resources.cpu_quota, 50000);
	assert_string_equal(s->resources.cpus, "0");
	assert_int_equal(s->resources.io_weight, 500);
	assert_int_equal(s->resources.n_throttle, 1);
	assert_string_equal(s->resources.throttle[0].key, "rbps");
	assert_int_equal(s->resources.n_unified, 1);
	assert_int_equal(s->resources.n_dev_rules, 2);
	assert_false(s->resources.dev_rules[0].allow);
	assert_int_equal(s->resources.dev_rules[0].type, 'a');
	assert_int_equal(s->resources.dev_rules[0].major, -1);
	assert_int_equal(s->resources.dev_rules[0].access, 7);
	assert_int_equal(s->resources.dev_rules[1].minor, 3);
	assert_int_equal(s->resources.dev_rules[1].access, 6);
	assert_string_equal(s->cgroups_path, "/test/box");
	assert_int_equal(s->n_sysctl, 1);
	assert_non_null(s->seccomp);
	assert_int_equal(s->seccomp->n_rules, 1);
	assert_int_equal(s->seccomp->rules[0].errno_ret, 1);
	assert_int_equal(s->seccomp->rules[0].n_args, 1);
	assert_int_equal(s->n_masked_paths, 1);
	assert_int_equal(s->n_devices, 1);
	assert_int_equal(s->devices[0].type, 'c');
	spec_free(s);
}

/* Each bad document must fail with a message containing the JSON path. */
static const struct {
	const char *json;
	const char *needle;
} bad[] = {
	{ "{", "invalid JSON" },
	{ "[]", "expected an object" },
	{ "{\"root\":{\"path\":\"r\"}}", "ociVersion: required" },
	{ "{\"ociVersion\":\"1\"}", "root: required" },
	{ "{\"ociVersion\":\"1\",\"root\":{}}", "root.path: required" },
	{ "{\"ociVersion\":1,\"root\":{\"path\":\"r\"}}", "ociVersion: expected a string" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}",
	  "root.readonly: expected a boolean" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":\"sh\",\"cwd\":\"/\"}}",
	  "process.args: expected an array" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[],\"cwd\":\"/\"}}",
	  "process.args: must name" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"]}}",
	  "process.cwd: required" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"tmp\"}}",
	  "not absolute" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}," MINIMAL_PROCESS
	  ",\"linux\":{\"namespaces\":[{\"type\":\"time-travel\"}]}}",
	  "unknown namespace type `time-travel`" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}," MINIMAL_PROCESS
	  ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}",
	  "listed twice" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}," MINIMAL_PROCESS
	  ",\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":"
	  "[{\"containerID\":0,\"hostID\":-1,\"size\":1}],\"gidMappings\":[]}}",
	  "out of range" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}," MINIMAL_PROCESS
	  ",\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":"
	  "[{\"containerID\":0,\"hostID\":0,\"size\":0}],\"gidMappings\":[]}}",
	  "invalid range" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}," MINIMAL_PROCESS
	  ",\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}",
	  "needs uid and gid mappings" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}," MINIMAL_PROCESS
	  ",\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":1}]}}",
	  "without a user namespace" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"
	  "\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_FLY\"]}}}",
	  "unknown capability `CAP_FLY`" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"
	  "\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}}",
	  "unknown rlimit" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"mounts\":[{\"type\":\"tmpfs\"}]}",
	  "mounts[].destination: required" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":"
	  "{\"memory\":{\"limit\":\"1G\"}}}}",
	  "linux.resources.memory.limit: expected an integer" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":"
	  "{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}}}",
	  "bad access `rwx`" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{}}}",
	  "linux.seccomp.defaultAction: required" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"annotations\":{\"a\":1}}",
	  "annotations.a: expected a string" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"hooks\":[]}",
	  "hooks: expected an object" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"hooks\":{\"prestart\":{}}}",
	  "hooks.prestart: expected an array" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"hooks\":{\"prestart\":[{\"path\":\"hook\"}]}}",
	  "hooks.prestart[].path: `hook` is not absolute" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"hooks\":{\"poststop\":[{}]}}",
	  "hooks.poststop[].path" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"hooks\":{\"createRuntime\":[{\"path\":\"/h\",\"timeout\":0}]}}",
	  "hooks.createRuntime[].timeout: must be greater than zero" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"hooks\":{\"poststart\":[{\"path\":\"/h\",\"args\":\"a\"}]}}",
	  "hooks.poststart[].args: expected an array" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"hooks\":{\"startContainer\":[{\"path\":\"/h\",\"env\":[\"NOEQ\"]}]}}",
	  "hooks.startContainer[].env: `NOEQ` is not NAME=VALUE" },
};

static void test_bad_specs(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct oci_spec *s = NULL;
		hb_err_t err = NULL;

		if (spec_load_string(bad[i].json, &s, &err) == 0) {
			print_error("accepted: %s\n", bad[i].json);
			fail();
		}
		assert_null(s);
		assert_non_null(err);
		if (!strstr(err->msg, bad[i].needle)) {
			print_error("case %zu: `%s` lacks `%s`\n", i, err->msg,
				    bad[i].needle);
			fail();
		}
		assert_non_null(strstr(err->msg, "config.json"));
		hb_error_free(&err);
	}
}

static const char hooks[] =
"{\"prestart\":[{\"path\":\"/bin/a\"}],"
"\"createContainer\":[{\"path\":\"/bin/b\",\"args\":[\"b\",\"-x\"],"
"\"env\":[\"K=V\"],\"timeout\":5},{\"path\":\"/bin/c\"}],"
"\"futureKind\":[{\"path\":\"relative is fine: unknown kinds are skipped\"}]}";

static void check_hooks(const struct oci_spec *s)
{
	const struct oci_hook *h = s->hooks.list[OCI_HOOK_CREATE_CONTAINER];

	assert_int_equal(s->hooks.n[OCI_HOOK_PRESTART], 1);
	assert_int_equal(s->hooks.n[OCI_HOOK_CREATE_RUNTIME], 0);
	assert_int_equal(s->hooks.n[OCI_HOOK_CREATE_CONTAINER], 2);
	assert_int_equal(s->hooks.n[OCI_HOOK_POSTSTOP], 0);
	assert_null(s->hooks.list[OCI_HOOK_PRESTART][0].args);
	assert_int_equal(s->hooks.list[OCI_HOOK_PRESTART][0].timeout, 0);
	assert_string_equal(h[0].path, "/bin/b");
	assert_string_equal(h[0].args[0], "b");
	assert_string_equal(h[0].args[1], "-x");
	assert_null(h[0].args[2]);
	assert_string_equal(h[0].env[0], "K=V");
	assert_null(h[0].env[1]);
	assert_int_equal(h[0].timeout, 5);
	assert_string_equal(h[1].path, "/bin/c");
	assert_string_equal(spec_hook_kind_name(OCI_HOOK_START_CONTAINER),
			    "startContainer");
}

/* From config.json, and from the copy the state directory keeps. */
static void test_hooks(void **state)
{
	char *text = NULL;
	struct oci_spec *s = NULL;
	hb_err_t err = NULL;
	(void)state;

	assert_true(asprintf(&text, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
				    "\"hooks\":%s}", hooks) > 0);
	assert_int_equal(spec_load_string(text, &s, &err), 0);
	check_hooks(s);
	spec_free(s);
	free(text);

	s = NULL;
	assert_int_equal(spec_load_hooks(hooks, &s, &err), 0);
	check_hooks(s);
	spec_free(s);

	s = NULL;
	assert_int_equal(spec_load_hooks("{\"poststop\":", &s, &err), -1);
	assert_null(s);
	assert_non_null(strstr(err->msg, "hooks"));
	hb_error_free(&err);
}

static void test_default_spec_parses(void **state)
{
	int rootless;
	(void)state;

	for (rootless = 0; rootless < 2; rootless++) {
		char *text = spec_default_json(rootless);
		struct oci_spec *s = NULL;
		hb_err_t err = NULL;

		assert_non_null(text);
		assert_int_equal(spec_load_string(text, &s, &err), 0);
		assert_int_equal(spec_has_namespace(s, CLONE_NEWUSER), rootless);
		assert_true(s->process.no_new_privileges);
		free(text);
		spec_free(s);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(ns_flag_from_name("network"), CLONE_NEWNET);
	assert_int_equal(ns_flag_from_name("net"), -1);
	assert_string_equal(ns_name_from_flag(CLONE_NEWCGROUP), "cgroup");
	assert_int_equal(rlimit_from_name("RLIMIT_NPROC"), RLIMIT_NPROC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_spec),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_default_spec_parses),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
