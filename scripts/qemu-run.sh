#!/bin/sh
# Boot Debian's 6.1 kernel with an initramfs under QEMU TCG with AMD SVM.
#
# Usage: scripts/qemu-run.sh INITRD LOG [KERNEL-ARGS...]
#   The serial console goes to LOG (and also to stdout with HB_TEE=1).
#   Env: KVER (guest kernel, default scripts/kver.sh), QEMU_TIMEOUT (seconds,
#   default 1200), QEMU_MEM (MiB, default 2048), QEMU_SMP (default 2),
#   HB_KERNEL (default /boot/vmlinuz-KVER; scripts/debug-kernel.sh),
#   HB_INTERACTIVE=1 (stdin is the guest console: hb.mode=shell).
# Exit status: QEMU's, or 124 when the timeout ended it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
initrd=${1:?usage: $0 INITRD LOG [KERNEL-ARGS...]}
log=${2:?usage: $0 INITRD LOG [KERNEL-ARGS...]}
shift 2
kver=${KVER:-$("$top/scripts/kver.sh")}
kernel=${HB_KERNEL:-/boot/vmlinuz-$kver}
[ -r "$kernel" ] || { echo "qemu-run: $kernel missing (apt-get install linux-image-amd64)" >&2; exit 1; }

set -- timeout --foreground -k 10 "${QEMU_TIMEOUT:-1200}" \
	qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt \
	-smp "${QEMU_SMP:-2}" -m "${QEMU_MEM:-2048}" \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 $*"

rc=0
if [ "${HB_INTERACTIVE:-0}" = 1 ]; then
	"$@" || rc=$?
elif [ "${HB_TEE:-0}" = 1 ]; then
	# Keep QEMU's status through the pipe.
	{ "$@" </dev/null 2>&1 || echo "$?" >"$log.rc"; } | tee "$log"
	[ -f "$log.rc" ] && rc=$(cat "$log.rc") && rm -f "$log.rc"
else
	"$@" </dev/null >"$log" 2>&1 || rc=$?
fi
exit "$rc"
