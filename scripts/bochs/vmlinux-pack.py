#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pack a kernel into a small ELF64 for the Bochs PVH shim.

The input is a vmlinux or a bzImage (vmlinuz): the ELF inside a bzImage is
found by its compression magic and decompressed here (xz, gzip, or zstd
through the zstd command).

Keeps only the PT_LOAD and PT_NOTE program headers, drops section headers
and symbols, and trims trailing zero bytes from each loadable segment
(filesz shrinks, memsz stays: the shim zero-fills the rest). Every byte
isolinux reads through the emulated CD drive costs Bochs time.

usage: vmlinux-pack.py vmlinux|vmlinuz out.elf
"""
import lzma
import struct
import subprocess
import sys
import zlib

PT_LOAD, PT_NOTE = 1, 4


def unpack_bzimage(data):
    """The vmlinux ELF inside a bzImage, or None."""
    i = data.find(b"\xfd7zXZ\x00")
    if i >= 0:
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[i:])
    i = data.find(b"\x28\xb5\x2f\xfd")
    if i >= 0:
        return subprocess.run(["zstd", "-qdc"], input=data[i:], check=True,
                              stdout=subprocess.PIPE).stdout
    i = data.find(b"\x1f\x8b\x08\x00")
    if i >= 0:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[i:])
    return None


def main(src, dst):
    data = open(src, "rb").read()
    if data[:4] != b"\x7fELF":
        data = unpack_bzimage(data) or b""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit("vmlinux-pack: %s is not an ELF64 file" % src)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        ph = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if ph[0] not in (PT_LOAD, PT_NOTE):
            continue
        typ, flags, off, vaddr, paddr, filesz, memsz, align = ph
        body = data[off:off + filesz]
        if typ == PT_LOAD:
            body = body.rstrip(b"\0")
        segs.append([typ, flags, vaddr, paddr, body, memsz, align])
    hdr_len = 64 + 56 * len(segs)
    pos = (hdr_len + 4095) & ~4095
    out_ph = b""
    blobs = []
    for typ, flags, vaddr, paddr, body, memsz, align in segs:
        out_ph += struct.pack("<IIQQQQQQ", typ, flags, pos, vaddr, paddr,
                              len(body), memsz, align)
        blobs.append((pos, body))
        pos = (pos + len(body) + 4095) & ~4095
    eh = bytearray(data[:64])
    struct.pack_into("<Q", eh, 0x20, 64)          # e_phoff
    struct.pack_into("<Q", eh, 0x28, 0)           # e_shoff
    struct.pack_into("<HH", eh, 0x36, 56, len(segs))
    struct.pack_into("<HHH", eh, 0x3a, 0, 0, 0)   # no sections
    out = bytearray(pos)
    out[0:64] = eh
    out[64:64 + len(out_ph)] = out_ph
    for off, body in blobs:
        out[off:off + len(body)] = body
    open(dst, "wb").write(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
