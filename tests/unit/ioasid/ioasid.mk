# SPDX-License-Identifier: BSD-2-Clause
#
# ioasid host programs beyond the CMocka binaries (which the Makefile
# builds from test_*.c with ASan and UBSan):
#
#   $(HOST_O)/tsan/ioasid/ioasid_stress   multi-threaded stress and
#       linearizability test, ioasid/ and the host HAL built with
#       ThreadSanitizer; run by `make check` (CHECK_HOST_BINS). Prints
#       "N passed, N failed" last.
#   $(BENCH_O)/tests/unit/ioasid/ioasid_bench   `make bench`
#       (BENCH_BINS): the -O2, sanitizer-free objects of
#       tests/bench/bench.mk, built with CONFIG as it stands (no test
#       hooks); prints pairs/s, ratios to in-run spinlock + bitmap
#       baselines and to two machine probes, and one verdict line per
#       target (tests/bench/verdict.h).
#
# Only the two host fakes the allocator needs (page memory and the rest
# of the HAL) are linked, so that these programs do not depend on vtd/.

IOASID_PROG_FAKES := tests/fakes/fake_hal.c tests/fakes/fake_mem.c
IOASID_PROG_CFLAGS := -std=gnu11 -g -fno-omit-frame-pointer $(WARN) \
		      -Wno-missing-prototypes $(HOST_INC) \
		      -include $(HOST_CONFIG_H)

# ---- ThreadSanitizer stress test ------------------------------------------

IOASID_TSAN_O	:= $(HOST_O)/tsan/ioasid
IOASID_TSAN_SRCS := $(sort $(wildcard ioasid/*.c)) $(IOASID_PROG_FAKES) \
		    tests/unit/ioasid/stress.c
IOASID_TSAN_OBJS := $(IOASID_TSAN_SRCS:%.c=$(IOASID_TSAN_O)/%.o)

$(IOASID_TSAN_O)/%.o: %.c $(HOST_CONFIG_H)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(IOASID_PROG_CFLAGS) -O1 -fsanitize=thread \
		$(IOASID_TSAN_EXTRA) -MMD -MP -c $< -o $@

# GCC warns that ThreadSanitizer cannot see fences (hal_fence() in the
# fake HAL, unused here); ioasid/ itself uses none, and stays -Werror.
$(IOASID_TSAN_O)/tests/fakes/%.o: IOASID_TSAN_EXTRA := -Wno-error

$(IOASID_TSAN_O)/ioasid_stress: $(IOASID_TSAN_OBJS)
	$(HOSTCC) -fsanitize=thread -o $@ $^ -lpthread

CHECK_HOST_BINS	+= $(IOASID_TSAN_O)/ioasid_stress

# ---- Benchmark ------------------------------------------------------------

IOASID_BENCH_OBJS := $(patsubst %.c,$(BENCH_O)/%.o,$(sort $(wildcard \
		     ioasid/*.c)) $(IOASID_PROG_FAKES) tests/unit/ioasid/bench.c)

$(BENCH_O)/tests/unit/ioasid/ioasid_bench: $(IOASID_BENCH_OBJS)
	$(HOSTCC) -o $@ $^ -lpthread

BENCH_BINS	+= $(BENCH_O)/tests/unit/ioasid/ioasid_bench
