#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hostile containers (issue 7), TAP. Runs in the QEMU guest of `make check`
# (cgroup2 with every controller, initramfs root), as root. A process inside
# a hyperbox container tries to get out: a fork bomb against pids.max, a
# memory hog against memory.max, moving itself out of its cgroup, looking
# at host processes and mounts, overwriting the runtime binary through
# /proc/PID/exe while `hyperbox exec` joins it, and inheriting host fds.
# Needs $HYPERBOX (default /hb/bin/hyperbox) and a static busybox.
HB=${HYPERBOX:-/hb/bin/hyperbox}
BB=${BUSYBOX:-/bin/busybox}
W=$(mktemp -d /tmp/hb-hostile.XXXXXX)
chmod 755 "$W"
ROOT=$W/state
N=0

ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
	N=$((N + 1)); echo "not ok $N - $1"; shift
	for l in "$@"; do echo "$l" | sed 's/^/# /'; done
}
skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
hb() { timeout 60 "$HB" --root "$ROOT" "$@"; }

cleanup() {
	for c in $(ls "$ROOT" 2>/dev/null); do
		"$HB" --root "$ROOT" delete --force "$c" >/dev/null 2>&1
	done
	rm -rf "$W"
}
trap cleanup EXIT

if [ ! -x "$HB" ] || [ "$(id -u)" != 0 ] || ! grep -q cgroup2 /proc/mounts; then
	echo "1..0 # SKIP needs root, $HB and cgroup2"
	exit 0
fi

mkrootfs() {
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/etc"
	cp "$BB" "$1/bin/busybox"
	for a in sh ls cat echo true sleep ps wc grep head dd seq cut tr awk \
		 mount id readlink timeout kill md5sum; do
		ln -sf busybox "$1/bin/$a"
	done
	echo "root:x:0:0:root:/:/bin/sh" >"$1/etc/passwd"
}

# mkbundle DIR ARGS_JSON [RESOURCES_JSON]
mkbundle() {
	mkdir -p "$1"
	[ -d "$1/rootfs/bin" ] || mkrootfs "$1/rootfs"
	cat >"$1/config.json" <<JSON
{"ociVersion":"1.0.2",
 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":$2,
  "env":["PATH=/bin"],"cwd":"/","noNewPrivileges":true,
  "capabilities":{"bounding":["CAP_KILL","CAP_SETUID","CAP_SETGID"],
   "effective":["CAP_KILL","CAP_SETUID","CAP_SETGID"],
   "permitted":["CAP_KILL","CAP_SETUID","CAP_SETGID"]}},
 "root":{"path":"rootfs"},
 "hostname":"hostile",
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
  {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
  {"destination":"/sys/fs/cgroup","type":"cgroup2","source":"cgroup","options":["nosuid","noexec","nodev","ro"]},
  {"destination":"/tmp","type":"tmpfs","source":"tmpfs"}],
 "linux":{"namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"},
   {"type":"uts"},{"type":"mount"},{"type":"cgroup"}],
  "resources":${3:-{\}}}}
JSON
}

# ---- fork bomb against pids.max -------------------------------------------
B=$W/bomb
mkbundle "$B" '["sh","-c","b() { b & b & wait; }; b 2>/dev/null; echo bomb-ended"]' \
	'{"pids":{"limit":32}}'
t0=$(date +%s)
out=$(timeout 30 "$HB" --root "$ROOT" run --bundle "$B" bomb 2>&1 </dev/null)
rc=$?
peak=$(ps | wc -l)
if [ $rc != 124 ] && [ $(($(date +%s) - t0)) -lt 30 ]; then
	ok "fork bomb held by pids.max 32 (exit $rc after $(($(date +%s) - t0)) s)"
else
	not_ok "fork bomb held by pids.max" "rc=$rc $(echo "$out" | tail -3)"
	hb delete --force bomb >/dev/null 2>&1
fi
# The host still forks fine.
if sh -c 'for i in 1 2 3 4 5; do true & done; wait' 2>/dev/null; then
	ok "host still forks after the bomb ($peak processes listed during it)"
else
	not_ok "host still forks after the bomb"
fi

# ---- memory hog against memory.max ------------------------------------------
B=$W/hog
mkbundle "$B" '["sh","-c","x=0123456789; while :; do x=$x$x; done; echo survived"]' \
	'{"memory":{"limit":33554432,"swap":0},"pids":{"limit":20}}'
out=$(timeout 60 "$HB" --root "$ROOT" run --bundle "$B" hog 2>&1 </dev/null)
rc=$?
if [ $rc != 0 ] && [ $rc != 124 ] && ! echo "$out" | grep -q survived; then
	ok "memory hog killed at memory.max 32M (exit $rc)"
else
	not_ok "memory hog killed at memory.max" "rc=$rc $(echo "$out" | tail -3)"
fi
free_kb=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
[ "${free_kb:-0}" -gt 100000 ] && ok "host memory intact after the hog (${free_kb} kB available)" ||
	not_ok "host memory after the hog" "MemAvailable ${free_kb} kB"

