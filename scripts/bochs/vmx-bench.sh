#!/bin/busybox sh
# rdinit of scripts/bochs-run.sh's benchmark boot (BOCHS_BENCH=1): hyperbox's
# exit round trips on VMX (bench/exit-latency --hyperbox). Under Bochs the
# times are emulated time (instructions / ips), not hardware latency; there
# is no KVM to compare with, so the useful ratio is userspace exit (PIO) over
# in-kernel exit (hypercall): the cost of leaving the kernel.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin 2>/dev/null
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
n=2000
for arg in $(cat /proc/cmdline); do
	case "$arg" in hb.bench_n=*) n=${arg#hb.bench_n=} ;; esac
done
if insmod /hb/hyperbox.ko 2>/tmp/err && [ -x /hb/bench/exit-latency ]; then
	/hb/bench/exit-latency --hyperbox -n "$n" 2>&1 | sed 's/^/vmx-bench: /'
else
	echo "vmx-bench: FAIL: $(cat /tmp/err) $(ls /hb/bench 2>&1)"
fi
dmesg | grep -E 'hyperbox|WARNING|BUG' | sed 's/^/vmx-bench: dmesg: /'
i=0 last=
while [ $i -lt 100 ]; do
	now=$(grep -o 'tx:[0-9]*' /proc/tty/driver/serial 2>/dev/null | head -n1)
	[ -z "$now" ] || [ "$now" = "$last" ] && break
	last=$now
	usleep 200000
	i=$((i + 1))
done
echo o >/proc/sysrq-trigger
sleep 10
