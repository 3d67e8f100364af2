// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "state.h"

const char *state_default_root(void)
{
	static char buf[256];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0 || !xdg || !*xdg)
		return geteuid() == 0 ? "/run/hyperbox" : "/tmp/hyperbox-user";
	snprintf(buf, sizeof(buf), "%s/hyperbox", xdg);
	return buf;
}

int state_check_id(const char *id, hb_err_t *err)
{
	const char *p;

	if (!id || !*id)
		return hb_error(err, 0, "container ID missing");
	if (strlen(id) > 128 || !strcmp(id, ".") || !strcmp(id, ".."))
		return hb_error(err, 0, "invalid container ID `%s`", id);
	for (p = id; *p; p++)
		if (*p == '/' || *p <= ' ' || *p == 0x7f)
			return hb_error(err, 0, "invalid container ID `%s`", id);
	return 0;
}

static int lock_dir(int fd, const char *id, hb_err_t *err)
{
	if (flock(fd, LOCK_EX) < 0)
		return hb_error(err, errno, "lock state of `%s`", id);
	return 0;
}

int state_create_dir(const char *root, const char *id, hb_err_t *err)
{
	cleanup_free char *dir = NULL;
	int fd;

	if (state_check_id(id, err) < 0)
		return -1;
	if (mkdir_p(root, 0700, err) < 0)
		return hb_error_wrap(err, "create state root");
	dir = xasprintf("%s/%s", root, id);
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return hb_error(err, 0, "container `%s` already exists",
					id);
		return hb_error(err, errno, "mkdir `%s`", dir);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		hb_error(err, errno, "open `%s`", dir);
		rmdir(dir);
		return -1;
	}
	if (lock_dir(fd, id, err) < 0) {
		close(fd);
		rmdir(dir);
		return -1;
	}
	return fd;
}

int state_lock(const char *root, const char *id, hb_err_t *err)
{
	cleanup_free char *dir = NULL;
	int fd;

	if (state_check_id(id, err) < 0)
		return -1;
	dir = xasprintf("%s/%s", root, id);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return hb_error(err, 0, "container `%s` does not exist",
					id);
		return hb_error(err, errno, "open `%s`", dir);
	}
	if (lock_dir(fd, id, err) < 0) {
		close(fd);
		return -1;
	}
	/* A delete may have removed the directory while we waited. */
	if (faccessat(fd, ".", F_OK, 0) < 0 ||
	    access(dir, F_OK) < 0) {
		close(fd);
		return hb_error(err, 0, "container `%s` does not exist", id);
	}
	return fd;
}

