// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs: HB_GET_MSR_INDEX_LIST names the MSRs userspace saves and restores;
 * HB_GET_MSRS/HB_SET_MSRS round-trip every one of them, the guest reads
 * (RDMSR) what the host set and the host reads what the guest wrote
 * (WRMSR); bad values are refused on both paths (-> count / #GP); both
 * ioctls return the number of entries processed; and the host's own MSRs
 * (FS base, syscall entry) are intact after the guest changed its copies.
 */
#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/hb_util.h"
#include "lib/idt.h"
#include "lib/vcpu_state.h"

#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_MTRR_DEF_TYPE	0x000002ff
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103

#define EFER_SCE		(1ull << 0)
#define EFER_NX			(1ull << 11)
#define EFER_SVME		(1ull << 12)
#define APICBASE_BSP		(1ull << 8)
#define APICBASE_ENABLE		(1ull << 11)
#define PAT_DEFAULT		0x0007040600070406ull

/*
 * A valid value of each MSR a guest OS needs, different from its reset
 * value, and one the guest writes back (@guest). TSC is left out: writes
 * are accepted but the guest's TSC is the host's (msr.c).
 */
struct msr_values {
	uint32_t index;
	const char *name;
	uint64_t host;
	uint64_t guest;
};

static const struct msr_values msr_values[] = {
	{ MSR_STAR, "STAR", 0x0023001000000000ull, 0x001b000800000000ull },
	{ MSR_LSTAR, "LSTAR", 0xffffffff81000000ull, 0xffffffff81234560ull },
	{ MSR_CSTAR, "CSTAR", 0xffffffff81000040ull, 0xffffffff81abcde0ull },
	{ MSR_SYSCALL_MASK, "SFMASK", 0x47700, 0x257fd5 },
	{ MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE", 0xffff888012340000ull,
	  0xffff888056780000ull },
	{ MSR_FS_BASE, "FS_BASE", 0x7f0012345000ull, 0x7f00abcde000ull },
	{ MSR_GS_BASE, "GS_BASE", 0xffff88807fc00000ull, 0xffff88807fd00000ull },
	{ MSR_IA32_SYSENTER_CS, "SYSENTER_CS", 0x10, 0x8 },
	{ MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP", 0xfffffe0000001000ull,
	  0xfffffe0000002000ull },
	{ MSR_IA32_SYSENTER_EIP, "SYSENTER_EIP", 0xffffffff81001000ull,
	  0xffffffff81002000ull },
	/* Entry 0 stays WB: the guest's own page tables use it. */
	{ MSR_IA32_CR_PAT, "PAT", 0x0001050400070106ull, 0x0007010400050406ull },
	{ MSR_IA32_APICBASE, "APIC_BASE", 0xfee00000ull | APICBASE_BSP,
	  0xfee00000ull | APICBASE_BSP | APICBASE_ENABLE },
	{ MSR_IA32_MISC_ENABLE, "MISC_ENABLE", 1, 0 },
	{ MSR_MTRR_DEF_TYPE, "MTRR_DEF_TYPE", 0xc06, 0x806 },
};

#define NR_VALUES	ARRAY_SIZE(msr_values)

/* EFER keeps LME/LMA (long mode); SCE and NX are free to change. */
static uint64_t efer_host(uint64_t efer)
{
	return efer | EFER_SCE | EFER_NX;
}

static uint64_t efer_guest(uint64_t efer)
{
	return (efer & ~EFER_NX) | EFER_SCE;
}

/* ---- the index list ------------------------------------------------ */

static bool listed(const uint32_t *list, uint32_t n, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (list[i] == index)
			return true;
	return false;
}

HB_TEST(index_list_names_what_a_guest_os_needs)
{
	struct hb_msr_list small = { .nmsrs = 1 };
	uint32_t *list, n, i;
	struct vm *vm;

	require_cap(HB_CAP_MSRS, "HB_CAP_MSRS");
	vm = vm_create(VMM_MODE_LONG);
	list = msr_index_list(vm, &n);
	TEST_ASSERT_ERRNO(sys_ioctl(vm, HB_GET_MSR_INDEX_LIST, &small), E2BIG);
	TEST_ASSERT_EQ(small.nmsrs, n);

	TEST_ASSERT(listed(list, n, MSR_EFER), "EFER not listed");
	TEST_ASSERT(listed(list, n, MSR_IA32_TSC), "TSC not listed");
	for (i = 0; i < NR_VALUES; i++)
		TEST_ASSERT(listed(list, n, msr_values[i].index),
			    "%s (0x%x) not listed", msr_values[i].name,
			    msr_values[i].index);
	if (!listed(list, n, MSR_TSC_AUX))
		test_log("TSC_AUX is not listed (RDTSCP must then be hidden)");
	test_log("%u MSRs listed", n);
	free(list);
	vm_free(vm);
}

/* ---- host round trips ---------------------------------------------- */

static void guest_idle(void)
{
	GUEST_SYNC(0);
}

HB_TEST(every_listed_msr_round_trips_through_the_host)
{
	uint32_t *list, n, i, j;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t efer, t1, t2;

	require_cap(HB_CAP_MSRS, "HB_CAP_MSRS");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_idle);
	list = msr_index_list(vm, &n);

	for (i = 0; i < NR_VALUES; i++) {
		vcpu_msr_set(vcpu, msr_values[i].index, msr_values[i].host);
		TEST_ASSERT(vcpu_msr_get(vcpu, msr_values[i].index) ==
			    msr_values[i].host, "%s: set 0x%llx, got 0x%llx",
			    msr_values[i].name,
			    (unsigned long long)msr_values[i].host,
			    (unsigned long long)vcpu_msr_get(vcpu,
							     msr_values[i].index));
	}
	efer = vcpu_msr_get(vcpu, MSR_EFER);
	vcpu_msr_set(vcpu, MSR_EFER, efer_host(efer));
	TEST_ASSERT_EQ(vcpu_msr_get(vcpu, MSR_EFER), efer_host(efer));
	TEST_ASSERT(!(efer & EFER_SVME), "EFER 0x%llx shows SVME",
		    (unsigned long long)efer);

	/* The TSC: a write is accepted, reads keep counting. */
	t1 = vcpu_msr_get(vcpu, MSR_IA32_TSC);
	vcpu_msr_set(vcpu, MSR_IA32_TSC, t1);
	t2 = vcpu_msr_get(vcpu, MSR_IA32_TSC);
	TEST_ASSERT(t2 > t1, "TSC went from 0x%llx to 0x%llx",
		    (unsigned long long)t1, (unsigned long long)t2);

	/* Anything else listed: what GET returns, SET takes back. */
	for (i = 0; i < n; i++) {
		bool known = list[i] == MSR_EFER || list[i] == MSR_IA32_TSC;
		uint64_t v;

		for (j = 0; j < NR_VALUES; j++)
			known |= list[i] == msr_values[j].index;
		if (known)
			continue;
		v = vcpu_msr_get(vcpu, list[i]);
		vcpu_msr_set(vcpu, list[i], v);
		TEST_ASSERT_EQ(vcpu_msr_get(vcpu, list[i]), v);
		test_log("0x%x round-trips its own value 0x%llx only", list[i],
			 (unsigned long long)v);
	}
	free(list);
	vm_free(vm);
}

