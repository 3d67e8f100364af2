#!/bin/sh
# Self-test of the test harness: feed canned serial/host logs (cases/*.log)
# to scripts/tap-summary.sh and compare with cases/*.expect:
#   rc=N            expected exit status
#   last=LINE       expected closing summary line
#   grep=TEXT       text that must appear in the output (any number of lines)
# guest-*.log are judged as guest serial logs, host-*.log as host logs.
# Output: TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
summary=$here/../tap-summary.sh
n=0 failed=0

# verdict NAME: one TAP line from $why (empty: ok); a failure shows $out.
verdict() {
	if [ -z "$why" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1:$why"
		printf '%s\n' "$out" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}
set -- "$here"/cases/*.expect
echo "1..$(($# + 1))"
for exp in "$@"; do
	n=$((n + 1))
	log=${exp%.expect}.log
	name=$(basename "$log" .log)
	case "$name" in
	host-*) out=$("$summary" --host "$log" 2>&1); rc=$? ;;
	*) out=$("$summary" --guest guest "$log" 2>&1); rc=$? ;;
	esac
	why=
	want_rc=$(sed -n 's/^rc=//p' "$exp")
	want_last=$(sed -n 's/^last=//p' "$exp")
	[ "$rc" = "$want_rc" ] || why="$why exit $rc, expected $want_rc;"
	last=$(printf '%s\n' "$out" | tail -n1)
	[ "$last" = "$want_last" ] || why="$why last line '$last', expected '$want_last';"
	while IFS= read -r line; do
		case "$line" in grep=*) ;; *) continue ;; esac
		printf '%s\n' "$out" | grep -qF -- "${line#grep=}" || why="$why no '${line#grep=}';"
	done <"$exp"
	verdict "$name"
done

# The selftest harness's emulator-fault rule (selftests/lib/test_harness.c):
# a test faulting once runs again, one faulting twice fails, both counted.
n=$((n + 1))
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hb-rerun.XXXXXX")
why=
if cc -std=gnu11 -Wall -Werror -o "$tmp/rerun" "$here/harness_rerun.c" \
	"$here/../../selftests/lib/test_harness.c" 2>"$tmp/cc.log"; then
	out=$(MARK_DIR=$tmp "$tmp/rerun"); rc=$?
	[ "$rc" = 1 ] || why="$why exit $rc, expected 1;"
	for want in '# emulator fault: first run; running faults_once again' \
		'ok 1 faults_once' \
		'# every run (the second emulator fault in a row)' \
		'not ok 2 faults_twice' '# emulator faults (tests run again): 2'; do
		printf '%s\n' "$out" | grep -qF -- "$want" || why="$why no '$want';"
	done
else
	out=$(cat "$tmp/cc.log")
	why=" does not build;"
fi
rm -rf "$tmp"
verdict "selftest harness runs a test again after one emulator fault"
[ $failed = 0 ]
