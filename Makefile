# hyperbox: top-level build and test entry points.
#
#   make            build hyperbox.ko (Debian's 6.1 kernel), user/, selftests/, bench/, guests/
#   make run        run the demo guest (directly on /dev/hyperbox, or in a QEMU sandbox)
#   make check      the whole test loop: host tests + QEMU/SVM guest lane (+ Bochs/VMX lane)
#   make check KERNEL=debug   the QEMU lane on a KASAN/lockdep/kmemleak 6.1 kernel (scripts/debug-kernel.sh)
#   make fuzz       only the ioctl fuzzer in the QEMU guest, FUZZ_SECONDS long (FUZZ_SEED=N replays)
#
# The module itself is described by ./Kbuild (kbuild reads it before this file).
# Everything here installs what it needs (scripts/deps.sh) except `make`/`module`.

KVER    ?= $(shell scripts/kver.sh 6.1 2>/dev/null)
KDIR    ?= /lib/modules/$(KVER)/build
OUT     ?= $(CURDIR)/out
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
# make check-guest T=word: only the guest test programs whose path contains word
# (HB_ARGS="hb.timeout=60 ...": more guest-init knobs)
T       ?=
# make check KERNEL=debug: see scripts/debug-kernel.sh (built once, cached in out/debug-kernel)
KERNEL  ?=
FUZZ_SECONDS ?= 600
FUZZ_SEED ?=
# make fuzz FUZZ_SEED=S FUZZ_START=I: replay iteration I of seed S alone
FUZZ_START ?=
# make fuzz FUZZ_FULL=0: only the gentle profile of make check (no wild guest states)
FUZZ_FULL ?= 1

SUBDIRS := $(foreach d,user selftests bench guests,$(if $(wildcard $(d)/Makefile),$(d)))

.PHONY: benchmark all deps module modules-6.12 $(SUBDIRS) initramfs check check-guest check-vmx \
	check-harness run shell dkms-check sparse clean help fuzz

all: module $(SUBDIRS)

help:
	@sed -n 's/^#   make/make/p' Makefile; \
	echo "other targets: deps module modules-6.12 initramfs check-guest [T=word] check-vmx"; \
	echo "               check-harness shell dkms-check sparse clean"

deps:
	@scripts/deps.sh

module:
	@test -f Kbuild || { echo "no Kbuild: nothing to build"; exit 0; }
	@test -n "$(KVER)" || { echo "no Debian 6.1 kernel headers: run 'make deps'"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 -j$(JOBS) modules

# Build-only check against Debian 12's 6.12 headers, in a copy of the sources.
modules-6.12:
	@v=$$(scripts/kver.sh 6.12) || { echo "no linux-headers-6.12.*+deb12-amd64 installed: run 'make deps'"; exit 1; }; \
	rm -rf $(OUT)/build-6.12 && scripts/module-src.sh $(OUT)/build-6.12 && \
	$(MAKE) -C /usr/src/linux-headers-$$v M=$(OUT)/build-6.12 W=1 -j$(JOBS) modules

$(SUBDIRS):
	$(MAKE) -C $@ -j$(JOBS)

# The test initramfs (layout: scripts/guest-init).
initramfs: all
	scripts/mkinitramfs.sh $(OUT)/initramfs.cpio.gz $(KVER)

check:
	@$(if $(filter debug,$(KERNEL)),scripts/debug-kernel.sh check,scripts/check.sh)

# The ioctl fuzzer alone (selftests/fuzz), with a longer budget than make check's.
fuzz: all
	@scripts/mkinitramfs.sh $(OUT)/initramfs.cpio.gz $(KVER)
	@QEMU_TIMEOUT=$$(($(FUZZ_SECONDS) + 900)) scripts/run-guest-tests.sh $(OUT)/fuzz.log \
		$(OUT)/initramfs.cpio.gz hb.filter=selftests/fuzz hb.bench=0 hb.fuzz_full=$(FUZZ_FULL) \
		hb.timeout=$$(($(FUZZ_SECONDS) + 300)) hb.fuzz_seconds=$(FUZZ_SECONDS) \
		$(if $(FUZZ_SEED),hb.fuzz_seed=$(FUZZ_SEED)) \
		$(if $(FUZZ_START),hb.fuzz_start=$(FUZZ_START) hb.fuzz_iterations=1)
	@scripts/tap-summary.sh --guest fuzz $(OUT)/fuzz.log

# Only the QEMU guest lane, on what is already built (quick loop).
# Runs in $(OUT)/guest-$(T) so that loops on different tests do not clobber each other.
GUEST_OUT = $(OUT)/guest$(if $(T),-$(subst /,_,$(T)))
check-guest: all
	@mkdir -p $(GUEST_OUT)
	@flock $(GUEST_OUT)/lock sh -c 'scripts/mkinitramfs.sh $(GUEST_OUT)/initramfs.cpio.gz $(KVER) && \
		scripts/run-guest-tests.sh $(GUEST_OUT)/guest.log $(GUEST_OUT)/initramfs.cpio.gz $(if $(T),hb.filter=$(T)) $(HB_ARGS) && \
		scripts/tap-summary.sh --guest guest $(GUEST_OUT)/guest.log'

# The Bochs/VMX lane. scripts/bochs-run.sh LOG INITRD (the VMX engineer's) boots
# INITRD (its /init: scripts/guest-init, hb.mode=check) under Bochs and writes the
# serial log to LOG; its exit status is ignored, the log is judged.
check-vmx: all
	@test -f scripts/bochs-run.sh || { echo "scripts/bochs-run.sh does not exist yet"; exit 1; }
	@scripts/mkinitramfs.sh $(OUT)/initramfs.cpio.gz $(KVER)
	@rm -f $(OUT)/vmx.log $(OUT)/vmx.log.qemu-rc
	@BOCHS_FEATURES=$${BOCHS_FEATURES:-1} timeout -k 10 $${VMX_TIMEOUT:-1500} \
		bash scripts/bochs-run.sh $(OUT)/vmx.log $(OUT)/initramfs.cpio.gz; \
		rc=$$?; [ $$rc != 124 ] || echo 124 >$(OUT)/vmx.log.qemu-rc
	@scripts/tap-summary.sh --guest vmx $(OUT)/vmx.log

# The harness's own tests (canned serial logs -> verdicts).
check-harness:
	@scripts/tests/run.sh

run:
	@scripts/run-demo.sh

# make benchmark: the benchmarks alone, in the QEMU guest next to the guest kernel's KVM.
benchmark: all
	@mkdir -p $(OUT)/bench
	@scripts/mkinitramfs.sh $(OUT)/bench/initramfs.cpio.gz $(KVER)
	@scripts/run-guest-tests.sh $(OUT)/bench/guest.log $(OUT)/bench/initramfs.cpio.gz hb.filter=bench/
	@scripts/tap-summary.sh --guest bench $(OUT)/bench/guest.log

# An interactive shell in the QEMU guest with everything loaded ('poweroff -f' leaves).
shell: initramfs
	HB_INTERACTIVE=1 QEMU_TIMEOUT=86400 scripts/qemu-run.sh $(OUT)/initramfs.cpio.gz /dev/null hb.mode=shell

# dkms add + build into a private dkms tree (never installs or loads anything).
dkms-check:
	@scripts/dkms-check.sh $(KVER)

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 -j$(JOBS) modules

clean:
	-test -n "$(KVER)" && test -f Kbuild && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-for d in $(SUBDIRS) $(wildcard tests/unit tests/container); do \
		test -f $$d/Makefile && $(MAKE) -C $$d clean; done
	rm -rf $(OUT)
