// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: without a table the guest sees a safe default (no SVM, VMX,
 * MONITOR or XSAVE, and the hypervisor bit); HB_GET_SUPPORTED_CPUID offers
 * the same and sizes itself with -E2BIG; HB_SET_CPUID's table is exactly
 * what the guest sees afterwards, unlisted leaves reading as zeros.
 *
 * The guest is a CPUID server: it asks the host for a leaf (the answer of
 * a ucall), executes CPUID and reports the four registers.
 */
#include "lib/hb_util.h"
#include "lib/idt.h"
#include "lib/vcpu_state.h"

#define QUERY_DONE	(~0ull)

enum { SYNC_QUERY = 1, SYNC_RESULT };

/* CPUID bits (SDM Vol. 2, CPUID; APM Vol. 3, E.4.2). */
#define CPUID_1_ECX_MONITOR	(1u << 3)
#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define CPUID_8000_0001_ECX_SVM	(1u << 2)

static void guest_cpuid_server(void)
{
	uint32_t a, b, c, d;
	uint64_t q;

	for (;;) {
		q = ucall(UCALL_SYNC, SYNC_QUERY, 0, 0, 0, 0);
		if (q == QUERY_DONE)
			return;
		cpuid_count((uint32_t)q, q >> 32, &a, &b, &c, &d);
		ucall(UCALL_SYNC, SYNC_RESULT, a, b, c, d);
	}
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* Host: what the guest's CPUID returns for @leaf/@sub. */
static struct cpuid_regs guest_cpuid(struct vcpu *vcpu, uint32_t leaf,
				     uint32_t sub)
{
	struct cpuid_regs r;
	struct ucall uc;

	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC &&
		    uc.args[0] == SYNC_QUERY, "guest did not ask for a leaf");
	vcpu->run->hypercall.ret = leaf | (uint64_t)sub << 32;
	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC &&
		    uc.args[0] == SYNC_RESULT, "guest did not answer");
	r.eax = uc.args[1];
	r.ebx = uc.args[2];
	r.ecx = uc.args[3];
	r.edx = uc.args[4];
	return r;
}

static void guest_finish(struct vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC &&
		    uc.args[0] == SYNC_QUERY, "guest did not ask for a leaf");
	vcpu->run->hypercall.ret = QUERY_DONE;
	vcpu_run_expect_done(vcpu);
}

static const struct hb_cpuid_entry *find_entry(const struct hb_cpuid *c,
					       uint32_t leaf, uint32_t sub)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == leaf &&
		    (!(c->entries[i].flags & HB_CPUID_FLAG_SIGNIFICANT_INDEX) ||
		     c->entries[i].index == sub))
			return &c->entries[i];
	return NULL;
}

static void check_hidden_features(uint32_t ecx1, uint32_t ecx_ext1)
{
	TEST_ASSERT(!(ecx1 & CPUID_1_ECX_VMX), "VMX visible: 0x%x", ecx1);
	TEST_ASSERT(!(ecx1 & CPUID_1_ECX_MONITOR), "MONITOR visible: 0x%x", ecx1);
	TEST_ASSERT(!(ecx1 & CPUID_1_ECX_XSAVE), "XSAVE visible: 0x%x", ecx1);
	TEST_ASSERT(!(ecx1 & CPUID_1_ECX_OSXSAVE), "OSXSAVE visible: 0x%x", ecx1);
	TEST_ASSERT(ecx1 & CPUID_1_ECX_HYPERVISOR,
		    "hypervisor bit clear: 0x%x", ecx1);
	TEST_ASSERT(!(ecx_ext1 & CPUID_8000_0001_ECX_SVM),
		    "SVM visible: 0x%x", ecx_ext1);
}

HB_TEST(default_cpuid_hides_virtualization_and_sets_hypervisor_bit)
{
	struct cpuid_regs r1, rx, r0, rh, rd;
	struct vcpu *vcpu;
	struct vm *vm;

	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_cpuid_server);
	r0 = guest_cpuid(vcpu, 0, 0);
	r1 = guest_cpuid(vcpu, 1, 0);
	rx = guest_cpuid(vcpu, 0x80000001, 0);
	rh = guest_cpuid(vcpu, 0x40000000, 0);
	TEST_ASSERT(r0.eax >= 1, "max basic leaf %u", r0.eax);
	check_hidden_features(r1.ecx, rx.ecx);
	TEST_ASSERT(rh.eax >= 0x40000000 && rh.eax < 0x40000100,
		    "hypervisor leaf range 0x%x", rh.eax);
	TEST_ASSERT(rh.ebx || rh.ecx || rh.edx, "no hypervisor signature");
	if (r0.eax >= 0xd) {
		/* XSAVE's leaf is empty along with the feature. */
		rd = guest_cpuid(vcpu, 0xd, 0);
		TEST_ASSERT(!rd.eax && !rd.ebx && !rd.ecx && !rd.edx,
			    "leaf 0xd: 0x%x 0x%x 0x%x 0x%x", rd.eax, rd.ebx,
			    rd.ecx, rd.edx);
	}
	guest_finish(vcpu);
	vm_free(vm);
}

