#!/bin/sh
# Install the Debian packages hyperbox's build and test loop needs.
# (bochs-term: Debian's bochs would otherwise pull the wx display; the VMX
# lane needs the term one. python3: scripts/bochs/vmlinux-pack.py, bench/.)
# Fast when everything is present (one dpkg-query); runs `apt-get update`
# at most once, and only when something is missing.
#
# Usage: scripts/deps.sh [--no-install]   (--no-install: only report)
set -eu

PKGS="build-essential linux-headers-amd64 linux-image-amd64 linux-source-6.1
qemu-system-x86 busybox-static cpio
libcmocka-dev libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libjson-c-dev
libseccomp-dev libcap-dev pkg-config
kmod dkms sparse
bochs bochs-term bochsbios vgabios isolinux syslinux-common xorriso
python3 xz-utils zstd
crun runc bubblewrap hyperfine podman strace"

# Debian 12's 6.12 kernel headers (bookworm-security), for the build-only
# check against a newer kernel. Optional: if no such package exists, the
# check is skipped; a stamp keeps us from running apt-get update each time.
STAMP_612=/var/cache/hyperbox-no-6.12-headers

install=1
[ "${1:-}" = "--no-install" ] && install=0

installed=$(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' $PKGS 2>/dev/null |
	awk '/^ii/ { print $2 }')
missing=
for p in $PKGS; do
	case " $(echo $installed) " in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }

have_612() { ls -d /usr/src/linux-headers-6.12.*+deb12-amd64 >/dev/null 2>&1; }
want_612=0
if ! have_612 && [ ! -e "$STAMP_612" ]; then want_612=1; fi

if [ -z "$missing" ] && [ $want_612 = 0 ]; then
	exit 0
fi

if [ $install = 0 ]; then
	[ -n "$missing" ] && echo "deps: missing packages:" $missing
	[ $want_612 = 1 ] && echo "deps: missing 6.12 headers (linux-headers-6.12.*+deb12-amd64)"
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:" $missing >&2
	echo "deps: run as root (or: apt-get install" $missing ")" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "deps: installing:" ${missing:-"(6.12 headers)"}
apt-get update -qq
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
fi
if [ $want_612 = 1 ]; then
	pkg612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ print $1 }' | sort -V | tail -n1)
	if [ -n "$pkg612" ]; then
		apt-get install -y -qq "$pkg612" >/dev/null ||
			echo "deps: could not install $pkg612 (6.12 build check will be skipped)"
	else
		echo "deps: no linux-headers-6.12.*+deb12-amd64 package (6.12 build check skipped)"
		touch "$STAMP_612" 2>/dev/null || true
	fi
fi
echo "deps: done"
