// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "net.h"

static void sock_freep(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
}

static void link_putp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}

static void addr_putp(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}

#define cleanup_sock __attribute__((cleanup(sock_freep)))
#define cleanup_link __attribute__((cleanup(link_putp)))
#define cleanup_nladdr __attribute__((cleanup(addr_putp)))

static int nl_fail(hb_err_t *err, int nlerr, const char *what,
		   const char *name)
{
	return hb_error(err, 0, "netlink: %s `%s`: %s", what, name,
			nl_geterror(nlerr));
}

static struct nl_sock *route_socket(hb_err_t *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk) {
		hb_error(err, ENOMEM, "netlink: allocate socket");
		return NULL;
	}
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		nl_fail(err, r, "connect", "NETLINK_ROUTE");
		return NULL;
	}
	return sk;
}

static int link_set_up(struct nl_sock *sk, const char *name, hb_err_t *err)
{
	cleanup_link struct rtnl_link *l = NULL, *change = NULL;
	int r;

	r = rtnl_link_get_kernel(sk, 0, name, &l);
	if (r < 0)
		return nl_fail(err, r, "find link", name);
	change = rtnl_link_alloc();
	if (!change)
		return hb_error(err, ENOMEM, "netlink: allocate link");
	rtnl_link_set_flags(change, IFF_UP);
	r = rtnl_link_change(sk, l, change, 0);
	if (r < 0)
		return nl_fail(err, r, "set up", name);
	return 0;
}

static int addr_add(struct nl_sock *sk, const char *ifname, const char *cidr,
		    hb_err_t *err)
{
	cleanup_link struct rtnl_link *l = NULL;
	cleanup_nladdr struct nl_addr *local = NULL;
	struct rtnl_addr *a;
	int r;

	r = rtnl_link_get_kernel(sk, 0, ifname, &l);
	if (r < 0)
		return nl_fail(err, r, "find link", ifname);
	r = nl_addr_parse(cidr, AF_INET, &local);
	if (r < 0)
		return nl_fail(err, r, "parse address", cidr);
	a = rtnl_addr_alloc();
	if (!a)
		return hb_error(err, ENOMEM, "netlink: allocate address");
	rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(l));
	rtnl_addr_set_local(a, local);
	r = rtnl_addr_add(sk, a, 0);
	rtnl_addr_put(a);
	if (r < 0)
		return nl_fail(err, r, "add address", cidr);
	return 0;
}

int hbnet_bridge_create(const char *name, const char *cidr, hb_err_t *err)
{
	cleanup_sock struct nl_sock *sk = route_socket(err);
	cleanup_link struct rtnl_link *br = NULL;
	int r;

	if (!sk)
		return -1;
	br = rtnl_link_bridge_alloc();
	if (!br)
		return hb_error(err, ENOMEM, "netlink: allocate bridge");
	rtnl_link_set_name(br, name);
	r = rtnl_link_add(sk, br, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0)
		return nl_fail(err, r, "create bridge", name);
	if ((cidr && addr_add(sk, name, cidr, err) < 0) ||
	    link_set_up(sk, name, err) < 0) {
		hbnet_link_delete(name, NULL);
		return -1;
	}
	return 0;
}

int hbnet_link_delete(const char *name, hb_err_t *err)
{
	cleanup_sock struct nl_sock *sk = route_socket(err);
	cleanup_link struct rtnl_link *l = NULL;
	int r;

	if (!sk)
		return -1;
	l = rtnl_link_alloc();
	if (!l)
		return hb_error(err, ENOMEM, "netlink: allocate link");
	rtnl_link_set_name(l, name);
	r = rtnl_link_delete(sk, l);
	if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
		return nl_fail(err, r, "delete link", name);
	return 0;
}

int hbnet_link_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

int hbnet_loopback_up(hb_err_t *err)
{
	cleanup_sock struct nl_sock *sk = route_socket(err);

	if (!sk)
		return -1;
	return link_set_up(sk, "lo", err);
}

