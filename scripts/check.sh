#!/bin/sh
# make check: the whole test loop. Runs every lane even when an earlier one
# failed, then prints TAP and one closing summary line (scripts/tap-summary.sh).
#
#   1. install missing Debian packages (scripts/deps.sh)
#   2. build: hyperbox.ko for Debian's 6.1 kernel with W=1 (a warning fails),
#      sparse (C=2), checkpatch.pl over kmod/ (scripts/checkpatch.sh),
#      dkms add + build into a private tree (scripts/dkms-check.sh),
#      the same for Debian 12's 6.12 headers when installed (build only),
#      userspace (user/), selftests/, bench/, guests/
#   3. host tests: the harness's own tests, tests/unit, user, tests/container
#      (each only when its Makefile exists)
#   4. the guest lane: initramfs + QEMU TCG with SVM (scripts/run-guest-tests.sh)
#   5. the VMX lane: scripts/bochs-run.sh, when it exists
#
# Env: OUT (default out; logs go to $OUT/check), QEMU_TIMEOUT (900), BOCHS_TIMEOUT (900), VMX_TIMEOUT, HB_TEE=1 (show the serial console
# live), HB_ARGS (extra guest kernel args, e.g. "hb.filter=memslot"), VMX_ARGS
# (the Bochs lane's guest args, default "hb.filter=selftests/ hb.bench=0 hb.fuzz_seconds=10"),
# SKIP_DEPS=1, SKIP_612=1, SKIP_VMX=1, SKIP_GUEST=1.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${OUT:-$top/out}/check
# One make check at a time per tree: a second one would wipe the first's
# logs and rebuild its objects under it. (OUT=/elsewhere for a parallel run
# of the guest lane; the builds still share the tree.)
mkdir -p "${out%/check}"
exec 9>"${out%/check}/check.lock"
if ! flock -n 9; then
	echo "check: another make check is running in this tree; waiting for it (lock ${out%/check}/check.lock)"
	flock 9
fi
rm -rf "$out"
mkdir -p "$out"
hostlog=$out/host.log
: >"$hostlog"
t_start=$(date +%s)
export CMOCKA_MESSAGE_OUTPUT=TAP
jobs=$(nproc 2>/dev/null || echo 2)

say() { echo "check: $*"; }

# lane NAME CMD...: run one test program on the host; its output (TAP, or
# anything: then it is judged by its exit status) goes into host.log.
lane() {
	name=$1; shift
	file=$out/$(echo "$name" | tr / -).log
	t0=$(date +%s)
	"$@" >"$file" 2>&1 </dev/null
	rc=$?
	secs=$(($(date +%s) - t0))
	{
		echo "@@HB TEST-BEGIN $name"
		cat "$file"
		echo
		echo "@@HB TEST-END $name rc=$rc secs=$secs"
	} >>"$hostlog"
	if [ $rc = 0 ]; then say "$name: ok ($secs s)"; else say "$name: FAILED, exit $rc ($secs s): $file"; fi
	return $rc
}

# step DESCRIPTION CMD...: one TAP result from a command's exit status; its
# output is kept in a log and its tail shown on failure.
step() {
	desc=$1; shift
	slog=$out/step-$$.log
	"$@" >"$slog" 2>&1
	rc=$?
	echo "1..1"
	if [ $rc = 0 ]; then
		echo "ok 1 - $desc"
	else
		tail -n 40 "$slog" | sed 's/^/# /'
		echo "not ok 1 - $desc (exit $rc)"
	fi
	rm -f "$slog"
	return $rc
}

# ---- 1. packages ---------------------------------------------------------
if [ "${SKIP_DEPS:-0}" != 1 ]; then
	"$top/scripts/deps.sh" || say "deps: some packages could not be installed; continuing"
fi
kver=$("$top/scripts/kver.sh" 6.1) || kver=
kver612=$("$top/scripts/kver.sh" 6.12 2>/dev/null) || kver612=
export KVER=$kver

# ---- 2. builds -------------------------------------------------------------
# module_build KDIR SRCDIR: W=1; any compiler, modpost or objtool warning fails.
module_build() {
	make -C "$1" M="$2" W=1 -j"$jobs" modules >"$out/module-build.log" 2>&1
	rc=$?
	# Never test a stale module from an earlier build.
	[ $rc = 0 ] || rm -f "$2/hyperbox.ko"
	cat "$out/module-build.log"
	if [ $rc = 0 ] && grep -qi 'warning:' "$out/module-build.log"; then
		echo "FAILED: the build printed warnings (W=1 must be clean):"
		grep -i 'warning:' "$out/module-build.log"
		rc=1
	fi
	return $rc
}
module_ok=0
if [ -f Kbuild ]; then
	if [ -z "$kver" ]; then
		lane build/module sh -c 'echo "1..1"; echo "not ok 1 - no Debian 6.1 kernel headers + image installed (scripts/deps.sh)"; exit 1'
	else
		lane build/module step "hyperbox.ko for $kver (W=1, warnings fail)" \
			module_build "/lib/modules/$kver/build" "$top" && module_ok=1
	fi