/* ---- the guest's view ------------------------------------------------ */

/* RDMSR every MSR and check the host's value, then WRMSR the guest's. */
static void guest_rdmsr_then_wrmsr(uint64_t efer)
{
	unsigned int i;

	for (i = 0; i < NR_VALUES; i++)
		GUEST_ASSERT_EQ(rdmsr(msr_values[i].index), msr_values[i].host);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), efer_host(efer));
	GUEST_SYNC(1);

	for (i = 0; i < NR_VALUES; i++)
		wrmsr(msr_values[i].index, msr_values[i].guest);
	wrmsr(MSR_EFER, efer_guest(efer));
	GUEST_SYNC(2);
	for (i = 0; i < NR_VALUES; i++)
		GUEST_ASSERT_EQ(rdmsr(msr_values[i].index), msr_values[i].guest);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), efer_guest(efer));
}

static uint64_t host_fs_base(void)
{
	uint64_t base = 0;

	TEST_ASSERT(!syscall(SYS_arch_prctl, ARCH_GET_FS, &base),
		    "arch_prctl: %s", strerror(errno));
	return base;
}

HB_TEST(guest_reads_host_values_and_host_reads_guest_values)
{
	uint64_t efer, fs_before;
	struct vcpu *vcpu;
	struct vm *vm;
	pid_t pid;
	unsigned int i;

	require_cap(HB_CAP_MSRS, "HB_CAP_MSRS");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_rdmsr_then_wrmsr);
	efer = vcpu_msr_get(vcpu, MSR_EFER);
	vcpu_args_set(vcpu, 1, efer);
	for (i = 0; i < NR_VALUES; i++)
		vcpu_msr_set(vcpu, msr_values[i].index, msr_values[i].host);
	vcpu_msr_set(vcpu, MSR_EFER, efer_host(efer));

	fs_before = host_fs_base();
	pid = getpid();
	vcpu_run_expect_sync(vcpu, 1);
	vcpu_run_expect_sync(vcpu, 2);
	for (i = 0; i < NR_VALUES; i++)
		TEST_ASSERT(vcpu_msr_get(vcpu, msr_values[i].index) ==
			    msr_values[i].guest, "%s: guest wrote 0x%llx, host reads 0x%llx",
			    msr_values[i].name,
			    (unsigned long long)msr_values[i].guest,
			    (unsigned long long)vcpu_msr_get(vcpu,
							     msr_values[i].index));
	TEST_ASSERT_EQ(vcpu_msr_get(vcpu, MSR_EFER), efer_guest(efer));

	/* The host's FS base (TLS) and syscall MSRs are its own again. */
	TEST_ASSERT_EQ(host_fs_base(), fs_before);
	TEST_ASSERT_EQ(getpid(), pid);
	errno = 0;		/* a TLS access */
	TEST_ASSERT_EQ(syscall(SYS_getpid), pid);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- bad values -------------------------------------------------------- */

