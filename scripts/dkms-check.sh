#!/bin/sh
# dkms add + build of hyperbox for one kernel, in a private dkms tree under
# out/dkms: proves dkms.conf works without installing or loading anything.
# Usage: scripts/dkms-check.sh [KVER]   (default: scripts/kver.sh)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kver=${1:-$("$top/scripts/kver.sh")}
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
work=$top/out/dkms
rm -rf "$work"
mkdir -p "$work/tree"
"$top/scripts/module-src.sh" "$work/src/hyperbox-$ver" dkms.conf
set -- --sourcetree "$work/src" --dkmstree "$work/tree"
dkms add -m hyperbox -v "$ver" "$@"
if ! dkms build -m hyperbox -v "$ver" -k "$kver" "$@"; then
	echo "dkms-check: dkms build failed; the end of its make.log:"
	tail -n 25 "$work/tree/hyperbox/$ver/build/make.log" 2>/dev/null
	exit 1
fi
ko=$(find "$work/tree/hyperbox/$ver/$kver" -name 'hyperbox.ko*' | head -n1)
[ -n "$ko" ] || { echo "dkms-check: no hyperbox.ko in $work/tree" >&2; exit 1; }
echo "dkms-check: ok: $ko (built for $kver; not installed)"
