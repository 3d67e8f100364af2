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
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/capability.h>
#include <json-c/json.h>

#include "spec_json.h"

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

	if (sj_strv(spec, caps, key, path, &names, &len, err) < 0)
		return -1;
	v = sj_alloc(spec, len, sizeof(*v));
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

	c = sj_typed(proc, "capabilities", json_type_object,
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

	arr = sj_typed(proc, "rlimits", json_type_array, "process.rlimits",
			&ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	p->rlimits = sj_alloc(spec, len, sizeof(*p->rlimits));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_rlimit *r = &p->rlimits[i];
		const char *type;

		if (!json_object_is_type(e, json_type_object))
			return sj_type_error(err, "process.rlimits[]", "an object");
		if (sj_string(e, "type", "process.rlimits[].type", true,
			       &type, err) < 0)
			return -1;
		r->resource = rlimit_from_name(type);
		if (r->resource < 0)
			return hb_error(err, 0, CTX ": process.rlimits: unknown rlimit `%s`",
					type);
		if (sj_uint(e, "soft", "process.rlimits[].soft", &r->soft,
			     err) < 0 ||
		    sj_uint(e, "hard", "process.rlimits[].hard", &r->hard,
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
	size_t i;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!json_object_is_type(proc, json_type_object))
		return sj_type_error(err, "process", "an object");
	if (sj_bool(proc, "terminal", "process.terminal", &p->terminal,
		     err) < 0)
		return -1;
	cs = sj_typed(proc, "consoleSize", json_type_object,
		       "process.consoleSize", &ret, err);
	if (ret < 0)
		return ret;
	if (cs && (sj_u32(cs, "height", "process.consoleSize.height", false,
			   &p->console_height, err) < 0 ||
		   sj_u32(cs, "width", "process.consoleSize.width", false,
			   &p->console_width, err) < 0))
		return -1;
	user = sj_typed(proc, "user", json_type_object, "process.user", &ret,
			 err);
	if (ret < 0)
		return ret;
	if (user) {
		if (sj_u32(user, "uid", "process.user.uid", false, &v, err) < 0)
			return -1;
		p->uid = sj_get(user, "uid") ? v : 0;
		if (sj_u32(user, "gid", "process.user.gid", false, &v, err) < 0)
			return -1;
		p->gid = sj_get(user, "gid") ? v : 0;
		gids = sj_typed(user, "additionalGids", json_type_array,
				 "process.user.additionalGids", &ret, err);
		if (ret < 0)
			return ret;
		if (gids) {
			size_t i, len = json_object_array_length(gids);

			p->additional_gids = sj_alloc(spec, len, sizeof(gid_t));
			for (i = 0; i < len; i++) {
				struct json_object *e;

				e = json_object_array_get_idx(gids, i);
				if (!json_object_is_type(e, json_type_int) ||
				    json_object_get_int64(e) < 0)
					return sj_type_error(err,
							  "process.user.additionalGids",
							  "an array of gids");
				p->additional_gids[i] = json_object_get_int64(e);
			}
			p->n_additional_gids = len;
		}
	}
	if (sj_strv(spec, proc, "args", "process.args", &p->args, &p->n_args,
		     err) < 0)
		return -1;
	if (!p->n_args)
		return hb_error(err, 0, CTX ": process.args: must name a program");
	if (sj_strv(spec, proc, "env", "process.env", &p->env, &p->n_env,
		     err) < 0)
		return -1;
	if (!p->env)
		p->env = sj_alloc(spec, 1, sizeof(char *));
	for (i = 0; i < p->n_env; i++)
		if (!spec_env_entry_ok(p->env[i]))
			return hb_error(err, 0, CTX ": process.env: `%s` is not NAME=VALUE",
					p->env[i]);
	if (sj_string(proc, "cwd", "process.cwd", true, &p->cwd, err) < 0)
		return -1;
	if (p->cwd[0] != '/')
		return hb_error(err, 0, CTX ": process.cwd: `%s` is not absolute",
				p->cwd);
	if (sj_bool(proc, "noNewPrivileges", "process.noNewPrivileges",
		     &p->no_new_privileges, err) < 0)
		return -1;
	ret = sj_int(proc, "oomScoreAdj", "process.oomScoreAdj", &adj, err);
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

	arr = sj_typed(root, "mounts", json_type_array, "mounts", &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	spec->mounts = sj_alloc(spec, len, sizeof(*spec->mounts));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct oci_mount *m = &spec->mounts[i];

		if (!json_object_is_type(e, json_type_object))
			return sj_type_error(err, "mounts[]", "an object");
		if (sj_string(e, "destination", "mounts[].destination", true,
			       &m->destination, err) < 0 ||
		    sj_string(e, "type", "mounts[].type", false, &m->type,
			       err) < 0 ||
		    sj_string(e, "source", "mounts[].source", false,
			       &m->source, err) < 0 ||
		    sj_strv(spec, e, "options", "mounts[].options",
			     &m->options, &m->n_options, err) < 0)
			return -1;
		if (m->destination[0] != '/')
			return hb_error(err, 0, CTX ": mounts[].destination: `%s` is not absolute",
					m->destination);
	}
	spec->n_mounts = len;
	return 0;
}

static int spec_parse(struct oci_spec *spec, hb_err_t *err)
{
	struct json_object *root = spec->json, *r, *proc, *hooks;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return sj_type_error(err, "(top level)", "an object");
	if (sj_string(root, "ociVersion", "ociVersion", true,
		       &spec->oci_version, err) < 0)
		return -1;
	r = sj_typed(root, "root", json_type_object, "root", &ret, err);
	if (ret < 0)
		return ret;
	if (!r)
		return hb_error(err, 0, CTX ": root: required field missing");
	if (sj_string(r, "path", "root.path", true, &spec->root_path,
		       err) < 0 ||
	    sj_bool(r, "readonly", "root.readonly", &spec->root_readonly,
		     err) < 0 ||
	    sj_string(root, "hostname", "hostname", false, &spec->hostname,
		       err) < 0)
		return -1;
	proc = sj_get(root, "process");
	if (proc) {
		spec->has_process = true;
		if (spec_parse_process_json(spec, proc, &spec->process, err) < 0)
			return -1;
	}
	if (parse_mounts(spec, root, err) < 0 ||
	    sj_kv(spec, root, "annotations", "annotations",
		   &spec->annotations, &spec->n_annotations, err) < 0)
		return -1;
	hooks = sj_get(root, "hooks");
	if (hooks && spec_parse_hooks(spec, hooks, err) < 0)
		return -1;
	return spec_parse_linux(spec, root, err);
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

/* config.json is small: larger is a mistake (or /dev/zero). */
#define SPEC_MAX_SIZE	(4 << 20)

int spec_load_file(const char *path, struct oci_spec **out, hb_err_t *err)
{
	cleanup_free char *text = NULL;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO must be refused, not waited on. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return hb_error(err, errno, "open `%s`", path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return hb_error(err, errno, "stat `%s`", path);
	}
	close(fd);
	if (!S_ISREG(st.st_mode))
		return hb_error(err, 0, "`%s` is not a regular file", path);
	if (st.st_size > SPEC_MAX_SIZE)
		return hb_error(err, 0, "`%s` is larger than %d bytes", path,
				SPEC_MAX_SIZE);
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

bool spec_env_entry_ok(const char *entry)
{
	return entry[0] != '=' && strchr(entry, '=');
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
