/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hyperbox internal interface: the backend-neutral core (VM, vCPU, memory
 * slots, two-dimensional paging, exit handling) and the ops table that an
 * SVM or VMX backend implements. The core never includes a backend header.
 */
#ifndef HB_H
#define HB_H

#include <linux/static_call.h>
#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/wait.h>
#include <linux/eventfd.h>
#include <linux/hyperbox.h>

/*
 * The code a guest exit runs through (the generic part and SVM's; VMX's
 * own is not there yet), kept on a few pages of its own: spread over the
 * module's text, one PIO round trip touched eleven. Each is an iTLB
 * entry, and under QEMU, whose VMRUN and #VMEXIT flush its whole software
 * TLB, a page walk on every exit.
 */
#define __hb_exit_path		__section(".text.hb_exit_path")

#define HB_MAX_VCPUS		8
#define HB_NR_MEMSLOTS		32
/* A single slot may not exceed this: it bounds what one VM can pin. */
#define HB_MAX_SLOT_SIZE	(64ULL << 30)
/* Guest physical addresses are limited to 48 bits (4-level NPT/EPT). */
#define HB_GPA_BITS		48

/* General purpose registers in x86 encoding order (ModRM reg numbers). */
enum hb_gpr {
	HB_RAX, HB_RCX, HB_RDX, HB_RBX, HB_RSP, HB_RBP, HB_RSI, HB_RDI,
	HB_R8, HB_R9, HB_R10, HB_R11, HB_R12, HB_R13, HB_R14, HB_R15,
	HB_NR_GPRS,
};

#include "hb_types.h"

struct hb_memslot {
	u32 id;
	u32 flags;
	u64 base_gfn;
	u64 npages;
	unsigned long uaddr;
	bool used;
};

/*
 * A 4-level nested page table (NPT or EPT). Leaves map one 4 KiB guest
 * page each to a page pinned from the VM owner's address space.
 */
struct hb_tdp {
	u64 *root;
	unsigned long nr_tables;
	unsigned long nr_mapped;
};

/*
 * Guest pages the exit fast path read lately (its guest page-table walks
 * and instruction fetches), so that it need not walk the nested page
 * table each time. An entry holds while the vCPU's tdp_gen_seen does.
 */
#define HB_TDP_CACHE_BITS	4

struct hb_tdp_cache_entry {
	u64 gfn;
	u64 gen;
	void *page;		/* kernel mapping of the pinned page */
};

/* What the vCPU owes the guest when userspace re-enters HB_RUN. */
enum hb_pending_completion {
	HB_COMPLETE_NONE,
	HB_COMPLETE_PIO_IN,
	HB_COMPLETE_PIO_OUT,
	HB_COMPLETE_HYPERCALL,
	HB_COMPLETE_MMIO_READ,
	HB_COMPLETE_MMIO_WRITE,
};

struct hb_pio_state {
	u16 port;
	u8 size;
	bool in;
	bool string;
	bool rep;
	u32 count;
	u64 next_rip;
	u64 linear;		/* string I/O: guest linear address of buffer */
	u8 addr_bytes;		/* string I/O: 2, 4 or 8 */
};

struct hb_exception {
	bool pending;
	bool has_error_code;
	bool has_payload;	/* #PF: payload is the faulting address (CR2) */
	u8 vector;
	u32 error_code;
	u64 payload;
};

/* An external interrupt from userspace (HB_INTERRUPT) or an irqfd. */
struct hb_irq_state {
	bool queued;		/* waiting for the guest to accept it */
	bool injected;		/* delivery was cut short by an exit */
	u8 vector;
};

struct hb_nmi_state {
	bool pending;
	bool injected;
};

struct hb_vm;
struct hb_vcpu;

#include "emulate/decode.h"

struct hb_vcpu {
	struct hb_vm *vm;
	u32 id;
	/* Serialises the vCPU ioctls: only one thread may run a vCPU. */
	struct mutex mutex;
	struct hb_run *run;
	struct page *run_pages[2];	/* hb_run, then the PIO data page */

	u64 regs[HB_NR_GPRS];
	u64 rip;
	u64 rflags;

	int cpu;			/* host CPU of the last entry, or -1 */
	/* IN_GUEST while between the final checks and the exit. */
	int mode;
	u64 tdp_gen_seen;
	struct hb_tdp_cache_entry tdp_cache[1 << HB_TDP_CACHE_BITS];

