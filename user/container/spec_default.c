// SPDX-License-Identifier: GPL-2.0
/* The config.json that `hyperbox spec` writes: runc's defaults, in json-c. */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "spec.h"

static const char default_spec[] =
"{\"ociVersion\":\"1.0.2\","
"\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},"
"\"args\":[\"sh\"],"
"\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"TERM=xterm\"],"
"\"cwd\":\"/\","
"\"capabilities\":{"
"\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
"\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
"\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
"\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
"\"noNewPrivileges\":true},"
"\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
"\"hostname\":\"hyperbox\","
"\"mounts\":["
"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
"{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
"\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
"{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
"\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
"\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
"{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
"\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
"\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\","
"\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\"],"
"\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
"\"/proc/sysrq-trigger\"]}}";

static struct json_object *idmap(unsigned int id)
{
	struct json_object *arr = json_object_new_array();
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "containerID", json_object_new_int(0));
	json_object_object_add(m, "hostID", json_object_new_int64(id));
	json_object_object_add(m, "size", json_object_new_int(1));
	json_object_array_add(arr, m);
	return arr;
}

static void drop_option(struct json_object *mount, const char *opt)
{
	struct json_object *opts, *kept = json_object_new_array();
	size_t i;

	json_object_object_get_ex(mount, "options", &opts);
	for (i = 0; i < json_object_array_length(opts); i++) {
		struct json_object *o = json_object_array_get_idx(opts, i);

		if (strcmp(json_object_get_string(o), opt))
			json_object_array_add(kept, json_object_get(o));
	}
	json_object_object_add(mount, "options", kept);
}

/*
 * Rootless: a user namespace mapping the caller to root, no network
 * namespace games with sysfs (a fresh sysfs needs a net ns we own), and no
 * cgroup mount since an unprivileged user cannot mount cgroupfs.
 */
static void make_rootless(struct json_object *root)
{
	struct json_object *linux_, *ns, *mounts, *kept, *m;
	size_t i;

	json_object_object_get_ex(root, "linux", &linux_);
	json_object_object_get_ex(linux_, "namespaces", &ns);
	m = json_object_new_object();
	json_object_object_add(m, "type", json_object_new_string("user"));
	json_object_array_add(ns, m);
	json_object_object_add(linux_, "uidMappings", idmap(getuid()));
	json_object_object_add(linux_, "gidMappings", idmap(getgid()));
	json_object_object_del(linux_, "resources");

	json_object_object_get_ex(root, "mounts", &mounts);
	kept = json_object_new_array();
	for (i = 0; i < json_object_array_length(mounts); i++) {
		struct json_object *e = json_object_array_get_idx(mounts, i);
		struct json_object *dst;

		json_object_object_get_ex(e, "destination", &dst);
		if (!strcmp(json_object_get_string(dst), "/sys/fs/cgroup"))
			continue;
		/* gid 5 (tty) is not mapped in a single-id user namespace. */
		if (!strcmp(json_object_get_string(dst), "/dev/pts"))
			drop_option(e, "gid=5");
		json_object_array_add(kept, json_object_get(e));
	}
	json_object_object_add(root, "mounts", kept);
}

char *spec_default_json(bool rootless)
{
	struct json_object *root = json_tokener_parse(default_spec);
	char *out;

	if (!root)
		return NULL;
	if (rootless)
		make_rootless(root);
	out = xstrdup(json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}
