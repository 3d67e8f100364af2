# SPDX-License-Identifier: GPL-2.0
# Included by user/Makefile: how to link the OCI runtime into `hyperbox`.
#   CONTAINER_LIBS    the archives (libhbcontainer.a carries oci_cli_main)
#   CONTAINER_LDLIBS  what they need; libnl/json-c/libseccomp/libcap are
#                     linked statically so the binary runs in a bare guest
#                     initramfs that only has libc.
HB_SAVED_GOAL := $(.DEFAULT_GOAL)
HB_CONTAINER_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CONTAINER_LIBS := $(HB_CONTAINER_DIR)/libhbcontainer.a \
		  $(HB_CONTAINER_DIR)/../net/libhbnet.a
CONTAINER_LDLIBS := -Wl,-Bstatic -lnl-route-3 -lnl-3 -ljson-c -lseccomp -lcap \
		    -Wl,-Bdynamic -lpthread -lm

# Build the archives whenever hyperbox is linked (make -C user/container).
# The rule has a recipe so that make looks at the archives' times again
# afterwards: hyperbox is relinked exactly when one of them changed.
hyperbox: $(CONTAINER_LIBS)
$(CONTAINER_LIBS): hb-container-libs
	$(MAKE) -C $(HB_CONTAINER_DIR)
.PHONY: hb-container-libs
hb-container-libs:

# Rules above must not become user/Makefile's default goal.
.DEFAULT_GOAL := $(HB_SAVED_GOAL)
