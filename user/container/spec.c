// SPDX-License-Identifier: GPL-2.0
/*
 * config.json -> struct oci_spec. Every type mismatch and every missing
 * required field is an error naming the JSON path, e.g.
 * "config.json: process.args: expected an array of strings".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/capability.h>
#include <json-c/json.h>

#include "spec.h"

#define CTX "config.json"

static void *spec_alloc(struct oci_spec *spec, size_t n, size_t size)
{
	void *p = xcalloc(n, size);

	if (spec->n_arena == spec->cap_arena) {
		size_t cap = spec->cap_arena ? spec->cap_arena * 2 : 32;
		void **na = realloc(spec->arena, cap * sizeof(*na));

		if (!na)
			abort();
		spec->arena = na;
		spec->cap_arena = cap;
	}
	spec->arena[spec->n_arena++] = p;
	return p;
}

static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	if (json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static int type_error(hb_err_t *err, const char *path, const char *what)
{
	return hb_error(err, 0, CTX ": %s: expected %s", path, what);
}

static int get_string(struct json_object *obj, const char *key,
		      const char *path, bool required, const char **out,
		      hb_err_t *err)
{
	struct json_object *v = get(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return hb_error(err, 0, CTX ": %s: required field missing",
					path);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return type_error(err, path, "a string");
	*out = json_object_get_string(v);
	return 0;
}

static int get_bool(struct json_object *obj, const char *key,
		    const char *path, bool *out, hb_err_t *err)
{
	struct json_object *v = get(obj, key);

	*out = false;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return type_error(err, path, "a boolean");
	*out = json_object_get_boolean(v);
	return 0;
}

/* Returns 1 if present, 0 if absent. */
static int get_int(struct json_object *obj, const char *key, const char *path,
		   int64_t *out, hb_err_t *err)
{
	struct json_object *v = get(obj, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return type_error(err, path, "an integer");
	*out = json_object_get_int64(v);
	return 1;
}

static int get_uint(struct json_object *obj, const char *key, const char *path,
		    uint64_t *out, hb_err_t *err)
{
	struct json_object *v = get(obj, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return type_error(err, path, "an unsigned integer");
	errno = 0;
	*out = json_object_get_uint64(v);
	if (json_object_get_int64(v) < 0 && *out == 0)
		return type_error(err, path, "an unsigned integer");
	return 1;
}

static int get_u32(struct json_object *obj, const char *key, const char *path,
		   bool required, uint32_t *out, hb_err_t *err)
{
	int64_t v;
	int r = get_int(obj, key, path, &v, err);

	if (r < 0)
		return r;
	if (r == 0) {
		if (required)
			return hb_error(err, 0, CTX ": %s: required field missing",
					path);
		return 0;
	}
	if (v < 0 || v > UINT32_MAX)
		return hb_error(err, 0, CTX ": %s: %lld out of range", path,
				(long long)v);
	*out = v;
	return 1;
}

static struct json_object *get_typed(struct json_object *obj, const char *key,
				     enum json_type type, const char *path,
				     int *ret, hb_err_t *err)
{
	struct json_object *v = get(obj, key);

	*ret = 0;
	if (v && !json_object_is_type(v, type)) {
		*ret = type_error(err, path, type == json_type_array ?
				  "an array" : "an object");
		return NULL;
	}
	return v;
}

static int get_strv(struct oci_spec *spec, struct json_object *obj,
		    const char *key, const char *path, const char ***out,
		    size_t *n, hb_err_t *err)
{
	struct json_object *arr;
	const char **v;
	size_t i, len;
	int ret;

	*out = NULL;
	*n = 0;
	arr = get_typed(obj, key, json_type_array, path, &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	v = spec_alloc(spec, len + 1, sizeof(*v));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string))
			return type_error(err, path, "an array of strings");
		v[i] = json_object_get_string(e);
	}
	*out = v;
	*n = len;
	return 0;
}

