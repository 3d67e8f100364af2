// SPDX-License-Identifier: GPL-2.0
/*
 * pvhshim: a multiboot (v1) kernel that boots an uncompressed Linux vmlinux
 * through its PVH entry point, so Bochs skips the ~40 s of emulated xz
 * decompression a bzImage costs.
 *
 * isolinux's mboot.c32 loads us with two modules: the vmlinux ELF and the
 * initramfs. We copy the vmlinux PT_LOAD segments to their physical
 * addresses, build a struct hvm_start_info (Xen's PVH boot ABI, version 1:
 * command line, one module, E820-style memory map) and jump to the address
 * in the XEN_ELFNOTE_PHYS32_ENTRY note with EBX pointing at it, in 32-bit
 * flat protected mode with paging off, which is what that entry expects.
 *
 * Built -m32 -ffreestanding; the mboot.c32 command line of this "kernel"
 * becomes the Linux command line.
 */
#include <stdint.h>
#include <stddef.h>

/* Header flags (in the asm below): page-aligned modules, a memory map. */
#define MB_BOOT_MAGIC		0x2BADB002u
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MMAP		(1u << 6)

#define PVH_MAGIC		0x336ec578u
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MAX_MMAP		64
#define CMDLINE_MAX		2048


struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

/* A multiboot memory map entry: size (of the rest), addr, len, type. */
#define MB_MMAP_SIZE(p)		(*(const uint32_t *)(p))
#define MB_MMAP_ADDR(p)		(*(const uint64_t *)((p) + 4))
#define MB_MMAP_LEN(p)		(*(const uint64_t *)((p) + 12))
#define MB_MMAP_TYPE(p)		(*(const uint32_t *)((p) + 20))

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1
#define PT_NOTE 4

static struct hvm_start_info start_info;
static struct hvm_modlist_entry modlist[1];
static struct hvm_memmap_entry memmap[MAX_MMAP];
static char cmdline[CMDLINE_MAX];