HB_TEST(supported_cpuid_sizes_itself_with_e2big)
{
	struct hb_cpuid *c, hdr = { .nent = 0 };
	struct vm *vm;
	uint32_t n;

	require_cap(HB_CAP_CPUID, "HB_CAP_CPUID");
	vm = vm_create(VMM_MODE_LONG);
	TEST_ASSERT_ERRNO(sys_ioctl(vm, HB_GET_SUPPORTED_CPUID, &hdr), E2BIG);
	n = hdr.nent;
	TEST_ASSERT(n > 2 && n <= HB_CPUID_MAX_ENTRIES, "nent %u", n);

	c = calloc(1, sizeof(*c) + (n + 8) * sizeof(c->entries[0]));
	TEST_ASSERT(c, "out of memory");
	c->nent = n - 1;
	TEST_ASSERT_ERRNO(sys_ioctl(vm, HB_GET_SUPPORTED_CPUID, c), E2BIG);
	TEST_ASSERT_EQ(c->nent, n);
	/* Exactly enough room, and more than enough: both fill in n. */
	c->nent = n;
	TEST_ASSERT_OK(sys_ioctl(vm, HB_GET_SUPPORTED_CPUID, c));
	TEST_ASSERT_EQ(c->nent, n);
	c->nent = n + 8;
	TEST_ASSERT_OK(sys_ioctl(vm, HB_GET_SUPPORTED_CPUID, c));
	TEST_ASSERT_EQ(c->nent, n);
	c->padding = 1;
	TEST_ASSERT_ERRNO(sys_ioctl(vm, HB_GET_SUPPORTED_CPUID, c), EINVAL);
	free(c);
	vm_free(vm);
}

HB_TEST(supported_cpuid_content)
{
	const struct hb_cpuid_entry *e1, *ex, *e;
	struct hb_cpuid *c;
	struct vm *vm;
	uint32_t i, j;

	require_cap(HB_CAP_CPUID, "HB_CAP_CPUID");
	vm = vm_create(VMM_MODE_LONG);
	c = supported_cpuid(vm);

	TEST_ASSERT(find_entry(c, 0, 0), "no leaf 0");
	TEST_ASSERT(find_entry(c, 0x80000000, 0), "no leaf 0x80000000");
	e = find_entry(c, 0x40000000, 0);
	TEST_ASSERT(e && e->eax >= 0x40000000, "no hypervisor leaf");
	e1 = find_entry(c, 1, 0);
	ex = find_entry(c, 0x80000001, 0);
	TEST_ASSERT(e1 && ex, "no leaf 1 or 0x80000001");
	check_hidden_features(e1->ecx, ex->ecx);
	e = find_entry(c, 0, 0);
	if (e->eax >= 7) {
		e = find_entry(c, 7, 0);
		TEST_ASSERT(e && (e->flags & HB_CPUID_FLAG_SIGNIFICANT_INDEX),
			    "leaf 7 missing or not indexed");
	}
	for (i = 0; i < c->nent; i++) {
		TEST_ASSERT(!(c->entries[i].flags &
			      ~HB_CPUID_FLAG_SIGNIFICANT_INDEX) &&
			    !c->entries[i].padding,
			    "entry %u: flags 0x%x padding 0x%x", i,
			    c->entries[i].flags, c->entries[i].padding);
		for (j = i + 1; j < c->nent; j++)
			TEST_ASSERT(c->entries[i].function != c->entries[j].function ||
				    c->entries[i].index != c->entries[j].index,
				    "leaf 0x%x.%u listed twice",
				    c->entries[i].function, c->entries[i].index);
	}
	free(c);
	vm_free(vm);
}

/* The default the guest sees is what the module says it supports. */
HB_TEST(default_cpuid_matches_supported_cpuid)
{
	struct hb_cpuid *c;
	struct vcpu *vcpu;
	struct vm *vm;
	uint32_t i;

	require_cap(HB_CAP_CPUID, "HB_CAP_CPUID");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_cpuid_server);
	c = supported_cpuid(vm);
	for (i = 0; i < c->nent; i++) {
		const struct hb_cpuid_entry *e = &c->entries[i];
		struct cpuid_regs r = guest_cpuid(vcpu, e->function, e->index);

		TEST_ASSERT(r.eax == e->eax && r.ebx == e->ebx &&
			    r.ecx == e->ecx && r.edx == e->edx,
			    "leaf 0x%x.%u: guest 0x%x 0x%x 0x%x 0x%x, supported 0x%x 0x%x 0x%x 0x%x",
			    e->function, e->index, r.eax, r.ebx, r.ecx, r.edx,
			    e->eax, e->ebx, e->ecx, e->edx);
	}
	guest_finish(vcpu);
	free(c);
	vm_free(vm);
}

