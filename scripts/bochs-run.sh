#!/bin/bash
# Boot the test initramfs under Bochs (Intel VMX with EPT) and collect the
# serial log: hyperbox's VMX lane. QEMU cannot emulate VMX; Bochs can.
#
# Usage: scripts/bochs-run.sh LOG INITRD [KERNEL-ARGS...]
#   LOG     the serial console (same @@HB markers as the QEMU lane; judge it
#           with scripts/tap-summary.sh --guest vmx LOG)
#   INITRD  the initramfs of scripts/mkinitramfs.sh (scripts/guest-init runs)
#   KERNEL-ARGS  guest-init knobs (default, as check.sh: hb.filter=selftests/
#                hb.skip=fuzz hb.bench=0)
#
# The kernel is Debian's 6.1 vmlinuz, unpacked and booted through its PVH
# entry by a small multiboot shim (scripts/bochs/pvhshim.c) that isolinux's
# mboot.c32 loads from a CD image: ~10 s to /init instead of ~50 s.
#
# Env: BOCHS_MODEL (corei7_haswell_4770), BOCHS_CPUS (CPUs of the main boot,
#      2: vCPU migration, the ring worker and irqfds from another CPU run
#      on VMX too; the extra boots below take 1), BOCHS_MEGS (512),
#      BOCHS_IPS (emulated instructions per emulated second, 100000000),
#      BOCHS_TIMEOUT (seconds per boot, 1200), KVER (guest kernel), HB_TEE=1
#      (show the serial console live), BOCHS_WORK (scratch dir, default LOG's
#      dir/bochs), BOCHS_LOCK (runs queue on this flock file,
#      /tmp/hyperbox-bochs.lock) and BOCHS_LOCK_WAIT (seconds, 1800),
#      BOCHS_FEATURES=1: afterwards boot the two "feature missing" CPU models
#      (corei5_lynnfield_750: no unrestricted guest; core2_penryn_t9600: no
#      EPT) and check that hyperbox.ko refuses them with a clear log line; the
#      result is appended to LOG as the TAP program vmx/feature-missing.
#      BOCHS_BENCH=1: one more boot running bench/exit-latency --hyperbox
#      (BOCHS_BENCH_N round trips, 2000); its table is printed, not judged.
#      BOCHS_MAIN=0 skips the main (selftest) boot.
#
# Exit status: 0 when the guest reached "@@HB END", 1 otherwise (124 on a
# timeout). Bochs itself always exits 1: the verdict comes from the log.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
log=${1:?usage: $0 LOG INITRD [KERNEL-ARGS...]}
initrd=${2:?usage: $0 LOG INITRD [KERNEL-ARGS...]}
shift 2
extra=${*:-"hb.filter=selftests/ hb.skip=fuzz hb.bench=0"}
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
		-e "s|@CPUS@|$cpus|" -e "s|@IPS@|${BOCHS_IPS:-100000000}|" \
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
	local drain_pid= n=0
	while kill -0 "$bochs_pgid" 2>/dev/null; do
		# Bochs' term display writes screen updates to a pty of its
		# own that nobody reads: once that fills up (a long run),
		# Bochs blocks in write() for good. Read it.
		if [ -z "$drain_pid" ] && [ $n -lt 30 ]; then
			n=$((n + 1))
			drain_pid=$(drain_bochs_pty "$bochs_pgid")
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			kill_bochs "$bochs_pgid"
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
	[ -n "$drain_pid" ] && kill "$drain_pid" 2>/dev/null
	[ -n "$tee_pid" ] && kill "$tee_pid" 2>/dev/null
	return $rc
}

# kill_bochs PID: script(1) PID, its process group and its bochs-bin child
# (script gives bochs-bin a session of its own; it survives SIGTERM).
kill_bochs() {
	local child
	child=$(pgrep -P "$1" -x bochs-bin)
	kill -TERM -- "-$1" $child 2>/dev/null
	sleep 5
	kill -KILL -- "-$1" $child 2>/dev/null
}