static void guest_bad_values(uint64_t efer)
{
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_CR_PAT, 0x0007040600070402ull),
			X86_VEC_GP);
	GUEST_ASSERT_EQ(guest_fault.error_code, 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_CR_PAT, 0x0800000000000006ull),
			X86_VEC_GP);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_CR_PAT), PAT_DEFAULT);
	/* The guest must not turn SVM on for itself, nor reserved bits. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_EFER, efer | EFER_SVME), X86_VEC_GP);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_EFER, efer | (1ull << 1)), X86_VEC_GP);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_EFER, efer | (1ull << 63)), X86_VEC_GP);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), efer);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APICBASE, 0xfed00000ull |
				   APICBASE_BSP | APICBASE_ENABLE), X86_VEC_GP);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_MISC_ENABLE, 1ull << 22),
			X86_VEC_GP);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_MTRR_DEF_TYPE, 1ull << 12), X86_VEC_GP);
}

HB_TEST(invalid_values_are_refused_by_host_and_guest)
{
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t efer;

	require_cap(HB_CAP_MSRS, "HB_CAP_MSRS");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_bad_values);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	efer = vcpu_msr_get(vcpu, MSR_EFER);

	/* PAT type 2 and 3 are reserved, as is anything above 7. */
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_IA32_CR_PAT, 0x0007040600070402ull), 0);
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_IA32_CR_PAT, 0x0003040600070406ull), 0);
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_IA32_CR_PAT, 0x0800000000000006ull), 0);
	TEST_ASSERT_EQ(vcpu_msr_get(vcpu, MSR_IA32_CR_PAT), PAT_DEFAULT);
	/* EFER: reserved bits, SVME (the module's), LME under paging. */
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_EFER, efer | (1ull << 1)), 0);
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_EFER, efer | (1ull << 63)), 0);
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_EFER, efer | EFER_SVME), 0);
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_EFER, efer & ~(1ull << 8)), 0);
	TEST_ASSERT_EQ(vcpu_msr_get(vcpu, MSR_EFER), efer);
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_IA32_APICBASE, 0xfed00900ull), 0);
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_IA32_MISC_ENABLE, 1ull << 22), 0);
	TEST_ASSERT_EQ(_vcpu_msr_set(vcpu, MSR_MTRR_DEF_TYPE, 1ull << 12), 0);

	vcpu_args_set(vcpu, 1, efer);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- the ioctls' return value --------------------------------------- */