static int get_kv(struct oci_spec *spec, struct json_object *obj,
		  const char *key, const char *path, struct oci_kv **out,
		  size_t *n, hb_err_t *err)
{
	struct json_object *map;
	struct oci_kv *kv;
	size_t i = 0;
	int ret;

	*out = NULL;
	*n = 0;
	map = get_typed(obj, key, json_type_object, path, &ret, err);
	if (!map)
		return ret;
	kv = spec_alloc(spec, json_object_object_length(map), sizeof(*kv));
	json_object_object_foreach(map, k, v) {
		if (!json_object_is_type(v, json_type_string))
			return hb_error(err, 0, CTX ": %s.%s: expected a string",
					path, k);
		kv[i].key = k;
		kv[i++].value = json_object_get_string(v);
	}
	*out = kv;
	*n = i;
	return 0;
}

static const struct {
	const char *name;
	int flag;
} ns_table[] = {
	{ "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET },
	{ "mount", CLONE_NEWNS },  { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
};

int ns_flag_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ns_table); i++)
		if (!strcmp(ns_table[i].name, name))
			return ns_table[i].flag;
	return -1;
}

const char *ns_name_from_flag(int flag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ns_table); i++)
		if (ns_table[i].flag == flag)
			return ns_table[i].name;
	return NULL;
}

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
	{ "RLIMIT_AS", RLIMIT_AS },	    { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },	    { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },	    { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

int rlimit_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rlimit_table); i++)
		if (!strcmp(rlimit_table[i].name, name))
			return rlimit_table[i].resource;
	return -1;
}

static int parse_cap_list(struct oci_spec *spec, struct json_object *caps,
			  const char *key, int **out, size_t *n, hb_err_t *err)
{
	cleanup_free char *path = xasprintf("process.capabilities.%s", key);
	const char **names;
	size_t i, len;
	int *v;

	if (get_strv(spec, caps, key, path, &names, &len, err) < 0)
		return -1;
	v = spec_alloc(spec, len, sizeof(*v));
	for (i = 0; i < len; i++) {
		cap_value_t cap;

		if (strncasecmp(names[i], "CAP_", 4) ||
		    cap_from_name(names[i], &cap) < 0)
			return hb_error(err, 0, CTX ": %s: unknown capability `%s`",
					path, names[i]);
		v[i] = cap;
	}
	*out = v;
	*n = len;
	return 0;
}

static int parse_caps(struct oci_spec *spec, struct json_object *proc,
		      struct oci_caps *caps, hb_err_t *err)
{
	struct json_object *c;
	int ret;

	c = get_typed(proc, "capabilities", json_type_object,
		      "process.capabilities", &ret, err);
	if (!c)
		return ret;
	caps->present = true;
	if (parse_cap_list(spec, c, "bounding", &caps->bounding,
			   &caps->n_bounding, err) < 0 ||
	    parse_cap_list(spec, c, "effective", &caps->effective,
			   &caps->n_effective, err) < 0 ||
	    parse_cap_list(spec, c, "inheritable", &caps->inheritable,
			   &caps->n_inheritable, err) < 0 ||
	    parse_cap_list(spec, c, "permitted", &caps->permitted,
			   &caps->n_permitted, err) < 0 ||
	    parse_cap_list(spec, c, "ambient", &caps->ambient,
			   &caps->n_ambient, err) < 0)
		return -1;
	return 0;
}

static int parse_rlimits(struct oci_spec *spec, struct json_object *proc,
			 struct oci_process *p, hb_err_t *err)
{
	struct json_object *arr;
	size_t i, len;
	int ret;

	arr = get_typed(proc, "rlimits", json_type_array, "process.rlimits",
			&ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	p->rlimits = spec_alloc(spec, len, sizeof(*p->rlimits));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_rlimit *r = &p->rlimits[i];
		const char *type;

		if (!json_object_is_type(e, json_type_object))
			return type_error(err, "process.rlimits[]", "an object");
		if (get_string(e, "type", "process.rlimits[].type", true,
			       &type, err) < 0)
			return -1;
		r->resource = rlimit_from_name(type);
		if (r->resource < 0)
			return hb_error(err, 0, CTX ": process.rlimits: unknown rlimit `%s`",
					type);
		if (get_uint(e, "soft", "process.rlimits[].soft", &r->soft,
			     err) < 0 ||
		    get_uint(e, "hard", "process.rlimits[].hard", &r->hard,
			     err) < 0)
			return -1;
	}
	p->n_rlimits = len;
	return 0;
}