static const struct hb_cpuid_entry table[] = {
	{ .function = 0, .eax = 7, .ebx = 0x656b6146, .ecx = 0x55504374,
	  .edx = 0x65746f4e },
	{ .function = 1, .eax = 0x000a0f10, .ebx = 0x00010800,
	  .ecx = 0x80000001, .edx = 0x0789abcd },
	{ .function = 7, .index = 0, .flags = HB_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 1, .ebx = 0x11111111, .ecx = 0x22222222, .edx = 0x33333333 },
	{ .function = 7, .index = 1, .flags = HB_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 0x44444444, .ebx = 0x55555555 },
	/* Not indexed: matches whatever ECX holds. */
	{ .function = 0x40000000, .index = 5, .eax = 0x40000001,
	  .ebx = 0x74736554, .ecx = 0x74736554, .edx = 0x74736554 },
	{ .function = 0x80000000, .eax = 0x80000001 },
	{ .function = 0x80000001, .ecx = 0x12345678, .edx = 0x9abcdef0 },
};

static void set_cpuid(struct vcpu *vcpu, const struct hb_cpuid_entry *e,
		      uint32_t n)
{
	struct hb_cpuid *c = calloc(1, sizeof(*c) + n * sizeof(*e));

	TEST_ASSERT(c, "out of memory");
	c->nent = n;
	memcpy(c->entries, e, n * sizeof(*e));
	TEST_ASSERT_OK(vcpu_ioctl(vcpu, HB_SET_CPUID, c));
	free(c);
}

static void expect_guest_cpuid(struct vcpu *vcpu, uint32_t leaf, uint32_t sub,
			       uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	struct cpuid_regs r = guest_cpuid(vcpu, leaf, sub);

	TEST_ASSERT(r.eax == a && r.ebx == b && r.ecx == c && r.edx == d,
		    "leaf 0x%x.%u: 0x%x 0x%x 0x%x 0x%x, expected 0x%x 0x%x 0x%x 0x%x",
		    leaf, sub, r.eax, r.ebx, r.ecx, r.edx, a, b, c, d);
}

static void expect_table_entry(struct vcpu *vcpu, const struct hb_cpuid_entry *e,
			       uint32_t sub)
{
	expect_guest_cpuid(vcpu, e->function, sub, e->eax, e->ebx, e->ecx,
			   e->edx);
}

HB_TEST(set_cpuid_table_is_exactly_what_the_guest_sees)
{
	struct vcpu *vcpu;
	struct vm *vm;
	unsigned int i;

	require_cap(HB_CAP_CPUID, "HB_CAP_CPUID");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_cpuid_server);
	set_cpuid(vcpu, table, ARRAY_SIZE(table));

	for (i = 0; i < ARRAY_SIZE(table); i++)
		expect_table_entry(vcpu, &table[i], table[i].index);
	/* Sub-leaves: significant ones must match, others match any. */
	expect_guest_cpuid(vcpu, 7, 2, 0, 0, 0, 0);
	expect_guest_cpuid(vcpu, 7, 0x100, 0, 0, 0, 0);
	expect_table_entry(vcpu, &table[4], 0);
	expect_table_entry(vcpu, &table[4], 0xffffffff);
	expect_table_entry(vcpu, &table[1], 3);
	/* Leaves the table does not list read as zeros. */
	expect_guest_cpuid(vcpu, 2, 0, 0, 0, 0, 0);
	expect_guest_cpuid(vcpu, 0xd, 0, 0, 0, 0, 0);
	expect_guest_cpuid(vcpu, 0x40000001, 0, 0, 0, 0, 0);
	expect_guest_cpuid(vcpu, 0x80000008, 0, 0, 0, 0, 0);

	/* A new table replaces the old one entirely. */
	set_cpuid(vcpu, &table[1], 1);
	expect_table_entry(vcpu, &table[1], 0);
	expect_guest_cpuid(vcpu, 0, 0, 0, 0, 0, 0);
	expect_guest_cpuid(vcpu, 7, 0, 0, 0, 0, 0);
	guest_finish(vcpu);
	vm_free(vm);
}

HB_TEST(bad_cpuid_tables_are_refused_and_change_nothing)
{
	struct hb_cpuid *c;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_CPUID, "HB_CAP_CPUID");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_cpuid_server);
	set_cpuid(vcpu, table, 2);

	c = calloc(1, sizeof(*c) + (HB_CPUID_MAX_ENTRIES + 1) *
		   sizeof(c->entries[0]));
	TEST_ASSERT(c, "out of memory");
	c->nent = 2;
	memcpy(c->entries, &table[3], 2 * sizeof(table[0]));
	c->entries[1].flags = 2;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_CPUID, c), EINVAL);
	c->entries[1].flags = 0;
	c->entries[1].padding = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_CPUID, c), EINVAL);
	c->entries[1].padding = 0;
	c->padding = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_CPUID, c), EINVAL);
	c->padding = 0;
	c->nent = HB_CPUID_MAX_ENTRIES + 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_CPUID, c), EINVAL);
	c->nent = 0x80000000u;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_CPUID, c), EINVAL);
	free(c);

	/* The guest still sees the first table. */
	expect_table_entry(vcpu, &table[0], 0);
	expect_table_entry(vcpu, &table[1], 0);
	expect_guest_cpuid(vcpu, 7, 1, 0, 0, 0, 0);
	guest_finish(vcpu);
	vm_free(vm);
}