	enum hb_pending_completion pending;
	struct hb_pio_state pio;
	struct hb_exception exception;
	struct hb_irq_state irq;
	struct hb_nmi_state nmi;
	struct hb_insn mmio_insn;	/* the load waiting for MMIO data */

	struct hb_cpuid_entry *cpuid;	/* NULL: the default CPU */
	u32 cpuid_nent;
	u64 misc_enable;
	u64 mtrr_def_type;

	u64 dr[4];			/* guest DR0-3, swapped around entry */
	u64 apic_base;
	u64 halt_poll_ns;		/* halt.c: this vCPU's poll window */

	void *fpu;			/* guest x87/SSE/AVX image */
	bool fpu_loaded;		/* the image is in the registers */
	bool fpu_trapped;		/* the backend traps its first use */
	u8 fpu_eager_runs;		/* entries left that load it at once */
	void *priv;			/* backend state */
};

enum hb_fastpath {
	HB_FAST_NONE,
	HB_FAST_REENTER,
	HB_FAST_USER,
};

#define HB_VCPU_OUTSIDE_GUEST	0
#define HB_VCPU_IN_GUEST	1

struct hb_vm {
	refcount_t users;		/* VM fd + one per vCPU */
	struct mm_struct *mm;		/* owner: only it may issue ioctls */
	struct mutex lock;		/* vCPU creation */
	/*
	 * slots_lock protects the slot array and the nested page table: a
	 * page fault, a slot change and teardown all take it.
	 */
	struct mutex slots_lock;
	struct hb_memslot slots[HB_NR_MEMSLOTS];
	atomic64_t slots_gen;		/* bumped on every slot change */
	struct hb_tdp tdp;
	/* Bumped whenever a TDP mapping is removed: vCPUs flush on change. */
	atomic64_t tdp_gen;
	struct hb_vcpu *vcpus[HB_MAX_VCPUS];
	void *priv;			/* backend state */

	/* Doorbells: RCU list for the exit path, written under the mutex. */
	struct mutex doorbell_lock;
	struct list_head doorbells;
	unsigned int nr_doorbells;

	struct mutex irqfd_lock;
	struct list_head irqfds;
	atomic_t nr_irqfds;
	/*
	 * Interrupts raised by irqfds, per vCPU id; kept in the VM so that
	 * an irqfd never points at a vCPU that may go away.
	 */
	unsigned long irr[HB_MAX_VCPUS][BITS_TO_LONGS(256)];
	wait_queue_head_t halt_wq[HB_MAX_VCPUS];
	struct task_struct __rcu *running[HB_MAX_VCPUS];
	atomic_t nr_rings;
};

/* TDP permission bits handed to the backend's PTE encoder. */
#define HB_TDP_READ		BIT(0)
#define HB_TDP_WRITE		BIT(1)
#define HB_TDP_EXEC		BIT(2)

/* Exit statistics, exposed in debugfs. */
enum hb_stat_exit {
	HB_STAT_EXIT_IO,
	HB_STAT_EXIT_HYPERCALL,
	HB_STAT_EXIT_HYPERCALL_KERNEL,
	HB_STAT_EXIT_HLT,
	HB_STAT_EXIT_MMIO,
	HB_STAT_EXIT_TDP_FAULT,
	HB_STAT_EXIT_CPUID,
	HB_STAT_EXIT_MSR,
	HB_STAT_EXIT_INTR,
	HB_STAT_EXIT_NMI,
	HB_STAT_EXIT_SHUTDOWN,
	HB_STAT_EXIT_FAIL_ENTRY,
	HB_STAT_EXIT_EXCEPTION,
	HB_STAT_EXIT_FPU,
	HB_STAT_EXIT_OTHER,
	HB_STAT_EXIT_MAX,
};

/*
 * vcpu_enter() flags. HB_ENTER_FLUSH_TDP: the TDP generation moved on since
 * this vCPU's last entry. HB_ENTER_AGAIN: the fast path re-enters, with
 * interrupts and preemption off since the entry before, so nothing of the
 * host's own state can have changed.
 */
#define HB_ENTER_FLUSH_TDP	BIT(0)
#define HB_ENTER_AGAIN		BIT(1)

