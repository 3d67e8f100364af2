#!/bin/bash
# Boot the test initramfs under Bochs (Intel VMX with EPT) and collect the
# serial log: hyperbox's VMX lane. QEMU cannot emulate VMX; Bochs can.
#
# Usage: scripts/bochs-run.sh LOG INITRD [KERNEL-ARGS...]
#   LOG     the serial console (same @@HB markers as the QEMU lane; judge it
#           with scripts/tap-summary.sh --guest vmx LOG)
#   INITRD  the initramfs of scripts/mkinitramfs.sh (scripts/guest-init runs)
#   KERNEL-ARGS  guest-init knobs (default: hb.filter=selftests/ hb.bench=0
#                hb.fuzz_seconds=10)
#
# The kernel is Debian's 6.1 vmlinuz, unpacked and booted through its PVH
# entry by a small multiboot shim (scripts/bochs/pvhshim.c) that isolinux's
# mboot.c32 loads from a CD image: ~10 s to /init instead of ~50 s.
#
# Env: BOCHS_MODEL (corei7_haswell_4770), BOCHS_CPUS (1), BOCHS_MEGS (512),
#      BOCHS_IPS (emulated instructions per emulated second, 100000000),
#      BOCHS_TIMEOUT (seconds per boot, 1200), KVER (guest kernel), HB_TEE=1
#      (show the serial console live), BOCHS_WORK (scratch dir, default LOG's
#      dir/bochs), BOCHS_LOCK (runs queue on this flock file,
#      /tmp/hyperbox-bochs.lock) and BOCHS_LOCK_WAIT (seconds, 1800),
#      BOCHS_FEATURES=1: afterwards boot the two "feature missing" CPU models
#      (corei5_lynnfield_750: no unrestricted guest; core2_penryn_t9600: no
#      EPT) and check that hyperbox.ko refuses them with a clear log line; the
#      result is appended to LOG as the TAP program vmx/feature-missing.
#
# Exit status: 0 when the guest reached "@@HB END", 1 otherwise (124 on a
# timeout). Bochs itself always exits 1: the verdict comes from the log.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
log=${1:?usage: $0 LOG INITRD [KERNEL-ARGS...]}
initrd=${2:?usage: $0 LOG INITRD [KERNEL-ARGS...]}
shift 2
extra=${*:-"hb.filter=selftests/ hb.bench=0 hb.fuzz_seconds=10"}
case "$log" in /*) ;; *) log=$(pwd)/$log ;; esac
case "$initrd" in /*) ;; *) initrd=$(pwd)/$initrd ;; esac
[ -r "$initrd" ] || { echo "bochs-run: $initrd: no such initramfs" >&2; exit 1; }

model=${BOCHS_MODEL:-corei7_haswell_4770}
kver=${KVER:-$("$top/scripts/kver.sh")}
work=${BOCHS_WORK:-$(dirname "$log")/bochs}
bochsdir=$top/scripts/bochs
mkdir -p "$work"

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "bochs-run: $1 is missing (apt-get install $2)" >&2
	exit 1
}
need bochs-bin "bochs bochsbios vgabios bochs-term"
need xorriso xorriso
need script bsdutils
[ -e /usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so ] ||
	{ echo "bochs-run: Bochs' term display is missing (apt-get install bochs-term)" >&2; exit 1; }
[ -r /usr/lib/ISOLINUX/isolinux.bin ] ||
	{ echo "bochs-run: isolinux is missing (apt-get install isolinux syslinux-common)" >&2; exit 1; }

# ---- boot medium: shim + packed kernel, rebuilt only when inputs change --
shim=$work/pvhshim.elf
if [ ! -s "$shim" ] || [ "$bochsdir/pvhshim.c" -nt "$shim" ] || [ "$bochsdir/pvhshim.ld" -nt "$shim" ]; then
	gcc -m32 -O2 -Wall -Wextra -ffreestanding -fno-pic -fno-stack-protector \
		-fno-asynchronous-unwind-tables -mno-sse -mno-mmx \
		-c "$bochsdir/pvhshim.c" -o "$work/pvhshim.o"
	ld -m elf_i386 -nostdlib --no-warn-rwx-segments -T "$bochsdir/pvhshim.ld" \
		-o "$shim" "$work/pvhshim.o" 2>/dev/null ||
	ld -m elf_i386 -nostdlib -T "$bochsdir/pvhshim.ld" -o "$shim" "$work/pvhshim.o"
fi
kernel=$work/vmlinux-$kver.pvh
if [ ! -s "$kernel" ]; then
	python3 "$bochsdir/vmlinux-pack.py" "/boot/vmlinuz-$kver" "$kernel.tmp"
	mv "$kernel.tmp" "$kernel"
fi

# boot LOG-FILE CMDLINE-ARGS...: one Bochs run on $model; returns its status.
boot() {
	local serial=$1 iso=$work/iso
	shift
	rm -rf "$iso"
	mkdir -p "$iso"
	cp /usr/lib/ISOLINUX/isolinux.bin "$iso/"
	for m in ldlinux libcom32 mboot; do
		cp "/usr/lib/syslinux/modules/bios/$m.c32" "$iso/"
	done
	cp "$shim" "$iso/pvhshim.elf"
	ln "$kernel" "$iso/vmlinux.pvh" 2>/dev/null || cp "$kernel" "$iso/vmlinux.pvh"
	cp "$bootrd" "$iso/initrd.gz"
	# quiet: Bochs times every serial byte; mitigations=off: fewer
	# emulated instructions; panic=-1 reboot=t: a panic ends the run.
	sed "s|@CMDLINE@|console=ttyS0 quiet panic=-1 reboot=t cryptomgr.notests mitigations=off $*|" \
		"$bochsdir/isolinux.cfg.in" >"$iso/isolinux.cfg"
	xorriso -as mkisofs -quiet -o "$work/boot.iso" -b isolinux.bin -c boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$iso" 2>/dev/null
	rm -rf "$iso"
	sed -e "s|@MEGS@|${BOCHS_MEGS:-512}|" -e "s|@MODEL@|$model|" \
		-e "s|@CPUS@|${BOCHS_CPUS:-1}|" -e "s|@IPS@|${BOCHS_IPS:-100000000}|" \
		-e "s|@ISO@|$work/boot.iso|" -e "s|@SERIAL@|$serial|" \
		-e "s|@LOG@|$work/bochs.log|" "$bochsdir/bochsrc.in" >"$work/bochsrc"
	rm -f "$serial"
	: >"$serial"
	local tee_pid= rc=0 deadline
	if [ "${HB_TEE:-0}" = 1 ]; then
		tail -f "$serial" 9>&- &
		tee_pid=$!
	fi
	# The debugger build wants a terminal: script(1) provides one; the
	# rc file says "continue" then "quit"; stdin is closed. Its own
	# session, so that a timeout (or our own death) ends Bochs too:
	# bochs-bin outlives a SIGTERM to script(1). No child keeps fd 9
	# (the queue lock below).
	(cd "$work" && TERM=xterm exec setsid script -qfec \
		"bochs-bin -q -f $work/bochsrc -rc $bochsdir/cmds" /dev/null \
		</dev/null >"$work/bochs.out" 2>&1) 9>&- &
	bochs_pgid=$!
	deadline=$(($(date +%s) + ${BOCHS_TIMEOUT:-1200}))
	while kill -0 "$bochs_pgid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			kill -TERM -- "-$bochs_pgid" 2>/dev/null
			sleep 5
			kill -KILL -- "-$bochs_pgid" 2>/dev/null
			rc=124
			break
		fi
		sleep 1
	done
	if [ $rc = 0 ]; then
		wait "$bochs_pgid" || rc=$?
	else
		wait "$bochs_pgid" 2>/dev/null || true
	fi
	bochs_pgid=
	[ -n "$tee_pid" ] && kill "$tee_pid" 2>/dev/null
	return $rc
}

# Never leave a Bochs behind (check.sh's timeout, ^C).
bochs_pgid=
trap '[ -n "$bochs_pgid" ] && kill -KILL -- "-$bochs_pgid" 2>/dev/null; exit 1' INT TERM HUP

# Two Bochs runs in parallel only slow each other down (and may share a
# work directory): queue behind any other run on this machine.
exec 9>"${BOCHS_LOCK:-/tmp/hyperbox-bochs.lock}"
if ! flock -n 9; then
	echo "bochs-run: waiting for another Bochs run to finish (lock ${BOCHS_LOCK:-/tmp/hyperbox-bochs.lock})" >&2
	flock -w "${BOCHS_LOCK_WAIT:-1800}" 9 ||
		echo "bochs-run: still locked after ${BOCHS_LOCK_WAIT:-1800} s; running anyway" >&2
fi

t0=$(date +%s)
bootrd=$initrd
rc=0
boot "$log" hb.mode=check $extra || rc=$?
secs=$(($(date +%s) - t0))
status=0
if grep -q '^@@HB END' "$log"; then
	echo "bochs: $model: guest finished in $secs s; serial log $log"
else
	status=1
	[ $rc = 124 ] && status=124
	echo "bochs: $model: guest did not finish (bochs status $rc after $secs s); serial log $log, Bochs log $work/bochs.log" >&2
	tail -n 5 "$work/bochs.out" | sed 's/^/bochs: /' >&2
fi

# ---- "feature missing" models: the module must refuse, not crash ------------
if [ "${BOCHS_FEATURES:-0}" = 1 ]; then
	# An overlay archive: the kernel unpacks both, ours last, so
	# /hb/vmx-refuse.sh comes from here and /init is never used.
	ov=$work/overlay
	rm -rf "$ov"
	mkdir -p "$ov/hb"
	cp "$bochsdir/vmx-refuse.sh" "$ov/hb/vmx-refuse.sh"
	chmod 755 "$ov/hb/vmx-refuse.sh"
	(cd "$ov" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$work/overlay.cpio.gz"
	cat "$initrd" "$work/overlay.cpio.gz" >"$work/initrd-refuse.gz"
	bootrd=$work/initrd-refuse.gz
	main_model=$model
	n=0
	tap=
	for m in corei5_lynnfield_750:unrestricted core2_penryn_t9600:EPT; do
		model=${m%%:*}
		want=${m#*:}
		n=$((n + 1))
		boot "$work/refuse-$model.log" rdinit=/hb/vmx-refuse.sh || true
		if grep -q "^vmx-refuse: ok" "$work/refuse-$model.log" &&
		   grep -qi "hyperbox.*$want" "$work/refuse-$model.log"; then
			tap="${tap}ok $n - $model: hyperbox refuses the CPU without $want and says so
"
		else
			tap="${tap}not ok $n - $model: no clean refusal mentioning $want (see $work/refuse-$model.log)
"
			grep -E '^vmx-refuse|hyperbox' "$work/refuse-$model.log" | sed 's/^/# /' >>"$work/refuse.notes" || true
		fi
	done
	model=$main_model
	{
		echo "@@HB TEST-BEGIN vmx/feature-missing"
		echo "1..$n"
		printf '%s' "$tap"
		cat "$work/refuse.notes" 2>/dev/null || true
		echo "@@HB TEST-END vmx/feature-missing rc=0 secs=0"
	} >"$work/refuse.tap"
	rm -f "$work/refuse.notes"
	# Before the final "@@HB END" so that the log stays well-formed.
	if grep -q '^@@HB END' "$log"; then
		awk -v f="$work/refuse.tap" '/^@@HB END/ { while ((getline l < f) > 0) print l } { print }' \
			"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	else
		cat "$work/refuse.tap" >>"$log"
	fi
	printf '%s' "$tap" | sed 's/^/bochs: /'
fi

# A short verdict here; scripts/tap-summary.sh gives the full one.
pass=$(grep -c '^ok ' "$log" || true)
fail=$(grep -c '^not ok ' "$log" || true)
echo "bochs: $pass ok, $fail not ok (TAP lines in $log)"
grep '^not ok ' "$log" | sed 's/^/bochs: /' || true
exit $status