HB_TEST(msr_ioctls_return_the_number_processed)
{
	struct hb_msrs *m;
	struct vcpu *vcpu;
	struct vm *vm;

	require_cap(HB_CAP_MSRS, "HB_CAP_MSRS");
	vm = vm_create(VMM_MODE_LONG);
	vcpu = vm_vcpu_add(vm, 0, guest_idle);
	m = msrs_alloc(HB_MAX_MSR_ENTRIES + 1);

	/* GET stops at an MSR it does not know: 2 of 4. */
	m->nmsrs = 4;
	m->entries[0].index = MSR_STAR;
	m->entries[1].index = MSR_IA32_CR_PAT;
	m->entries[2].index = 0xdeadbeef;
	m->entries[3].index = MSR_LSTAR;
	m->entries[3].data = 0x5a5a;
	TEST_ASSERT_EQ(vcpu_ioctl(vcpu, HB_GET_MSRS, m), 2);
	TEST_ASSERT_EQ(m->entries[1].data, PAT_DEFAULT);
	TEST_ASSERT_EQ(m->entries[3].data, 0x5a5a);

	/* SET stops at the first bad value; later entries are not applied. */
	m->entries[0].data = 0x0023001000000000ull;
	m->entries[1].data = 0x0007040600070406ull;
	m->entries[2].index = MSR_EFER;
	m->entries[2].data = EFER_SVME;
	m->entries[3].data = 0xffffffff81000000ull;
	TEST_ASSERT_EQ(vcpu_ioctl(vcpu, HB_SET_MSRS, m), 2);
	TEST_ASSERT_EQ(vcpu_msr_get(vcpu, MSR_STAR), 0x0023001000000000ull);
	TEST_ASSERT_EQ(vcpu_msr_get(vcpu, MSR_LSTAR), 0);

	/* A non-zero reserved word is a bad entry too. */
	m->entries[2].index = MSR_CSTAR;
	m->entries[2].reserved = 1;
	TEST_ASSERT_EQ(vcpu_ioctl(vcpu, HB_SET_MSRS, m), 2);
	TEST_ASSERT_EQ(vcpu_ioctl(vcpu, HB_GET_MSRS, m), 2);
	m->entries[2].reserved = 0;
	TEST_ASSERT_EQ(vcpu_ioctl(vcpu, HB_SET_MSRS, m), 4);
	TEST_ASSERT_EQ(vcpu_msr_get(vcpu, MSR_LSTAR), 0xffffffff81000000ull);

	m->nmsrs = 0;
	TEST_ASSERT_EQ(vcpu_ioctl(vcpu, HB_GET_MSRS, m), 0);
	m->nmsrs = HB_MAX_MSR_ENTRIES + 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_GET_MSRS, m), EINVAL);
	m->nmsrs = 1;
	m->pad = 1;
	TEST_ASSERT_ERRNO(vcpu_ioctl(vcpu, HB_SET_MSRS, m), EINVAL);
	free(m);
	vm_free(vm);
}