/**
 * struct hb_backend_ops - what the core asks of SVM or VMX.
 *
 * Every vcpu_* hook except vcpu_enter runs preemptible with the vCPU mutex
 * held. vcpu_enter runs with preemption and interrupts disabled.
 */
struct hb_backend_ops {
	const char *name;
	/* Per-CPU enable/disable of virtualization, on the target CPU. */
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	long (*check_extension)(long cap);

	int (*vm_init)(struct hb_vm *vm);
	void (*vm_destroy)(struct hb_vm *vm);

	int (*vcpu_create)(struct hb_vcpu *vcpu);
	void (*vcpu_free)(struct hb_vcpu *vcpu);
	/* Enter the guest once; returns when it exits. HB_ENTER_* @flags. */
	void (*vcpu_enter)(struct hb_vcpu *vcpu, unsigned int flags);
	/*
	 * Optional, with interrupts off right after vcpu_enter: complete the
	 * exit if that needs no sleeping: HB_FAST_REENTER to re-enter at once,
	 * HB_FAST_USER when run->exit_reason is set for userspace, or
	 * HB_FAST_NONE to leave the exit untouched for handle_exit().
	 */
	int (*fastpath)(struct hb_vcpu *vcpu);
	/* 1: re-enter, 0: exit to userspace (run->exit_reason set), <0: error */
	int (*handle_exit)(struct hb_vcpu *vcpu);

	void (*get_sregs)(struct hb_vcpu *vcpu, struct hb_sregs *sregs);
	int (*set_sregs)(struct hb_vcpu *vcpu, const struct hb_sregs *sregs);
	enum hb_cpu_mode (*cpu_mode)(struct hb_vcpu *vcpu);
	/* Guest CR0/CR3/CR4/EFER for the guest page walker. */
	void (*get_paging)(struct hb_vcpu *vcpu, u64 *cr0, u64 *cr3,
			   u64 *cr4, u64 *efer);
	u64 (*segment_base)(struct hb_vcpu *vcpu, int seg);
	/*
	 * Optional: the bytes of the instruction behind the exit, when the
	 * hardware saved them (AMD DecodeAssists for nested page faults).
	 * Returns how many it copied into @buf (up to @len), 0 for none.
	 */
	int (*exit_insn_bytes)(struct hb_vcpu *vcpu, u8 *buf, int len);
	/*
	 * Optional, before an entry and on a trap exit: make the guest's
	 * first FPU instruction, and any access to the state that hides
	 * that, exit to hb_fpu_trapped() (@on), or put the guest's own view
	 * back (!@on). Either is a no-op when already so; the trap stays
	 * set across entries, is invisible to get_sregs, and set_sregs or
	 * a rebuilt control block clears it. vcpu->fpu_trapped says whether
	 * it is set (kept by the backend). Returns false when the guest
	 * cannot be trapped (it then runs with its FPU loaded). Only for
	 * CPUs that do not speculate past #NM with another context's
	 * registers (LazyFP).
	 */
	bool (*fpu_trap)(struct hb_vcpu *vcpu, bool on);

	/* MSRs the backend keeps in its control structure. */
	int (*get_msr)(struct hb_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct hb_vcpu *vcpu, u32 index, u64 data);

	/* Nested page table entry encoding. */
	u64 (*tdp_leaf)(phys_addr_t pa, unsigned int perm);
	u64 (*tdp_table)(phys_addr_t pa);
	bool (*tdp_present)(u64 pte);
	void (*tdp_set_root)(struct hb_vm *vm, phys_addr_t root);

	/*
	 * Events, on entry with interrupts off. The core decides what to
	 * inject; at most one inject_* call happens per entry.
	 */
	void (*inject_exception)(struct hb_vcpu *vcpu,
				 const struct hb_exception *ex);
	void (*inject_irq)(struct hb_vcpu *vcpu, u8 vector);
	void (*inject_nmi)(struct hb_vcpu *vcpu);
	bool (*interrupt_allowed)(struct hb_vcpu *vcpu);
	bool (*nmi_allowed)(struct hb_vcpu *vcpu);
	/* Exit as soon as the guest can take an interrupt (or an NMI). */
	void (*enable_irq_window)(struct hb_vcpu *vcpu);
	void (*enable_nmi_window)(struct hb_vcpu *vcpu);
	u32 (*get_interrupt_shadow)(struct hb_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct hb_vcpu *vcpu, u32 shadow);
	bool (*get_nmi_masked)(struct hb_vcpu *vcpu);
	void (*set_nmi_masked)(struct hb_vcpu *vcpu, bool masked);

