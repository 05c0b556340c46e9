# SPDX-License-Identifier: BSD-2-Clause
#
# The log tests read the source tree at run time (the library's
# hal_log() and hal_panic() formats, docs/PORTING.md's table): they are
# told where it is. test_printf.c includes the test kernel's
# arch/x86/printf.c, which includes <arch/console.h>.

$(HOST_O)/tests/unit/log/%.o: HOST_CFLAGS += -DLIBVTD_SRCDIR='"$(CURDIR)"'
$(HOST_O)/tests/unit/log/test_printf.o: HOST_CFLAGS += -Iarch/x86/include
