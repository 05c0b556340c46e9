# SPDX-License-Identifier: BSD-2-Clause
#
# Deterministic invalidation and cache-flush counts (`make bench`); uses
# the -O2 objects that tests/bench/bench.mk defines.

# The page tables again, built to report every table access
# (VTD_PT_COUNT_LINES, vtd/pt_engine.h): linked ahead of the archive, they
# stand in for its pt_sl.o and pt_fl.o in this program only.
BENCH_LINES_OBJS := $(BENCH_O)/lines/vtd/pt_sl.o $(BENCH_O)/lines/vtd/pt_fl.o

$(BENCH_O)/lines/%.o: %.c $(BENCH_CONFIG_H)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BENCH_CFLAGS) -DVTD_PT_COUNT_LINES=1 -MMD -MP -c $< -o $@

$(BENCH_O)/tests/bench/bench_counts: $(BENCH_O)/tests/bench/bench_counts.o \
		$(BENCH_LINES_OBJS) $(BENCH_FAKE_OBJS) $(BENCH_O)/libvtd-bench.a
	$(HOSTCC) -o $@ $< $(BENCH_LINES_OBJS) $(BENCH_FAKE_OBJS) \
		$(BENCH_O)/libvtd-bench.a -lpthread

BENCH_BINS	+= $(BENCH_O)/tests/bench/bench_counts
