// SPDX-License-Identifier: GPL-2.0
/* Typed json-c getters for config.json; errors carry the field's path. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec_json.h"

void *sj_alloc(struct oci_spec *spec, size_t n, size_t size)
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

struct json_object *sj_get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	if (json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

int sj_type_error(hb_err_t *err, const char *path, const char *what)
{
	return hb_error(err, 0, CTX ": %s: expected %s", path, what);
}

int sj_string(struct json_object *obj, const char *key,
		      const char *path, bool required, const char **out,
		      hb_err_t *err)
{
	struct json_object *v = sj_get(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return hb_error(err, 0, CTX ": %s: required field missing",
					path);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return sj_type_error(err, path, "a string");
	*out = json_object_get_string(v);
	return 0;
}

int sj_bool(struct json_object *obj, const char *key,
		    const char *path, bool *out, hb_err_t *err)
{
	struct json_object *v = sj_get(obj, key);

	*out = false;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return sj_type_error(err, path, "a boolean");
	*out = json_object_get_boolean(v);
	return 0;
}

/* Returns 1 if present, 0 if absent. */
int sj_int(struct json_object *obj, const char *key, const char *path,
		   int64_t *out, hb_err_t *err)
{
	struct json_object *v = sj_get(obj, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return sj_type_error(err, path, "an integer");
	*out = json_object_get_int64(v);
	return 1;
}

int sj_uint(struct json_object *obj, const char *key, const char *path,
		    uint64_t *out, hb_err_t *err)
{
	struct json_object *v = sj_get(obj, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return sj_type_error(err, path, "an unsigned integer");
	errno = 0;
	*out = json_object_get_uint64(v);
	if (json_object_get_int64(v) < 0 && *out == 0)
		return sj_type_error(err, path, "an unsigned integer");
	return 1;
}

int sj_u32(struct json_object *obj, const char *key, const char *path,
		   bool required, uint32_t *out, hb_err_t *err)
{
	int64_t v;
	int r = sj_int(obj, key, path, &v, err);

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

struct json_object *sj_typed(struct json_object *obj, const char *key,
				     enum json_type type, const char *path,
				     int *ret, hb_err_t *err)
{
	struct json_object *v = sj_get(obj, key);

	*ret = 0;
	if (v && !json_object_is_type(v, type)) {
		*ret = sj_type_error(err, path, type == json_type_array ?
				  "an array" : "an object");
		return NULL;
	}
	return v;
}

int sj_strv(struct oci_spec *spec, struct json_object *obj,
		    const char *key, const char *path, const char ***out,
		    size_t *n, hb_err_t *err)
{
	struct json_object *arr;
	const char **v;
	size_t i, len;
	int ret;

	*out = NULL;
	*n = 0;
	arr = sj_typed(obj, key, json_type_array, path, &ret, err);
	if (!arr)
		return ret;
	len = json_object_array_length(arr);
	v = sj_alloc(spec, len + 1, sizeof(*v));
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string))
			return sj_type_error(err, path, "an array of strings");
		v[i] = json_object_get_string(e);
	}
	*out = v;
	*n = len;
	return 0;
}

int sj_kv(struct oci_spec *spec, struct json_object *obj,
		  const char *key, const char *path, struct oci_kv **out,
		  size_t *n, hb_err_t *err)
{
	struct json_object *map;
	struct oci_kv *kv;
	size_t i = 0;
	int ret;

	*out = NULL;
	*n = 0;
	map = sj_typed(obj, key, json_type_object, path, &ret, err);
	if (!map)
		return ret;
	kv = sj_alloc(spec, json_object_object_length(map), sizeof(*kv));
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

