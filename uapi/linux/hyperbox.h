/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hyperbox: the userspace API of /dev/hyperbox.
 *
 * This header is the only contract between hyperbox.ko and userspace. It is
 * shaped like the KVM API on purpose (people know it) but uses its own ioctl
 * magic. Rules that keep it extensible:
 *  - every structure has a fixed size, explicit padding and reserved words;
 *  - every flags word and reserved field must be zero unless a bit is
 *    defined here: the module rejects unknown bits with -EINVAL, so a new
 *    bit can never be silently ignored by an old module;
 *  - new behaviour is announced by a capability (HB_CHECK_EXTENSION) before
 *    userspace may rely on it.
 */
#ifndef _UAPI_LINUX_HYPERBOX_H
#define _UAPI_LINUX_HYPERBOX_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HB_API_VERSION		1

#define HBIO			0xB7

/* ------------------------------------------------------------------ */
/* /dev/hyperbox (system) ioctls                                       */
/* ------------------------------------------------------------------ */

#define HB_GET_API_VERSION	_IO(HBIO, 0x00)
/* Argument: flags, must be 0. Returns a VM file descriptor. */
#define HB_CREATE_VM		_IO(HBIO, 0x01)
/* Argument: an HB_CAP_* value. Returns 0 when absent, >0 when present. */
#define HB_CHECK_EXTENSION	_IO(HBIO, 0x03)
/* Returns the size to mmap() on a vCPU fd (struct hb_run + PIO data page). */
#define HB_GET_VCPU_MMAP_SIZE	_IO(HBIO, 0x04)

/* Capabilities. */
#define HB_CAP_SVM		1	/* AMD SVM backend active */
#define HB_CAP_VMX		2	/* Intel VMX backend active */
#define HB_CAP_NPT		3	/* nested paging (AMD) */
#define HB_CAP_EPT		4	/* extended page tables (Intel) */
#define HB_CAP_MAX_VCPUS	5	/* returns the per-VM vCPU limit */
#define HB_CAP_NR_MEMSLOTS	6	/* returns the number of memory slots */
#define HB_CAP_READONLY_MEM	7	/* HB_MEM_READONLY is supported */
#define HB_CAP_MAX_MEM_SIZE_MB	8	/* returns the per-slot size limit in MiB */
#define HB_CAP_UNRESTRICTED	9	/* real-mode guests run natively */
#define HB_CAP_IMMEDIATE_EXIT	10	/* hb_run.immediate_exit is honoured */
#define HB_CAP_MMIO		11	/* HB_EXIT_MMIO with in-kernel decode */
#define HB_CAP_IRQ_WINDOW	12	/* request_interrupt_window */
#define HB_CAP_VCPU_EVENTS	13	/* HB_GET/SET_VCPU_EVENTS */
#define HB_CAP_CPUID		14	/* HB_SET_CPUID, HB_GET_SUPPORTED_CPUID */
#define HB_CAP_MSRS		15	/* HB_GET/SET_MSRS, HB_GET_MSR_INDEX_LIST */
#define HB_CAP_FPU		16	/* HB_GET/SET_FPU */
#define HB_CAP_DOORBELL		17	/* HB_REGISTER_DOORBELL */
#define HB_CAP_IRQFD		18	/* HB_REGISTER_IRQFD */
#define HB_CAP_RING		19	/* HB_CREATE_RING; returns backend mask */

/* CPUID: the table a guest sees (HB_SET_CPUID on a vCPU). */
#define HB_CPUID_FLAG_SIGNIFICANT_INDEX	(1u << 0)	/* match on index too */
#define HB_CPUID_MAX_ENTRIES	256

struct hb_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax, ebx, ecx, edx;
	__u32 padding;
};

struct hb_cpuid {
	__u32 nent;		/* in: capacity; out (GET_SUPPORTED): used */
	__u32 padding;
	struct hb_cpuid_entry entries[];
};

/* The module's offer: returns -E2BIG (nent set) if nent is too small. */
#define HB_GET_SUPPORTED_CPUID	_IOWR(HBIO, 0x05, struct hb_cpuid)

/* MSRs userspace can save and restore (HB_GET/SET_MSRS). */
struct hb_msr_list {
	__u32 nmsrs;		/* in: capacity; out: number of indices */
	__u32 indices[];
};

#define HB_GET_MSR_INDEX_LIST	_IOWR(HBIO, 0x06, struct hb_msr_list)

/* ------------------------------------------------------------------ */
/* VM ioctls                                                           */
/* ------------------------------------------------------------------ */

