// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <string.h>
#include <sys/mount.h>

#include "rootfs.h"

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} flag_table[] = {
	{ "ro", false, MS_RDONLY },	    { "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },	    { "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },	    { "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },	    { "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },  { "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },   { "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK },	    { "nomand", true, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME },   { "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
};

static const struct {
	const char *name;
	unsigned long flag;
} prop_table[] = {
	{ "private", MS_PRIVATE },	      { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },	      { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },		      { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE },
	{ "runbindable", MS_UNBINDABLE | MS_REC },
};

/* Options that only make sense to other runtimes or to the kernel's idmap. */
static const char *const ignored[] = { "tmpcopyup", "idmap", "ridmap",
				       "copy-symlink", "notmpcopyup" };

void mount_opts_parse(const char *const *opts, size_t n,
		      struct mount_opts *out)
{
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const char *o = opts[i];
		bool done = false;

		if (!strcmp(o, "bind") || !strcmp(o, "rbind")) {
			out->bind = true;
			out->rbind |= o[0] == 'r';
			continue;
		}
		for (j = 0; j < ARRAY_SIZE(flag_table) && !done; j++) {
			if (strcmp(o, flag_table[j].name))
				continue;
			if (flag_table[j].clear) {
				out->flags &= ~flag_table[j].flag;
				out->clear |= flag_table[j].flag;
			} else {
				out->flags |= flag_table[j].flag;
				out->clear &= ~flag_table[j].flag;
			}
			done = true;
		}
		for (j = 0; j < ARRAY_SIZE(prop_table) && !done; j++) {
			if (!strcmp(o, prop_table[j].name)) {
				out->propagation = prop_table[j].flag;
				done = true;
			}
		}
		for (j = 0; j < ARRAY_SIZE(ignored) && !done; j++)
			done = !strcmp(o, ignored[j]);
		if (done)
			continue;
		if (strlen(out->data) + strlen(o) + 2 >= sizeof(out->data))
			continue;
		if (out->data[0])
			strcat(out->data, ",");
		strcat(out->data, o);
	}
}
