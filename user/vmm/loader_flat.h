/* SPDX-License-Identifier: GPL-2.0 */
/* Loads a flat binary image (no headers) into guest memory. */
#ifndef VMM_LOADER_FLAT_H
#define VMM_LOADER_FLAT_H

#include <stdint.h>

#include "../lib/hb_error.h"

/*
 * Copies the file at @path to guest-physical @load_gpa of the guest memory
 * @mem (@mem_size bytes from gpa 0) and stores its size in @image_size.
 * Fails with -EFBIG when it does not fit and -EINVAL for an empty file.
 */
int loader_flat_load(const char *path, void *mem, uint64_t mem_size,
		     uint64_t load_gpa, uint64_t *image_size,
		     struct hb_err *err);

#endif /* VMM_LOADER_FLAT_H */