#define HB_MEM_READONLY		(1u << 0)	/* guest writes exit as MMIO */
#define HB_MEM_VALID_FLAGS	(HB_MEM_READONLY)

/*
 * Create, move or delete a memory slot. A memory_size of 0 deletes the slot.
 * guest_phys_addr, memory_size and userspace_addr must be page aligned.
 * The pages are mapped into the guest on demand and stay pinned until the
 * slot is deleted or the VM is destroyed.
 */
struct hb_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 reserved[4];
};

#define HB_SET_MEMORY_REGION	_IOW(HBIO, 0x46, struct hb_memory_region)
/* Argument: vCPU id (0 .. HB_CAP_MAX_VCPUS-1). Returns a vCPU fd. */
#define HB_CREATE_VCPU		_IO(HBIO, 0x41)

/*
 * Doorbells (the role of KVM's ioeventfd): a guest write of @len bytes to
 * port or guest physical address @addr (and, with DATAMATCH, of the value
 * @datamatch) signals the eventfd @fd inside the module; HB_RUN does not
 * return for it.
 */
#define HB_DOORBELL_PIO		(1u << 0)	/* addr is a port */
#define HB_DOORBELL_DATAMATCH	(1u << 1)
#define HB_DOORBELL_DEASSIGN	(1u << 2)
#define HB_DOORBELL_VALID_FLAGS	(HB_DOORBELL_PIO | HB_DOORBELL_DATAMATCH | \
				 HB_DOORBELL_DEASSIGN)
#define HB_MAX_DOORBELLS	64

struct hb_doorbell {
	__u64 addr;
	__u64 datamatch;
	__u32 len;		/* 1, 2, 4 or 8 (8: MMIO only) */
	__s32 fd;
	__u32 flags;
	__u32 padding;
	__u64 reserved[4];
};

#define HB_REGISTER_DOORBELL	_IOW(HBIO, 0x47, struct hb_doorbell)

/*
 * Interrupt lines (the role of KVM's irqfd): each signal of the eventfd
 * @fd raises interrupt @vector on vCPU @vcpu, from any thread, and wakes
 * it if it halted. While a VM has an irqfd, HLT with interrupts enabled
 * waits in the module instead of exiting.
 */
#define HB_IRQFD_DEASSIGN	(1u << 0)
#define HB_MAX_IRQFDS		64

struct hb_irqfd {
	__s32 fd;
	__u32 vector;		/* 32..255 */
	__u32 vcpu;
	__u32 flags;
	__u64 reserved[4];
};

#define HB_REGISTER_IRQFD	_IOW(HBIO, 0x48, struct hb_irqfd)

/*
 * Ring device: one virtio 1.x split virtqueue in guest memory, processed
 * by a worker in the module (the role of vhost). A kick of @kick_fd (tie
 * it to a doorbell) makes the worker pop available chains, hand them to
 * the backend, push used entries and signal @call_fd (tie it to an
 * irqfd), with event-index suppression when negotiated.
 *
 * As with vhost, the ring works on the memory slots as they were when the
 * worker met them: stop a ring (HB_RING_STOP) before deleting or moving a
 * slot it uses, and start it again afterwards. Backend fds must be
 * non-blocking pipes, sockets or character devices (tty, tap).
 */
#define HB_RING_BACKEND_LOOPBACK 0	/* readable bytes -> writable part */
#define HB_RING_BACKEND_TAP	1	/* packets with virtio-net header */
#define HB_RING_BACKEND_STREAM	2	/* any fd: pipe, socket, pty */

#define HB_RING_F_INDIRECT_DESC	(1ull << 28)	/* virtio feature bits */
#define HB_RING_F_EVENT_IDX	(1ull << 29)
#define HB_RING_VALID_FEATURES	(HB_RING_F_INDIRECT_DESC | HB_RING_F_EVENT_IDX)
#define HB_RING_MAX_SIZE	32768

struct hb_ring_config {
	__u32 num;		/* queue size: a power of two */
	__u32 backend;
	__u64 desc_gpa;		/* 16-byte aligned */
	__u64 avail_gpa;	/* 2-byte aligned */
	__u64 used_gpa;		/* 4-byte aligned */
	__u64 features;
	__s32 kick_fd;		/* eventfd */
	__s32 call_fd;		/* eventfd */
	__s32 backend_fd;	/* tap or stream fd; -1 for loopback */
	__u16 last_avail_idx;	/* where the worker starts */
	__u16 used_idx;		/* the used index already published */
	__u64 reserved[6];
};

#define HB_CREATE_RING		_IOW(HBIO, 0x49, struct hb_ring_config)