/* Nobody has set up COM1 for us: 115200 8n1, polled. */
static void port_out(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t port_in(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_serial(char c)
{
	while (!(port_in(0x3fd) & 0x20))
		;
	port_out(0x3f8, c);
}

static void puts_serial(const char *s)
{
	while (*s) {
		if (*s == '\n')
			putc_serial('\r');
		putc_serial(*s++);
	}
}

static void puthex(uint32_t v)
{
	int i;

	puts_serial("0x");
	for (i = 28; i >= 0; i -= 4)
		putc_serial("0123456789abcdef"[(v >> i) & 0xf]);
}

static void serial_init(void)
{
	port_out(0x3f9, 0);		/* no interrupts */
	port_out(0x3fb, 0x80);	/* DLAB */
	port_out(0x3f8, 1);		/* 115200 */
	port_out(0x3f9, 0);
	port_out(0x3fb, 0x03);	/* 8n1 */
	port_out(0x3fa, 0xc7);
	port_out(0x3fc, 0x03);
}

static void die(const char *why)
{
	puts_serial("pvhshim: ");
	puts_serial(why);
	puts_serial("\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst <= (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n)
		return memcpy(dst, src, n);
	/* Overlapping upward copy: go backwards. */
	__asm__ volatile("std; rep movsb; cld"
			 : "+D"((char *){ (char *)dst + n - 1 }),
			   "+S"((const char *){ (const char *)src + n - 1 }),
			   "+c"(n) : : "memory");
	return dst;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint32_t find_pvh_entry(const uint8_t *elf, const struct elf64_phdr *ph,
			       int phnum)
{
	int i;

	for (i = 0; i < phnum; i++) {
		uint32_t off = (uint32_t)ph[i].offset;
		uint32_t end = off + (uint32_t)ph[i].filesz;

		if (ph[i].type != PT_NOTE)
			continue;
		while (off + 12 <= end) {
			const uint32_t *n = (const uint32_t *)(elf + off);
			uint32_t namesz = align_up(n[0], 4);
			uint32_t descsz = align_up(n[1], 4);
			const char *name = (const char *)(n + 3);

			if (n[2] == XEN_ELFNOTE_PHYS32_ENTRY && n[0] == 4 &&
			    name[0] == 'X' && name[1] == 'e' && name[2] == 'n')
				return *(const uint32_t *)(name + namesz);
			off += 12 + namesz + descsz;
		}
	}
	return 0;
}

static int overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return a < b + blen && b < a + alen;
}

void shim_main(uint32_t magic, struct mb_info *mbi);

void shim_main(uint32_t magic, struct mb_info *mbi)
{
	struct mb_module *mods;
	const struct elf64_ehdr *eh;
	const struct elf64_phdr *ph;
	uint32_t klo = 0xffffffffu, khi = 0, high, entry, i;
	uint32_t vm_start, vm_len, rd_start, rd_len;
	const char *src;
	int n;

	serial_init();
	if (magic != MB_BOOT_MAGIC)
		die("not started by a multiboot loader");
	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count < 1)
		die("need modules: vmlinux [initramfs]");
	if (!(mbi->flags & MB_INFO_MMAP))
		die("no memory map from the loader");

	mods = (struct mb_module *)mbi->mods_addr;
	vm_start = mods[0].start;
	vm_len = mods[0].end - mods[0].start;
	rd_start = mbi->mods_count > 1 ? mods[1].start : 0;
	rd_len = mbi->mods_count > 1 ? mods[1].end - mods[1].start : 0;

	eh = (const struct elf64_ehdr *)vm_start;
	if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[4] != 2)
		die("module 1 is not an ELF64 vmlinux");
	ph = (const struct elf64_phdr *)(vm_start + (uint32_t)eh->phoff);
	entry = find_pvh_entry((const uint8_t *)vm_start, ph, eh->phnum);
	if (!entry)
		die("vmlinux has no PVH entry note (CONFIG_PVH)");
	for (n = 0; n < eh->phnum; n++) {
		if (ph[n].type != PT_LOAD)
			continue;
		if ((uint32_t)ph[n].paddr < klo)
			klo = (uint32_t)ph[n].paddr;
		if ((uint32_t)(ph[n].paddr + ph[n].memsz) > khi)
			khi = (uint32_t)(ph[n].paddr + ph[n].memsz);
	}

	/*
	 * mboot.c32 puts modules right after us, which is where the kernel
	 * wants to live: move them above everything first (highest first,
	 * so one move never clobbers a module still to be moved).
	 */
	high = align_up(khi, 0x100000);
	for (i = 0; i < mbi->mods_count; i++)
		if (mods[i].end > high)
			high = align_up(mods[i].end, 0x100000);
	if (rd_len && overlaps(rd_start, rd_len, klo, khi - klo)) {
		memmove((void *)high, (void *)rd_start, rd_len);
		rd_start = high;
		high = align_up(high + rd_len, 0x100000);
	}
	if (overlaps(vm_start, vm_len, klo, khi - klo)) {
		memmove((void *)high, (void *)vm_start, vm_len);
		vm_start = high;
		eh = (const struct elf64_ehdr *)vm_start;
		ph = (const struct elf64_phdr *)(vm_start + (uint32_t)eh->phoff);
	}

	for (n = 0; n < eh->phnum; n++) {
		uint8_t *dst = (uint8_t *)(uint32_t)ph[n].paddr;

		if (ph[n].type != PT_LOAD)
			continue;
		memmove(dst, (void *)(vm_start + (uint32_t)ph[n].offset),
			(uint32_t)ph[n].filesz);
		memset(dst + (uint32_t)ph[n].filesz, 0,
		       (uint32_t)(ph[n].memsz - ph[n].filesz));
	}

	src = (mbi->flags & MB_INFO_CMDLINE) ? (const char *)mbi->cmdline : "";
	/* mboot.c32 passes "ourname args...": drop our own file name. */
	while (*src && *src != ' ')
		src++;
	while (*src == ' ')
		src++;
	for (i = 0; src[i] && i < CMDLINE_MAX - 1; i++)
		cmdline[i] = src[i];
	cmdline[i] = 0;

	n = 0;
	for (i = 0; i < mbi->mmap_length && n < MAX_MMAP;) {
		const char *m = (const char *)(mbi->mmap_addr + i);

		memmap[n].addr = MB_MMAP_ADDR(m);
		memmap[n].size = MB_MMAP_LEN(m);
		memmap[n].type = MB_MMAP_TYPE(m);
		n++;
		i += MB_MMAP_SIZE(m) + 4;
	}

	start_info.magic = PVH_MAGIC;
	start_info.version = 1;
	start_info.cmdline_paddr = (uint32_t)cmdline;
	start_info.memmap_paddr = (uint32_t)memmap;
	start_info.memmap_entries = n;
	if (rd_len) {
		modlist[0].paddr = rd_start;
		modlist[0].size = rd_len;
		start_info.nr_modules = 1;
		start_info.modlist_paddr = (uint32_t)modlist;
	}

	puts_serial("pvhshim: vmlinux ");
	puthex(klo);
	puts_serial("-");
	puthex(khi);
	puts_serial(" entry ");
	puthex(entry);
	puts_serial(" initrd ");
	puthex(rd_start);
	puts_serial("+");
	puthex(rd_len);
	puts_serial("\n");

	__asm__ volatile("cli; jmp *%0" : : "r"(entry), "b"(&start_info) : "memory");
	__builtin_unreachable();
}

/*
 * The multiboot header (in the first 8 KiB of the file, see pvhshim.ld) and
 * the entry from the loader: EAX magic, EBX info, flat 32-bit, paging off.
 */
__asm__(".section .multiboot, \"a\"\n"
	".balign 4\n"
	".long 0x1BADB002, 0x00000003, -(0x1BADB002 + 0x00000003)\n"
	".section .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	cli\n"
	"	cld\n"
	"	movl $stack_top, %esp\n"
	"	pushl %ebx\n"
	"	pushl %eax\n"
	"	call shim_main\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".section .bss\n"
	".balign 16\n"
	"	.skip 16384\n"
	"stack_top:\n"
	".previous\n");
