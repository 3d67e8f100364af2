#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end checks of the hyperbox OCI runtime, TAP output. Runs in the
# QEMU guest of `make check` (cgroup2 with all controllers, initramfs root)
# and as root on a development host (cgroup v1 fallback, network tests in a
# network namespace of our own). Needs: $HYPERBOX (default
# /hb/bin/hyperbox), /bin/busybox (static), root.
HB=${HYPERBOX:-/hb/bin/hyperbox}
umask 022	# a user namespace's root must be able to read the bundles
BB=${BUSYBOX:-/bin/busybox}
W=$(mktemp -d /tmp/hb-oci.XXXXXX)
chmod 755 "$W"
ROOT=$W/state
N=0
FAILED=0
CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL","CAP_SETUID","CAP_SETGID","CAP_NET_RAW","CAP_SYS_CHROOT"]'

DEFAULT_NS='[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"}]'
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
check() { # description, command...
	d=$1; shift
	if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$(echo "$out" | tail -5)"; fi
}
hb() { timeout 30 "$HB" --root "$ROOT" "$@"; }

cleanup() {
	for c in $(ls "$ROOT" 2>/dev/null); do "$HB" --root "$ROOT" delete --force "$c" >/dev/null 2>&1; done
	umount "$W"/*/rootfs 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

mkrootfs() { # dir
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/etc"
	cp "$BB" "$1/bin/busybox"
	for a in sh ls cat echo true sleep hostname ps mount id ip ping wc grep \
		 head dd touch mkdir seq cut tr awk sed ulimit readlink timeout mknod; do
		ln -sf busybox "$1/bin/$a"
	done
	echo "root:x:0:0:root:/:/bin/sh" > "$1/etc/passwd"
	mkdir -p "$1/etc/secretdir"
	echo s3cr3t > "$1/etc/secret"
	echo s3cr3t > "$1/etc/secretdir/f"
}

# mkbundle DIR ARGS_JSON [LINUX_EXTRA] [PROCESS_EXTRA] [TOP_EXTRA]
mkbundle() {
	[ -d "$1/rootfs/bin" ] || mkrootfs "$1/rootfs"
	ns=${NS:-$DEFAULT_NS}
	cat > "$1/config.json" <<JSON
{"ociVersion":"1.0.2",
 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":$2,
  "env":["PATH=/bin","HOME=/"],"cwd":"/",
  "capabilities":{"bounding":$CAPS,"effective":$CAPS,"permitted":$CAPS},
  "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],
  "noNewPrivileges":true${4:+,$4}},
 "root":{"path":"rootfs","readonly":${RO:-false}},
 "hostname":"hbtest",
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
  {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]},
  {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620"]},
  {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
  {"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["nosuid","noexec","nodev","ro"]},
  {"destination":"/tmp","type":"tmpfs","source":"tmpfs"}],
 "linux":{"namespaces":$ns,
  "maskedPaths":["/proc/kcore","/proc/keys","/etc/secret","/etc/secretdir"],"readonlyPaths":["/proc/sys"]${3:+,$3}}${5:+,$5}}
JSON
}

# No trace of container $1: state dir, cgroups, processes.
no_trace() {
	[ ! -e "$ROOT/$1" ] || { echo "state dir left"; return 1; }
	for d in /sys/fs/cgroup/hyperbox/$1 /sys/fs/cgroup/unified/hyperbox/$1 \
		 /sys/fs/cgroup/memory/hyperbox/$1 /sys/fs/cgroup/pids/hyperbox/$1 \
		 /sys/fs/cgroup/cpu/hyperbox/$1; do
		[ ! -e "$d" ] || { echo "cgroup $d left"; return 1; }
	done
	return 0
}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
if [ ! -x "$HB" ]; then
	echo "1..0 # SKIP no hyperbox binary at $HB"
	exit 0
fi
CGV2=no
[ -e /sys/fs/cgroup/cgroup.controllers ] && grep -q memory /sys/fs/cgroup/cgroup.controllers && CGV2=yes
UNSHARE="unshare"
command -v unshare >/dev/null || UNSHARE="$BB unshare"

echo "1..43"

# --- namespaces and rootfs ---
B=$W/ns
mkbundle "$B" '["sh","-c","echo pid=$$ host=$(hostname); grep -c hb-host-mark /proc/self/mounts; ls /sys/class/net | tr \"\\n\" \" \"; echo"]'
mkdir -p "$W/hb-host-mark" && mount -t tmpfs hb-host-mark "$W/hb-host-mark"
out=$(cd "$B" && hb run ns1 2>&1)
umount "$W/hb-host-mark"
echo "$out" | grep -q "pid=1 host=hbtest" && ok "pid namespace (pid 1) and uts namespace (hostname)" ||
	not_ok "pid/uts namespaces" "$out"
m=$(echo "$out" | sed -n 2p)
[ "$m" = 0 ] && ok "mount namespace: host mounts not visible" ||
	not_ok "mount namespace" "$out"
echo "$out" | sed -n 3p | grep -qx "lo " && ok "network namespace: only lo" ||
	not_ok "network namespace" "$out"
check "run leaves no trace" no_trace ns1

# --- lifecycle ---
B=$W/life
mkbundle "$B" '["sleep","100"]'
hb create --bundle "$B" --pid-file "$W/life.pid" life1
st=$(hb state life1)
echo "$st" | grep -q '"status":"created"' && [ "$(cat "$W/life.pid")" -gt 1 ] &&
	ok "create: status created, pid file" || not_ok "create" "$st"
exe=$(readlink "/proc/$(cat "$W/life.pid")/exe")
case "$exe" in
/memfd:*) ok "CVE-2019-5736: init runs from a sealed memfd ($exe)" ;;
*) not_ok "CVE-2019-5736 exe protection" "exe=$exe" ;;
esac
hb start life1 && hb state life1 | grep -q '"status":"running"' &&
	ok "start: status running" || not_ok "start"
hb list | grep -q "^life1 .*running" && ok "list shows the container" || not_ok "list" "$(hb list)"
hb delete life1 2>"$W/err"; rc=$?
[ $rc != 0 ] && grep -q "running" "$W/err" && ok "delete of a running container refused" ||
	not_ok "delete without --force" "$(cat "$W/err")"
hb delete -f life1
mkbundle "$W/term" '["sh","-c","trap \"exit 0\" TERM; touch /tmp/ready; while :; do sleep 0.1; done"]'
hb create --bundle "$W/term" life1 && hb start life1
# pid 1 of a pid namespace ignores TERM until its trap is installed.
i=0
while ! hb exec life1 sh -c "test -e /tmp/ready" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
hb kill life1 TERM
i=0
while ! hb state life1 | grep -q '"status":"stopped"' && [ $i -lt 25 ]; do sleep 0.2; i=$((i + 1)); done && hb state life1 | grep -q '"status":"stopped"' &&
	ok "kill ID TERM (positional name)" || not_ok "kill by name"
hb delete life1 && no_trace life1 && ok "delete: nothing left" || not_ok "delete" "$(no_trace life1)"
hb create --bundle "$B" life2 && hb start life2 && hb kill life2 9 && sleep 0.3 &&
	hb state life2 | grep -q stopped && hb delete life2 && ok "kill ID 9 (number)" || not_ok "kill by number"

# run in the foreground forwards signals; kill --all reaches every process.
mkbundle "$W/fwd" '["sh","-c","trap \"echo got-term; exit 3\" TERM; while :; do sleep 0.1; done"]'
(cd "$W/fwd" && exec "$HB" --root "$ROOT" run fwd1 > "$W/fwd.out" 2>&1) &
RPID=$!
sleep 1
kill -TERM $RPID
wait $RPID; rc=$?
[ $rc = 3 ] && grep -q got-term "$W/fwd.out" && no_trace fwd1 &&
	ok "run forwards SIGTERM to the container and returns its exit code" ||
	not_ok "signal forwarding" "rc=$rc $(cat "$W/fwd.out")"
mkbundle "$W/all" '["sh","-c","sleep 100 & sleep 100 & wait"]'
hb run -d --bundle "$W/all" all1
sleep 0.3
P=$(hb state all1 | grep '"pid"' | tr -dc 0-9)
hb kill --all all1 KILL
sleep 0.5
left=$(for p in /proc/[0-9]*; do grep -l "^PPid:[[:space:]]*$P\$" $p/status 2>/dev/null; done | wc -l)
hb state all1 | grep -q stopped && [ "$left" = 0 ] && ok "kill --all signals every process in the cgroup" ||
	not_ok "kill --all" "left=$left"
hb delete all1

# --- exec, fds, security ---
B=$W/sec
RO=true mkbundle "$B" '["sleep","100"]' '"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
(exec 7>"$W/leak"; hb run -d --bundle "$B" sec1)
out=$(hb exec -e HBV=42 sec1 sh -c 'echo $HBV; ls /proc/self/fd | wc -l; grep CapBnd /proc/self/status; grep NoNewPrivs /proc/self/status; ulimit -n; touch /x 2>&1; mkdir /tmp/d 2>&1; cat /etc/secret; ls /etc/secretdir | wc -l')
echo "$out" | sed -n 1p | grep -qx 42 && ok "exec with --env" || not_ok "exec" "$out"
[ "$(echo "$out" | sed -n 2p)" -le 4 ] && ok "no runtime fd leaks into exec'd process" || not_ok "fd hygiene" "$out"
[ "$(echo "$out" | grep CapBnd | awk '{print $2}')" = "00000000000420eb" ] &&
	ok "capability bounding set from the spec" || not_ok "capabilities" "$(echo "$out" | grep Cap)"
echo "$out" | grep -q "NoNewPrivs:.*1" && [ "$(echo "$out" | sed -n 5p)" = 1024 ] &&
	ok "noNewPrivileges and RLIMIT_NOFILE applied" || not_ok "nnp/rlimits" "$out"
echo "$out" | grep -qi "read-only" && ok "readonly rootfs" || not_ok "readonly root" "$out"
echo "$out" | grep -qi "not permitted" && ok "seccomp filter from the spec (mkdir -> EPERM)" || not_ok "seccomp" "$out"
[ "$(echo "$out" | tail -1)" = 0 ] && ! echo "$out" | grep -q s3cr3t &&
	ok "masked paths (file and directory)" || not_ok "maskedPaths" "$out"
hb delete -f sec1

# --- device cgroup: deny all but the defaults ---
CAPS='["CAP_MKNOD","CAP_KILL"]' mkbundle "$W/dev" '["sh","-c","echo x > /dev/null && echo null-ok; mknod /tmp/mem c 1 1 2>&1; echo mknod=$?"]' \
	'"resources":{"devices":[{"allow":false,"access":"rwm"}]}'
out=$(hb run --bundle "$W/dev" dev1 2>&1)
echo "$out" | grep -q null-ok && echo "$out" | grep -q "mknod=1" &&
	ok "linux.resources.devices: /dev/null usable, mknod of /dev/mem denied" || not_ok "device cgroup" "$out"
CAPS='["CAP_MKNOD","CAP_KILL"]' mkbundle "$W/dev" '["sh","-c","mknod /tmp/mem c 1 1; echo mknod=$?"]'
out=$(hb run --bundle "$W/dev" dev2 2>&1)
echo "$out" | grep -q "mknod=0" && ok "without device rules mknod works (the check above means something)" ||
	not_ok "device cgroup control" "$out"

# --- bad configs and failures leave nothing ---
B=$W/bad
mkbundle "$B" '["true"]' '"uidMappings":[{"containerID":0,"hostID":0,"size":0}],"gidMappings":[]'
out=$(hb run --bundle "$B" bad1 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "invalid range" && no_trace bad1 &&
	ok "bad uid map: clear error, no trace" || not_ok "bad uid map" "$out"
NS='[{"type":"pid"},{"type":"warp"}]' mkbundle "$B" '["true"]'
out=$(hb run --bundle "$B" bad2 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "unknown namespace type" && no_trace bad2 &&
	ok "unknown namespace: clear error, no trace" || not_ok "unknown namespace" "$out"
mkbundle "$B" '["true"]' "" "" '"mounts2":1'
sed -i 's/"args":\["true"\]/"args":"true"/' "$B/config.json"
out=$(hb run --bundle "$B" bad3 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "process.args: expected an array" && no_trace bad3 &&
	ok "wrong type: clear error, no trace" || not_ok "wrong type" "$out"
mkbundle "$B" '["true"]' '"resources":{"pids":{"limit":50}}'
sed -i 's|"source":"tmpfs"}\],|"source":"tmpfs"},{"destination":"/m","type":"bind","source":"/nonexistent/src","options":["bind"]}],|' "$B/config.json"
out=$(hb run --bundle "$B" bad4 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "nonexistent" && no_trace bad4 &&
	ok "failing mount mid-create: error names it, no trace" || not_ok "mount failure" "$out"

# --- overlay layers ---
B=$W/ovl
mkdir -p "$W/l1" "$W/l2/etc" "$B"
mkrootfs "$W/l1"
echo lower2 > "$W/l2/etc/motd"
mkbundle "$B" '["sh","-c","cat /etc/motd; echo new > /etc/created"]'
rm -rf "$B/rootfs"
out=$(hb run --bundle "$B" --layer "$W/l2" --layer "$W/l1" --upper "$W/upper" ovl1 2>&1)
[ "$out" = lower2 ] && [ -f "$W/upper/etc/created" ] && [ ! -e "$W/l2/etc/created" ] &&
	! grep -q "$B/rootfs" /proc/self/mounts && ok "OverlayFS layers: reads lowers, writes upper, unmounted on delete" ||
	not_ok "overlay" "$out"

# --- cgroups ---
B=$W/cg
if [ $CGV2 = yes ]; then MEMEV=memory.events; else MEMEV=memory.oom_control; fi
mkbundle "$B" '["dd","if=/dev/zero","of=/dev/null","bs=64M","count=1"]' '"resources":{"memory":{"limit":33554432,"swap":33554432}}'
out=$(hb run --bundle "$B" cg1 2>&1); rc=$?
if dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null && [ $rc = 137 ]; then
	ok "memory limit OOM-kills a 64M hog inside (rc=$rc), not outside ($(cat /proc/self/cgroup | head -1 | cut -c1-20))"
else
	not_ok "memory limit" "rc=$rc $out"
fi
mkbundle "$B" '["sh","-c","for i in $(seq 1 40); do sleep 3 & done; echo all-forked"]' '"resources":{"pids":{"limit":10}}'
out=$(hb run --bundle "$B" cg2 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "can't fork" && ! echo "$out" | grep -q all-forked &&
	ok "pids limit stops a fork loop" || not_ok "pids limit" "rc=$rc $out"
mkbundle "$B" '["sh","-c","while :; do :; done"]' '"resources":{"cpu":{"quota":10000,"period":100000}}'
hb run -d --bundle "$B" cg3
sleep 1.5
if [ $CGV2 = yes ]; then CPUSTAT=/sys/fs/cgroup/hyperbox/cg3/cpu.stat; else CPUSTAT=/sys/fs/cgroup/cpu/hyperbox/cg3/cpu.stat; fi
thr=$(grep nr_throttled "$CPUSTAT" | awk '{print $2}')
hb delete -f cg3
[ -n "$thr" ] && [ "$thr" -gt 3 ] && no_trace cg3 && ok "cpu quota throttles (nr_throttled=$thr), cgroup removed" ||
	not_ok "cpu quota" "nr_throttled=$thr ($CPUSTAT)"

mkbundle "$B" '["sh","-c","cat /proc/self/cgroup; sleep 100"]' '"resources":{"memory":{"limit":67108864},"pids":{"limit":20},"cpu":{"quota":20000,"period":100000,"shares":512,"cpus":"0"}}'
hb run -d --bundle "$B" cg4 > "$W/cg4.out" 2>&1
sleep 0.3
if [ $CGV2 = yes ]; then
	D=/sys/fs/cgroup/hyperbox/cg4
	got="$(cat $D/memory.max) $(cat $D/pids.max) $(cat $D/cpu.max) $(cat $D/cpu.weight) $(cat $D/cpuset.cpus)"
	want="67108864 20 20000 100000 20 0"
else
	got="$(cat /sys/fs/cgroup/memory/hyperbox/cg4/memory.limit_in_bytes) $(cat /sys/fs/cgroup/pids/hyperbox/cg4/pids.max) $(cat /sys/fs/cgroup/cpu/hyperbox/cg4/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/hyperbox/cg4/cpu.shares) $(cat /sys/fs/cgroup/cpuset/hyperbox/cg4/cpuset.cpus)"
	want="67108864 20 20000 512 0"
fi
[ "$got" = "$want" ] && ok "linux.resources written to the cgroup ($CGV2 = v2)" || not_ok "resources" "got  $got" "want $want"
if [ $CGV2 = yes ]; then
	grep -qx "0::/" "$W/cg4.out" && ok "cgroup namespace rooted at the container's cgroup" ||
		not_ok "cgroup namespace" "$(cat "$W/cg4.out")"
else
	skip "cgroup namespace root" "needs a cgroup2 host"
fi
hb delete -f cg4

# Without a cgroup namespace a new cgroup2 mount would apply its (default)
# options to the host's hierarchy (dropping nsdelegate, and since 6.17 an
# RCU grace period per container): the host's tree is bound instead.
NS='[{"type":"pid"},{"type":"mount"}]' mkbundle "$W/nocgns" \
	'["sh","-c","cat /proc/self/cgroup; ls /sys/fs/cgroup/hyperbox/cg5/cgroup.procs"]' \
	'"resources":{"pids":{"limit":30}}'
if command -v strace >/dev/null; then
	out=$(timeout 30 strace -f -qq -e trace=mount -o "$W/mount.trace" \
		"$HB" --root "$ROOT" run --bundle "$W/nocgns" cg5 2>&1)
	if echo "$out" | grep -q "^/sys/fs/cgroup/hyperbox/cg5/cgroup.procs$" &&
	   grep -q "/sys/fs/cgroup" "$W/mount.trace" && ! grep -q '"cgroup2"' "$W/mount.trace"; then
		ok "no cgroup namespace: the host's cgroup2 tree is bound, not mounted afresh"
	else
		not_ok "cgroup2 without a cgroup namespace" "$out" "$(grep -i cgroup "$W/mount.trace")"
	fi
else
	skip "no cgroup namespace: the host's cgroup2 tree is bound" "strace missing"
	out=$(hb run --bundle "$W/nocgns" cg5 2>&1)
fi
# Hybrid hosts: v1 hierarchies are joined for their limits only (pids here).
if [ $CGV2 = no ] && [ -d /sys/fs/cgroup/unified ]; then
	echo "$out" | grep -q "^0::/hyperbox/cg5$" && echo "$out" | grep -q ":pids:/hyperbox/cg5$" &&
	! echo "$out" | grep -q ":memory:/hyperbox/cg5$" && ! echo "$out" | grep -q ":cpu[,a-z]*:/hyperbox/cg5$" &&
		ok "hybrid host: the v1 pids hierarchy joined for pids.max, memory and cpu not" ||
		not_ok "v1 hierarchies joined" "$out"
else
	skip "hybrid host: v1 hierarchies joined for their limits only" "not a hybrid cgroup host"
fi

# --- user namespace with a multi-id range, as root ---
NS='[{"type":"pid"},{"type":"mount"},{"type":"user"}]' mkbundle "$W/userns" \
	'["sh","-c","id -u; cat /proc/self/uid_map /proc/self/gid_map"]' \
	'"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],"gidMappings":[{"containerID":0,"hostID":100000,"size":65536}]'
sed -i 's/{"destination":"\/sys\/fs\/cgroup"[^}]*},//; s/{"destination":"\/sys",[^}]*},//' "$W/userns/config.json"
case "$(ls -ld / | cut -c10)" in
x|t)
	out=$(hb run --bundle "$W/userns" u1 2>&1)
	echo "$out" | head -1 | grep -qx 0 && [ "$(echo "$out" | grep -c "0 *100000 *65536")" = 2 ] &&
		ok "user namespace: uid/gid maps 0-65535 -> 100000" || not_ok "user namespace" "$out"
	;;
*)
	skip "user namespace: uid/gid maps 0-65535 -> 100000" \
		"/ is $(ls -ld / | cut -c1-10): mapped root cannot reach the bundle (initramfs staged with mode 700)"
	;;
esac

# --- OCI hooks: order, namespaces, state on stdin, failures ---
B=$W/hooks
mkrootfs "$B/rootfs"
# hook.sh KIND LOG: one line per call: kind, hostname (which uts
# namespace it ran in) and the "status" of the state it read on stdin.
for f in "$W/hook.sh" "$B/rootfs/hook.sh"; do
	cat > "$f" <<'HOOK'
#!/bin/sh
state=$(cat)
echo "$1 $(hostname) $(echo "$state" | tr -d ' \n' | grep -o '"status":"[a-z]*"')" >> "$2"
HOOK
	chmod 755 "$f"
done
hk() { # kind path log
	echo "{\"path\":\"$2\",\"args\":[\"hook.sh\",\"$1\",\"$3\"],\"env\":[\"PATH=/bin:/usr/bin\"]}"
}
HOOKS="\"hooks\":{\"prestart\":[$(hk prestart "$W/hook.sh" "$W/hooks.log")],
 \"createRuntime\":[$(hk createRuntime "$W/hook.sh" "$W/hooks.log")],
 \"createContainer\":[$(hk createContainer "$W/hook.sh" "$W/hooks.log")],
 \"startContainer\":[$(hk startContainer /hook.sh /hooks.log)],
 \"poststart\":[$(hk poststart "$W/hook.sh" "$W/hooks.log")],
 \"poststop\":[$(hk poststop "$W/hook.sh" "$W/hooks.log")]}"
mkbundle "$B" '["sh","-c","sleep 0.3"]' "" "" "$HOOKS"
out=$(hb run --bundle "$B" hk1 2>&1); rc=$?
host=$(hostname)
want="prestart $host \"status\":\"creating\"
createRuntime $host \"status\":\"creating\"
createContainer hbtest \"status\":\"creating\"
poststart $host \"status\":\"running\"
poststop $host \"status\":\"stopped\""
got=$(cat "$W/hooks.log" 2>/dev/null)
[ $rc = 0 ] && [ "$got" = "$want" ] &&
	[ "$(cat "$B/rootfs/hooks.log" 2>/dev/null)" = "startContainer hbtest \"status\":\"created\"" ] &&
	no_trace hk1 && ok "hooks: all six in order, each in its namespace, the state on stdin" ||
	not_ok "hooks in order" "rc=$rc $out" "got:" "$got" "in the container: $(cat "$B/rootfs/hooks.log" 2>/dev/null)"

# The same through create / start / delete: start and delete take the
# hooks from the state directory.
rm -f "$W/hooks.log" "$B/rootfs/hooks.log"
mkbundle "$B" '["sleep","30"]' "" "" "\"hooks\":{\"startContainer\":[$(hk startContainer /hook.sh /hooks.log)],
 \"poststart\":[$(hk poststart "$W/hook.sh" "$W/hooks.log")],\"poststop\":[$(hk poststop "$W/hook.sh" "$W/hooks.log")]}"
hb create --bundle "$B" hk5 >/dev/null 2>&1
before=$(cat "$B/rootfs/hooks.log" 2>/dev/null)
hb start hk5 && hb delete -f hk5
got=$(cat "$W/hooks.log" 2>/dev/null)
[ -z "$before" ] && [ "$got" = "poststart $host \"status\":\"running\"
poststop $host \"status\":\"stopped\"" ] &&
	[ "$(cat "$B/rootfs/hooks.log" 2>/dev/null)" = "startContainer hbtest \"status\":\"created\"" ] && no_trace hk5 &&
	ok "hooks: create/start/delete run startContainer at start, poststart, poststop" ||
	not_ok "hooks via create/start/delete" "before start: $before" "got: $got" "in the container: $(cat "$B/rootfs/hooks.log" 2>/dev/null)"

# A failing createRuntime hook fails the create, names the hook, leaves no
# trace, and the container, which existed, still gets its poststop.
rm -f "$W/hooks.log"
mkbundle "$B" '["true"]' "" "" '"hooks":{"createRuntime":[{"path":"/bin/sh","args":["sh","-c","exit 3"]}],
 "poststop":['"$(hk poststop "$W/hook.sh" "$W/hooks.log")"']}'
out=$(hb run --bundle "$B" hk2 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q 'createRuntime hook `/bin/sh` exited with status 3' &&
	[ "$(cat "$W/hooks.log" 2>/dev/null)" = "poststop $host \"status\":\"stopped\"" ] && no_trace hk2 &&
	ok "hooks: a failing createRuntime hook fails create, named, no trace, poststop ran" ||
	not_ok "failing createRuntime hook" "rc=$rc $out" "$(cat "$W/hooks.log" 2>/dev/null)"

# A createContainer hook past its timeout is killed; a failing poststart
# only warns (the container runs on).
mkbundle "$B" '["true"]' "" "" '"hooks":{"createContainer":[{"path":"/bin/sh","args":["sh","-c","sleep 20"],"timeout":1}]}'
out=$(hb run --bundle "$B" hk3 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q 'createContainer hook `/bin/sh` timed out after 1 s' && no_trace hk3 &&
	ok "hooks: a hook past its timeout is killed, create fails and says so" ||
	not_ok "hook timeout" "rc=$rc $out"
mkbundle "$B" '["sh","-c","echo ran"]' "" "" '"hooks":{"poststart":[{"path":"/bin/sh","args":["sh","-c","exit 1"]}]}'
out=$(hb run --bundle "$B" hk4 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^ran$' && echo "$out" | grep -q 'warning: poststart hook `/bin/sh` exited with status 1' &&
	no_trace hk4 && ok "hooks: a failing poststart hook is a warning" ||
	not_ok "failing poststart hook" "rc=$rc $out"

# --- joining a namespace by path ---
B=$W/join
mkbundle "$B" '["sleep","100"]'
hb run -d --bundle "$B" j1
P=$(hb state j1 | grep '"pid"' | tr -dc 0-9)
NS="[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\",\"path\":\"/proc/$P/ns/uts\"}]" \
	mkbundle "$W/join2" '["hostname"]'
sed -i 's/"hostname":"hbtest",//' "$W/join2/config.json"
out=$(hb run --bundle "$W/join2" j2 2>&1)
hb delete -f j1
[ "$out" = hbtest ] && ok "join an existing uts namespace by path" || not_ok "join namespace" "$out"

# --- network: bridge, veth, IPAM, in a network namespace we create ---
cat > "$W/net.sh" <<NET
set -e
ip link set lo up
hb() { timeout 30 "$HB" --root "$ROOT" "\$@"; }
hb net create hbt0 --subnet 10.77.0.1/24
hb run -d --bundle "$W/net" --network hbt0 n1
hb run -d --bundle "$W/net" --network hbt0 n2
hb exec n1 ping -c1 -W2 10.77.0.3 >/dev/null
if hb exec n1 ping -c1 -W1 10.78.0.1 >/dev/null 2>&1; then echo reached-outside; exit 1; fi
hb exec n2 sh -c 'ls /sys/class/net | tr "\n" " "; echo'
if hb run -d --bundle "$W/net" --network nosuchbr n3 2>/dev/null; then echo bad-bridge-accepted; exit 1; fi
[ ! -e "$ROOT/n3" ] || { echo "n3 state left"; exit 1; }
for i in 4 5 6 7; do hb run -d --bundle "$W/net" --network hbt0 n\$i & done
wait
[ "\$(awk '/^10\./ {print \$1}' "$ROOT/.net/hbt0.ipam" | sort -u | wc -l)" = 6 ] || { echo "duplicate lease"; exit 1; }
for i in 4 5 6 7; do hb delete -f n\$i; done
if hb run --bundle "$W/bad" --network hbt0 n8 2>/dev/null; then echo bad-mount-accepted; exit 1; fi
[ "\$(ip link show | grep -c hbv)" = 2 ] || { echo "veth of failed n8 left"; exit 1; }
[ "\$(grep -c '^10\.' "$ROOT/.net/hbt0.ipam")" = 2 ] || { echo "lease of failed n8 left"; exit 1; }
hb delete -f n1
hb delete -f n2
ip link show | grep -c hbv || true
grep -c '^10\.' "$ROOT/.net/hbt0.ipam" || true
hb net delete hbt0
NET
mkbundle "$W/net" '["sleep","100"]'
out=$($UNSHARE -n sh "$W/net.sh" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^eth0 lo $" && [ "$(echo "$out" | tail -2 | tr '\n' ' ')" = "0 0 " ] &&
	ok "bridge+veth: containers ping each other, nothing else; veths and leases removed" ||
	not_ok "network" "$out"

[ $FAILED = 0 ]
