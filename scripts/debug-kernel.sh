#!/bin/sh
# A debug guest kernel for the QEMU lane: Debian's 6.1 source with KASAN,
# lockdep (PROVE_LOCKING), kmemleak and DEBUG_ATOMIC_SLEEP, on top of
# Debian's own config trimmed to what the test guest needs.
#
# Usage: scripts/debug-kernel.sh build    build (or reuse) the kernel
#        scripts/debug-kernel.sh check    build, then run the whole QEMU suite on it
#        scripts/debug-kernel.sh kver     print the cached kernel's release
#   make check KERNEL=debug  ==  scripts/debug-kernel.sh check
#
# Everything lives in $DBG (default out/debug-kernel), which `make clean`
# removes: src/ (linux-source-6.1 unpacked), obj/ (O= build), root/ (modules),
# bzImage, kver, stamp. The build is reused while this script, the Debian
# config and the source tarball are unchanged (stamp). A full build takes
# ~1 h on 2 cores; `build` can run in the background while you do other work.
#
# Trimming: localmodconfig with a fixed module list (what guest-init loads:
# bridge/veth/tun/overlay, kvm-amd/kvm-intel, plus virtio and loop for later
# lanes), no debug info or BTF, no module signing. Built-ins stay as Debian
# has them (serial console, initramfs, cgroups, devtmpfs, debugfs).
#
# The check run: hyperbox.ko is built against obj/ (a copy of the sources in
# $DBG/hbmod), the initramfs takes its modules from root/ (HB_MODDIR,
# HB_KO for scripts/mkinitramfs.sh), QEMU boots bzImage (HB_KERNEL for
# scripts/qemu-run.sh), kmemleak is scanned at the end by guest-init, and
# scripts/tap-summary.sh judges the log as usual (KASAN/lockdep/kmemleak
# reports are splats). Logs: $DBG/check/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dbg=${DBG:-$top/out/debug-kernel}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
cmd=${1:-check}
base_kver=$("$top/scripts/kver.sh" 6.1) || { echo "debug-kernel: no Debian 6.1 kernel installed (make deps)" >&2; exit 1; }
tarball=/usr/src/linux-source-6.1.tar.xz
config=/boot/config-$base_kver
modules="llc stp bridge veth tun overlay irqbypass kvm kvm_amd kvm_intel ccp
	virtio virtio_ring virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev
	virtio_mmio virtio_blk virtio_net virtio_console net_failover failover loop"

say() { echo "debug-kernel: $*"; }

stamp_of() {
	cat "$0" "$config" | md5sum | cut -c1-16
	ls -l --time-style=+%s "$tarball" | awk '{ print $5, $6 }'
}

