/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Container networking through libnl-route-3: bridges, veth pairs,
 * addresses, routes, and a locked IPAM file. Nothing here runs `ip`.
 */
#ifndef HB_NET_H
#define HB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../container/util.h"

/* link.c: operate in the caller's network namespace. */
int hbnet_bridge_create(const char *name, const char *cidr, hb_err_t *err);
int hbnet_link_delete(const char *name, hb_err_t *err);
int hbnet_link_exists(const char *name);
int hbnet_loopback_up(hb_err_t *err);

/*
 * Create a veth pair: host_if enslaved to bridge and up; the peer is
 * created directly in the network namespace of pid as "eth0", then given
 * addr (CIDR) and a default route via gateway from inside that namespace.
 */
int hbnet_veth_attach(const char *bridge, const char *host_if, pid_t pid,
		      const char *addr, const char *gateway, hb_err_t *err);

/* ipam.c: one file per bridge, "subnet", "gateway", then "ADDR ID" leases. */
int ipam_init(const char *file, const char *gateway_cidr, hb_err_t *err);
/* Lease the lowest free address; out gets "A.B.C.D/prefix". */
int ipam_allocate(const char *file, const char *id, char *out, size_t len,
		  char *gateway, size_t gwlen, hb_err_t *err);
int ipam_release(const char *file, const char *id, hb_err_t *err);
/* Number of leases, or -1. */
int ipam_count(const char *file, hb_err_t *err);

/* attach.c: the pieces above composed for the runtime and the CLI. */
char *hbnet_ipam_path(const char *state_root, const char *bridge);
void hbnet_host_ifname(const char *id, char out[16]);
int hbnet_attach(const char *state_root, const char *bridge, const char *id,
		 pid_t pid, char *host_if, char *addr, size_t addrlen,
		 hb_err_t *err);
int hbnet_detach(const char *state_root, const char *bridge, const char *id,
		 const char *host_if, hb_err_t *err);
int hbnet_create(const char *state_root, const char *bridge,
		 const char *cidr, hb_err_t *err);
int hbnet_delete(const char *state_root, const char *bridge, bool force,
		 hb_err_t *err);
int hbnet_list(const char *state_root, hb_err_t *err);

#endif
