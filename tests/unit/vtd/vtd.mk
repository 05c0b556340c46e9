# SPDX-License-Identifier: BSD-2-Clause
#
# test_strerror reads hal/include/hal/errno.h and the library's sources
# at run time: it is told where the source tree is.

$(HOST_O)/tests/unit/vtd/test_strerror.o: HOST_CFLAGS += \
	-DLIBVTD_SRCDIR='"$(CURDIR)"'
