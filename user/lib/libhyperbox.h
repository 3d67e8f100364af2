/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhyperbox: thin, typed wrappers over the /dev/hyperbox ioctls.
 *
 * No policy lives here: every function does one ioctl (or one mmap) and
 * returns a non-negative result or a negative errno, never -1 with errno.
 */
#ifndef LIBHYPERBOX_H
#define LIBHYPERBOX_H

#include <stddef.h>
#include <stdint.h>
#include <linux/hyperbox.h>

#define HB_DEVICE_PATH	"/dev/hyperbox"
#define HB_PAGE_SIZE	4096ul

/* System (device) fd. @path NULL means HB_DEVICE_PATH. Returns fd or -errno. */
int hb_open(const char *path);
int hb_get_api_version(int sys_fd);
/* Returns 0 when absent, the capability's value (>0) when present. */
int hb_check_extension(int sys_fd, unsigned int cap);
int hb_get_vcpu_mmap_size(int sys_fd);
/* Returns a VM fd or -errno. */
int hb_create_vm(int sys_fd, unsigned long flags);

/* VM fd. */
int hb_set_memory_region(int vm_fd, const struct hb_memory_region *region);
int hb_set_user_memory(int vm_fd, uint32_t slot, uint32_t flags,
		       uint64_t gpa, uint64_t size, void *hva);
int hb_delete_memory(int vm_fd, uint32_t slot);

/*
 * Guest memory is ordinary anonymous memory of this process; these allocate
 * it page aligned (and lazily: untouched pages cost nothing).
 * hb_guest_mem_alloc returns NULL with errno set on failure.
 */
void *hb_guest_mem_alloc(size_t size);
void hb_guest_mem_free(void *mem, size_t size);

/* A vCPU: its fd and the shared struct hb_run mapped from it. */
struct hb_vcpu {
	int fd;
	unsigned int id;
	struct hb_run *run;
	size_t run_size;
};

/* Creates vCPU @id and maps its run structure. Returns 0 or -errno. */
int hb_vcpu_create(int sys_fd, int vm_fd, unsigned int id,
		   struct hb_vcpu *vcpu);
/* Unmaps and closes; safe on a zeroed or already destroyed vCPU. */
void hb_vcpu_destroy(struct hb_vcpu *vcpu);

/* Returns 0 after an exit (see vcpu->run->exit_reason) or -errno (-EINTR). */
int hb_vcpu_run(struct hb_vcpu *vcpu);
int hb_vcpu_get_regs(struct hb_vcpu *vcpu, struct hb_regs *regs);
int hb_vcpu_set_regs(struct hb_vcpu *vcpu, const struct hb_regs *regs);
int hb_vcpu_get_sregs(struct hb_vcpu *vcpu, struct hb_sregs *sregs);
int hb_vcpu_set_sregs(struct hb_vcpu *vcpu, const struct hb_sregs *sregs);

/*
 * The guest CPU contract (HB_CAP_VCPU_EVENTS, _CPUID, _MSRS, _FPU).
 * Variable-length arguments (struct hb_cpuid, hb_msrs, hb_msr_list) carry
 * their capacity in nent/nmsrs; the *_alloc helpers size them (free()).
 */
struct hb_cpuid *hb_cpuid_alloc(uint32_t nent);
struct hb_msrs *hb_msrs_alloc(uint32_t nmsrs);
struct hb_msr_list *hb_msr_list_alloc(uint32_t nmsrs);
/* -E2BIG with cpuid->nent set to the size needed when it is too small. */
int hb_get_supported_cpuid(int sys_fd, struct hb_cpuid *cpuid);
int hb_get_msr_index_list(int sys_fd, struct hb_msr_list *list);

int hb_vcpu_interrupt(struct hb_vcpu *vcpu, uint32_t vector);
int hb_vcpu_nmi(struct hb_vcpu *vcpu);
int hb_vcpu_get_events(struct hb_vcpu *vcpu, struct hb_vcpu_events *events);
int hb_vcpu_set_events(struct hb_vcpu *vcpu,
		       const struct hb_vcpu_events *events);
int hb_vcpu_set_cpuid(struct hb_vcpu *vcpu, const struct hb_cpuid *cpuid);
/* Return the number of entries processed (stops at the first bad one). */
int hb_vcpu_get_msrs(struct hb_vcpu *vcpu, struct hb_msrs *msrs);
int hb_vcpu_set_msrs(struct hb_vcpu *vcpu, const struct hb_msrs *msrs);
/* One MSR; -EINVAL when the module refuses that index. */
int hb_vcpu_get_msr(struct hb_vcpu *vcpu, uint32_t index, uint64_t *data);
int hb_vcpu_set_msr(struct hb_vcpu *vcpu, uint32_t index, uint64_t data);
int hb_vcpu_get_fpu(struct hb_vcpu *vcpu, struct hb_fpu *fpu);
int hb_vcpu_set_fpu(struct hb_vcpu *vcpu, const struct hb_fpu *fpu);

/* Doorbells, interrupt lines and rings (HB_CAP_DOORBELL, _IRQFD, _RING). */
int hb_register_doorbell(int vm_fd, const struct hb_doorbell *doorbell);
int hb_register_irqfd(int vm_fd, const struct hb_irqfd *irqfd);
/* Returns a ring fd or -errno. */
int hb_create_ring(int vm_fd, const struct hb_ring_config *config);
int hb_ring_stop(int ring_fd, struct hb_ring_state *state);
int hb_ring_start(int ring_fd, const struct hb_ring_state *state);
int hb_ring_get_stats(int ring_fd, struct hb_ring_stats *stats);

/* The data of an HB_EXIT_IO exit: size * count bytes. */
static inline void *hb_run_io_data(struct hb_run *run)
{
	return (char *)run + run->io.data_offset;
}

/* "IO", "HYPERCALL", ...; "UNKNOWN(<n>)" style names are not allocated. */
const char *hb_exit_reason_name(uint32_t reason);

#endif /* LIBHYPERBOX_H */