	/* Module unload: free what the probe allocated. */
	void (*unload)(void);
};

extern const struct hb_backend_ops *hb_ops;

/*
 * The ops an exit can reach are static calls, patched into direct calls
 * once the backend is chosen (as KVM does with kvm_x86_ops): through
 * hb_ops, every exit would pay a retpoline per call. hb_op(name)(args)
 * calls one of hb_exit_ops.h; an optional op the backend leaves NULL
 * returns 0.
 */
#define HB_EXIT_OP(op)							\
	DECLARE_STATIC_CALL(hb_op_##op, *(((struct hb_backend_ops *)0)->op))
#include "hb_exit_ops.h"

#define hb_op(op)	static_call(hb_op_##op)

/* main.c */
int hb_virt_get(void);
void hb_virt_put(void);

/* vm.c */
int hb_vm_create(unsigned long flags);
void hb_vm_put(struct hb_vm *vm);
struct hb_memslot *hb_memslot_find(struct hb_vm *vm, u64 gfn);
bool hb_memslot_any_racy(struct hb_vm *vm, u64 gfn);

/* vcpu.c */
int hb_vcpu_create(struct hb_vm *vm, unsigned long id);
void hb_vcpu_kick_all(struct hb_vm *vm);

/* tdp.c */
int hb_tdp_init(struct hb_vm *vm);
void hb_tdp_destroy(struct hb_vm *vm);
void hb_tdp_unmap_range(struct hb_vm *vm, u64 gfn, u64 npages);
int hb_tdp_fault(struct hb_vcpu *vcpu, u64 gpa, bool write);
int hb_tdp_read_atomic(struct hb_vcpu *vcpu, u64 gpa, void *buf, size_t len);

/* guest_mem.c */
int hb_read_guest_phys(struct hb_vm *vm, u64 gpa, void *buf, size_t len);
int hb_write_guest_phys(struct hb_vm *vm, u64 gpa, const void *buf,
			size_t len);
int hb_gva_to_gpa(struct hb_vcpu *vcpu, u64 gva, u64 *gpa);
int hb_read_guest_virt(struct hb_vcpu *vcpu, u64 gva, void *buf, size_t len);
int hb_write_guest_virt(struct hb_vcpu *vcpu, u64 gva, const void *buf,
			size_t len);
int hb_fetch_insn(struct hb_vcpu *vcpu, u8 *buf, size_t len);
int hb_fetch_insn_atomic(struct hb_vcpu *vcpu, u8 *buf, size_t len);
int hb_insn_prefix_len(const u8 *insn, int n, enum hb_cpu_mode mode);

/* exit.c: backend-neutral exit handling, called by the backends */
int hb_exit_pio(struct hb_vcpu *vcpu, u16 port, u8 size, bool in,
		bool string, bool rep, u8 addr_bytes, u64 next_rip);
bool hb_hypercall_in_kernel(struct hb_vcpu *vcpu);
int hb_exit_hypercall(struct hb_vcpu *vcpu, u64 next_rip);
int hb_exit_hlt(struct hb_vcpu *vcpu, u64 next_rip);
int hb_exit_ud(struct hb_vcpu *vcpu);
int hb_exit_cpuid(struct hb_vcpu *vcpu, u64 next_rip);
int hb_exit_rdmsr(struct hb_vcpu *vcpu, u64 next_rip);
int hb_exit_wrmsr(struct hb_vcpu *vcpu, u64 next_rip);
int hb_exit_tdp_fault(struct hb_vcpu *vcpu, u64 gpa, bool write);
int hb_exit_shutdown(struct hb_vcpu *vcpu);
int hb_exit_fail_entry(struct hb_vcpu *vcpu, u64 reason);
int hb_exit_internal(struct hb_vcpu *vcpu, u32 suberror, u32 ndata,
		     const u64 *data);
int hb_complete_pending(struct hb_vcpu *vcpu);

/*
 * At the start of HB_RUN: finish the exit userspace has answered (an IN's
 * or an MMIO load's data, a hypercall's return value). Returns 1 to go
 * on, else what HB_RUN returns. After an OUT, an MMIO store, a HLT or a
 * signal there is nothing to finish: that test stays inline.
 */
static inline int hb_complete_userspace_io(struct hb_vcpu *vcpu)
{
	if (vcpu->pending == HB_COMPLETE_NONE)
		return 1;
	return hb_complete_pending(vcpu);
}

/* mmio.c */
int hb_exit_mmio(struct hb_vcpu *vcpu, u64 gpa, bool write);
int hb_exit_mmio_atomic(struct hb_vcpu *vcpu, u64 gpa, bool write);
void hb_complete_mmio_read(struct hb_vcpu *vcpu);

/* events.c */
void hb_queue_exception(struct hb_vcpu *vcpu, u8 vector, bool has_error,
			u32 error_code);
void hb_queue_page_fault(struct hb_vcpu *vcpu, u64 addr, u32 error_code);
void hb_requeue_irq(struct hb_vcpu *vcpu, u8 vector);
void hb_requeue_nmi(struct hb_vcpu *vcpu);
void hb_deliver_events(struct hb_vcpu *vcpu);
bool hb_irq_window_open(struct hb_vcpu *vcpu);
void hb_fill_run_state(struct hb_vcpu *vcpu);
bool hb_hlt_wakes(struct hb_vcpu *vcpu);
void hb_skip_hlt_for_interrupt(struct hb_vcpu *vcpu);
long hb_events_ioctl(struct hb_vcpu *vcpu, unsigned int cmd,
		     void __user *argp);

/* cpuid.c */
void hb_cpuid_lookup(struct hb_vcpu *vcpu, u32 leaf, u32 sub, u32 *a,
		     u32 *b, u32 *c, u32 *d);
long hb_cpuid_set(struct hb_vcpu *vcpu, struct hb_cpuid __user *uc);
long hb_cpuid_get_supported(struct hb_cpuid __user *uc);
void hb_cpuid_free(struct hb_vcpu *vcpu);

/* msr.c */
int hb_msr_get(struct hb_vcpu *vcpu, u32 index, u64 *data, bool host);
int hb_msr_set(struct hb_vcpu *vcpu, u32 index, u64 data, bool host);
long hb_msrs_ioctl(struct hb_vcpu *vcpu, unsigned int cmd,
		   void __user *argp);
long hb_msr_index_list(struct hb_msr_list __user *ul);

/* doorbell.c */
bool hb_doorbell_signal(struct hb_vm *vm, bool pio, u64 addr, u32 len,
			u64 data);
long hb_doorbell_register(struct hb_vm *vm, struct hb_doorbell __user *ud);
void hb_doorbell_free_all(struct hb_vm *vm);

/*
 * Called from exit handling: true when a doorbell took the write. Most
 * exits of most VMs find no doorbell at all (a racy look is fine).
 */
static inline bool hb_doorbell_write(struct hb_vm *vm, bool pio, u64 addr,
				     u32 len, u64 data)
{
	return !list_empty(&vm->doorbells) &&
	       hb_doorbell_signal(vm, pio, addr, len, data);
}

/* irqfd.c */
long hb_irqfd_register(struct hb_vm *vm, struct hb_irqfd __user *ui);
void hb_irqfd_free_all(struct hb_vm *vm);
int hb_irqfd_take(struct hb_vcpu *vcpu);

/*
 * Has an irqfd raised a vector for @vcpu? Asked before every entry, where
 * nothing is raised nearly always: four words ORed inline cost less than
 * the out-of-line bitmap search.
 */
static inline bool hb_irqfd_pending(struct hb_vcpu *vcpu)
{
	const unsigned long *irr = vcpu->vm->irr[vcpu->id];
	unsigned long raised = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(vcpu->vm->irr[0]); i++)
		raised |= READ_ONCE(irr[i]);
	return raised;
}

