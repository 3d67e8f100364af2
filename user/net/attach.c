// SPDX-License-Identifier: GPL-2.0
/* `hyperbox net` and the per-container veth, on top of link.c and ipam.c. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

char *hbnet_ipam_path(const char *state_root, const char *bridge)
{
	return xasprintf("%s/.net/%s.ipam", state_root, bridge);
}

/* FNV-1a of the ID: stable, fits IFNAMSIZ ("hbv" + 8 hex digits). */
void hbnet_host_ifname(const char *id, char out[16])
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	snprintf(out, 16, "hbv%08x", h);
}

static int check_name(const char *bridge, hb_err_t *err)
{
	if (!bridge || !*bridge || strlen(bridge) > 15 || strchr(bridge, '/') ||
	    bridge[0] == '.')
		return hb_error(err, 0, "invalid bridge name `%s`",
				bridge ? bridge : "");
	return 0;
}

int hbnet_attach(const char *state_root, const char *bridge, const char *id,
		 pid_t pid, char *host_if, char *addr, size_t addrlen,
		 hb_err_t *err)
{
	cleanup_free char *file = NULL;
	char gw[32];

	if (check_name(bridge, err) < 0)
		return -1;
	file = hbnet_ipam_path(state_root, bridge);
	if (access(file, F_OK) < 0)
		return hb_error(err, 0, "network `%s` does not exist (hyperbox net create)",
				bridge);
	if (ipam_allocate(file, id, addr, addrlen, gw, sizeof(gw), err) < 0)
		return -1;
	hbnet_host_ifname(id, host_if);
	if (hbnet_veth_attach(bridge, host_if, pid, addr, gw, err) < 0) {
		ipam_release(file, id, NULL);
		return -1;
	}
	return 0;
}

int hbnet_detach(const char *state_root, const char *bridge, const char *id,
		 const char *host_if, hb_err_t *err)
{
	cleanup_free char *file = hbnet_ipam_path(state_root, bridge);
	int ret = 0;

	if (host_if && hbnet_link_delete(host_if, err) < 0)
		ret = -1;
	if (access(file, F_OK) == 0 &&
	    ipam_release(file, id, ret ? NULL : err) < 0)
		ret = -1;
	return ret;
}

int hbnet_create(const char *state_root, const char *bridge,
		 const char *cidr, hb_err_t *err)
{
	cleanup_free char *dir = xasprintf("%s/.net", state_root);
	cleanup_free char *file = NULL;

	if (check_name(bridge, err) < 0)
		return -1;
	if (mkdir_p(dir, 0700, err) < 0)
		return -1;
	file = hbnet_ipam_path(state_root, bridge);
	if (ipam_init(file, cidr, err) < 0)
		return -1;
	if (hbnet_bridge_create(bridge, cidr, err) < 0) {
		unlink(file);
		return -1;
	}
	return 0;
}

int hbnet_delete(const char *state_root, const char *bridge, bool force,
		 hb_err_t *err)
{
	cleanup_free char *file = NULL;
	int n;

	if (check_name(bridge, err) < 0)
		return -1;
	file = hbnet_ipam_path(state_root, bridge);
	/* Only what hyperbox created: never a host link of the same name. */
	if (access(file, F_OK) < 0)
		return hb_error(err, 0, "network `%s` does not exist (see hyperbox net list)",
				bridge);
	n = ipam_count(file, err);
	if (n < 0)
		return -1;
	if (n > 0 && !force)
		return hb_error(err, 0, "network `%s` still has %d container(s)",
				bridge, n);
	if (hbnet_link_delete(bridge, err) < 0)
		return -1;
	if (unlink(file) < 0 && errno != ENOENT)
		return hb_error(err, errno, "remove `%s`", file);
	return 0;
}

int hbnet_list(const char *state_root, hb_err_t *err)
{
	cleanup_free char *dir = xasprintf("%s/.net", state_root);
	struct dirent **list = NULL;
	int i, n;

	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 :
		       hb_error(err, errno, "list `%s`", dir);
	printf("%-16s %-20s %s\n", "NAME", "SUBNET", "CONTAINERS");
	for (i = 0; i < n; i++) {
		char *dot = strstr(list[i]->d_name, ".ipam");

		if (dot && !dot[5]) {
			cleanup_free char *f = xasprintf("%s/%s", dir,
							 list[i]->d_name);
			cleanup_free char *text = NULL;
			char subnet[64] = "?";

			if (read_file(f, &text, NULL, NULL) == 0)
				sscanf(text, "subnet %63s", subnet);
			*dot = '\0';
			printf("%-16s %-20s %d\n", list[i]->d_name, subnet,
			       ipam_count(f, NULL));
		}
		free(list[i]);
	}
	free(list);
	return 0;
}
