// SPDX-License-Identifier: GPL-2.0
/*
 * linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the container's cgroup (the v2 tree exists on hybrid
 * hosts too). Rules are tested newest first, the first match decides, no
 * match denies; the devices every container needs (null, zero, full,
 * random, urandom, tty, console, ptmx, pts, tun) and linux.devices come
 * last so they always win, as in runc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

struct prog {
	struct bpf_insn *insn;
	size_t n, cap;
};

static void emit(struct prog *p, struct bpf_insn in)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->insn = realloc(p->insn, p->cap * sizeof(*p->insn));
		if (!p->insn)
			abort();
	}
	p->insn[p->n++] = in;
}

/* r3 = device type, r4 = access, r5 = major, r6 = minor */
static void emit_rule(struct prog *p, const struct oci_dev_rule *r)
{
	size_t start = p->n, i;

	if (r->type != 'a')
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, 3, 0, 0,
			     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK :
			     BPF_DEVCG_DEV_CHAR));
	if (r->major >= 0)
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, r->major));
	if (r->minor >= 0)
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, 6, 0, 0, r->minor));
	/* Every requested access bit must be in the rule. */
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 7, 4, 0, 0));
	emit(p, INSN(BPF_ALU | BPF_AND | BPF_K, 7, 0, 0, ~r->access & 7));
	emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, 7, 0, 0, 0));
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow));
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	/* Mismatches jump past this rule's exit. */
	for (i = start; i < p->n - 2; i++)
		if (p->insn[i].code == (BPF_JMP | BPF_JNE | BPF_K))
			p->insn[i].off = p->n - (i + 1);
}

static const struct oci_dev_rule defaults[] = {
	{ true, 'c', 1, 3, 7 },	  { true, 'c', 1, 5, 7 },  { true, 'c', 1, 7, 7 },
	{ true, 'c', 1, 8, 7 },	  { true, 'c', 1, 9, 7 },  { true, 'c', 5, 0, 7 },
	{ true, 'c', 5, 1, 7 },	  { true, 'c', 5, 2, 7 },  { true, 'c', 136, -1, 7 },
	{ true, 'c', 10, 200, 7 },
};

static int attach(int cgfd, struct prog *p, hb_err_t *err)
{
	union bpf_attr attr;
	int fd, ret;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (unsigned long)p->insn;
	attr.insn_cnt = p->n;
	attr.license = (unsigned long)"GPL";
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		return hb_error(err, errno, "cgroup: load device filter");
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = cgfd;
	attr.attach_bpf_fd = fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	ret = syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr));
	close(fd);
	if (ret < 0)
		return hb_error(err, errno, "cgroup: attach device filter");
	return 0;
}

int cgroup_apply_devices(const struct oci_spec *spec, const char *dir,
			 hb_err_t *err)
{
	const struct oci_resources *r = &spec->resources;
	struct prog p = { 0 };
	cleanup_close int cgfd = -1;
	size_t i;
	int ret;

	if (!spec->has_resources || !r->n_dev_rules || !dir)
		return 0;
	cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return hb_error(err, errno, "cgroup: open `%s`", dir);
	emit(&p, INSN(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0));
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0));
	emit(&p, INSN(BPF_ALU | BPF_AND | BPF_K, 3, 0, 0, 0xffff));
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0));
	emit(&p, INSN(BPF_ALU | BPF_RSH | BPF_K, 4, 0, 0, 16));
	emit(&p, INSN(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 4, 0));
	emit(&p, INSN(BPF_LDX | BPF_W | BPF_MEM, 6, 1, 8, 0));
	for (i = 0; i < spec->n_devices; i++) {
		const struct oci_device *d = &spec->devices[i];
		struct oci_dev_rule dr = { true, d->type == 'b' ? 'b' : 'c',
					   d->major, d->minor, 7 };

		if (d->type != 'p')
			emit_rule(&p, &dr);
	}
	for (i = 0; i < ARRAY_SIZE(defaults); i++)
		emit_rule(&p, &defaults[i]);
	for (i = r->n_dev_rules; i-- > 0;)
		emit_rule(&p, &r->dev_rules[i]);
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
	emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	ret = attach(cgfd, &p, err);
	free(p.insn);
	return ret;
}