/*
 * The checks made before every entry, inline: nearly always nothing is
 * queued, raised or asked for, and a test costs less than a call.
 */

/* Before an entry, interrupts on: an interrupt waiting may wake a HLT. */
static inline void hb_wake_hlt_for_interrupt(struct hb_vcpu *vcpu)
{
	if (vcpu->irq.queued || hb_irqfd_pending(vcpu))
		hb_skip_hlt_for_interrupt(vcpu);
}

/* On entry, interrupts off: deliver an event or ask for its window. */
static inline void hb_inject_events(struct hb_vcpu *vcpu)
{
	if ((vcpu->irq.queued | vcpu->irq.injected | vcpu->nmi.pending |
	     vcpu->nmi.injected | vcpu->exception.pending |
	     READ_ONCE(vcpu->run->request_interrupt_window)) ||
	    hb_irqfd_pending(vcpu))
		hb_deliver_events(vcpu);
}

/* Userspace asked to hear when it may inject, and it may now. */
static inline bool hb_irq_window_exit(struct hb_vcpu *vcpu)
{
	return READ_ONCE(vcpu->run->request_interrupt_window) &&
	       hb_irq_window_open(vcpu);
}

/* halt.c */
extern atomic64_t hb_stat_halt_polled, hb_stat_halt_missed, hb_stat_halt_slept;
int hb_vcpu_halt(struct hb_vcpu *vcpu);
void hb_vcpu_halt_init(struct hb_vcpu *vcpu);

