#!/bin/sh
# Copy the module's sources (Kbuild, kmod/, uapi/ and, when asked, more
# files) into DEST without the products of an in-tree build, for builds
# against another kernel and for dkms.
# Usage: scripts/module-src.sh DEST [EXTRA-FILE...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: $0 DEST [EXTRA-FILE...]}
shift
mkdir -p "$dest"
tar -C "$top" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.a' --exclude='modules.order' \
	--exclude='Module.symvers' --exclude='*.d' Kbuild kmod uapi "$@" | tar -C "$dest" -xf -
