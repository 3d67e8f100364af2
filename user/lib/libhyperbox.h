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

/* The data of an HB_EXIT_IO exit: size * count bytes. */
static inline void *hb_run_io_data(struct hb_run *run)
{
	return (char *)run + run->io.data_offset;
}

/* "IO", "HYPERCALL", ...; "UNKNOWN(<n>)" style names are not allocated. */
const char *hb_exit_reason_name(uint32_t reason);

#endif /* LIBHYPERBOX_H */
