#!/bin/busybox sh
# rdinit of scripts/bochs-run.sh's "feature missing" boots: on a CPU model
# without unrestricted guest or without EPT, hyperbox.ko must refuse to load
# with a log line naming what is missing, and the kernel must stay healthy.
# Prints "vmx-refuse: ok" or "vmx-refuse: FAIL <why>", then powers off.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin 2>/dev/null
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

echo "vmx-refuse: CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "vmx-refuse: VMX flags: $(grep -m1 '^vmx flags' /proc/cpuinfo | cut -d: -f2)"
why=
if [ ! -f /hb/hyperbox.ko ]; then
	why="hyperbox.ko is not in the initramfs"
elif insmod /hb/hyperbox.ko 2>/tmp/err; then
	why="insmod succeeded on a CPU it cannot use"
	rmmod hyperbox
fi
dmesg | grep -i hyperbox | sed 's/^/vmx-refuse: dmesg: /'
if [ -z "$why" ] && ! dmesg | grep -q 'hyperbox: vmx: '; then
	why="no 'hyperbox: vmx:' line explains the refusal"
fi
if dmesg | grep -q -E 'Oops|BUG:|WARNING:|general protection|Call Trace'; then
	why="${why:+$why; }kernel splat"
	dmesg | tail -n 40 | sed 's/^/vmx-refuse: dmesg: /'
fi
if [ -z "$why" ]; then
	echo "vmx-refuse: ok (insmod: $(cat /tmp/err 2>/dev/null))"
else
	echo "vmx-refuse: FAIL $why"
fi
# Every serial byte takes emulated time: let the UART drain first.
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