/* ring.c */
long hb_ring_create(struct hb_vm *vm, struct hb_ring_config __user *uc);
extern atomic64_t hb_stat_rings;

/*
 * An instruction the module completed on the guest's behalf: move past it
 * and end any STI/MOV SS shadow it sat in, as executing it would have.
 */
static inline void hb_skip_insn(struct hb_vcpu *vcpu, u64 next_rip)
{
	vcpu->rip = next_rip;
	hb_op(set_interrupt_shadow)(vcpu, 0);
}

static inline void hb_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef HB_EVENTFD_SIGNAL_NO_COUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/* fpu.c */
int hb_fpu_alloc(struct hb_vcpu *vcpu);
void hb_fpu_free(struct hb_vcpu *vcpu);
void hb_fpu_load_guest(struct hb_vcpu *vcpu);
void hb_fpu_put_guest(struct hb_vcpu *vcpu);
int hb_fpu_trapped(struct hb_vcpu *vcpu);
long hb_fpu_ioctl(struct hb_vcpu *vcpu, unsigned int cmd, void __user *argp);

/*
 * Before an entry, with preemption off and interrupts on: load the guest's
 * image, or have the backend trap its first use. Inline, like the other
 * checks made before every entry: on most entries the trap is set already
 * and there is nothing to do.
 */
static inline void hb_fpu_enter_run(struct hb_vcpu *vcpu)
{
	if (vcpu->fpu_eager_runs)
		vcpu->fpu_eager_runs--;
	else if (vcpu->fpu_trapped || hb_op(fpu_trap)(vcpu, true))
		return;
	hb_fpu_load_guest(vcpu);
}

/*
 * After the last exit of hb_fpu_enter_run()'s entry, interrupts on again.
 * A trap that did not fire stays set for the next entry.
 */
static inline void hb_fpu_leave_run(struct hb_vcpu *vcpu)
{
	if (vcpu->fpu_loaded)
		hb_fpu_put_guest(vcpu);
}

/* stats.c */
extern atomic64_t hb_stat_vms, hb_stat_vcpus, hb_stat_mapped_pages;
extern atomic64_t hb_stat_tdp_tables, hb_stat_fpu_loads;
extern atomic64_t hb_stat_exits[HB_STAT_EXIT_MAX];
int hb_stats_init(void);
void hb_stats_exit(void);
struct dentry *hb_stats_rings_dir(void);

/* Every exit counts itself (debugfs "exits"): inline. */
static inline void hb_stat_exit(enum hb_stat_exit what)
{
	atomic64_inc(&hb_stat_exits[what]);
}

/* Backends. Each returns NULL when the CPU lacks its feature. */
const struct hb_backend_ops *hb_svm_probe(void);
const struct hb_backend_ops *hb_vmx_probe(void);

#define X86_VEC_DE	0
#define X86_VEC_DB	1
#define X86_VEC_NMI	2
#define X86_VEC_BP	3
#define X86_VEC_UD	6
#define X86_VEC_NM	7
#define X86_VEC_DF	8
#define X86_VEC_TS	10
#define X86_VEC_NP	11
#define X86_VEC_SS	12
#define X86_VEC_GP	13
#define X86_VEC_PF	14
#define X86_VEC_AC	17

#endif /* HB_H */
