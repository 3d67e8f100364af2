#!/bin/sh
# Pack hyperbox's test initramfs: busybox + hyperbox.ko + the guest kernel's
# modules + the CLI, selftests, container guest tests, benchmarks and demo
# guests that exist in the tree. Missing pieces are left out (the guest's
# /init reports them); it never builds anything itself.
#
# Usage: scripts/mkinitramfs.sh OUT.cpio.gz [KVER]
#   KVER: the guest kernel release (default: scripts/kver.sh)
# Layout: see scripts/guest-init. Host programs a test needs in the guest
# (runc, say) are listed one per line in tests/container/guest/host-tools or
# selftests/host-tools and copied with their shared libraries.
# Env (scripts/debug-kernel.sh): HB_MODDIR (guest kernel modules, default
# /lib/modules/KVER), HB_KO (the module, default ./hyperbox.ko).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: $0 OUT.cpio.gz [KVER]}
kver=${2:-$("$top/scripts/kver.sh")}
moddir=${HB_MODDIR:-/lib/modules/$kver}
ko=${HB_KO:-$top/hyperbox.ko}
case "$out" in /*) ;; *) out=$(pwd)/$out ;; esac

stage=$(mktemp -d "${TMPDIR:-/tmp}/hb-initramfs.XXXXXX")
# mktemp makes it 0700: it becomes the guest's /, which containers with a
# mapped root (uid 100000) must be able to traverse.
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT
cd "$stage"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp run root var/tmp mnt \
	hb/bin hb/modules hb/selftests hb/container hb/bench hb/guests

is_elf() { [ -f "$1" ] && [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# Copy a dynamically linked program's libraries, keeping their paths.
copy_libs() {
	is_elf "$1" || return 0
	ldd "$1" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
	while read -r lib; do
		[ -e ".$lib" ] && continue
		mkdir -p ".${lib%/*}"
		cp -L "$lib" ".$lib"
	done
}

# ---- busybox and /init -----------------------------------------------------
bb=$(command -v busybox || echo /bin/busybox)
cp "$bb" bin/busybox
cp "$top/scripts/guest-init" init
chmod 755 init bin/busybox
ln -s ../bin/busybox sbin/init 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >etc/passwd
printf 'root:x:0:\nkvm:x:108:\nnogroup:x:65534:\n' >etc/group
printf '127.0.0.1 localhost hyperbox-guest\n::1 localhost\n' >etc/hosts
printf 'hosts: files\n' >etc/nsswitch.conf

# ---- guest kernel modules, in dependency order ---------------------------
# deps_of NAME: the .ko paths (relative to $moddir) NAME needs, deepest first, then NAME.
deps_of() {
	awk -v want="$1" '
	{ sub(/:$/, "", $1); dep[$1] = ""; for (i = 2; i <= NF; i++) dep[$1] = dep[$1] " " $i
	  n = $1; sub(/.*\//, "", n); sub(/\.ko.*$/, "", n); gsub(/_/, "-", n); path[n] = $1 }
	function visit(p,   d, k, i) {
		if (p in seen) return; seen[p] = 1
		k = split(dep[p], d, " ")
		for (i = k; i >= 1; i--) visit(d[i])
		print p
	}
	END { w = want; gsub(/_/, "-", w); if (w in path) visit(path[w]); else exit 1 }' "$moddir/modules.dep"
}

# add_modules LIST NAME...: copy the modules and append them to hb/modules/LIST.list
add_modules() {
	list=$1; shift
	for m in "$@"; do
		if ! deps_of "$m" >/tmp/hb-deps.$$ 2>/dev/null; then
			echo "mkinitramfs: warning: module $m not found in $moddir" >&2
			continue
		fi
		while read -r rel; do
			base=${rel##*/}
			case "$base" in
			*.ko.xz) xz -dc "$moddir/$rel" >"hb/modules/${base%.xz}"; base=${base%.xz} ;;
			*.ko.zst) zstd -qdc "$moddir/$rel" >"hb/modules/${base%.zst}"; base=${base%.zst} ;;
			*) cp "$moddir/$rel" hb/modules/ ;;
			esac
			grep -qx "$base" "hb/modules/$list.list" 2>/dev/null || echo "$base" >>"hb/modules/$list.list"
		done </tmp/hb-deps.$$
	done
	rm -f /tmp/hb-deps.$$
}
if [ -f "$moddir/modules.dep" ]; then
	add_modules net llc stp bridge veth tun overlay
	add_modules kvm-amd irqbypass kvm ccp kvm-amd
	add_modules kvm-intel irqbypass kvm kvm-intel