# drain_bochs_pty PID: start a reader on the slave side of the pty that
# bochs-bin (the child of script(1) PID) opened itself; prints the reader's pid.
drain_bochs_pty() {
	local pid fd idx
	# script(1) runs bochs-bin in a session of its own: its child.
	pid=$(pgrep -P "$1" -x bochs-bin | head -n1)
	[ -n "$pid" ] || return 0
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = /dev/ptmx ] || continue
		idx=$(awk '/^tty-index:/ { print $2 }' /proc/"$pid"/fdinfo/"${fd##*/}" 2>/dev/null)
		[ -n "$idx" ] && [ -e "/dev/pts/$idx" ] || continue
		cat "/dev/pts/$idx" >/dev/null 2>&1 9>&- </dev/null &
		echo $!
		return 0
	done
}

# Never leave a Bochs behind (check.sh's timeout, ^C).
bochs_pgid=
trap '[ -n "$bochs_pgid" ] && kill_bochs "$bochs_pgid"; exit 1' INT TERM HUP

# Two Bochs runs in parallel only slow each other down (and may share a
# work directory): queue behind any other run on this machine.
exec 9>"${BOCHS_LOCK:-/tmp/hyperbox-bochs.lock}"
if ! flock -n 9; then
	echo "bochs-run: waiting for another Bochs run to finish (lock ${BOCHS_LOCK:-/tmp/hyperbox-bochs.lock})" >&2
	flock -w "${BOCHS_LOCK_WAIT:-1800}" 9 ||
		echo "bochs-run: still locked after ${BOCHS_LOCK_WAIT:-1800} s; running anyway" >&2
fi

bootrd=$initrd
status=0
cpus=${BOCHS_CPUS:-2}
if [ "${BOCHS_MAIN:-1}" = 1 ]; then
	t0=$(date +%s)
	rc=0
	boot "$log" hb.mode=check $extra || rc=$?
	secs=$(($(date +%s) - t0))
	if grep -q '^@@HB END' "$log"; then
		echo "bochs: $model: guest finished in $secs s; serial log $log"
	else
		status=1
		[ $rc = 124 ] && status=124
		echo "bochs: $model: guest did not finish (bochs status $rc after $secs s); serial log $log, Bochs log $work/bochs.log" >&2
		tail -n 5 "$work/bochs.out" | sed 's/^/bochs: /' >&2
	fi
fi

# The extra boots need one CPU only (a second one doubles boot time).
cpus=1
# The extra boots run our own rdinit scripts: an overlay archive that the
# kernel unpacks after the initramfs, so /hb/vmx-*.sh come from here.
if [ "${BOCHS_FEATURES:-0}" = 1 ] || [ "${BOCHS_BENCH:-0}" = 1 ]; then
	ov=$work/overlay
	rm -rf "$ov"
	mkdir -p "$ov/hb"
	for f in vmx-refuse.sh vmx-bench.sh; do
		cp "$bochsdir/$f" "$ov/hb/$f"
		chmod 755 "$ov/hb/$f"
	done
	# One archive: appending a second gzip member was not unpacked.
	{ gzip -dc "$initrd"; (cd "$ov" && find . | cpio -o -H newc -R 0:0 --quiet); } |
		gzip -1 >"$work/initrd-extra.gz"
	bootrd=$work/initrd-extra.gz
fi

# ---- exit round trips (BOCHS_BENCH=1): printed, not judged ------------------
if [ "${BOCHS_BENCH:-0}" = 1 ]; then
	boot "$work/bench.log" rdinit=/hb/vmx-bench.sh "hb.bench_n=${BOCHS_BENCH_N:-2000}" || true
	grep '^vmx-bench:' "$work/bench.log" | sed 's/^vmx-bench: /bochs: bench: /' || true
fi

# ---- "feature missing" models: the module must refuse, not crash ------------
if [ "${BOCHS_FEATURES:-0}" = 1 ]; then
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
