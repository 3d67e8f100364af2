#!/bin/sh
# Print the kernel release hyperbox builds against.
#   scripts/kver.sh        -> Debian 12's 6.1 kernel (the guest kernel), e.g. 6.1.0-56-amd64
#   scripts/kver.sh 6.12   -> Debian 12's 6.12 headers, e.g. 6.12.117+deb12-amd64 (may print nothing)
# The newest installed one wins. Prints nothing (exit 1) when none is installed.
set -eu
case "${1:-6.1}" in
6.1)
	for d in /lib/modules/6.1.0-*-amd64; do
		v=${d#/lib/modules/}
		[ -e "$d/build/Makefile" ] && [ -e "/boot/vmlinuz-$v" ] && echo "$v"
	done | sort -V | tail -n1 | grep . ;;
6.12)
	for d in /usr/src/linux-headers-6.12.*+deb12-amd64; do
		[ -e "$d/Makefile" ] && echo "${d#/usr/src/linux-headers-}"
	done | sort -V | tail -n1 | grep . ;;
*)
	echo "usage: $0 [6.1|6.12]" >&2; exit 2 ;;
esac
