#!/bin/sh
# Boot the test initramfs under QEMU (TCG, AMD SVM) and collect the serial log.
#
# Usage: scripts/run-guest-tests.sh LOG [INITRD] [KERNEL-ARGS...]
#   INITRD: default: packed now into LOG's directory (scripts/mkinitramfs.sh)
#   KERNEL-ARGS: extra guest-init knobs, e.g. hb.filter=memslot hb.timeout=60
# Writes LOG (serial console) and LOG.qemu-rc (QEMU's exit status, 124 =
# timeout). Judge the log with: scripts/tap-summary.sh --guest guest LOG
# Env: see scripts/qemu-run.sh (QEMU_TIMEOUT, HB_TEE=1 to watch it live).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
log=${1:?usage: $0 LOG [INITRD] [KERNEL-ARGS...]}
shift
dir=$(dirname "$log")
mkdir -p "$dir"
if [ $# -gt 0 ] && [ "${1#*=}" = "$1" ]; then
	initrd=$1
	shift
else
	initrd=$dir/initramfs.cpio.gz
	"$top/scripts/mkinitramfs.sh" "$initrd"
fi
rm -f "$log.qemu-rc"
t0=$(date +%s)
rc=0
"$top/scripts/qemu-run.sh" "$initrd" "$log" hb.mode=check "$@" || rc=$?
echo "$rc" >"$log.qemu-rc"
echo "guest: QEMU exited with status $rc after $(($(date +%s) - t0)) s; serial log: $log"
