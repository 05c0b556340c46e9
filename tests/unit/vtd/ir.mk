# SPDX-License-Identifier: BSD-2-Clause
#
# Interrupt remapping's concurrency stress (tests/unit/vtd/ir_stress.c),
# built with ThreadSanitizer from the objects tests/unit/vtd/hv.mk
# compiles for it; run by `make check` (CHECK_HOST_BINS). Prints
# "N passed, N failed" last.

$(HV_TSAN_O)/ir_stress: $(filter-out %/hv_stress.o,$(HV_TSAN_OBJS)) \
		$(HV_TSAN_O)/tests/unit/vtd/ir_stress.o
	$(HOSTCC) -fsanitize=thread -o $@ $^ -lpthread

CHECK_HOST_BINS	+= $(HV_TSAN_O)/ir_stress
