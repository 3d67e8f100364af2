// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "../lib/hb_parse.h"
#include "vm_args.h"

/*
 * Matches "--name value" and "--name=value"; advances *i past what it used.
 * Returns 1 on a match with *value set, 0 for another option, -EINVAL when
 * the value is missing.
 */
static int option_value(int argc, char **argv, int *i, const char *name,
			const char **value, struct hb_err *err)
{
	size_t len = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, len))
		return 0;
	if (arg[len] == '=') {
		*value = arg + len + 1;
		return 1;
	}
	if (arg[len])
		return 0;
	if (*i + 1 >= argc)
		return hb_err_msg(err, EINVAL, "%s needs a value", name);
	*value = argv[++*i];
	return 1;
}

static int apply_option(const char *name, const char *value,
			struct vm_run_args *args, struct hb_err *err)
{
	struct flat_vm_config *cfg = &args->cfg;

	if (!strcmp(name, "--image")) {
		cfg->image = value;
	} else if (!strcmp(name, "--device")) {
		cfg->device = value;
	} else if (!strcmp(name, "--mem")) {
		if (hb_parse_size(value, &cfg->mem_size) || !cfg->mem_size)
			return hb_err_msg(err, EINVAL,
					  "bad --mem '%s' (examples: 16M, 1G, 65536)",
					  value);
	} else if (!strcmp(name, "--mode")) {
		if (vmm_cpu_mode_parse(value, &cfg->mode))
			return hb_err_msg(err, EINVAL,
					  "bad --mode '%s' (real, protected or long)",
					  value);
	} else if (!strcmp(name, "--entry")) {
		if (hb_parse_u64(value, &cfg->entry))
			return hb_err_msg(err, EINVAL,
					  "bad --entry '%s' (a number, e.g. 0x100000)",
					  value);
		args->entry_given = true;
	}
	return 0;
}

int vm_run_args_parse(int argc, char **argv, struct vm_run_args *args,
		      struct hb_err *err)
{
	static const char *const options[] = {
		"--image", "--mem", "--mode", "--entry", "--device",
	};
	int i, ret;
	unsigned int o;

	memset(args, 0, sizeof(*args));
	args->cfg.mem_size = FLAT_VM_DEFAULT_MEM;
	args->cfg.mode = VMM_MODE_LONG;
	args->cfg.serial_fd = 1;

	for (i = 0; i < argc; i++) {
		const char *value = NULL;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			args->help = true;
			return 0;
		}
		for (o = 0, ret = 0; o < sizeof(options) / sizeof(options[0]); o++) {
			ret = option_value(argc, argv, &i, options[o], &value, err);
			if (ret)
				break;
		}
		if (ret < 0)
			return ret;
		if (!ret)
			return hb_err_msg(err, EINVAL, "unknown argument '%s'",
					  argv[i]);
		ret = apply_option(options[o], value, args, err);
		if (ret)
			return ret;
	}
	if (!args->cfg.image)
		return hb_err_msg(err, EINVAL, "--image FILE is required");
	if (!args->entry_given)
		args->cfg.entry = vmm_cpu_mode_default_entry(args->cfg.mode);
	return 0;
}