int spec_parse_process_json(struct oci_spec *spec, struct json_object *proc,
			    struct oci_process *p, hb_err_t *err)
{
	struct json_object *user, *cs, *gids;
	uint32_t v;
	int64_t adj;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!json_object_is_type(proc, json_type_object))
		return type_error(err, "process", "an object");
	if (get_bool(proc, "terminal", "process.terminal", &p->terminal,
		     err) < 0)
		return -1;
	cs = get_typed(proc, "consoleSize", json_type_object,
		       "process.consoleSize", &ret, err);
	if (ret < 0)
		return ret;
	if (cs && (get_u32(cs, "height", "process.consoleSize.height", false,
			   &p->console_height, err) < 0 ||
		   get_u32(cs, "width", "process.consoleSize.width", false,
			   &p->console_width, err) < 0))
		return -1;
	user = get_typed(proc, "user", json_type_object, "process.user", &ret,
			 err);
	if (ret < 0)
		return ret;
	if (user) {
		if (get_u32(user, "uid", "process.user.uid", false, &v, err) < 0)
			return -1;
		p->uid = get(user, "uid") ? v : 0;
		if (get_u32(user, "gid", "process.user.gid", false, &v, err) < 0)
			return -1;
		p->gid = get(user, "gid") ? v : 0;
		gids = get_typed(user, "additionalGids", json_type_array,
				 "process.user.additionalGids", &ret, err);
		if (ret < 0)
			return ret;
		if (gids) {
			size_t i, len = json_object_array_length(gids);

			p->additional_gids = spec_alloc(spec, len, sizeof(gid_t));
			for (i = 0; i < len; i++) {
				struct json_object *e;

				e = json_object_array_get_idx(gids, i);
				if (!json_object_is_type(e, json_type_int) ||
				    json_object_get_int64(e) < 0)
					return type_error(err,
							  "process.user.additionalGids",
							  "an array of gids");
				p->additional_gids[i] = json_object_get_int64(e);
			}
			p->n_additional_gids = len;
		}
	}
	if (get_strv(spec, proc, "args", "process.args", &p->args, &p->n_args,
		     err) < 0)
		return -1;
	if (!p->n_args)
		return hb_error(err, 0, CTX ": process.args: must name a program");
	if (get_strv(spec, proc, "env", "process.env", &p->env, &p->n_env,
		     err) < 0)
		return -1;
	if (!p->env)
		p->env = spec_alloc(spec, 1, sizeof(char *));
	if (get_string(proc, "cwd", "process.cwd", true, &p->cwd, err) < 0)
		return -1;
	if (p->cwd[0] != '/')
		return hb_error(err, 0, CTX ": process.cwd: `%s` is not absolute",
				p->cwd);
	if (get_bool(proc, "noNewPrivileges", "process.noNewPrivileges",
		     &p->no_new_privileges, err) < 0)
		return -1;
	ret = get_int(proc, "oomScoreAdj", "process.oomScoreAdj", &adj, err);
	if (ret < 0)
		return ret;
	p->has_oom_score_adj = ret;
	p->oom_score_adj = adj;
	if (parse_caps(spec, proc, &p->caps, err) < 0)
		return -1;
	return parse_rlimits(spec, proc, p, err);
}

static int parse_mounts(struct oci_spec *spec, struct json_object *root,
			hb_err_t *err)
{
	struct json_object *arr;
	size_t i, len;
	int ret;

	arr = get_typed(root, "mounts", json_type_array, "mounts", &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	spec->mounts = spec_alloc(spec, len, sizeof(*spec->mounts));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_mount *m = &spec->mounts[i];

		if (!json_object_is_type(e, json_type_object))
			return type_error(err, "mounts[]", "an object");
		if (get_string(e, "destination", "mounts[].destination", true,
			       &m->destination, err) < 0 ||
		    get_string(e, "type", "mounts[].type", false, &m->type,
			       err) < 0 ||
		    get_string(e, "source", "mounts[].source", false,
			       &m->source, err) < 0 ||
		    get_strv(spec, e, "options", "mounts[].options",
			     &m->options, &m->n_options, err) < 0)
			return -1;
		if (m->destination[0] != '/')
			return hb_error(err, 0, CTX ": mounts[].destination: `%s` is not absolute",
					m->destination);
	}
	spec->n_mounts = len;
	return 0;
}