static int route_default(struct nl_sock *sk, const char *ifname,
			 const char *gateway, hb_err_t *err)
{
	cleanup_link struct rtnl_link *l = NULL;
	cleanup_nladdr struct nl_addr *dst = NULL, *gw = NULL;
	struct rtnl_route *route;
	struct rtnl_nexthop *nh;
	int r;

	r = rtnl_link_get_kernel(sk, 0, ifname, &l);
	if (r < 0)
		return nl_fail(err, r, "find link", ifname);
	if ((r = nl_addr_parse("0.0.0.0/0", AF_INET, &dst)) < 0 ||
	    (r = nl_addr_parse(gateway, AF_INET, &gw)) < 0)
		return nl_fail(err, r, "parse gateway", gateway);
	route = rtnl_route_alloc();
	nh = rtnl_route_nh_alloc();
	if (!route || !nh)
		return hb_error(err, ENOMEM, "netlink: allocate route");
	rtnl_route_set_family(route, AF_INET);
	rtnl_route_set_dst(route, dst);
	rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(l));
	rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(route, nh);
	r = rtnl_route_add(sk, route, NLM_F_CREATE);
	rtnl_route_put(route);
	if (r < 0)
		return nl_fail(err, r, "add default route via", gateway);
	return 0;
}

/* Configure eth0 from a netlink socket opened inside the container's netns. */
static int configure_peer(pid_t pid, const char *addr, const char *gateway,
			  hb_err_t *err)
{
	cleanup_close int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cleanup_close int target = -1;
	cleanup_sock struct nl_sock *sk = NULL;
	char path[64];
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0)
		return hb_error(err, errno, "open network namespace of %d", pid);
	if (setns(target, CLONE_NEWNET) < 0)
		return hb_error(err, errno, "enter network namespace of %d", pid);
	sk = route_socket(err);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Cannot happen with a valid fd; never continue in the wrong ns. */
		perror("hyperbox: return to host network namespace");
		_exit(1);
	}
	if (!sk)
		return -1;
	if (addr_add(sk, "eth0", addr, err) < 0 ||
	    link_set_up(sk, "eth0", err) < 0 ||
	    (gateway && route_default(sk, "eth0", gateway, err) < 0))
		ret = -1;
	return ret;
}

int hbnet_veth_attach(const char *bridge, const char *host_if, pid_t pid,
		      const char *addr, const char *gateway, hb_err_t *err)
{
	cleanup_sock struct nl_sock *sk = route_socket(err);
	cleanup_link struct rtnl_link *veth = NULL, *br = NULL, *host = NULL;
	struct rtnl_link *peer;
	int r;

	if (!sk)
		return -1;
	r = rtnl_link_get_kernel(sk, 0, bridge, &br);
	if (r < 0)
		return nl_fail(err, r, "find bridge", bridge);
	veth = rtnl_link_veth_alloc();
	if (!veth)
		return hb_error(err, ENOMEM, "netlink: allocate veth");
	rtnl_link_set_name(veth, host_if);
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(peer, "eth0");
	rtnl_link_set_ns_pid(peer, pid);
	rtnl_link_put(peer);
	r = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0)
		return nl_fail(err, r, "create veth", host_if);
	r = rtnl_link_get_kernel(sk, 0, host_if, &host);
	if (r < 0) {
		nl_fail(err, r, "find link", host_if);
		goto fail;
	}
	r = rtnl_link_enslave(sk, br, host);
	if (r < 0) {
		nl_fail(err, r, "enslave to bridge", host_if);
		goto fail;
	}
	if (link_set_up(sk, host_if, err) < 0 ||
	    configure_peer(pid, addr, gateway, err) < 0)
		goto fail;
	return 0;
fail:
	hbnet_link_delete(host_if, NULL);
	return -1;
}
