#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Exit round-trip latency, hyperbox vs the guest kernel's own KVM, with the
# modules swapped in between so each runs alone. Meant for the QEMU test
# guest (busybox sh); needs root.
#
# Usage: exit-latency.sh [-n ROUND_TRIPS] [-r ROUNDS] [--ko PATH/hyperbox.ko]
#   each round: 1. hyperbox.ko loaded (insmod --ko if needed), KVM unloaded:
#                  exit-latency --hyperbox
#               2. rmmod hyperbox; insmod irqbypass kvm ccp kvm-amd:
#                  exit-latency --kvm
#   then KVM is unloaded again, hyperbox loaded again if it was before.
# Several rounds (default 3) alternate the two so that load on the host hits
# both alike; the table keeps each one's fastest time. Modules come from
# /hb/modules/kvm-amd.list (the test initramfs) or /lib/modules/$(uname -r).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${EXIT_LATENCY:-$here/exit-latency}
ko=${HYPERBOX_KO:-/hb/hyperbox.ko}
n=10000 rounds=3
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	*) echo "usage: $0 [-n ROUND_TRIPS] [-r ROUNDS] [--ko hyperbox.ko]" >&2; exit 2 ;;
	esac
done

die() { echo "exit-latency.sh: $*" >&2; exit 1; }
loaded() { grep -q "^$(echo "$1" | tr - _) " /proc/modules; }

# The KVM modules in load order, as paths.
kvm_modules() {
	if [ -f /hb/modules/kvm-amd.list ]; then
		sed 's|^|/hb/modules/|' /hb/modules/kvm-amd.list
		return
	fi
	dir=/lib/modules/$(uname -r)/kernel
	for m in virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp \
		 arch/x86/kvm/kvm-amd; do
		echo "$dir/$m.ko"
	done
}

kvm_load() {
	for ko_path in $(kvm_modules); do
		name=$(basename "$ko_path" .ko)
		loaded "$name" && continue
		insmod "$ko_path" || die "insmod $ko_path failed"
	done
}

kvm_unload() {
	for name in kvm_amd kvm ccp irqbypass; do
		loaded $name && rmmod $name
	done
	return 0
}

hyperbox_load() {
	[ -c /dev/hyperbox ] && return 0
	loaded hyperbox || insmod "$ko" || die "insmod $ko failed"
	i=0
	while [ ! -c /dev/hyperbox ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -c /dev/hyperbox ] || die "/dev/hyperbox did not appear"
}

was_loaded=0
loaded hyperbox && was_loaded=1
out=$(mktemp -d "${TMPDIR:-/tmp}/exit-latency.XXXXXX")
trap 'rm -rf "$out"' EXIT

r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	echo "# round $r of $rounds"
	kvm_unload
	hyperbox_load
	"$bin" --hyperbox -n "$n" | tee -a "$out/hyperbox" || die "hyperbox run failed"
	rmmod hyperbox || die "rmmod hyperbox failed (a VM still open?)"
	kvm_load
	"$bin" --kvm -n "$n" | tee -a "$out/kvm" || { kvm_unload; die "kvm run failed"; }
done
kvm_unload
[ $was_loaded = 1 ] && hyperbox_load

awk '
	$1 == "hyperbox" && $3 + 0 > 0 && (!($2 in hb) || $3 + 0 < hb[$2]) { hb[$2] = $3 + 0 }
	$1 == "kvm" && $3 + 0 > 0 && (!($2 in kvm) || $3 + 0 < kvm[$2]) { kvm[$2] = $3 + 0 }
	END {
		printf "%-12s %14s %14s %8s   (fastest of each)\n", "exit", "hyperbox (us)", "kvm (us)", "ratio"
		for (k in hb) {
			if (!(k in kvm)) continue
			r = hb[k] / kvm[k]
			printf "%-12s %14.3f %14.3f %8.3f  %s\n", k, hb[k], kvm[k], r,
			       r <= 0.6 ? "(<= 0.6 target met)" : "(target 0.6 missed)"
		}
	}' "$out/hyperbox" "$out/kvm"
