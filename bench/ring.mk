# SPDX-License-Identifier: GPL-2.0
#
# bench/ring (included by bench/Makefile): the ring device's throughput,
# hyperbox vs KVM with a userspace virtqueue thread. The guest runs code of
# this very program, so guest objects get the selftests' guest flags and the
# program is linked -static -no-pie (link addresses = guest addresses).

RING_BUILD := $(BUILD)/ring
RING_GUEST_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Wno-missing-field-initializers \
	-D_GNU_SOURCE -I$(TOP)/uapi -fno-pie -fno-stack-protector \
	-mgeneral-regs-only -mno-red-zone -fno-tree-loop-distribute-patterns \
	-fno-builtin -fcf-protection=none
RING_HOST_SRCS := ring.c ring_hyperbox.c ring_kvm.c kvm_util.c ../user/lib/libhyperbox.c \
		  ../user/lib/hb_error.c ../user/vmm/cpu_mode.c
RING_GUEST_SRCS := ring_guest.c ../selftests/lib/vring_guest.c
RING_HOST_OBJS := $(patsubst %,$(RING_BUILD)/host/%.o,$(basename $(notdir $(RING_HOST_SRCS))))
RING_GUEST_OBJS := $(patsubst %,$(RING_BUILD)/guest/%.o,$(basename $(notdir $(RING_GUEST_SRCS))))

ring: $(RING_HOST_OBJS) $(RING_GUEST_OBJS)
	$(CC) -static -no-pie -pthread -o $@ $^

$(RING_BUILD)/host/%.o: ring.h ../selftests/lib/vring_guest.h
$(RING_BUILD)/guest/%.o: ring.h ../selftests/lib/vring_guest.h

define ring_obj
$(RING_BUILD)/$(1)/$(basename $(notdir $(2))).o: $(2)
	@mkdir -p $$(dir $$@)
	$$(CC) $(3) -c -o $$@ $$<
endef
$(foreach s,$(RING_HOST_SRCS),$(eval $(call ring_obj,host,$(s),$$(HB_CFLAGS) $$(CFLAGS) -fno-pie)))
$(foreach s,$(RING_GUEST_SRCS),$(eval $(call ring_obj,guest,$(s),$$(RING_GUEST_CFLAGS))))

clean-ring:
	rm -rf $(RING_BUILD) ring

.PHONY: clean-ring
