#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `hyperbox vm run` with bad images and sizes, on a machine where
# /dev/hyperbox works (the QEMU guest): the cases tests/cli/matrix.sh cannot
# reach on a host without the module. Each must end with exit status 125
# and one line on stderr within 30 s, never a crash or a hang. TAP.
HB=${HYPERBOX:-/hb/bin/hyperbox}
W=$(mktemp -d /tmp/hb-vmbad.XXXXXX)
trap 'rm -rf "$W"' EXIT
N=0

if [ ! -x "$HB" ] || [ ! -c /dev/hyperbox ]; then
	echo "1..0 # SKIP needs $HB and /dev/hyperbox"
	exit 0
fi

# Known failures, reported (out/fuzz-findings.txt): "# TODO" until fixed.
known=''

# t DESCRIPTION ARGS...
t() {
	d=$1; shift
	N=$((N + 1))
	rc=0
	timeout -s KILL 30 "$HB" vm run "$@" </dev/null >"$W/out" 2>"$W/err" || rc=$?
	lines=$(grep -c . "$W/err")
	if [ $rc = 125 ] && [ "$lines" = 1 ]; then
		echo "ok $N - $d: $(head -c 150 "$W/err")"
	elif [ "$d" = "$known" ]; then
		echo "not ok $N - $d: exit $rc, $lines lines on stderr # TODO known, reported"
	else
		echo "not ok $N - $d: exit $rc, $lines lines on stderr"
		head -n 5 "$W/err" | sed 's/^/# /'
	fi
}

printf '\xf4' >"$W/hlt.bin"
: >"$W/empty.bin"
head -c 3000000 /dev/zero >"$W/big.bin"
mkfifo "$W/fifo.bin"
ln -s /dev/zero "$W/zero.bin"

t "empty image" --image "$W/empty.bin"
t "image is a directory" --image "$W"
t "image is a FIFO" --image "$W/fifo.bin"
t "image is /dev/zero" --image "$W/zero.bin"
t "image larger than --mem" --image "$W/big.bin" --mem 1M
t "--mem 4K, long mode" --image "$W/hlt.bin" --mem 4K
t "--mem 1T" --image "$W/hlt.bin" --mem 1T
t "--entry beyond --mem" --image "$W/hlt.bin" --mem 2M --entry 0x400000
t "--entry over the page tables" --image "$W/hlt.bin" --entry 0x2000
t "real mode --entry above 1 MiB" --image "$W/hlt.bin" --mode real --entry 0x200000
t "--entry 2^64-1" --image "$W/hlt.bin" --entry 0xffffffffffffffff

echo "1..$N"
