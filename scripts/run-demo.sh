#!/bin/sh
# make run: build hyperbox and run the bundled demo guest.
#   - where /dev/hyperbox exists and answers (hyperbox info), run it right here;
#   - otherwise boot a QEMU sandbox (Debian's 6.1 kernel, TCG with AMD SVM
#     emulated), load hyperbox.ko there and run the demo inside it.
# The demo is the one guests/DEMO names, else guests/hello-long.bin, else hello*.bin, else the first *.bin.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
say() { echo "==> $*"; }

if [ "${SKIP_DEPS:-0}" != 1 ]; then
	scripts/deps.sh
fi
say "building hyperbox (module, CLI, demo guests)"
mkdir -p out
if ! make -s all >out/build.log 2>&1; then
	tail -n 30 out/build.log
	echo "make run: the build failed (full log: $top/out/build.log)" >&2
	exit 1
fi

demo=$(cat guests/DEMO 2>/dev/null || true)
if [ -z "$demo" ]; then
	for f in guests/hello-long.bin guests/hello*.bin guests/*.bin; do
		[ -f "$f" ] && { demo=$f; break; }
	done
fi
[ -n "$demo" ] && demo=guests/${demo##*/}
if [ -z "$demo" ] || [ ! -f "$demo" ]; then
	echo "make run: no demo guest was built (expected guests/*.bin)" >&2
	exit 1
fi
if [ ! -x user/hyperbox ]; then
	echo "make run: user/hyperbox was not built" >&2
	exit 1
fi

if [ -c /dev/hyperbox ] && user/hyperbox info >/dev/null 2>&1; then
	say "/dev/hyperbox is available: running the demo on this machine"
	echo "\$ user/hyperbox info"
	user/hyperbox info
	echo
	echo "\$ user/hyperbox vm run --image $demo"
	exec user/hyperbox vm run --image "$demo"
fi

kver=$(scripts/kver.sh)
if [ -c /dev/hyperbox ]; then
	why="/dev/hyperbox exists but does not answer"
else
	why="/dev/hyperbox does not exist here: hyperbox.ko is not loaded (make run never loads modules into the running kernel)"
fi
say "$why"
echo "    (to run the demo on this machine: insmod ./hyperbox.ko on a CPU with AMD SVM or Intel VMX, then make run)"
say "running the demo in a QEMU sandbox instead: Debian $kver, TCG with AMD SVM emulated"
run=out/run
mkdir -p $run
scripts/mkinitramfs.sh $run/initramfs.cpio.gz "$kver" >/dev/null
say "booting (about 10 s)..."
t0=$(date +%s)
QEMU_TIMEOUT=${QEMU_TIMEOUT:-300} HB_TEE=1 scripts/qemu-run.sh $run/initramfs.cpio.gz $run/serial.log hb.mode=run |
	awk '{ sub(/\r+$/, "") }
	     /@@HB RUN-BEGIN/ { on = 1; next }
	     /@@HB RUN-END/ { on = 0; next }
	     on && !/^\[ *[0-9]+\.[0-9]+\]/ { print "    " $0; fflush() }' || true
rc=$(sed -n 's/.*@@HB RUN-END rc=\([0-9]*\).*/\1/p' $run/serial.log | tail -n1)
if [ -z "$rc" ]; then
	echo "make run: the sandbox did not finish the demo (see $top/$run/serial.log)" >&2
	exit 1
fi
if splat=$(scripts/check-splat.sh $run/serial.log); then :; else
	echo "make run: the guest kernel logged a problem:" >&2
	echo "$splat" | sed 's/^/    /' >&2
	rc=1
fi
say "done in $(($(date +%s) - t0)) s: the demo guest exited with status $rc (serial log: $run/serial.log)"
exit "$rc"