build() {
	if [ -f "$dbg/bzImage" ] && [ -f "$dbg/kver" ] && [ "$(cat "$dbg/stamp" 2>/dev/null)" = "$(stamp_of)" ]; then
		say "reusing $dbg/bzImage ($(cat "$dbg/kver"))"
		return 0
	fi
	[ -f "$tarball" ] || apt-get install -y linux-source-6.1 >/dev/null
	for p in bc flex bison libelf-dev libssl-dev; do
		dpkg -s "$p" >/dev/null 2>&1 || apt-get install -y "$p" >/dev/null
	done
	mkdir -p "$dbg"
	if [ ! -f "$dbg/src/Makefile" ]; then
		say "unpacking $tarball"
		rm -rf "$dbg/src" && mkdir -p "$dbg/src"
		tar -xJf "$tarball" -C "$dbg/src" --strip-components=1
	fi
	obj=$dbg/obj
	mkdir -p "$obj"
	cp "$config" "$obj/.config"
	for m in $modules; do echo "$m 16384 0"; done >"$dbg/lsmod"
	say "config: Debian's $config, localmodconfig, debug options"
	yes '' | make -s -C "$dbg/src" O="$obj" LSMOD="$dbg/lsmod" localmodconfig >"$dbg/config.log" 2>&1
	c="$dbg/src/scripts/config --file $obj/.config"
	$c --set-str LOCALVERSION -hbdebug -d LOCALVERSION_AUTO \
		-d DEBUG_INFO -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -e DEBUG_INFO_NONE \
		-d DEBUG_INFO_BTF -d DEBUG_INFO_BTF_MODULES \
		-d MODULE_SIG -d MODULE_SIG_ALL --set-str MODULE_SIG_KEY "" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		-e KASAN -e KASAN_GENERIC -e KASAN_INLINE -e KASAN_VMALLOC \
		-e PROVE_LOCKING -e DEBUG_LOCKDEP -e DEBUG_SPINLOCK -e DEBUG_MUTEXES \
		-e DEBUG_ATOMIC_SLEEP -e DEBUG_LIST \
		-e DEBUG_KMEMLEAK --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 40000 \
		-d DEBUG_KMEMLEAK_DEFAULT_OFF -e DEBUG_KMEMLEAK_AUTO_SCAN \
		-e SOFTLOCKUP_DETECTOR -e DETECT_HUNG_TASK -e KALLSYMS_ALL
	make -s -C "$dbg/src" O="$obj" olddefconfig >>"$dbg/config.log" 2>&1
	for o in KASAN PROVE_LOCKING DEBUG_KMEMLEAK DEBUG_ATOMIC_SLEEP KVM_AMD SERIAL_8250_CONSOLE BLK_DEV_INITRD; do
		grep -q "^CONFIG_$o=[ym]" "$obj/.config" || { say "CONFIG_$o did not stick (see $dbg/config.log)"; exit 1; }
	done
	say "building bzImage + modules with -j$jobs (log: $dbg/build.log)"
	t0=$(date +%s)
	make -C "$dbg/src" O="$obj" -j"$jobs" bzImage modules >"$dbg/build.log" 2>&1 ||
		{ tail -n 30 "$dbg/build.log"; say "kernel build failed"; exit 1; }
	rm -rf "$dbg/root"
	make -s -C "$dbg/src" O="$obj" INSTALL_MOD_PATH="$dbg/root" INSTALL_MOD_STRIP=1 \
		modules_install >>"$dbg/build.log" 2>&1
	make -s -C "$dbg/src" O="$obj" kernelrelease >"$dbg/kver"
	cp "$obj/arch/x86/boot/bzImage" "$dbg/bzImage"
	stamp_of >"$dbg/stamp"
	say "built $(cat "$dbg/kver") in $(($(date +%s) - t0)) s"
}

check() {
	build
	kver=$(cat "$dbg/kver")
	out=$dbg/check
	rm -rf "$out" && mkdir -p "$out"
	say "building userspace, selftests, guests"
	for d in user selftests bench guests; do
		[ -f "$top/$d/Makefile" ] && make -s -C "$top/$d" -j"$jobs" >"$out/build-$d.log" 2>&1 ||
			say "make -C $d failed (see $out/build-$d.log)"
	done
	say "building hyperbox.ko against $kver"
	rm -rf "$dbg/hbmod" && mkdir -p "$dbg/hbmod"
	cp -a "$top/Kbuild" "$top/kmod" "$top/uapi" "$dbg/hbmod/"
	make -C "$dbg/obj" M="$dbg/hbmod" -j"$jobs" modules >"$out/module-build.log" 2>&1 ||
		{ tail -n 20 "$out/module-build.log"; say "hyperbox.ko build failed"; }
	HB_MODDIR=$dbg/root/lib/modules/$kver HB_KO=$dbg/hbmod/hyperbox.ko \
		"$top/scripts/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$kver"
	say "booting $kver under QEMU TCG (SVM); serial log $out/guest.log"
	HB_KERNEL=$dbg/bzImage KVER=$kver QEMU_TIMEOUT=${QEMU_TIMEOUT:-5400} \
		"$top/scripts/run-guest-tests.sh" "$out/guest.log" "$out/initramfs.cpio.gz" \
		hb.timeout=${HB_TIMEOUT:-900} ${HB_ARGS:-}
	exec "$top/scripts/tap-summary.sh" --guest debug "$out/guest.log"
}

case "$cmd" in
build) build ;;
check) check ;;
kver) cat "$dbg/kver" ;;
*) echo "usage: $0 build|check|kver" >&2; exit 2 ;;
esac
