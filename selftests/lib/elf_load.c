// SPDX-License-Identifier: GPL-2.0
/*
 * Copies the test program's own loadable segments into guest memory at
 * their link addresses: with identity page tables the guest then runs the
 * very functions the test defines. Copied from the file, not from this
 * process, so the guest sees pristine .data and a zeroed .bss.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "elf_load.h"
#include "test_harness.h"

static void pread_all(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, off);
		TEST_ASSERT(n > 0, "reading /proc/self/exe: %s",
			    n < 0 ? strerror(errno) : "short file");
		buf = (char *)buf + n;
		len -= n;
		off += n;
	}
}

void elf_load_self(void *mem, uint64_t mem_size, uint64_t *image_end)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	TEST_ASSERT(fd >= 0, "open /proc/self/exe: %s", strerror(errno));
	pread_all(fd, &eh, sizeof(eh), 0);
	TEST_ASSERT(!memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
		    eh.e_ident[EI_CLASS] == ELFCLASS64,
		    "the test program is not a 64-bit ELF");
	TEST_ASSERT(eh.e_type == ET_EXEC,
		    "the test program must be linked -static -no-pie so its link addresses are guest addresses");
	*image_end = 0;
	for (i = 0; i < eh.e_phnum; i++) {
		pread_all(fd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize);
		if (ph.p_type != PT_LOAD)
			continue;
		TEST_ASSERT(ph.p_vaddr + ph.p_memsz <= mem_size &&
			    ph.p_filesz <= ph.p_memsz,
			    "segment 0x%llx+0x%llx does not fit in guest memory",
			    (unsigned long long)ph.p_vaddr,
			    (unsigned long long)ph.p_memsz);
		pread_all(fd, (char *)mem + ph.p_vaddr, ph.p_filesz,
			  ph.p_offset);
		memset((char *)mem + ph.p_vaddr + ph.p_filesz, 0,
		       ph.p_memsz - ph.p_filesz);
		if (ph.p_vaddr + ph.p_memsz > *image_end)
			*image_end = ph.p_vaddr + ph.p_memsz;
	}
	close(fd);
}
