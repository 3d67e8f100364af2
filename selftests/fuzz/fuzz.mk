# SPDX-License-Identifier: GPL-2.0
# The ioctl fuzzer (issue 7), included by selftests/Makefile: builds
# $(BUILD)/fuzz, a static host-side program (its guests run random bytes,
# not code of the binary, so no GUEST_CFLAGS). guest-init runs it like any
# test program; `make fuzz` at the top runs it alone with a longer budget.
FUZZ_SRCS := $(wildcard fuzz/*.c) ../user/vmm/cpu_mode.c ../user/lib/hb_error.c
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/obj/fuzz-bin/%.o,$(subst ../,,$(FUZZ_SRCS)))

all: $(BUILD)/fuzz

# Which fuzzer made a seed's program: replays need the same one.
FUZZ_VERSION := $(shell cat fuzz/*.c fuzz/*.h | md5sum | cut -c1-12)

$(BUILD)/obj/fuzz-bin/fuzz/%.o: fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) -DFUZZ_VERSION='"$(FUZZ_VERSION)"' -MMD -MP -c -o $@ $<

$(BUILD)/obj/fuzz-bin/user/%.o: ../user/%.c
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/fuzz: $(FUZZ_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ -lrt

# main.o prints FUZZ_VERSION: rebuild it whenever any fuzzer source changes.
$(BUILD)/obj/fuzz-bin/fuzz/main.o: $(wildcard fuzz/*.c fuzz/*.h)
