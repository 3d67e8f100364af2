#!/bin/sh
# Bad-input matrix for the hyperbox CLI (issue 7). Every case runs the CLI
# (normally the ASan/UBSan build, tests/cli/build/hyperbox-asan) with a
# missing, malformed or out-of-range argument or config file, and checks:
#   - it exits non-zero, by itself (not a signal, not a 10 s timeout);
#   - no sanitizer report;
#   - stderr is exactly one non-empty line (a usage text is accepted only
#     where the case says so: a bare command group).
# Output: TAP. Usage: matrix.sh [HYPERBOX]   (default: $HYPERBOX, else
# ../../user/hyperbox). Containers use a private --root under a temp dir;
# anything a case unexpectedly creates is deleted again.
set -u
here=$(cd "$(dirname "$0")" && pwd)
hb=${1:-${HYPERBOX:-$here/../../user/hyperbox}}
case "$hb" in /*) ;; *) hb=$(pwd)/$hb ;; esac
[ -x "$hb" ] || { echo "1..0 # SKIP no CLI at $hb"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hb-cli.XXXXXX")
root=$tmp/state
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
export ASAN_OPTIONS=detect_leaks=0:exitcode=99:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
n=0 failed=0

# Known failures, reported to their owners (out/fuzz-findings.txt): they
# print as "not ok ... # TODO" (TAP: expected to fail, not counted) until
# fixed; then the case says so and should be taken off this list.
known='
'
is_known() { printf '%s' "$known" | grep -qxF -- "$1"; }

# t KIND DESCRIPTION -- ARGS...: KIND is err (one line) or usage (any text).
t() {
	kind=$1 desc=$2
	shift 3
	n=$((n + 1))
	rc=0
	timeout -k 5 10 "$hb" "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
	why=
	lines=$(grep -c . "$tmp/err")
	if grep -q -e 'Sanitizer' -e 'runtime error:' "$tmp/err"; then
		why="sanitizer report"
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		why="hung (killed after 10 s)"
	elif [ $rc -gt 128 ] && [ $rc -lt 160 ]; then
		why="killed by signal $((rc - 128))"
	elif [ $rc = 0 ]; then
		why="exit status 0"
	elif [ "$kind" = err ] && [ "$lines" != 1 ]; then
		why="$lines lines on stderr, expected one"
	fi
	if [ -z "$why" ]; then
		todo=
		is_known "$desc" && todo=" # TODO passes now: take it off the known list"
		echo "ok $n - $desc: exit $rc: $(head -n1 "$tmp/err" | cut -c1-160)$todo"
	elif is_known "$desc"; then
		echo "not ok $n - $desc: $why (exit $rc) # TODO known, reported"
	else
		echo "not ok $n - $desc: $why (exit $rc)"
		sed 's/^/#   /' "$tmp/err" | head -n 20
		failed=$((failed + 1))
	fi
	# Never leave a container behind, whatever the case did.
	"$hb" --root "$root" delete --force bad >/dev/null 2>&1
}

# bundle NAME JSON: $tmp/NAME/config.json (+ an empty rootfs)
bundle() {
	mkdir -p "$tmp/$1/rootfs"
	printf '%s' "$2" >"$tmp/$1/config.json"
}

# A minimal valid config with PROC (process members) and REST (top level).
cfg() {
	printf '{"ociVersion":"1.0.2","process":{"args":["/bin/true"],"cwd":"/","user":{"uid":0,"gid":0}%s},"root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"mount"},{"type":"pid"}]%s}%s}' \
		"${1:-}" "${2:-}" "${3:-}"
}

c() { # c NAME DESCRIPTION JSON: create with a bad config
	bundle "$1" "$3"
	t err "create: $2" -- --root "$root" create --bundle "$tmp/$1" bad
}

long=$(head -c 100000 /dev/zero | tr '\0' a)
deep=$(head -c 20000 /dev/zero | tr '\0' '[')

# ---- global and command names --------------------------------------------
t err "unknown command" -- bogus
t err "unknown global option" -- --bogus
t err "--root without a value" -- --root
t err "--log-format bogus" -- --log-format bogus list
t err "--log in a missing directory" -- --log /nonexistent/dir/log --root "$root" state x
t usage "no command" --
t usage "vm without a subcommand" -- vm
t err "vm bogus subcommand" -- vm bogus

# ---- info / vm run ----------------------------------------------------------
t err "info with an extra argument" -- info extra
t err "info --device missing" -- info --device /nonexistent
t err "info --device /dev/null" -- info --device /dev/null
t err "info --device a directory" -- info --device /
t err "vm run without --image" -- vm run
t err "vm run --image without a value" -- vm run --image
t err "vm run --image missing" -- vm run --image /nonexistent
t err "vm run --image a directory" -- vm run --image /
for m in 0 -1 1.5G 1T 0x 99999999999999999999 16Q '' ' ' 1K; do
	t err "vm run --mem '$m'" -- vm run --image /etc/hostname --mem "$m"
done
for m in weird '' REAL 3; do
	t err "vm run --mode '$m'" -- vm run --image /etc/hostname --mode "$m"
done
for e in -1 abc '' 0x 0xffffffffffffffffff 99999999999999999999999; do
	t err "vm run --entry '$e'" -- vm run --image /etc/hostname --entry "$e"
done
t err "vm run --device /dev/null" -- vm run --image /etc/hostname --device /dev/null
t err "vm run --device missing" -- vm run --image /etc/hostname --device /nonexistent
t err "vm run unknown option" -- vm run --image /etc/hostname --bogus 1
t err "vm run stray argument" -- vm run --image /etc/hostname stray

# ---- container verbs without or with bad arguments -------------------------
for v in create start state kill delete exec run; do
	t err "$v without an ID" -- --root "$root" $v
done
for v in start state kill delete; do
	t err "$v of a missing container" -- --root "$root" $v nosuch
done
for id in ../x a/b "$(head -c 200 /dev/zero | tr '\0' x)" ' ' . ..; do
	t err "state with invalid ID '$(printf %.20s "$id")'" -- --root "$root" state "$id"
	t err "create with invalid ID '$(printf %.20s "$id")'" -- --root "$root" create --bundle "$tmp" "$id"
done
for s in SIGBOGUS 0 -1 65 999999999999 '' KILLX; do
	t err "kill with signal '$s'" -- --root "$root" kill nosuch "$s"
done
t err "state with an extra argument" -- --root "$root" state a b
t err "list --format bogus" -- --root "$root" list --format bogus
t err "exec without a command" -- --root "$root" exec nosuch
t err "exec --env without =" -- --root "$root" exec --env FOO nosuch true
t err "exec --user bad" -- --root "$root" exec --user abc:def nosuch true
t err "exec --process missing" -- --root "$root" exec --process /nonexistent nosuch
t err "exec --preserve-fds -1" -- --root "$root" exec --preserve-fds -1 nosuch true
t err "spec --bundle missing" -- spec --bundle /nonexistent/dir
mkdir -p "$tmp/specd" && "$hb" spec --bundle "$tmp/specd" >/dev/null 2>&1
t err "spec over an existing config" -- spec --bundle "$tmp/specd"
t err "net create bad subnet" -- --root "$root" net create hbbad0 --subnet 1.2.3.4/99
t err "net create garbage subnet" -- --root "$root" net create hbbad0 --subnet abc
t err "net delete missing" -- --root "$root" net delete hbnosuch0
# A host link hyperbox did not create is never deleted (lo cannot be anyway).
t err "net delete a host link" -- --root "$root" net delete lo
t err "net bogus" -- --root "$root" net bogus

# ---- create: bundles and config files ---------------------------------------
t err "create --bundle missing" -- --root "$root" create --bundle /nonexistent bad
t err "create --bundle without a value" -- --root "$root" create --bundle
t err "create --bundle is a file" -- --root "$root" create --bundle /etc/hostname bad
mkdir -p "$tmp/nocfg"
t err "create: no config.json" -- --root "$root" create --bundle "$tmp/nocfg" bad
mkdir -p "$tmp/dircfg/config.json"
t err "create: config.json is a directory" -- --root "$root" create --bundle "$tmp/dircfg" bad
mkdir -p "$tmp/fifocfg" && mkfifo "$tmp/fifocfg/config.json"
t err "create: config.json is a FIFO" -- --root "$root" create --bundle "$tmp/fifocfg" bad
mkdir -p "$tmp/zerocfg" && ln -s /dev/zero "$tmp/zerocfg/config.json"
t err "create: config.json is /dev/zero" -- --root "$root" create --bundle "$tmp/zerocfg" bad
c empty "empty config" ''
c trunc "truncated JSON" '{"ociVersion":"1.0.2","process":{'
c array "top level array" '[]'
c null "top level null" 'null'
c nul "NUL byte inside" "$(printf '{"ociVersion":"1.0\0002"}')"
c utf8 "invalid UTF-8" "$(printf '{"ociVersion":"\377\376","root":{"path":"rootfs"}}')"
c deep "20000 nested arrays" "{\"a\":$deep"
c ver "ociVersion a number" '{"ociVersion":5,"root":{"path":"rootfs"}}'
c noroot "no root" '{"ociVersion":"1.0.2","process":{"args":["/bin/true"],"cwd":"/"}}'
c rootnum "root.path a number" '{"ociVersion":"1.0.2","process":{"args":["/bin/true"],"cwd":"/"},"root":{"path":7}}'
c rootmiss "root.path missing on disk" "$(cfg '' '' | sed 's/"path":"rootfs"/"path":"nosuchdir"/')"
c noargs "empty process.args" '{"ociVersion":"1.0.2","process":{"args":[],"cwd":"/"},"root":{"path":"rootfs"}}'
c argsstr "process.args a string" '{"ociVersion":"1.0.2","process":{"args":"/bin/true","cwd":"/"},"root":{"path":"rootfs"}}'
c cwdrel "relative process.cwd" "$(cfg '' '' | sed 's|"cwd":"/"|"cwd":"relative/dir"|')"
c uidneg "negative uid" "$(cfg '' '' | sed 's/"uid":0/"uid":-1/')"
c uidhuge "uid 2^40" "$(cfg '' '' | sed 's/"uid":0/"uid":1099511627776/')"
c uidstr "uid a string" "$(cfg '' '' | sed 's/"uid":0/"uid":"root"/')"
c envnum "env entries numbers" "$(cfg ',"env":[1,2]')"
c envnoeq "env entry without =" "$(cfg ',"env":["NOEQUALS"]')"
c capbad "unknown capability" "$(cfg ',"capabilities":{"bounding":["CAP_FOO"]}')"
c rlbad "unknown rlimit" "$(cfg ',"rlimits":[{"type":"RLIMIT_BOGUS","hard":1,"soft":1}]')"
c rlsoft "rlimit soft above hard" "$(cfg ',"rlimits":[{"type":"RLIMIT_NOFILE","hard":10,"soft":20}]')"
c hostlong "100000-char hostname" "$(cfg '' '' ",\"hostname\":\"$long\"" | sed 's/{"type":"pid"}/{"type":"pid"},{"type":"uts"}/')"
c mntrel "relative mount destination" "$(cfg '' '' ',"mounts":[{"destination":"proc","type":"proc","source":"proc"}]')"
c mnttype "mount type a number" "$(cfg '' '' ',"mounts":[{"destination":"/proc","type":5,"source":"proc"}]')"
c mntopts "mount options not an array" "$(cfg '' '' ',"mounts":[{"destination":"/proc","type":"proc","source":"proc","options":"ro"}]')"
c mntbad "mount option garbage" "$(cfg '' '' ',"mounts":[{"destination":"/x","type":"tmpfs","source":"tmpfs","options":["size=-5k","mode=99999"]}]')"
c nsbad "unknown namespace type" "$(cfg '' ',"resources":{}' '' | sed 's/{"type":"pid"}/{"type":"bogus"}/')"
c nsdup "duplicate namespace" "$(cfg '' '' '' | sed 's/{"type":"pid"}/{"type":"mount"}/')"
c nspath "namespace path missing" "$(cfg '' '' '' | sed 's|{"type":"pid"}|{"type":"pid","path":"/nonexistent"}|')"
c memneg "memory limit -5" "$(cfg '' ',"resources":{"memory":{"limit":-5}}')"
c memstr "memory limit a string" "$(cfg '' ',"resources":{"memory":{"limit":"lots"}}')"
c pidsstr "pids limit a string" "$(cfg '' ',"resources":{"pids":{"limit":"x"}}')"
c cpuquota "cpu quota 2^63" "$(cfg '' ',"resources":{"cpu":{"quota":9223372036854775807,"period":0}}')"
c seccomp "seccomp unknown default action" "$(cfg '' ',"seccomp":{"defaultAction":"SCMP_ACT_BOGUS"}')"
c seccarch "seccomp unknown architecture" "$(cfg '' ',"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_BOGUS"]}')"
c idmap0 "uid mapping of size 0" "$(cfg '' ',"uidMappings":[{"containerID":0,"hostID":100000,"size":0}]')"
c idmaphuge "uid mapping of size 2^40" "$(cfg '' ',"uidMappings":[{"containerID":0,"hostID":0,"size":1099511627776}]')"
c sysctl "sysctl outside the allowed set" "$(cfg '' ',"sysctl":{"kernel.panic":"1"}')"
c maskrel "relative maskedPaths" "$(cfg '' ',"maskedPaths":["proc/kcore"]')"
c rorel "relative readonlyPaths" "$(cfg '' ',"readonlyPaths":["proc/sys"]')"
c envnoname "env entry without a name" "$(cfg ',"env":["=value"]')"
c devbad "device of unknown type" "$(cfg '' ',"devices":[{"path":"/dev/x","type":"q","major":1,"minor":3}]')"

echo "1..$n"
[ $failed = 0 ]
