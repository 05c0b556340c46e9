# SPDX-License-Identifier: BSD-2-Clause
#
# The guest layer's concurrency stress (tests/unit/vtd/hv_stress.c): the
# whole library and the host fakes built with ThreadSanitizer; run by
# `make check` (CHECK_HOST_BINS). Prints "N passed, N failed" last.

HV_TSAN_O	:= $(HOST_O)/tsan/hv
HV_TSAN_SRCS	:= $(LIB_SRCS) $(FAKE_SRCS) tests/unit/vtd/hv_stress.c
HV_TSAN_OBJS	:= $(HV_TSAN_SRCS:%.c=$(HV_TSAN_O)/%.o)

$(HV_TSAN_O)/%.o: %.c $(HOST_CONFIG_H)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(IOASID_PROG_CFLAGS) -O1 -fsanitize=thread \
		$(HV_TSAN_EXTRA) -MMD -MP -c $< -o $@

# As for the ioasid stress: GCC warns that ThreadSanitizer cannot see
# the fakes' fences.
$(HV_TSAN_O)/tests/fakes/%.o: HV_TSAN_EXTRA := -Wno-error

$(HV_TSAN_O)/hv_stress: $(HV_TSAN_OBJS)
	$(HOSTCC) -fsanitize=thread -o $@ $^ -lpthread

CHECK_HOST_BINS	+= $(HV_TSAN_O)/hv_stress
