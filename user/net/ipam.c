// SPDX-License-Identifier: GPL-2.0
/*
 * IPAM file, one per bridge:
 *   subnet 10.88.0.0/24
 *   gateway 10.88.0.1
 *   10.88.0.2 CONTAINER-ID
 * Every read-modify-write holds flock(LOCK_EX), so concurrent creates never
 * lease one address twice.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "net.h"

#define MAX_LEASES 4096

struct ipam {
	uint32_t net, gw;	/* host order */
	int prefix;
	int n;
	uint32_t addr[MAX_LEASES];
	char *id[MAX_LEASES];
};

static void ipam_free(struct ipam *ip)
{
	int i;

	for (i = 0; i < ip->n; i++)
		free(ip->id[i]);
	free(ip);
}

static int parse_cidr(const char *cidr, uint32_t *addr, int *prefix)
{
	char buf[64], *slash;
	struct in_addr a;

	if (strlen(cidr) >= sizeof(buf))
		return -1;
	strcpy(buf, cidr);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	*prefix = atoi(slash + 1);
	if (*prefix < 8 || *prefix > 30 || inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*addr = ntohl(a.s_addr);
	return 0;
}

static void fmt_addr(uint32_t a, char *out, size_t len)
{
	struct in_addr in = { .s_addr = htonl(a) };

	inet_ntop(AF_INET, &in, out, len);
}

static int open_locked(const char *file, int flags, hb_err_t *err)
{
	int fd = open(file, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		return hb_error(err, errno, "ipam: open `%s`", file);
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return hb_error(err, errno, "ipam: lock `%s`", file);
	}
	return fd;
}

static struct ipam *ipam_read(int fd, const char *file, hb_err_t *err)
{
	cleanup_fclose FILE *f = fdopen(dup(fd), "r");
	struct ipam *ip = xcalloc(1, sizeof(*ip));
	char line[512];

	if (!f) {
		free(ip);
		hb_error(err, errno, "ipam: read `%s`", file);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char a[64], b[400];
		struct in_addr in;

		if (sscanf(line, "%63s %399s", a, b) != 2)
			continue;
		if (!strcmp(a, "subnet")) {
			if (parse_cidr(b, &ip->net, &ip->prefix) < 0)
				goto bad;
		} else if (!strcmp(a, "gateway")) {
			if (inet_pton(AF_INET, b, &in) != 1)
				goto bad;
			ip->gw = ntohl(in.s_addr);
		} else if (inet_pton(AF_INET, a, &in) == 1 && ip->n < MAX_LEASES) {
			ip->addr[ip->n] = ntohl(in.s_addr);
			ip->id[ip->n++] = xstrdup(b);
		}
	}
	if (!ip->prefix || !ip->gw)
		goto bad;
	return ip;
bad:
	ipam_free(ip);
	hb_error(err, 0, "ipam: `%s` is corrupt", file);
	return NULL;
}

static int ipam_write(int fd, const struct ipam *ip, const char *file,
		      hb_err_t *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	char a[32];
	int i;

	if (!m)
		return hb_error(err, errno, "ipam: write `%s`", file);
	fmt_addr(ip->net, a, sizeof(a));
	fprintf(m, "subnet %s/%d\n", a, ip->prefix);
	fmt_addr(ip->gw, a, sizeof(a));
	fprintf(m, "gateway %s\n", a);
	for (i = 0; i < ip->n; i++) {
		fmt_addr(ip->addr[i], a, sizeof(a));
		fprintf(m, "%s %s\n", a, ip->id[i]);
	}
	fclose(m);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, len, 0) != (ssize_t)len ||
	    fsync(fd) < 0)
		return hb_error(err, errno, "ipam: write `%s`", file);
	return 0;
}

int ipam_init(const char *file, const char *gateway_cidr, hb_err_t *err)
{
	cleanup_close int fd = -1;
	struct ipam ip = { 0 };
	uint32_t mask;

	if (parse_cidr(gateway_cidr, &ip.gw, &ip.prefix) < 0)
		return hb_error(err, 0, "ipam: bad address `%s` (want A.B.C.D/8..30)",
				gateway_cidr);
	mask = ~0U << (32 - ip.prefix);
	ip.net = ip.gw & mask;
	if (ip.gw == ip.net || ip.gw == (ip.net | ~mask))
		return hb_error(err, 0, "ipam: `%s` is not a host address",
				gateway_cidr);
	fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return hb_error(err, errno, "ipam: create `%s`", file);
	if (flock(fd, LOCK_EX) < 0 || ipam_write(fd, &ip, file, err) < 0) {
		unlink(file);
		return hb_error(err, errno, "ipam: init `%s`", file);
	}
	return 0;
}

int ipam_allocate(const char *file, const char *id, char *out, size_t len,
		  char *gateway, size_t gwlen, hb_err_t *err)
{
	cleanup_close int fd = open_locked(file, O_RDWR, err);
	struct ipam *ip;
	uint32_t mask, a;
	char s[32];
	int i;

	if (fd < 0)
		return -1;
	ip = ipam_read(fd, file, err);
	if (!ip)
		return -1;
	mask = ~0U << (32 - ip->prefix);
	for (i = 0; i < ip->n; i++)
		if (!strcmp(ip->id[i], id)) {
			ipam_free(ip);
			return hb_error(err, 0, "ipam: `%s` already has an address",
					id);
		}
	for (a = ip->net + 1; a < (ip->net | ~mask); a++) {
		if (a == ip->gw)
			continue;
		for (i = 0; i < ip->n && ip->addr[i] != a; i++)
			;
		if (i == ip->n)
			break;
	}
	if (a >= (ip->net | ~mask) || ip->n == MAX_LEASES) {
		ipam_free(ip);
		return hb_error(err, 0, "ipam: no free address in `%s`", file);
	}
	ip->addr[ip->n] = a;
	ip->id[ip->n++] = xstrdup(id);
	if (ipam_write(fd, ip, file, err) < 0) {
		ipam_free(ip);
		return -1;
	}
	fmt_addr(a, s, sizeof(s));
	snprintf(out, len, "%s/%d", s, ip->prefix);
	if (gateway)
		fmt_addr(ip->gw, gateway, gwlen);
	ipam_free(ip);
	return 0;
}

int ipam_release(const char *file, const char *id, hb_err_t *err)
{
	cleanup_close int fd = open_locked(file, O_RDWR, err);
	struct ipam *ip;
	int i, j, ret;

	if (fd < 0)
		return -1;
	ip = ipam_read(fd, file, err);
	if (!ip)
		return -1;
	for (i = j = 0; i < ip->n; i++) {
		if (!strcmp(ip->id[i], id)) {
			free(ip->id[i]);
			continue;
		}
		ip->addr[j] = ip->addr[i];
		ip->id[j++] = ip->id[i];
	}
	ip->n = j;
	ret = ipam_write(fd, ip, file, err);
	ipam_free(ip);
	return ret;
}

int ipam_count(const char *file, hb_err_t *err)
{
	cleanup_close int fd = open_locked(file, O_RDONLY, err);
	struct ipam *ip;
	int n;

	if (fd < 0)
		return -1;
	ip = ipam_read(fd, file, err);
	if (!ip)
		return -1;
	n = ip->n;
	ipam_free(ip);
	return n;
}
