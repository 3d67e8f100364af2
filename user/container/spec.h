/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OCI runtime spec (config.json) parsed with json-c into typed structs.
 * Strings point into the json-c tree kept in struct oci_spec, so they live
 * exactly as long as the spec; arrays are owned by the spec's arena.
 */
#ifndef HB_SPEC_H
#define HB_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct json_object;

struct oci_kv {
	const char *key;
	const char *value;
};

struct oci_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char **options;
	size_t n_options;
};

struct oci_namespace {
	int flag;		/* CLONE_NEW* */
	const char *path;	/* join instead of create when set */
};

struct oci_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct oci_rlimit {
	int resource;
	uint64_t soft;
	uint64_t hard;
};

struct oci_caps {
	bool present;		/* absent: keep the runtime's set */
	int *bounding, *effective, *inheritable, *permitted, *ambient;
	size_t n_bounding, n_effective, n_inheritable, n_permitted, n_ambient;
};

struct oci_process {
	bool terminal;
	unsigned int console_height, console_width;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	const char **args;	/* NULL terminated */
	size_t n_args;
	const char **env;	/* NULL terminated */
	size_t n_env;
	const char *cwd;
	bool no_new_privileges;
	struct oci_caps caps;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool has_oom_score_adj;
	int oom_score_adj;
};

#define OCI_UNSET INT64_MIN

struct oci_throttle {
	int64_t major, minor;
	uint64_t rate;
	const char *key;	/* rbps, wbps, riops, wiops */
};

/* linux.resources.devices; access: bit 0 mknod, 1 read, 2 write. */
struct oci_dev_rule {
	bool allow;
	char type;		/* a, c, b */
	int64_t major, minor;	/* -1: any */
	unsigned int access;
};

struct oci_resources {
	int64_t memory_limit, memory_swap, memory_reservation;
	int64_t pids_limit;
	int64_t cpu_shares, cpu_quota, cpu_period;
	const char *cpus, *mems;
	int64_t io_weight;
	struct oci_throttle *throttle;
	size_t n_throttle;
	struct oci_kv *unified;
	size_t n_unified;
	struct oci_dev_rule *dev_rules;
	size_t n_dev_rules;
};

struct oci_seccomp_arg {
	unsigned int index;
	uint64_t value, value_two;
	const char *op;
};

struct oci_seccomp_rule {
	const char **names;
	size_t n_names;
	const char *action;
	bool has_errno;
	unsigned int errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	const char *default_action;
	bool has_default_errno;
	unsigned int default_errno;
	const char **architectures;
	size_t n_architectures;
	struct oci_seccomp_rule *rules;
	size_t n_rules;
};

struct oci_device {
	const char *path;
	char type;		/* c, b, u, p */
	int64_t major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

/* config.json "hooks" (runtime-spec config.md, POSIX-platform hooks). */
enum oci_hook_kind {
	OCI_HOOK_PRESTART,		/* deprecated: with createRuntime */
	OCI_HOOK_CREATE_RUNTIME,	/* runtime namespace, before pivot */
	OCI_HOOK_CREATE_CONTAINER,	/* container namespace, before pivot */
	OCI_HOOK_START_CONTAINER,	/* container, just before the exec */
	OCI_HOOK_POSTSTART,		/* runtime, once the process runs */
	OCI_HOOK_POSTSTOP,		/* runtime, once the container is gone */
	OCI_HOOK_KINDS
};

struct oci_hook {
	const char *path;
	const char **args;	/* NULL: just the path */
	const char **env;	/* NULL: empty */
	int64_t timeout;	/* seconds; 0: none */
};

struct oci_hooks {
	struct oci_hook *list[OCI_HOOK_KINDS];
	size_t n[OCI_HOOK_KINDS];
};

struct oci_spec {
	struct json_object *json;
	void **arena;
	size_t n_arena, cap_arena;

	const char *oci_version;
	const char *root_path;
	bool root_readonly;
	const char *hostname;
	bool has_process;
	struct oci_process process;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_kv *annotations;
	size_t n_annotations;

	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	bool has_resources;
	struct oci_resources resources;
	const char *cgroups_path;
	struct oci_kv *sysctl;
	size_t n_sysctl;
	struct oci_seccomp *seccomp;
	const char **masked_paths, **readonly_paths;
	size_t n_masked_paths, n_readonly_paths;
	const char *rootfs_propagation;
	struct oci_device *devices;
	size_t n_devices;
	struct oci_hooks hooks;
};

int spec_load_file(const char *path, struct oci_spec **out, hb_err_t *err);
int spec_load_string(const char *text, struct oci_spec **out, hb_err_t *err);
/* Parse a process object on its own (exec --process FILE). */
int spec_parse_process_json(struct oci_spec *spec, struct json_object *obj,
			    struct oci_process *out, hb_err_t *err);
/* The "hooks" object alone (as kept in the state dir) into a spec. */
int spec_load_hooks(const char *hooks_json, struct oci_spec **out,
		    hb_err_t *err);
const char *spec_hook_kind_name(enum oci_hook_kind kind);
void spec_free(struct oci_spec *spec);
void spec_freep(struct oci_spec **spec);
#define cleanup_spec __attribute__((cleanup(spec_freep)))

bool spec_has_namespace(const struct oci_spec *spec, int flag);
/* "NAME=VALUE" with a non-empty NAME: what process.env and exec --env take. */
bool spec_env_entry_ok(const char *entry);
const struct oci_namespace *spec_namespace(const struct oci_spec *spec,
					   int flag);
const char *spec_annotation(const struct oci_spec *spec, const char *key);

/* Table lookups shared with the CLI (exec --cap) and tests. */
int ns_flag_from_name(const char *name);
const char *ns_name_from_flag(int flag);
int rlimit_from_name(const char *name);

/* Default config.json, as `spec` writes it; rootless adds a user ns. */
char *spec_default_json(bool rootless);

#endif
