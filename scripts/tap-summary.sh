#!/bin/sh
# Turn hyperbox's test logs into TAP and one closing summary line.
#
# Usage: scripts/tap-summary.sh [--host FILE]... [--guest LABEL FILE]...
#
# Both kinds of log hold test programs framed by markers (scripts/guest-init):
#   @@HB TEST-BEGIN name
#   ...the program's TAP...
#   @@HB TEST-END name rc=N secs=S
# A guest log is a QEMU/Bochs serial log; it must also show "@@HB BOOT" and
# "@@HB END", and its kernel log lines are scanned by scripts/check-splat.sh.
# FILE.qemu-rc, if present, holds the emulator's exit status (124: timeout).
#
# Verdicts, per test program:
#   every "not ok" without a "# TODO"/"# SKIP" directive fails; a line with
#   either directive is skipped;
#   no plan, a plan that does not match the results, "Bail out!", a missing
#   TEST-END (the guest died or hung), a timeout, death by a signal, or a non-zero exit
#   with no "not ok" to explain it each add one failure. Exit 4 (kselftest's
#   KSFT_SKIP) is not a failure. A host program that prints no TAP at all
#   counts as one test judged by its exit status.
# Per guest log, three harness checks: booted, reached the end marker, and a
# kernel log free of splats.
#
# Prints TAP with a header per test program, the failures again, the
# hardening line (issue 7) "hardening: fuzz iterations run N, hostile cases
# run N, leaks found N, emulator faults retried N" (fuzz iterations: "# fuzz
# iterations run: N" lines; emulator faults: "# emulator fault: ..." and
# "# emulator fetch fault at port ..." lines;
# hostile cases: results of */hostile_* and hostile/* programs that were not skipped;
# leaks: "# leaks found: N" lines plus failed leak checks, i.e. not-ok
# lines naming no_leaks_after_tests or "counters zero"), then as the
# very last line "hyperbox: N passed, N failed, N skipped". Exit 1 if any failed
# (or if nothing ran at all).
set -eu
here=$(cd "$(dirname "$0")" && pwd)

args=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hb-tap.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
i=0
while [ $# -gt 0 ]; do
	i=$((i + 1))
	case "$1" in
	--host)
		[ $# -ge 2 ] || { echo "usage: $0 [--host FILE]... [--guest LABEL FILE]..." >&2; exit 2; }
		[ -f "$2" ] || { echo "tap-summary: $2: no such file" >&2; exit 2; }
		args="$args kind=host label=host splat= qrc= oname=$2 $2"
		shift 2 ;;
	--guest)
		[ $# -ge 3 ] || { echo "usage: $0 [--host FILE]... [--guest LABEL FILE]..." >&2; exit 2; }
		f=$3
		# An empty or missing log still gets its harness checks (awk skips empty files).
		[ -s "$f" ] || { f=$tmp/empty.$i; echo "(empty or missing log: $3)" >"$f"; }
		"$here/check-splat.sh" "$f" >"$tmp/splat.$i" || true
		qrc=$(cat "$3.qemu-rc" 2>/dev/null || true)
		args="$args kind=guest label=$2 splat=$tmp/splat.$i qrc=$qrc oname=$3 $f"
		shift 3 ;;
	*)
		echo "usage: $0 [--host FILE]... [--guest LABEL FILE]..." >&2; exit 2 ;;
	esac
done
[ -n "$args" ] || { echo "usage: $0 [--host FILE]... [--guest LABEL FILE]..." >&2; exit 2; }

# File names with spaces are not supported (they are ours: out/...).
# shellcheck disable=SC2086
exec awk '
function out(s) { print s }
function result(kind, text) {
	if (kind == "pass") { pass++; s_pass++ }
	else if (kind == "skip") { skip++; s_skip++ }
	else { fail++; s_fail++; failures[++nfailures] = sname ": " text }
}
# A failure the harness found (not a line the program printed).
function synth_fail(text) { out("not ok - " text); result("fail", "not ok - " text) }
function synth_pass(text) { out("ok - " text); result("pass", "ok - " text) }

