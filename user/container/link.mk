# SPDX-License-Identifier: GPL-2.0
# Included by user/Makefile: how to link the OCI runtime into `hyperbox`.
# libhbcontainer.a carries oci_cli_main (user/cli/oci_cli.c).
HB_CONTAINER_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CONTAINER_LIBS := $(HB_CONTAINER_DIR)/libhbcontainer.a \
		  $(HB_CONTAINER_DIR)/../net/libhbnet.a
CONTAINER_LDLIBS := $(shell pkg-config --libs libnl-route-3.0 json-c libseccomp libcap)

# Build the archives on demand (make -C user/container).
$(CONTAINER_LIBS): hb-container-libs
.PHONY: hb-container-libs
hb-container-libs:
	$(MAKE) -C $(HB_CONTAINER_DIR)
