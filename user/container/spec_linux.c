// SPDX-License-Identifier: GPL-2.0
/* The "linux" object of config.json: namespaces, id maps, resources, seccomp. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "spec_json.h"

static int parse_namespaces(struct oci_spec *spec, struct json_object *linux_,
			    hb_err_t *err)
{
	struct json_object *arr;
	size_t i, j, len;
	int ret;

	arr = sj_typed(linux_, "namespaces", json_type_array,
			"linux.namespaces", &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	spec->namespaces = sj_alloc(spec, len, sizeof(*spec->namespaces));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_namespace *ns = &spec->namespaces[i];
		const char *type;

		if (!json_object_is_type(e, json_type_object))
			return sj_type_error(err, "linux.namespaces[]", "an object");
		if (sj_string(e, "type", "linux.namespaces[].type", true,
			       &type, err) < 0 ||
		    sj_string(e, "path", "linux.namespaces[].path", false,
			       &ns->path, err) < 0)
			return -1;
		ns->flag = ns_flag_from_name(type);
		if (ns->flag < 0)
			return hb_error(err, 0, CTX ": linux.namespaces: unknown namespace type `%s`",
					type);
		for (j = 0; j < i; j++)
			if (spec->namespaces[j].flag == ns->flag)
				return hb_error(err, 0, CTX ": linux.namespaces: `%s` listed twice",
						type);
	}
	spec->n_namespaces = len;
	return 0;
}

static int parse_idmaps(struct oci_spec *spec, struct json_object *linux_,
			const char *key, struct oci_idmap **out, size_t *n,
			hb_err_t *err)
{
	cleanup_free char *path = xasprintf("linux.%s", key);
	struct json_object *arr;
	size_t i, len;
	int ret;

	arr = sj_typed(linux_, key, json_type_array, path, &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	*out = sj_alloc(spec, len, sizeof(**out));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_idmap *m = &(*out)[i];

		if (!json_object_is_type(e, json_type_object))
			return sj_type_error(err, path, "an array of objects");
		if (sj_u32(e, "containerID", path, true, &m->container_id,
			    err) < 0 ||
		    sj_u32(e, "hostID", path, true, &m->host_id, err) < 0 ||
		    sj_u32(e, "size", path, true, &m->size, err) < 0)
			return -1;
		if (!m->size || (uint64_t)m->host_id + m->size > UINT32_MAX ||
		    (uint64_t)m->container_id + m->size > UINT32_MAX)
			return hb_error(err, 0, CTX ": %s: invalid range %u:%u:%u",
					path, m->container_id, m->host_id,
					m->size);
	}
	*n = len;
	return 0;
}

static int parse_io(struct oci_spec *spec, struct json_object *blkio,
		    struct oci_resources *r, hb_err_t *err)
{
	static const char *const keys[][2] = {
		{ "throttleReadBpsDevice", "rbps" },
		{ "throttleWriteBpsDevice", "wbps" },
		{ "throttleReadIOPSDevice", "riops" },
		{ "throttleWriteIOPSDevice", "wiops" },
	};
	size_t k, total = 0;
	int64_t w;
	int ret;

	if (sj_int(blkio, "weight", "linux.resources.blockIO.weight", &w,
		    err) < 0)
		return -1;
	r->io_weight = sj_get(blkio, "weight") ? w : OCI_UNSET;
	r->throttle = sj_alloc(spec, 64, sizeof(*r->throttle));
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		struct json_object *arr;
		size_t i, len;

		arr = sj_typed(blkio, keys[k][0], json_type_array,
				"linux.resources.blockIO", &ret, err);
		if (ret < 0)
			return ret;
		if (!arr)
			continue;
		len = json_object_array_length(arr);
		for (i = 0; i < len && total < 64; i++) {
			struct json_object *e = json_object_array_get_idx(arr, i);
			struct oci_throttle *t = &r->throttle[total++];

			if (sj_int(e, "major", keys[k][0], &t->major, err) < 0 ||
			    sj_int(e, "minor", keys[k][0], &t->minor, err) < 0 ||
			    sj_uint(e, "rate", keys[k][0], &t->rate, err) < 0)
				return -1;
			t->key = keys[k][1];
		}
	}
	r->n_throttle = total;
	return 0;
}

static int parse_dev_rules(struct oci_spec *spec, struct json_object *res,
			   struct oci_resources *r, hb_err_t *err)
{
	const char *path = "linux.resources.devices";
	struct json_object *arr;
	size_t i, len;
	int ret;

	arr = sj_typed(res, "devices", json_type_array, path, &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	r->dev_rules = sj_alloc(spec, len, sizeof(*r->dev_rules));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_dev_rule *d = &r->dev_rules[i];
		const char *type = NULL, *access = NULL, *c;

		d->major = d->minor = -1;
		if (sj_bool(e, "allow", path, &d->allow, err) < 0 ||
		    sj_string(e, "type", path, false, &type, err) < 0 ||
		    sj_string(e, "access", path, false, &access, err) < 0 ||
		    sj_int(e, "major", path, &d->major, err) < 0 ||
		    sj_int(e, "minor", path, &d->minor, err) < 0)
			return -1;
		d->type = type ? type[0] : 'a';
		if (!strchr("acb", d->type) || (type && type[1]))
			return hb_error(err, 0, CTX ": %s: bad type `%s`", path, type);
		for (c = access ? access : "rwm"; *c; c++) {
			if (*c == 'm')
				d->access |= 1;
			else if (*c == 'r')
				d->access |= 2;
			else if (*c == 'w')
				d->access |= 4;
			else
				return hb_error(err, 0, CTX ": %s: bad access `%s`",
						path, access);
		}
	}
	r->n_dev_rules = len;
	return 0;
}

static int parse_resources(struct oci_spec *spec, struct json_object *linux_,
			   hb_err_t *err)
{
	struct oci_resources *r = &spec->resources;
	struct json_object *res, *mem, *pids, *cpu, *blkio;
	int ret;

	r->memory_limit = r->memory_swap = r->memory_reservation = OCI_UNSET;
	r->pids_limit = r->cpu_shares = r->cpu_quota = OCI_UNSET;
	r->cpu_period = r->io_weight = OCI_UNSET;
	res = sj_typed(linux_, "resources", json_type_object,
			"linux.resources", &ret, err);
	if (!res)
		return ret;
	spec->has_resources = true;
#define OPT_INT(obj, key, path, field)					\
	do {								\
		int64_t __v;						\
		int __r = sj_int(obj, key, path, &__v, err);		\
		if (__r < 0)						\
			return -1;					\
		if (__r > 0)						\
			field = __v;					\
	} while (0)
	mem = sj_typed(res, "memory", json_type_object,
			"linux.resources.memory", &ret, err);
	if (ret < 0)
		return ret;
	if (mem) {
		OPT_INT(mem, "limit", "linux.resources.memory.limit",
			r->memory_limit);
		OPT_INT(mem, "swap", "linux.resources.memory.swap",
			r->memory_swap);
		OPT_INT(mem, "reservation", "linux.resources.memory.reservation",
			r->memory_reservation);
	}
	pids = sj_typed(res, "pids", json_type_object, "linux.resources.pids",
			 &ret, err);
	if (ret < 0)
		return ret;
	if (pids)
		OPT_INT(pids, "limit", "linux.resources.pids.limit",
			r->pids_limit);
	cpu = sj_typed(res, "cpu", json_type_object, "linux.resources.cpu",
			&ret, err);
	if (ret < 0)
		return ret;
	if (cpu) {
		OPT_INT(cpu, "shares", "linux.resources.cpu.shares",
			r->cpu_shares);
		OPT_INT(cpu, "quota", "linux.resources.cpu.quota",
			r->cpu_quota);
		OPT_INT(cpu, "period", "linux.resources.cpu.period",
			r->cpu_period);
		if (sj_string(cpu, "cpus", "linux.resources.cpu.cpus", false,
			       &r->cpus, err) < 0 ||
		    sj_string(cpu, "mems", "linux.resources.cpu.mems", false,
			       &r->mems, err) < 0)
			return -1;
	}
#undef OPT_INT
	blkio = sj_typed(res, "blockIO", json_type_object,
			  "linux.resources.blockIO", &ret, err);
	if (ret < 0)
		return ret;
	if (blkio && parse_io(spec, blkio, r, err) < 0)
		return -1;
	if (parse_dev_rules(spec, res, r, err) < 0)
		return -1;
	return sj_kv(spec, res, "unified",
		      "linux.resources.unified", &r->unified, &r->n_unified,
		      err);
}

static int parse_seccomp(struct oci_spec *spec, struct json_object *linux_,
			 hb_err_t *err)
{
	struct json_object *sc, *arr;
	struct oci_seccomp *s;
	size_t i, len;
	uint32_t v;
	int ret;

	sc = sj_typed(linux_, "seccomp", json_type_object, "linux.seccomp",
		       &ret, err);
	if (!sc)
		return ret;
	s = spec->seccomp = sj_alloc(spec, 1, sizeof(*s));
	if (sj_string(sc, "defaultAction", "linux.seccomp.defaultAction",
		       true, &s->default_action, err) < 0)
		return -1;
	ret = sj_u32(sc, "defaultErrnoRet", "linux.seccomp.defaultErrnoRet",
		      false, &v, err);
	if (ret < 0)
		return ret;
	s->has_default_errno = ret;
	s->default_errno = v;
	if (sj_strv(spec, sc, "architectures", "linux.seccomp.architectures",
		     &s->architectures, &s->n_architectures, err) < 0)
		return -1;
	arr = sj_typed(sc, "syscalls", json_type_array,
			"linux.seccomp.syscalls", &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	s->rules = sj_alloc(spec, len, sizeof(*s->rules));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_seccomp_rule *r = &s->rules[i];
		struct json_object *args;
		size_t j, nargs;

		if (sj_strv(spec, e, "names", "linux.seccomp.syscalls[].names",
			     &r->names, &r->n_names, err) < 0 ||
		    sj_string(e, "action", "linux.seccomp.syscalls[].action",
			       true, &r->action, err) < 0)
			return -1;
		ret = sj_u32(e, "errnoRet", "linux.seccomp.syscalls[].errnoRet",
			      false, &r->errno_ret, err);
		if (ret < 0)
			return ret;
		r->has_errno = ret;
		args = sj_typed(e, "args", json_type_array,
				 "linux.seccomp.syscalls[].args", &ret, err);
		if (ret < 0)
			return ret;
		nargs = args ? json_object_array_length(args) : 0;
		r->args = sj_alloc(spec, nargs, sizeof(*r->args));
		for (j = 0; j < nargs; j++) {
			struct json_object *a = json_object_array_get_idx(args, j);
			struct oci_seccomp_arg *sa = &r->args[j];
			const char *p = "linux.seccomp.syscalls[].args[]";

			if (sj_u32(a, "index", p, true, &sa->index, err) < 0 ||
			    sj_uint(a, "value", p, &sa->value, err) < 0 ||
			    sj_uint(a, "valueTwo", p, &sa->value_two, err) < 0 ||
			    sj_string(a, "op", p, true, &sa->op, err) < 0)
				return -1;
		}
		r->n_args = nargs;
	}
	s->n_rules = len;
	return 0;
}

static int parse_devices(struct oci_spec *spec, struct json_object *linux_,
			 hb_err_t *err)
{
	struct json_object *arr;
	size_t i, len;
	int ret;

	arr = sj_typed(linux_, "devices", json_type_array, "linux.devices",
			&ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	spec->devices = sj_alloc(spec, len, sizeof(*spec->devices));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_device *d = &spec->devices[i];
		const char *p = "linux.devices[]", *type;
		int64_t v;

		if (sj_string(e, "path", p, true, &d->path, err) < 0 ||
		    sj_string(e, "type", p, true, &type, err) < 0 ||
		    sj_int(e, "major", p, &d->major, err) < 0 ||
		    sj_int(e, "minor", p, &d->minor, err) < 0)
			return -1;
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return hb_error(err, 0, CTX ": linux.devices: bad type `%s`",
					type);
		d->type = type[0];
		d->mode = sj_int(e, "fileMode", p, &v, err) > 0 ? v : 0666;
		d->uid = sj_int(e, "uid", p, &v, err) > 0 ? v : 0;
		d->gid = sj_int(e, "gid", p, &v, err) > 0 ? v : 0;
	}
	spec->n_devices = len;
	return 0;
}

/* Paths inside the container: relative ones would resolve against the cwd. */
static int check_absolute(const char **paths, size_t n, const char *where,
			  hb_err_t *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (paths[i][0] != '/')
			return hb_error(err, 0, CTX ": %s: `%s` is not absolute",
					where, paths[i]);
	return 0;
}