else
	echo "mkinitramfs: warning: $moddir/modules.dep missing: no guest kernel modules" >&2
fi

# ---- hyperbox.ko -------------------------------------------------------------
if [ -f "$ko" ]; then
	cp "$ko" hb/hyperbox.ko
	deps=$(modinfo -F depends "$ko" 2>/dev/null | tr , ' ')
	if [ -n "$deps" ]; then
		# shellcheck disable=SC2086
		add_modules hyperbox-deps $deps
	fi
fi

# ---- userspace ---------------------------------------------------------------
if is_elf "$top/user/hyperbox"; then
	cp "$top/user/hyperbox" hb/bin/
	copy_libs hb/bin/hyperbox
fi
if [ -d "$top/selftests/build" ]; then
	for f in "$top"/selftests/build/*; do
		[ -x "$f" ] && is_elf "$f" || continue
		case "$f" in *.so|*.o) continue ;; esac
		cp "$f" hb/selftests/
		copy_libs "$f"
	done
fi
# Hostile container tests (issue 7): tests/hostile/guest/*.sh -> /hb/hostile
if [ -d "$top/tests/hostile/guest" ]; then
	mkdir -p hb/hostile
	cp -a "$top/tests/hostile/guest/." hb/hostile/
fi
if [ -d "$top/tests/container/guest" ]; then
	cp -a "$top/tests/container/guest/." hb/container/
	for f in hb/container/*; do copy_libs "$f"; done
fi
# Host programs the guest tests need (one absolute path a line, # comments):
# copied to the same path with their libraries.
for list in "$top/tests/container/guest/host-tools" "$top/selftests/host-tools"; do
	[ -f "$list" ] || continue
	sed 's/#.*//' "$list" | while read -r tool; do
		[ -n "$tool" ] || continue
		if [ ! -f "$tool" ]; then
			echo "mkinitramfs: warning: $tool (from $list) not found" >&2
			continue
		fi
		mkdir -p ".${tool%/*}"
		cp -L "$tool" ".$tool"
		copy_libs "$tool"
	done
done
if [ -d "$top/bench" ]; then
	find "$top/bench" -maxdepth 3 -type f -perm -u+x | sort | while read -r f; do
		is_elf "$f" || continue
		case "$f" in *.so|*.o) continue ;; esac
		cp "$f" hb/bench/
		copy_libs "$f"
	done
	# Helper scripts (bench/*.sh) come along for `make shell`; the guest lane
	# runs only the programs.
	for f in "$top"/bench/*.sh; do
		[ -f "$f" ] && cp "$f" hb/bench/
	done
fi
if [ -d "$top/guests" ]; then
	for f in "$top"/guests/*.bin; do
		[ -f "$f" ] && cp "$f" hb/guests/
	done
	# The demo make run shows: guests/DEMO names it, else hello-long.bin, else hello*.bin, else the first.
	demo=$(cat "$top/guests/DEMO" 2>/dev/null || true)
	if [ -z "$demo" ]; then
		for f in hb/guests/hello-long.bin hb/guests/hello*.bin hb/guests/*.bin; do
			[ -f "$f" ] && { demo=$f; break; }
		done
	fi
	if [ -n "$demo" ]; then echo "/hb/guests/${demo##*/}" >hb/guests/demo; fi
fi

if [ -e lib/x86_64-linux-gnu ] && [ ! -e lib64/ld-linux-x86-64.so.2 ]; then
	mkdir -p lib64
	cp -L /lib64/ld-linux-x86-64.so.2 lib64/
fi

find hb -type f | sort >hb/MANIFEST
find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
count() { ls "$1" 2>/dev/null | grep -cv -e '\.list$' -e '^demo$' || true; }
echo "initramfs: $out ($(du -h "$out" | cut -f1)): kernel $kver," \
	"hyperbox.ko $([ -f hb/hyperbox.ko ] && echo yes || echo no)," \
	"cli $([ -f hb/bin/hyperbox ] && echo yes || echo no)," \
	"$(count hb/selftests) selftests, $(count hb/container) container files," \
	"$(ls hb/bench | grep -cv '\.sh$' || true) benches, $(count hb/guests) guests, $(count hb/modules) kernel modules"
