// SPDX-License-Identifier: GPL-2.0
/* linux.seccomp -> a libseccomp filter, loaded just before execve. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <seccomp.h>

#include "security.h"

static int action_from_name(const char *name, bool has_errno,
			    unsigned int errno_ret, uint32_t *out,
			    hb_err_t *err)
{
	unsigned int e = has_errno ? errno_ret : EPERM;

	if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(e);
	else if (!strcmp(name, "SCMP_ACT_KILL") ||
		 !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(e);
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else
		return hb_error(err, 0, "seccomp: unsupported action `%s`", name);
	return 0;
}

static int op_from_name(const char *name, enum scmp_compare *out,
			hb_err_t *err)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		if (!strcmp(name, ops[i].name)) {
			*out = ops[i].op;
			return 0;
		}
	}
	return hb_error(err, 0, "seccomp: unknown operator `%s`", name);
}

static int add_arch(scmp_filter_ctx ctx, const char *name, hb_err_t *err)
{
	char lower[32];
	uint32_t arch;
	size_t i;
	int ret;

	if (strncmp(name, "SCMP_ARCH_", 10) || strlen(name + 10) >= sizeof(lower))
		return hb_error(err, 0, "seccomp: unknown architecture `%s`", name);
	for (i = 0; name[10 + i]; i++)
		lower[i] = tolower((unsigned char)name[10 + i]);
	lower[i] = '\0';
	arch = seccomp_arch_resolve_name(lower);
	if (!arch)
		return hb_error(err, 0, "seccomp: unknown architecture `%s`", name);
	ret = seccomp_arch_add(ctx, arch);
	if (ret < 0 && ret != -EEXIST)
		return hb_error(err, -ret, "seccomp: add architecture `%s`", name);
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def,
		    const struct oci_seccomp_rule *r, hb_err_t *err)
{
	struct scmp_arg_cmp cmps[6];
	uint32_t action;
	size_t i;

	if (action_from_name(r->action, r->has_errno, r->errno_ret, &action,
			     err) < 0)
		return -1;
	if (action == def)
		return 0;
	if (r->n_args > ARRAY_SIZE(cmps))
		return hb_error(err, 0, "seccomp: too many argument conditions");
	for (i = 0; i < r->n_args; i++) {
		enum scmp_compare op = SCMP_CMP_EQ;

		if (op_from_name(r->args[i].op, &op, err) < 0)
			return -1;
		if (r->args[i].index > 5)
			return hb_error(err, 0, "seccomp: argument index %u > 5",
					r->args[i].index);
		cmps[i] = (struct scmp_arg_cmp){ r->args[i].index, op,
						 r->args[i].value,
						 r->args[i].value_two };
	}
	for (i = 0; i < r->n_names; i++) {
		int nr = seccomp_syscall_resolve_name(r->names[i]);
		int ret;

		/* Profiles name syscalls other arches or kernels lack. */
		if (nr == __NR_SCMP_ERROR)
			continue;
		ret = seccomp_rule_add_array(ctx, action, nr, r->n_args, cmps);
		if (ret < 0)
			return hb_error(err, -ret, "seccomp: add rule for `%s`",
					r->names[i]);
	}
	return 0;
}

/* Build the spec's filter without loading it; NULL after an error. */
static scmp_filter_ctx seccomp_build(const struct oci_seccomp *s,
				     hb_err_t *err)
{
	scmp_filter_ctx ctx;
	uint32_t def;
	size_t i;

	if (action_from_name(s->default_action, s->has_default_errno,
			     s->default_errno, &def, err) < 0)
		return NULL;
	ctx = seccomp_init(def);
	if (!ctx) {
		hb_error(err, 0, "seccomp_init failed");
		return NULL;
	}
	/* no_new_privileges is the spec's decision, not libseccomp's. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (i = 0; i < s->n_architectures; i++)
		if (add_arch(ctx, s->architectures[i], err) < 0)
			goto fail;
	for (i = 0; i < s->n_rules; i++)
		if (add_rule(ctx, def, &s->rules[i], err) < 0)
			goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/*
 * create checks the filter before anything exists: a typo in an action or
 * architecture fails there, not later in start (fail closed, early).
 */
int seccomp_check(const struct oci_seccomp *s, hb_err_t *err)
{
	scmp_filter_ctx ctx;

	if (!s)
		return 0;
	ctx = seccomp_build(s, err);
	if (!ctx)
		return -1;
	seccomp_release(ctx);
	return 0;
}

int seccomp_apply(const struct oci_seccomp *s, hb_err_t *err)
{
	scmp_filter_ctx ctx;
	int ret;

	if (!s)
		return 0;
	ctx = seccomp_build(s, err);
	if (!ctx)
		return -1;
	ret = seccomp_load(ctx);
	if (ret < 0) {
		hb_error(err, -ret, "seccomp: load filter");
		goto fail;
	}
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}