/* Ring fd ioctls. */
#define HB_RING_STATE_RUNNING	1
#define HB_RING_STATE_STOPPED	2
#define HB_RING_STATE_BROKEN	3	/* the guest broke the ring's rules */

/* Why a ring broke (hb_ring_stats.error). */
#define HB_RING_ERR_AVAIL_IDX	1	/* avail index ran past the ring */
#define HB_RING_ERR_HEAD	2	/* head descriptor index >= num */
#define HB_RING_ERR_ADDR	3	/* buffer or ring outside memory slots */
#define HB_RING_ERR_LOOP	4	/* chain longer than the table: a loop */
#define HB_RING_ERR_INDIRECT	5	/* malformed indirect table */
#define HB_RING_ERR_ORDER	6	/* readable after writable descriptor */
#define HB_RING_ERR_BACKEND	7	/* the backend fd failed */

struct hb_ring_state {
	__u32 state;
	__u16 last_avail_idx;
	__u16 used_idx;
	__u64 reserved[3];
};

struct hb_ring_stats {
	__u64 kicks;
	__u64 interrupts;
	__u64 interrupts_suppressed;
	__u64 chains;
	__u64 bytes;
	__u32 state;
	__u32 error;
	/* The worker found the ring dry: polls that saw the next buffer
	 * come (no kick, no sleep), and polls that ran out. */
	__u64 polls_hit;
	__u64 polls_missed;
	__u64 reserved[6];
};

/* Stop the worker; the returned indexes let userspace take over. */
#define HB_RING_STOP		_IOR(HBIO, 0xa0, struct hb_ring_state)
/* Restart a stopped ring at last_avail_idx/used_idx. */
#define HB_RING_START		_IOW(HBIO, 0xa1, struct hb_ring_state)
#define HB_RING_GET_STATS	_IOR(HBIO, 0xa2, struct hb_ring_stats)

/* ------------------------------------------------------------------ */
/* vCPU ioctls                                                         */
/* ------------------------------------------------------------------ */

#define HB_RUN			_IO(HBIO, 0x80)

/* General purpose registers, same order as KVM's struct kvm_regs. */
struct hb_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8,  r9,  r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
	__u64 reserved[4];
};

/* A segment register with its hidden (descriptor cache) part unpacked. */
struct hb_segment {
	__u64 base;
	__u32 limit;		/* in bytes: already scaled by g */
	__u16 selector;
	__u8  type;
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;
	__u8  padding;
};

struct hb_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

struct hb_sregs {
	struct hb_segment cs, ds, es, fs, gs, ss;
	struct hb_segment tr, ldt;
	struct hb_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[8];
};

struct hb_interrupt {
	__u32 irq;		/* vector 32..255 */
	__u32 flags;		/* must be 0 */
};

/*
 * Pending and in-flight events, for save/restore. An exception, interrupt
 * or NMI that is "injected" was being delivered when the vCPU exited and
 * will be delivered first on the next entry.
 */
struct hb_vcpu_events {
	struct {
		__u8  injected;
		__u8  nr;
		__u8  has_error_code;
		__u8  has_payload;	/* #PF: payload is the new CR2 */
		__u32 error_code;
		__u64 payload;
	} exception;
	struct {
		__u8  injected;		/* delivery was under way */
		__u8  nr;
		__u8  shadow;		/* HB_SHADOW_* */
		__u8  pending;		/* queued, waiting for IF=1 */
		__u32 pad2;
	} interrupt;
	struct {
		__u8  injected;
		__u8  pending;
		__u8  masked;
		__u8  pad[5];
	} nmi;
	__u32 flags;			/* must be 0 */
	__u32 pad;
	__u64 reserved[8];
};

#define HB_SHADOW_STI		(1u << 0)
#define HB_SHADOW_MOV_SS	(1u << 1)

struct hb_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

struct hb_msrs {
	__u32 nmsrs;
	__u32 pad;
	struct hb_msr_entry entries[];
};

#define HB_MAX_MSR_ENTRIES	64

/* The x87/SSE state, in the FXSAVE layout (SDM Vol. 1, 10.5.1). */
struct hb_fpu {
	__u8  fxsave[512];
	__u64 reserved[8];
};

