#!/bin/sh
# Scan a serial log for kernel splats: Oops, BUG, WARNING, lockdep reports,
# RCU stalls, soft/hard lockups, general protection faults, KASAN/UBSAN
# reports, hung tasks, call traces, panics. The stack an OOM kill prints
# (a memory.max test working as intended) is not a splat.
#
# Usage: scripts/check-splat.sh LOG
# Only kernel log lines are looked at: they carry a printk timestamp
# ("[   12.345678] ", CONFIG_PRINTK_TIME=y in Debian's kernels), so a test
# that prints the word "WARNING:" cannot trip it. The same line seen on the
# live console and again in the final dmesg dump is reported once.
# Prints the offending kernel lines with a little context (at most 60 lines) and exits 1 if there are any.
set -eu
log=${1:?usage: $0 LOG}
awk '
{
	sub(/\r$/, "")
	p = match($0, /\[ *[0-9]+\.[0-9]+\] /)
	if (!p) next
	msg = substr($0, p + RLENGTH)
	# An OOM kill (memory.max doing its job in a container test) dumps a
	# stack too: that "Call Trace" is a report, not a bug.
	if (msg ~ /invoked oom-killer:/) { in_oom = 1; next }
	if (in_oom && msg ~ /[Oo]ut of memory: Killed process|oom_reaper: reaped/) { in_oom = 0; next }
	if (in_oom && msg ~ /Call Trace/) next
	# Debug kernels (scripts/debug-kernel.sh) announce "RCU lockdep checking
	# is enabled." at boot: a lockdep report is its WARNING:/BUG: line and
	# "lockdep is turned off" afterwards, so only those count.
	if (msg ~ /lockdep checking is enabled/) next
	if (msg ~ /Oops|BUG:|WARNING:|lockdep is turned off|possible recursive locking|possible circular locking|inconsistent lock state|rcu_sched self-detected stall|rcu: INFO: .*detected stall|self-detected stall on CPU|soft lockup|hard LOCKUP|general protection|KASAN|UBSAN|Call Trace|Kernel panic|blocked for more than|kernel BUG|unable to handle|double fault|stack-protector|list_add corruption|list_del corruption|refcount_t:|kmemleak: [0-9]+ new suspected/) {
		if (msg in seen) { ctx = 0; next }
		seen[msg] = 1
		n++
		if (shown < 60) { print msg; shown++ }
		ctx = 8
		next
	}
	if (ctx > 0 && shown < 60) { print "    " msg; shown++; ctx-- }
}
END { exit n > 0 }' "$log"