int state_remove_dir(const char *root, const char *id, hb_err_t *err)
{
	cleanup_free char *dir = xasprintf("%s/%s", root, id);
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return errno == ENOENT ? 0 :
		       hb_error(err, errno, "open `%s`", dir);
	d = fdopendir(steal_fd(fd));
	if (!d)
		return hb_error(err, errno, "opendir `%s`", dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT &&
		    unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0) {
			hb_error(err, errno, "remove `%s/%s`", dir, de->d_name);
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return hb_error(err, errno, "rmdir `%s`", dir);
	return 0;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

int state_save(int dirfd, const struct hb_state *st, hb_err_t *err)
{
	struct json_object *o = json_object_new_object();
	struct json_object *v1 = json_object_new_array();
	const char *text;
	int fd, i, ret = 0;

	add_str(o, "id", st->id);
	add_str(o, "bundle", st->bundle);
	add_str(o, "rootfs", st->rootfs);
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	json_object_object_add(o, "startTime",
			       json_object_new_uint64(st->start_time));
	json_object_object_add(o, "started",
			       json_object_new_boolean(st->started));
	add_str(o, "created", st->created);
	add_str(o, "cgroupV2", st->cgroup_v2);
	for (i = 0; i < HB_MAX_V1_CGROUPS && st->cgroup_v1[i]; i++)
		json_object_array_add(v1, json_object_new_string(st->cgroup_v1[i]));
	json_object_object_add(o, "cgroupV1", v1);
	add_str(o, "overlayMount", st->overlay_mount);
	add_str(o, "overlayWork", st->overlay_work);
	add_str(o, "netBridge", st->net_bridge);
	add_str(o, "netHostIf", st->net_host_if);
	add_str(o, "netAddr", st->net_addr);
	add_str(o, "annotations", st->annotations_json);
	add_str(o, "hooks", st->hooks_json);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	fd = openat(dirfd, "state.json.tmp",
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		ret = hb_error(err, errno, "write state of `%s`", st->id);
	if (fd >= 0)
		close(fd);
	if (!ret && renameat(dirfd, "state.json.tmp", dirfd, "state.json") < 0)
		ret = hb_error(err, errno, "save state of `%s`", st->id);
	json_object_put(o);
	return ret;
}

static char *dup_field(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

int state_load(int dirfd, const char *id, struct hb_state *st, hb_err_t *err)
{
	cleanup_close int fd = openat(dirfd, "state.json", O_RDONLY | O_CLOEXEC);
	cleanup_free char *text = NULL;
	struct json_object *o, *v;
	char path[64];
	size_t i;

	memset(st, 0, sizeof(*st));
	if (fd < 0)
		return hb_error(err, errno, "read state of `%s`", id);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	o = json_tokener_parse(text);
	if (!o)
		return hb_error(err, 0, "state of `%s` is corrupt", id);
	st->id = dup_field(o, "id");
	st->bundle = dup_field(o, "bundle");
	st->rootfs = dup_field(o, "rootfs");
	if (json_object_object_get_ex(o, "pid", &v))
		st->pid = json_object_get_int(v);
	if (json_object_object_get_ex(o, "startTime", &v))
		st->start_time = json_object_get_uint64(v);
	if (json_object_object_get_ex(o, "started", &v))
		st->started = json_object_get_boolean(v);
	st->created = dup_field(o, "created");
	st->cgroup_v2 = dup_field(o, "cgroupV2");
	if (json_object_object_get_ex(o, "cgroupV1", &v))
		for (i = 0; i < json_object_array_length(v) &&
			    i < HB_MAX_V1_CGROUPS; i++)
			st->cgroup_v1[i] = xstrdup(json_object_get_string(
				json_object_array_get_idx(v, i)));
	st->overlay_mount = dup_field(o, "overlayMount");
	st->overlay_work = dup_field(o, "overlayWork");
	st->net_bridge = dup_field(o, "netBridge");
	st->net_host_if = dup_field(o, "netHostIf");
	st->net_addr = dup_field(o, "netAddr");
	st->annotations_json = dup_field(o, "annotations");
	st->hooks_json = dup_field(o, "hooks");
	json_object_put(o);
	if (!st->id) {
		state_clear(st);
		return hb_error(err, 0, "state of `%s` is corrupt", id);
	}
	return 0;
}

void state_clear(struct hb_state *st)
{
	int i;

	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup_v2);
	for (i = 0; i < HB_MAX_V1_CGROUPS; i++)
		free(st->cgroup_v1[i]);
	free(st->overlay_mount);
	free(st->overlay_work);
	free(st->net_bridge);
	free(st->net_host_if);
	free(st->net_addr);
	free(st->annotations_json);
	free(st->hooks_json);
	memset(st, 0, sizeof(*st));
}

const char *state_status(const struct hb_state *st)
{
	if (!st->pid || !pid_alive(st->pid) ||
	    pid_start_time(st->pid) != st->start_time)
		return "stopped";
	if (!st->created)
		return "creating";
	return st->started ? "running" : "created";
}

char *state_to_oci_json(const struct hb_state *st)
{
	struct json_object *o = json_object_new_object();
	const char *status = state_status(st);
	char *out;

	json_object_object_add(o, "ociVersion",
			       json_object_new_string("1.0.2"));
	add_str(o, "id", st->id);
	add_str(o, "status", status);
	json_object_object_add(o, "pid", json_object_new_int(
		strcmp(status, "stopped") ? st->pid : 0));
	add_str(o, "bundle", st->bundle);
	add_str(o, "rootfs", st->rootfs);
	add_str(o, "created", st->created);
	if (st->annotations_json) {
		struct json_object *a = json_tokener_parse(st->annotations_json);

		if (a)
			json_object_object_add(o, "annotations", a);
	}
	out = xstrdup(json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

int state_foreach(const char *root,
		  int (*fn)(const char *id, void *arg), void *arg,
		  hb_err_t *err)
{
	struct dirent **list = NULL;
	int i, n, ret = 0;

	n = scandir(root, &list, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 :
		       hb_error(err, errno, "list `%s`", root);
	for (i = 0; i < n; i++) {
		if (ret >= 0 && list[i]->d_name[0] != '.' &&
		    list[i]->d_type == DT_DIR)
			ret = fn(list[i]->d_name, arg);
		free(list[i]);
	}
	free(list);
	return ret < 0 ? ret : 0;
}
