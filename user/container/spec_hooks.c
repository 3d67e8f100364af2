// SPDX-License-Identifier: GPL-2.0
/*
 * config.json "hooks": six lists of programs the runtime runs at fixed
 * points of the lifecycle (runtime-spec config.md, "POSIX-platform Hooks").
 * Each entry: an absolute path, optional args (argv, argv[0] included),
 * env and a timeout in seconds (> 0).
 */
#include <string.h>

#include "spec_json.h"

static const char *const hook_kind_names[OCI_HOOK_KINDS] = {
	[OCI_HOOK_PRESTART] = "prestart",
	[OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[OCI_HOOK_CREATE_CONTAINER] = "createContainer",
	[OCI_HOOK_START_CONTAINER] = "startContainer",
	[OCI_HOOK_POSTSTART] = "poststart",
	[OCI_HOOK_POSTSTOP] = "poststop",
};

const char *spec_hook_kind_name(enum oci_hook_kind kind)
{
	return kind < OCI_HOOK_KINDS ? hook_kind_names[kind] : "?";
}

static int parse_hook(struct oci_spec *spec, struct json_object *e,
		      const char *kind, struct oci_hook *h, hb_err_t *err)
{
	char path[64];
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "hooks.%s[]", kind);
	if (!json_object_is_type(e, json_type_object))
		return sj_type_error(err, path, "an object");
	snprintf(path, sizeof(path), "hooks.%s[].path", kind);
	if (sj_string(e, "path", path, true, &h->path, err) < 0)
		return -1;
	if (h->path[0] != '/')
		return hb_error(err, 0, CTX ": %s: `%s` is not absolute", path,
				h->path);
	snprintf(path, sizeof(path), "hooks.%s[].args", kind);
	if (sj_strv(spec, e, "args", path, &h->args, &n, err) < 0)
		return -1;
	if (h->args && !n)
		h->args = NULL;
	snprintf(path, sizeof(path), "hooks.%s[].env", kind);
	if (sj_strv(spec, e, "env", path, &h->env, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!spec_env_entry_ok(h->env[i]))
			return hb_error(err, 0, CTX ": %s: `%s` is not NAME=VALUE",
					path, h->env[i]);
	snprintf(path, sizeof(path), "hooks.%s[].timeout", kind);
	ret = sj_int(e, "timeout", path, &h->timeout, err);
	if (ret < 0)
		return -1;
	if (ret && h->timeout <= 0)
		return hb_error(err, 0, CTX ": %s: must be greater than zero",
				path);
	return 0;
}

int spec_parse_hooks(struct oci_spec *spec, struct json_object *hooks,
		     hb_err_t *err)
{
	int k;

	if (!json_object_is_type(hooks, json_type_object))
		return sj_type_error(err, "hooks", "an object");
	for (k = 0; k < OCI_HOOK_KINDS; k++) {
		const char *kind = hook_kind_names[k];
		struct json_object *arr;
		char path[32];
		size_t i, len;
		int ret;

		snprintf(path, sizeof(path), "hooks.%s", kind);
		arr = sj_typed(hooks, kind, json_type_array, path, &ret, err);
		if (!arr) {
			if (ret < 0)
				return -1;
			continue;
		}
		len = json_object_array_length(arr);
		spec->hooks.list[k] = sj_alloc(spec, len ? len : 1,
					       sizeof(struct oci_hook));
		for (i = 0; i < len; i++)
			if (parse_hook(spec, json_object_array_get_idx(arr, i),
				       kind, &spec->hooks.list[k][i], err) < 0)
				return -1;
		spec->hooks.n[k] = len;
	}
	return 0;
}

int spec_load_hooks(const char *hooks_json, struct oci_spec **out,
		    hb_err_t *err)
{
	struct oci_spec *spec = xcalloc(1, sizeof(*spec));

	spec->json = json_tokener_parse(hooks_json);
	if (!spec->json || spec_parse_hooks(spec, spec->json, err) < 0) {
		if (!spec->json)
			hb_error(err, 0, "state: hooks are not valid JSON");
		spec_free(spec);
		return -1;
	}
	*out = spec;
	return 0;
}