fi
# sparse over every module source (C=2; the objects are already built).
sparse_check() {
	make -C "/lib/modules/$kver/build" M="$top" C=2 -j"$jobs" modules >"$out/sparse.log" 2>&1
	rc=$?
	cat "$out/sparse.log"
	if [ $rc = 0 ] && grep -Eq '(warning|error):' "$out/sparse.log"; then
		echo "FAILED: sparse reported problems"
		rc=1
	fi
	return $rc
}
if [ $module_ok = 1 ] && command -v sparse >/dev/null; then
	lane build/sparse step "sparse over the module sources (C=2, any report fails)" sparse_check
fi
# The kernel's coding style over the module sources.
if [ -f Kbuild ]; then
	lane build/checkpatch step "checkpatch.pl over kmod/ (any ERROR or WARNING fails)" \
		scripts/checkpatch.sh
fi
if [ -f Kbuild ] && [ -f dkms.conf ] && [ -n "$kver" ] && command -v dkms >/dev/null; then
	lane build/dkms step "dkms add + build for $kver (private dkms tree, nothing installed)" \
		scripts/dkms-check.sh "$kver"
fi
if [ -f Kbuild ] && [ "${SKIP_612:-0}" != 1 ] && [ -n "$kver612" ]; then
	# Build in a copy: the tree's objects belong to the 6.1 build.
	b612=$out/build-6.12
	scripts/module-src.sh "$b612"
	lane build/module-6.12 step "hyperbox.ko for $kver612 (build only, W=1, warnings fail)" \
		module_build "/usr/src/linux-headers-$kver612" "$b612"
fi
for d in user selftests bench guests; do
	[ -f "$d/Makefile" ] || [ -f "$d/makefile" ] || continue
	lane "build/$d" step "make -C $d" make -C "$d" -j"$jobs"
done

# ---- 3. host tests -----------------------------------------------------------
if [ -x scripts/tests/run.sh ]; then
	lane harness scripts/tests/run.sh
fi
[ -f tests/unit/Makefile ] && lane unit make -s -C tests/unit check
[ -f user/Makefile ] && lane user make -s -C user check
[ -f tests/container/Makefile ] && lane container make -s -C tests/container check
# The CLI bad-input matrix under ASan/UBSan (tests/cli, issue 7).
[ -f tests/cli/Makefile ] && lane cli make -s -C tests/cli check