# ---- a long-running container to poke at --------------------------------------
B=$W/box
mkbundle "$B" '["sh","-c","sleep 1000"]' '{"pids":{"limit":50}}'
if ! hb create --bundle "$B" box >/dev/null 2>&1 || ! hb start box >/dev/null 2>&1; then
	not_ok "create + start a long-running container"
	echo "1..$N"
	exit 0
fi
ok "create + start a long-running container"
cpid=$(hb state box | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')

# Host processes: only the container's own are visible.
out=$(hb exec box sh -c 'ls -d /proc/[0-9]* | wc -l' 2>&1)
[ "${out:-99}" -le 5 ] && ok "no host processes visible ($out pids)" ||
	not_ok "no host processes visible" "$out"

# Host mounts: none of the host's own mount points show up.
mkdir -p /tmp/hb-host-only-mark && mount -t tmpfs hbmark /tmp/hb-host-only-mark
out=$(hb exec box sh -c 'grep -c hbmark /proc/self/mounts' 2>&1)
[ "$out" = 0 ] && ok "host mounts not visible" || not_ok "host mounts not visible" "$out"
umount /tmp/hb-host-only-mark

# Out of its cgroup: the cgroup2 tree is read-only and namespaced.
out=$(hb exec box sh -c 'echo $$ > /sys/fs/cgroup/cgroup.procs 2>&1 && echo moved;
	echo $$ > /sys/fs/cgroup/../cgroup.procs 2>&1 && echo moved-up;
	mkdir /sys/fs/cgroup/escape 2>&1 && echo made; cat /proc/self/cgroup' 2>&1)
host_cg=$(cat /proc/$cpid/cgroup 2>/dev/null)
if ! echo "$out" | grep -q -e moved -e made && echo "$host_cg" | grep -q box; then
	ok "container cannot leave its cgroup (host sees: $host_cg)"
else
	not_ok "container cannot leave its cgroup" "$out" "host view: $host_cg"
fi

# The runtime binary through /proc/PID/exe (CVE-2019-5736): a container
# process races every `exec` into the box, trying to open each process's
# exe for writing. The runtime must never be writable from inside.
sum0=$(md5sum "$HB" | cut -d' ' -f1)
hb exec -d box sh -c 'end=$(($(date +%s) + 8)); while [ $(date +%s) -lt $end ]; do
	for p in /proc/[0-9]*; do
		(echo pwned >> $p/exe) 2>/dev/null && echo "wrote $p/exe" >> /tmp/log
	done; done' >/dev/null 2>&1
i=0
while [ $i -lt 15 ]; do hb exec box true >/dev/null 2>&1; i=$((i + 1)); done
sleep 1
sum1=$(md5sum "$HB" | cut -d' ' -f1)
wrote=$(hb exec box sh -c 'cat /tmp/log 2>/dev/null' 2>&1)
if [ "$sum0" = "$sum1" ]; then
	ok "runtime binary unchanged after exec races (${wrote:-no write succeeded})"
else
	not_ok "runtime binary unchanged after exec races" "$wrote"
fi

# No fds of the runtime or of this shell reach the container.
exec 7</etc/passwd
out=$(hb exec box sh -c 'ls /proc/self/fd | wc -l' 2>&1)
exec 7<&-
[ "${out:-99}" -le 4 ] && ok "no leaked fds in an exec'd process ($out open)" ||
	not_ok "no leaked fds in an exec'd process" "$out"

hb kill box KILL >/dev/null 2>&1
sleep 1
hb delete --force box >/dev/null 2>&1
[ ! -e /sys/fs/cgroup/hyperbox/box ] && ok "cgroup gone after delete" ||
	not_ok "cgroup gone after delete"

# ---- the runtime killed at random points of create -------------------------
# SIGKILL after 0..190 ms, then delete --force: nothing may stay behind
# (state dir, cgroup, mounts of the bundle, the container's processes).
B=$W/killed
mkbundle "$B" '["sleep","1000"]' '{"pids":{"limit":20}}'
left=
i=0
while [ $i -lt 20 ]; do
	id=k$i
	"$HB" --root "$ROOT" create --bundle "$B" $id >/dev/null 2>&1 </dev/null &
	p=$!
	usleep $(( (i * 10) * 1000 ))
	kill -KILL $p 2>/dev/null
	wait $p 2>/dev/null
	"$HB" --root "$ROOT" delete --force $id >/dev/null 2>&1
	[ -e "$ROOT/$id" ] && left="$left $id:state"
	[ -e /sys/fs/cgroup/hyperbox/$id ] && left="$left $id:cgroup"
	grep -q "$B" /proc/mounts && left="$left $id:mount"
	i=$((i + 1))
done
stray=$(ps -o pid,args 2>/dev/null | grep -c "[s]leep 1000")
[ "$stray" != 0 ] && left="$left sleep-processes:$stray"
[ -z "$left" ] && ok "create killed at 20 points + delete --force leaves nothing behind" ||
	not_ok "create killed at 20 points + delete --force leaves nothing behind" "left:$left"

echo "1..$N"
