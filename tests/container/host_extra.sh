#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-only end-to-end checks that need tools the guest lacks (python3 for
# a console-socket receiver, script(1) for a pty, setpriv for rootless).
# TAP output; needs root and $HYPERBOX.
HB=${HYPERBOX:?set HYPERBOX}
W=$(mktemp -d /tmp/hb-extra.XXXXXX)
chmod 755 "$W"
ROOT=$W/state
N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
hb() { timeout 30 "$HB" --root "$ROOT" "$@"; }
trap 'for c in $(ls "$ROOT" 2>/dev/null); do "$HB" --root "$ROOT" delete -f "$c"; done; rm -rf "$W"' EXIT

if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root"; exit 0; fi
echo "1..8"

mkrootfs() {
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
	cp /bin/busybox "$1/bin/busybox"
	for a in sh cat echo id hostname sleep tty stty ls; do ln -sf busybox "$1/bin/$a"; done
}

# spec writes a config.json we can run as is (after choosing args).
B=$W/b
mkdir -p "$B" && mkrootfs "$B/rootfs"
(cd "$B" && "$HB" spec) && grep -q '"ociVersion"' "$B/config.json" &&
	ok "spec writes config.json" || not_ok "spec"
(cd "$B" && "$HB" spec 2>/dev/null) && not_ok "spec refuses to overwrite" || ok "spec refuses to overwrite"

# run -t inside a pty: the process sees a terminal and its size.
sed -i 's/"sh"$/"sh","-c","tty; stty size"/' "$B/config.json"
if command -v script >/dev/null; then
	out=$(cd "$B" && timeout 20 script -qec "stty cols 77 rows 11; $HB --root $ROOT run -t tty1" /dev/null 2>&1 | tr -d '\r\000')
	echo "$out" | grep -q "/dev/pts/0" && echo "$out" | grep -q "11 77" &&
		ok "run -t: pty in the container, window size forwarded" || not_ok "run -t" "$out"
else
	skip "run -t" "no script(1)"
fi

# --console-socket: the pty master arrives over SCM_RIGHTS.
if command -v python3 >/dev/null; then
	sed -i 's/"sh","-c","tty; stty size"/"sh","-c","echo console-ok; sleep 100"/' "$B/config.json"
	python3 - "$W/console.sock" > "$W/console.out" 2>&1 <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 1024, 1)
time.sleep(1.0)
os.set_blocking(fds[0], False)
try:
    print(os.read(fds[0], 4096).decode(errors="replace").strip())
except BlockingIOError:
    print("nothing")
PY
	i=0
	while [ ! -S "$W/console.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	hb create --bundle "$B" --console-socket "$W/console.sock" con1 && hb start con1
	wait
	hb delete -f con1
	grep -q console-ok "$W/console.out" && ok "create --console-socket sends the pty master" ||
		not_ok "console socket" "$(cat "$W/console.out")"
else
	skip "console socket" "no python3"
fi

# Rootless: an unprivileged user runs `spec --rootless` bundles.
if command -v setpriv >/dev/null; then
	R=$W/rootless
	mkdir -p "$R" && mkrootfs "$R/rootfs" && cp "$HB" "$W/hb-copy"
	chown -R 65534:65534 "$R"
	out=$(cd "$R" && setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_RUNTIME_DIR= sh -c \
		"'$W/hb-copy' spec --rootless && sed -i 's/\"terminal\":true/\"terminal\":false/; s/\"sh\"\$/\"sh\",\"-c\",\"id -u; cat \/proc\/self\/uid_map\"/' config.json &&
		 timeout 20 '$W/hb-copy' --root '$R/state' run rl1" 2>&1)
	echo "$out" | head -1 | grep -qx 0 && echo "$out" | grep -q " 0 *65534 *1" &&
		ok "rootless: user namespace maps uid 65534 to root" || not_ok "rootless" "$out"
else
	skip "rootless" "no setpriv"
fi

# exec is protected too: its process's parent chain never shows the binary.
B2=$W/b2
mkdir -p "$B2" && mkrootfs "$B2/rootfs" && (cd "$B2" && "$HB" spec)
sed -i 's/"terminal":true/"terminal":false/; s/"sh"$/"sleep","100"/' "$B2/config.json"
hb run -d --bundle "$B2" ex1
out=$(hb exec ex1 sh -c 'grep PPid /proc/$$/status')
echo "$out" | grep -q "PPid:.*0" && ok "exec'd process has no runtime parent inside the container" ||
	not_ok "exec isolation" "$out"
if command -v script >/dev/null; then
	out=$( (sleep 3) | timeout 20 script -qec "$HB --root $ROOT exec -t ex1 sh -c 'tty; echo exec-tty-ok'" /dev/null 2>&1 | tr -d '\r')
	echo "$out" | grep -q "/dev/pts/" && echo "$out" | grep -q exec-tty-ok &&
		ok "exec -t: a pty in the running container" || not_ok "exec -t" "$out"
else
	skip "exec -t" "no script(1)"
fi
hb delete -f ex1

# podman as a client: conmon drives create/start/state/kill/delete.
if command -v podman >/dev/null && command -v conmon >/dev/null; then
	P="timeout 120 podman --runtime $HB --cgroup-manager=cgroupfs --events-backend=file"
	I=localhost/hb-test-busybox:$$
	mkrootfs "$W/img"
	tar -C "$W/img" -cf "$W/img.tar" .
	if $P import "$W/img.tar" "$I" >/dev/null 2>&1; then
		out=$($P run --rm --network none --ulimit nofile=1024:1024 \
			--ulimit nproc=1024:1024 "$I" /bin/echo ok 2>&1)
		[ "$out" = ok ] && ok "podman --runtime hyperbox run --rm IMAGE /bin/echo ok" ||
			not_ok "podman run" "$out"
		$P rmi -f "$I" >/dev/null 2>&1
	else
		skip "podman run" "podman import failed"
	fi
else
	skip "podman run" "no podman/conmon"
fi

[ $FAILED = 0 ]
