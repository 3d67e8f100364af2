/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to spec*.c: typed getters over json-c that fail with the JSON
 * path of the offending field, and the spec's allocation arena.
 */
#ifndef HB_SPEC_JSON_H
#define HB_SPEC_JSON_H

#include <json-c/json.h>

#include "spec.h"

#define CTX "config.json"

void *sj_alloc(struct oci_spec *spec, size_t n, size_t size);
/* NULL when absent or JSON null. */
struct json_object *sj_get(struct json_object *obj, const char *key);
int sj_type_error(hb_err_t *err, const char *path, const char *what);
int sj_string(struct json_object *obj, const char *key, const char *path,
	      bool required, const char **out, hb_err_t *err);
int sj_bool(struct json_object *obj, const char *key, const char *path,
	    bool *out, hb_err_t *err);
/* These three return 1 if present, 0 if absent, -1 on error. */
int sj_int(struct json_object *obj, const char *key, const char *path,
	   int64_t *out, hb_err_t *err);
int sj_uint(struct json_object *obj, const char *key, const char *path,
	    uint64_t *out, hb_err_t *err);
int sj_u32(struct json_object *obj, const char *key, const char *path,
	   bool required, uint32_t *out, hb_err_t *err);
/* Object or array of the given type; *ret < 0 on a type mismatch. */
struct json_object *sj_typed(struct json_object *obj, const char *key,
			     enum json_type type, const char *path, int *ret,
			     hb_err_t *err);
int sj_strv(struct oci_spec *spec, struct json_object *obj, const char *key,
	    const char *path, const char ***out, size_t *n, hb_err_t *err);
int sj_kv(struct oci_spec *spec, struct json_object *obj, const char *key,
	  const char *path, struct oci_kv **out, size_t *n, hb_err_t *err);

/* spec_hooks.c: the "hooks" object into spec->hooks. */
int spec_parse_hooks(struct oci_spec *spec, struct json_object *hooks,
		     hb_err_t *err);
int spec_parse_linux(struct oci_spec *spec, struct json_object *root,
		     hb_err_t *err);

#endif