function start_stream(name) {
	in_stream = 1
	sname = f_label "/" name
	s_pass = s_fail = s_skip = s_results = s_planned = s_plans = s_bail = s_skipall = 0
	out("")
	out("# ==== " sname " ====")
}
function end_stream(rc, secs, truncated, killed,   sig) {
	if (truncated) {
		synth_fail("did not finish: no TEST-END marker (the guest died, hung or timed out)")
	} else {
		if (s_plans == 0) {
			if (f_kind == "host" && s_results == 0) {
				if (rc == 0) synth_pass("exit status 0 (no TAP output)")
				else synth_fail("exit status " rc " (no TAP output)")
				rc = 0
			} else {
				synth_fail("no TAP plan (crashed or not a TAP program?)")
			}
		} else if (s_planned != s_results) {
			synth_fail("planned " s_planned " tests but " s_results " ran")
		}
		if (s_bail && s_fail == 0) synth_fail("Bail out!")
		if (killed == "timeout") {
			synth_fail("timed out after " secs " s (killed)")
		} else if (killed == "stuck") {
			synth_fail("did not die after SIGKILL: stuck in the kernel (timed out after " secs " s)")
		} else if (rc > 128 && rc < 160) {
			sig = rc - 128
			synth_fail("killed by signal " sig (sig == 9 ? " (timeout?)" : sig == 11 ? " (segfault)" : sig == 6 ? " (abort)" : ""))
		} else if (rc != 0 && !(rc == 4 && s_fail == 0) && s_fail == 0) {
			synth_fail("exited with status " rc)
		}
		if (s_skipall && s_results == 0) { skip++; s_skip++ }
	}
	out("# ---- " sname ": " s_pass " passed, " s_fail " failed, " s_skip " skipped" \
	    (truncated ? "" : " (exit " rc (secs != "" ? ", " secs " s" : "") ")"))
	in_stream = 0
}
function field(s, key,   i, n, a) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) if (index(a[i], key "=") == 1) return substr(a[i], length(key) + 2)
	return ""
}
function finish_file(   line, nsplat) {
	if (f_kind != "guest" && f_kind != "host") return
	if (in_stream) end_stream(0, "", 1, "")
	if (f_kind == "guest") {
		start_stream("harness")
		s_plans = 1
		if (booted) synth_pass("guest booted (" bootinfo ")")
		else synth_fail("guest booted (no @@HB BOOT marker in " fname ")")
		if (ended) synth_pass("guest ran to the end marker")
		else synth_fail("guest did not reach the end marker (" \
			(f_qrc == "124" ? "timeout" : f_qrc != "" ? "emulator exit status " f_qrc : "timeout, panic or hang") \
			"; see " fname ")")
		nsplat = 0
		while ((getline line < f_splat) > 0) {
			if (nsplat++ == 0) synth_fail("guest kernel log has a splat (Oops/BUG/WARNING/lockdep/stall/lockup/GPF/KASAN/Call Trace):")
			out("#   " line)
		}
		if (f_splat != "") close(f_splat)
		if (nsplat == 0) synth_pass("guest kernel log free of Oops/BUG/WARNING/lockdep/stalls/lockups/GPF/KASAN/Call Trace")
		s_planned = s_results = 0
		end_stream(0, "", 0, "")
	}
}
FNR == 1 {
	if (NR > 1) finish_file()
	fname = oname != "" ? oname : FILENAME
	f_kind = kind; f_label = label; f_splat = splat; f_qrc = qrc
	booted = ended = in_dmesg = in_stream = 0
	bootinfo = ""
}
{
	sub(/\r+$/, "")
	line = $0
	m = index(line, "@@HB ")
	if (m > 0) {
		mk = substr(line, m + 5)
		split(mk, w, " ")
		if (w[1] == "BOOT") { booted = 1; bootinfo = substr(mk, 6) }
		else if (w[1] == "END") ended = 1
		else if (w[1] == "DMESG-BEGIN") in_dmesg = 1
		else if (w[1] == "DMESG-END") in_dmesg = 0
		else if (w[1] == "TEST-BEGIN") {
			if (in_stream) end_stream(0, "", 1, "")
			start_stream(w[2])
		} else if (w[1] == "TEST-END") {
			if (in_stream) end_stream(field(mk, "rc") + 0, field(mk, "secs"), 0, field(mk, "killed"))
		}
		next
	}
	if (!in_stream || in_dmesg) next
	# Kernel messages on the live console are not part of the TAP stream.
	if (line ~ /^\[ *[0-9]+\.[0-9]+\]/) next
	if (line ~ /^# fuzz iterations run: [0-9]+/) { n = line; sub(/.*: /, "", n); fuzz_iters += n }
	if (line ~ /^# leaks found: [0-9]+/) { n = line; sub(/.*: /, "", n); leaks += n }
	# Tests run again, or a sweep resumed, after the emulator broke the
	# CPU contract (selftests/lib/test_harness.h): counted, never hidden.
	if (line ~ /^# emulator (fault: |fetch fault at port )/) emulator_faults++
	if (sname ~ /\/hostile[_\/]/ && line ~ /^(not )?ok([ \t]|$)/ && tolower(line) !~ /#[ \t]*skip/) hostile++
	if (line ~ /^not ok/ && line ~ /no_leaks_after_tests|counters zero/) leaks++
	if (line ~ /^not ok([ \t]|$)/) {
		s_results++
		out(line)
		if (tolower(line) ~ /#[ \t]*(todo|skip)/) result("skip", line)
		else result("fail", line)
	} else if (line ~ /^ok([ \t]|$)/) {
		s_results++
		out(line)
		if (tolower(line) ~ /#[ \t]*skip/) result("skip", line)
		else result("pass", line)
	} else if (line ~ /^1\.\.[0-9]+/) {
		s_plans++
		n = line; sub(/^1\.\./, "", n); sub(/[^0-9].*$/, "", n)
		s_planned += n
		if (n + 0 == 0 && tolower(line) ~ /#[ \t]*skip/) s_skipall = 1
		out(line)
	} else if (line ~ /^Bail out!/) {
		s_bail = 1
		out(line)
	} else if (line ~ /^#/ || line ~ /^TAP version/) {
		out(line)
	} else if (line != "") {
		out("# " line)
	}
}
END {
	if (NR > 0) finish_file()
	if (nfailures > 0) {
		out("")
		out("# FAILED:")
		for (i = 1; i <= nfailures; i++) out("#   " failures[i])
	}
	if (pass + fail + skip == 0) {
		out("# no test ran")
		fail = 1
	}
	out("")
	out("hardening: fuzz iterations run " fuzz_iters + 0 ", hostile cases run " hostile + 0 \
	    ", leaks found " leaks + 0 ", emulator faults retried " emulator_faults + 0)
	out("hyperbox: " pass + 0 " passed, " fail + 0 " failed, " skip + 0 " skipped")
	exit fail > 0
}' $args