static int parse_namespaces(struct oci_spec *spec, struct json_object *linux_,
			    hb_err_t *err)
{
	struct json_object *arr;
	size_t i, j, len;
	int ret;

	arr = get_typed(linux_, "namespaces", json_type_array,
			"linux.namespaces", &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	spec->namespaces = spec_alloc(spec, len, sizeof(*spec->namespaces));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_namespace *ns = &spec->namespaces[i];
		const char *type;

		if (!json_object_is_type(e, json_type_object))
			return type_error(err, "linux.namespaces[]", "an object");
		if (get_string(e, "type", "linux.namespaces[].type", true,
			       &type, err) < 0 ||
		    get_string(e, "path", "linux.namespaces[].path", false,
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

	arr = get_typed(linux_, key, json_type_array, path, &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	*out = spec_alloc(spec, len, sizeof(**out));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_idmap *m = &(*out)[i];

		if (!json_object_is_type(e, json_type_object))
			return type_error(err, path, "an array of objects");
		if (get_u32(e, "containerID", path, true, &m->container_id,
			    err) < 0 ||
		    get_u32(e, "hostID", path, true, &m->host_id, err) < 0 ||
		    get_u32(e, "size", path, true, &m->size, err) < 0)
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

	if (get_int(blkio, "weight", "linux.resources.blockIO.weight", &w,
		    err) < 0)
		return -1;
	r->io_weight = get(blkio, "weight") ? w : OCI_UNSET;
	r->throttle = spec_alloc(spec, 64, sizeof(*r->throttle));
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		struct json_object *arr;
		size_t i, len;

		arr = get_typed(blkio, keys[k][0], json_type_array,
				"linux.resources.blockIO", &ret, err);
		if (ret < 0)
			return ret;
		if (!arr)
			continue;
		len = json_object_array_length(arr);
		for (i = 0; i < len && total < 64; i++) {
			struct json_object *e = json_object_array_get_idx(arr, i);
			struct oci_throttle *t = &r->throttle[total++];

			if (get_int(e, "major", keys[k][0], &t->major, err) < 0 ||
			    get_int(e, "minor", keys[k][0], &t->minor, err) < 0 ||
			    get_uint(e, "rate", keys[k][0], &t->rate, err) < 0)
				return -1;
			t->key = keys[k][1];
		}
	}
	r->n_throttle = total;
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
	res = get_typed(linux_, "resources", json_type_object,
			"linux.resources", &ret, err);
	if (!res)
		return ret;
	spec->has_resources = true;
#define OPT_INT(obj, key, path, field)					\
	do {								\
		int64_t __v;						\
		int __r = get_int(obj, key, path, &__v, err);		\
		if (__r < 0)						\
			return -1;					\
		if (__r > 0)						\
			field = __v;					\
	} while (0)
	mem = get_typed(res, "memory", json_type_object,
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
	pids = get_typed(res, "pids", json_type_object, "linux.resources.pids",
			 &ret, err);
	if (ret < 0)
		return ret;
	if (pids)
		OPT_INT(pids, "limit", "linux.resources.pids.limit",
			r->pids_limit);
	cpu = get_typed(res, "cpu", json_type_object, "linux.resources.cpu",
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
		if (get_string(cpu, "cpus", "linux.resources.cpu.cpus", false,
			       &r->cpus, err) < 0 ||
		    get_string(cpu, "mems", "linux.resources.cpu.mems", false,
			       &r->mems, err) < 0)
			return -1;
	}
#undef OPT_INT
	blkio = get_typed(res, "blockIO", json_type_object,
			  "linux.resources.blockIO", &ret, err);
	if (ret < 0)
		return ret;
	if (blkio && parse_io(spec, blkio, r, err) < 0)
		return -1;
	return get_kv(spec, res, "unified",
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

	sc = get_typed(linux_, "seccomp", json_type_object, "linux.seccomp",
		       &ret, err);
	if (!sc)
		return ret;
	s = spec->seccomp = spec_alloc(spec, 1, sizeof(*s));
	if (get_string(sc, "defaultAction", "linux.seccomp.defaultAction",
		       true, &s->default_action, err) < 0)
		return -1;
	ret = get_u32(sc, "defaultErrnoRet", "linux.seccomp.defaultErrnoRet",
		      false, &v, err);
	if (ret < 0)
		return ret;
	s->has_default_errno = ret;
	s->default_errno = v;
	if (get_strv(spec, sc, "architectures", "linux.seccomp.architectures",
		     &s->architectures, &s->n_architectures, err) < 0)
		return -1;
	arr = get_typed(sc, "syscalls", json_type_array,
			"linux.seccomp.syscalls", &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	s->rules = spec_alloc(spec, len, sizeof(*s->rules));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_seccomp_rule *r = &s->rules[i];
		struct json_object *args;
		size_t j, nargs;

		if (get_strv(spec, e, "names", "linux.seccomp.syscalls[].names",
			     &r->names, &r->n_names, err) < 0 ||
		    get_string(e, "action", "linux.seccomp.syscalls[].action",
			       true, &r->action, err) < 0)
			return -1;
		ret = get_u32(e, "errnoRet", "linux.seccomp.syscalls[].errnoRet",
			      false, &r->errno_ret, err);
		if (ret < 0)
			return ret;
		r->has_errno = ret;
		args = get_typed(e, "args", json_type_array,
				 "linux.seccomp.syscalls[].args", &ret, err);
		if (ret < 0)
			return ret;
		nargs = args ? json_object_array_length(args) : 0;
		r->args = spec_alloc(spec, nargs, sizeof(*r->args));
		for (j = 0; j < nargs; j++) {
			struct json_object *a = json_object_array_get_idx(args, j);
			struct oci_seccomp_arg *sa = &r->args[j];
			const char *p = "linux.seccomp.syscalls[].args[]";

			if (get_u32(a, "index", p, true, &sa->index, err) < 0 ||
			    get_uint(a, "value", p, &sa->value, err) < 0 ||
			    get_uint(a, "valueTwo", p, &sa->value_two, err) < 0 ||
			    get_string(a, "op", p, true, &sa->op, err) < 0)
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

	arr = get_typed(linux_, "devices", json_type_array, "linux.devices",
			&ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	spec->devices = spec_alloc(spec, len, sizeof(*spec->devices));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_device *d = &spec->devices[i];
		const char *p = "linux.devices[]", *type;
		int64_t v;

		if (get_string(e, "path", p, true, &d->path, err) < 0 ||
		    get_string(e, "type", p, true, &type, err) < 0 ||
		    get_int(e, "major", p, &d->major, err) < 0 ||
		    get_int(e, "minor", p, &d->minor, err) < 0)
			return -1;
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return hb_error(err, 0, CTX ": linux.devices: bad type `%s`",
					type);
		d->type = type[0];
		d->mode = get_int(e, "fileMode", p, &v, err) > 0 ? v : 0666;
		d->uid = get_int(e, "uid", p, &v, err) > 0 ? v : 0;
		d->gid = get_int(e, "gid", p, &v, err) > 0 ? v : 0;
	}
	spec->n_devices = len;
	return 0;
}

static int parse_linux(struct oci_spec *spec, struct json_object *root,
		       hb_err_t *err)
{
	struct json_object *linux_;
	int ret;

	linux_ = get_typed(root, "linux", json_type_object, "linux", &ret, err);
	if (ret < 0)
		return ret;
	if (parse_namespaces(spec, linux_, err) < 0 ||
	    parse_idmaps(spec, linux_, "uidMappings", &spec->uid_mappings,
			 &spec->n_uid_mappings, err) < 0 ||
	    parse_idmaps(spec, linux_, "gidMappings", &spec->gid_mappings,
			 &spec->n_gid_mappings, err) < 0 ||
	    parse_resources(spec, linux_, err) < 0 ||
	    get_string(linux_, "cgroupsPath", "linux.cgroupsPath", false,
		       &spec->cgroups_path, err) < 0 ||
	    get_kv(spec, linux_, "sysctl", "linux.sysctl", &spec->sysctl,
		   &spec->n_sysctl, err) < 0 ||
	    parse_seccomp(spec, linux_, err) < 0 ||
	    get_strv(spec, linux_, "maskedPaths", "linux.maskedPaths",
		     &spec->masked_paths, &spec->n_masked_paths, err) < 0 ||
	    get_strv(spec, linux_, "readonlyPaths", "linux.readonlyPaths",
		     &spec->readonly_paths, &spec->n_readonly_paths, err) < 0 ||
	    get_string(linux_, "rootfsPropagation", "linux.rootfsPropagation",
		       false, &spec->rootfs_propagation, err) < 0 ||
	    parse_devices(spec, linux_, err) < 0)
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

static int spec_parse(struct oci_spec *spec, hb_err_t *err)
{
	struct json_object *root = spec->json, *r, *proc;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return type_error(err, "(top level)", "an object");
	if (get_string(root, "ociVersion", "ociVersion", true,
		       &spec->oci_version, err) < 0)
		return -1;
	r = get_typed(root, "root", json_type_object, "root", &ret, err);
	if (ret < 0)
		return ret;
	if (!r)
		return hb_error(err, 0, CTX ": root: required field missing");
	if (get_string(r, "path", "root.path", true, &spec->root_path,
		       err) < 0 ||
	    get_bool(r, "readonly", "root.readonly", &spec->root_readonly,
		     err) < 0 ||
	    get_string(root, "hostname", "hostname", false, &spec->hostname,
		       err) < 0)
		return -1;
	proc = get(root, "process");
	if (proc) {
		spec->has_process = true;
		if (spec_parse_process_json(spec, proc, &spec->process, err) < 0)
			return -1;
	}
	if (parse_mounts(spec, root, err) < 0 ||
	    get_kv(spec, root, "annotations", "annotations",
		   &spec->annotations, &spec->n_annotations, err) < 0)
		return -1;
	return parse_linux(spec, root, err);
}

int spec_load_string(const char *text, struct oci_spec **out, hb_err_t *err)
{
	struct oci_spec *spec;
	struct json_tokener *tok;
	enum json_tokener_error jerr;

	tok = json_tokener_new();
	if (!tok)
		return hb_error(err, ENOMEM, "json_tokener_new");
	spec = xcalloc(1, sizeof(*spec));
	spec->json = json_tokener_parse_ex(tok, text, strlen(text));
	jerr = json_tokener_get_error(tok);
	if (!spec->json || jerr != json_tokener_success) {
		hb_error(err, 0, CTX ": invalid JSON at offset %d: %s",
			 (int)json_tokener_get_parse_end(tok),
			 json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		spec_free(spec);
		return -1;
	}
	json_tokener_free(tok);
	if (spec_parse(spec, err) < 0) {
		spec_free(spec);
		return -1;
	}
	*out = spec;
	return 0;
}

int spec_load_file(const char *path, struct oci_spec **out, hb_err_t *err)
{
	cleanup_free char *text = NULL;

	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	return spec_load_string(text, out, err);
}

void spec_free(struct oci_spec *spec)
{
	size_t i;

	if (!spec)
		return;
	for (i = 0; i < spec->n_arena; i++)
		free(spec->arena[i]);
	free(spec->arena);
	json_object_put(spec->json);
	free(spec);
}

void spec_freep(struct oci_spec **spec)
{
	spec_free(*spec);
	*spec = NULL;
}

const struct oci_namespace *spec_namespace(const struct oci_spec *spec,
					   int flag)
{
	size_t i;

	for (i = 0; i < spec->n_namespaces; i++)
		if (spec->namespaces[i].flag == flag)
			return &spec->namespaces[i];
	return NULL;
}

bool spec_has_namespace(const struct oci_spec *spec, int flag)
{
	return spec_namespace(spec, flag) != NULL;
}

const char *spec_annotation(const struct oci_spec *spec, const char *key)
{
	size_t i;

	for (i = 0; i < spec->n_annotations; i++)
		if (!strcmp(spec->annotations[i].key, key))
			return spec->annotations[i].value;
	return NULL;
}