int spec_parse_linux(struct oci_spec *spec, struct json_object *root,
		       hb_err_t *err)
{
	struct json_object *linux_;
	int ret;

	linux_ = sj_typed(root, "linux", json_type_object, "linux", &ret, err);
	if (ret < 0)
		return ret;
	if (parse_namespaces(spec, linux_, err) < 0 ||
	    parse_idmaps(spec, linux_, "uidMappings", &spec->uid_mappings,
			 &spec->n_uid_mappings, err) < 0 ||
	    parse_idmaps(spec, linux_, "gidMappings", &spec->gid_mappings,
			 &spec->n_gid_mappings, err) < 0 ||
	    parse_resources(spec, linux_, err) < 0 ||
	    sj_string(linux_, "cgroupsPath", "linux.cgroupsPath", false,
		       &spec->cgroups_path, err) < 0 ||
	    sj_kv(spec, linux_, "sysctl", "linux.sysctl", &spec->sysctl,
		   &spec->n_sysctl, err) < 0 ||
	    parse_seccomp(spec, linux_, err) < 0 ||
	    sj_strv(spec, linux_, "maskedPaths", "linux.maskedPaths",
		     &spec->masked_paths, &spec->n_masked_paths, err) < 0 ||
	    sj_strv(spec, linux_, "readonlyPaths", "linux.readonlyPaths",
		     &spec->readonly_paths, &spec->n_readonly_paths, err) < 0 ||
	    sj_string(linux_, "rootfsPropagation", "linux.rootfsPropagation",
		       false, &spec->rootfs_propagation, err) < 0 ||
	    parse_devices(spec, linux_, err) < 0)
		return -1;
	if (check_absolute(spec->masked_paths, spec->n_masked_paths,
			   "linux.maskedPaths", err) < 0 ||
	    check_absolute(spec->readonly_paths, spec->n_readonly_paths,
			   "linux.readonlyPaths", err) < 0)
		return -1;
	if ((spec->n_uid_mappings || spec->n_gid_mappings) &&
	    !spec_has_namespace(spec, CLONE_NEWUSER))
		return hb_error(err, 0, CTX ": linux.uidMappings: set without a user namespace");
	if (spec_has_namespace(spec, CLONE_NEWUSER) &&
	    !spec_namespace(spec, CLONE_NEWUSER)->path &&
	    (!spec->n_uid_mappings || !spec->n_gid_mappings))
		return hb_error(err, 0, CTX ": linux.uidMappings: a new user namespace needs uid and gid mappings");
	return 0;
}

