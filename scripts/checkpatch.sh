#!/bin/sh
# checkpatch.pl over every module source (kmod/: *.c *.h *.S), the kernel's
# coding style being the module's. The script comes from Debian's
# linux-source-6.1 package (scripts/deps.sh installs it), extracted once
# into $OUT/checkpatch/. Any ERROR or WARNING fails.
#
# Usage: scripts/checkpatch.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${OUT:-$top/out}/checkpatch
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || { echo "checkpatch: no /usr/src/linux-source-6.1.tar.* (scripts/deps.sh)"; exit 1; }

cp=$(find "$dir" -name checkpatch.pl 2>/dev/null | head -n1)
if [ -z "$cp" ] || [ "$tarball" -nt "$cp" ]; then
	rm -rf "$dir" && mkdir -p "$dir"
	tar -xf "$tarball" -C "$dir" --wildcards '*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	cp=$(find "$dir" -name checkpatch.pl | head -n1)
fi

cd "$top"
files=$(find kmod -name '*.[chS]' | sort)
# --no-tree: an out-of-tree module; the report's last line counts.
out=$(perl "$cp" --no-tree --terse --file $files 2>&1) || true
echo "$out"
if echo "$out" | grep -q ': \(ERROR\|WARNING\):'; then
	echo "checkpatch: the module sources above need fixing"
	exit 1
fi
echo "checkpatch: $(echo "$files" | wc -l) files clean"