# ---- 4. guest lane (QEMU, SVM) ----------------------------------------------
# What the tree has sources for must have been built.
pack_check() {
	n=0 res=
	add() { n=$((n + 1)); res="$res$1 $n - $2
"; }
	if [ -f Kbuild ]; then
		if [ -f hyperbox.ko ]; then add ok "hyperbox.ko built"; else add "not ok" "hyperbox.ko missing (kmod sources exist)"; fi
	fi
	if ls user/cli/*.c >/dev/null 2>&1; then
		if [ -x user/hyperbox ]; then add ok "user/hyperbox built"; else add "not ok" "user/hyperbox missing (user/cli sources exist)"; fi
	fi
	if [ -f selftests/Makefile ]; then
		if ls selftests/build/* >/dev/null 2>&1; then add ok "selftests/build/ has test programs"; else add "not ok" "selftests/build/ empty (selftests sources exist)"; fi
	fi
	if [ -n "$(find guests -maxdepth 1 \( -name '*.S' -o -name '*.c' \) 2>/dev/null | head -n1)" ]; then
		if ls guests/*.bin >/dev/null 2>&1; then add ok "guests/*.bin built"; else add "not ok" "guests/*.bin missing (guests sources exist)"; fi
	fi
	if [ -n "$(find bench -maxdepth 3 -name '*.c' 2>/dev/null | head -n1)" ]; then
		nb=$(find bench -maxdepth 3 -type f -perm -u+x ! -name '*.sh' ! -name '*.py' 2>/dev/null | wc -l)
		if [ "$nb" -gt 0 ]; then add ok "bench/ has programs"; else add "not ok" "bench/ has sources but no built programs"; fi
	fi
	if packed=$("$top/scripts/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$kver" 2>&1); then
		add ok "$(echo "$packed" | tail -n1)"
	else
		echo "$packed" | sed 's/^/# /'
		add "not ok" "scripts/mkinitramfs.sh failed"
	fi
	echo "1..$n"
	printf '%s' "$res"
	case "$res" in *"not ok"*) return 1 ;; esac
}
# The fuzz lane: one boot running only the fuzzer. If QEMU itself dies (an
# assertion or a crash inside the emulator, exit 134/139; a guest kernel
# panic or hang is not that), boot once more with a new seed; if it dies
# again the lane is reported as skipped with the reason, never as passed.
fuzz_emulator_died() {
	qrc=$(cat "$1.qemu-rc" 2>/dev/null || true)
	case "$qrc" in 134 | 139) ;; *) return 1 ;; esac
	grep -aq '^@@HB TEST-BEGIN selftests/fuzz' "$1" &&
		! grep -aq '^@@HB TEST-END selftests/fuzz' "$1"
}

fuzz_lane() {
	for attempt in 1 2; do
		say "fuzz: booting the fuzzer alone (attempt $attempt); serial log $out/fuzz.log"
		QEMU_TIMEOUT=${QEMU_TIMEOUT:-900} HB_TEE=${HB_TEE:-0} "$top/scripts/run-guest-tests.sh" \
			"$out/fuzz.log" "$out/initramfs.cpio.gz" hb.filter=selftests/fuzz hb.bench=0 ${HB_ARGS:-}
		if ! fuzz_emulator_died "$out/fuzz.log"; then
			guest_args="$guest_args --guest fuzz $out/fuzz.log"
			return
		fi
		cp "$out/fuzz.log" "$out/fuzz-emulator-died-$attempt.log"
		say "fuzz: QEMU itself died (exit $(cat "$out/fuzz.log.qemu-rc")); log kept as fuzz-emulator-died-$attempt.log"
	done
	lane fuzz-emulator sh -c "echo '1..1'; echo 'ok 1 - fuzz lane # SKIP QEMU 7.2 TCG died twice inside the emulator (see $out/fuzz-emulator-died-*.log)'"
}

guest_args=
if [ "${SKIP_GUEST:-0}" != 1 ] && [ -n "$kver" ]; then
	lane initramfs pack_check
	say "guest: booting Debian $kver under QEMU TCG (SVM); serial log $out/guest.log"
	# Benchmarks are not tests: they run with `make benchmark` (time limits
	# belong there), and with the guest's KVM next to hyperbox.ko they
	# have twice wedged the TCG guest (open: see the issue notes).
	# The fuzzer runs in a boot of its own (below): QEMU 7.2's TCG itself
	# aborts now and then under random nested-guest states, and must not
	# take the rest of the lane with it.
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-900} HB_TEE=${HB_TEE:-0} "$top/scripts/run-guest-tests.sh" "$out/guest.log" "$out/initramfs.cpio.gz" hb.skip=selftests/fuzz hb.bench=0 ${HB_ARGS:-}
	guest_args="--guest guest $out/guest.log"
	fuzz_lane
fi

# ---- 5. VMX lane (Bochs) -----------------------------------------------------
# scripts/bochs-run.sh LOG INITRD: boots the same initramfs under Bochs with
# VMX and writes the serial log to LOG (same markers as the QEMU lane).
vmx_args=
# SKIP_VMX=1 leaves the Bochs lane out (reported as a SKIP, never a pass).
if [ "${SKIP_VMX:-0}" = 1 ]; then
	lane vmx-lane sh -c 'echo 1..1; echo "ok 1 - Bochs/VMX lane # SKIP SKIP_VMX=1"'
elif [ -f scripts/bochs-run.sh ] && [ -f "$out/initramfs.cpio.gz" ]; then
	say "vmx: booting under Bochs; serial log $out/vmx.log"
	t0=$(date +%s)
	rc=0
	# Emulation is slow: the selftests only, and a short fuzz budget (scale
	# iterations down, not coverage). Then the two "feature missing" CPU
	# models (no unrestricted guest, no EPT) must be refused with a clear
	# log line (BOCHS_FEATURES=0: not). A wedged boot gets 15 minutes, the
	# lane 20 (BOCHS_TIMEOUT / VMX_TIMEOUT); normally it takes about 5.
	# shellcheck disable=SC2086
	BOCHS_FEATURES=${BOCHS_FEATURES:-1} \
	BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-900} timeout -k 10 "${VMX_TIMEOUT:-1200}" bash scripts/bochs-run.sh "$out/vmx.log" "$out/initramfs.cpio.gz" \
		${VMX_ARGS:-hb.filter=selftests/ hb.bench=0 hb.fuzz_seconds=10} || rc=$?
	[ $rc = 124 ] && echo 124 >"$out/vmx.log.qemu-rc"
	say "vmx: bochs-run.sh exited $rc after $(($(date +%s) - t0)) s"
	vmx_args="--guest vmx $out/vmx.log"
fi

say "all lanes ran in $(($(date +%s) - t_start)) s; logs in $out"
# shellcheck disable=SC2086
exec "$top/scripts/tap-summary.sh" --host "$hostlog" $guest_args $vmx_args