#define HB_GET_REGS		_IOR(HBIO, 0x81, struct hb_regs)
#define HB_SET_REGS		_IOW(HBIO, 0x82, struct hb_regs)
#define HB_GET_SREGS		_IOR(HBIO, 0x83, struct hb_sregs)
#define HB_SET_SREGS		_IOW(HBIO, 0x84, struct hb_sregs)
/* Queue an external interrupt; -EBUSY if one is already queued. */
#define HB_INTERRUPT		_IOW(HBIO, 0x86, struct hb_interrupt)
#define HB_NMI			_IO(HBIO, 0x87)
#define HB_GET_VCPU_EVENTS	_IOR(HBIO, 0x88, struct hb_vcpu_events)
#define HB_SET_VCPU_EVENTS	_IOW(HBIO, 0x89, struct hb_vcpu_events)
#define HB_SET_CPUID		_IOW(HBIO, 0x8a, struct hb_cpuid)
/* Both return the number of entries processed, stopping at the first bad. */
#define HB_GET_MSRS		_IOWR(HBIO, 0x8b, struct hb_msrs)
#define HB_SET_MSRS		_IOW(HBIO, 0x8c, struct hb_msrs)
#define HB_GET_FPU		_IOR(HBIO, 0x8d, struct hb_fpu)
#define HB_SET_FPU		_IOW(HBIO, 0x8e, struct hb_fpu)

/* ------------------------------------------------------------------ */
/* The shared run structure (mmap of a vCPU fd at offset 0)            */
/* ------------------------------------------------------------------ */

enum hb_exit_reason {
	HB_EXIT_UNKNOWN		= 0,
	HB_EXIT_IO		= 1,	/* port I/O: complete with HB_RUN */
	HB_EXIT_HYPERCALL	= 2,	/* VMMCALL/VMCALL not handled in kernel */
	HB_EXIT_HLT		= 3,	/* guest halted with nothing pending */
	HB_EXIT_MMIO		= 4,
	HB_EXIT_SHUTDOWN	= 5,	/* triple fault */
	HB_EXIT_FAIL_ENTRY	= 6,	/* hardware refused to enter the guest */
	HB_EXIT_INTERNAL_ERROR	= 7,	/* the module could not emulate */
	HB_EXIT_IRQ_WINDOW_OPEN	= 8,
	HB_EXIT_INTR		= 9,	/* immediate_exit was set */
};

#define HB_EXIT_IO_IN		0
#define HB_EXIT_IO_OUT		1

/* HB_EXIT_INTERNAL_ERROR sub-errors. */
#define HB_INTERNAL_ERROR_EMULATION	1	/* data[]: insn bytes, 8 per word */
#define HB_INTERNAL_ERROR_UNEXPECTED_EXIT 2	/* data[0]: hardware exit code */
#define HB_INTERNAL_ERROR_TDP		3	/* data[0]: gpa, data[1]: errno */
/*
 * data[0]: hardware exit code. The CPU reported an exit whose saved guest
 * state it did not write (seen only under emulation: QEMU's nested SVM).
 * The vCPU keeps the registers of the entry; its other state is RESET.
 */
#define HB_INTERNAL_ERROR_BAD_EXIT_STATE 4

/* Hypercall ABI: nr in RAX, arguments in RDI, RSI, RDX, R10, R8, R9. */
#define HB_HC_NR_ARGS		6
/* Hypercalls below this number are handled inside the module. */
#define HB_HC_KERNEL_BASE	0x10000
#define HB_HC_PING		(HB_HC_KERNEL_BASE + 0)	/* returns arg0 + 1 */
/* An in-kernel number the module does not know returns -38 (-ENOSYS). */
#define HB_HC_RET_UNKNOWN	((__u64)-38)

/* Offset of the PIO data page within the vCPU mapping. */
#define HB_RUN_PIO_OFFSET	4096

struct hb_run {
	/* in: set by userspace before HB_RUN */
	__u8  request_interrupt_window;
	__u8  immediate_exit;
	__u8  padding1[6];

	/* out: set by the module when HB_RUN returns */
	__u32 exit_reason;
	__u8  ready_for_interrupt_injection;
	__u8  if_flag;
	__u16 flags;

	/* in (cr8) and out */
	__u64 cr8;
	__u64 apic_base;

	union {
		/* HB_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
			__u32 padding;
		} fail_entry;
		/* HB_EXIT_IO: data is at (char *)run + data_offset */
		struct {
			__u8  direction;
			__u8  size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;		/* >1 for rep ins/outs */
			__u64 data_offset;
		} io;
		/* HB_EXIT_HYPERCALL: ret is written back to RAX on HB_RUN */
		struct {
			__u64 nr;
			__u64 args[HB_HC_NR_ARGS];
			__u64 ret;
		} hypercall;
		/* HB_EXIT_MMIO: for a read, fill data before HB_RUN */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;
			__u8  is_write;
			__u8  padding[3];
		} mmio;
		/* HB_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		char padding[256];
	};
	__u64 reserved[16];
};

#endif /* _UAPI_LINUX_HYPERBOX_H */
