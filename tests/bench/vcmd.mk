# SPDX-License-Identifier: BSD-2-Clause
#
# The virtual command interface's benchmark (`make bench`); uses the -O2
# objects that tests/bench/bench.mk defines.

$(BENCH_O)/tests/bench/bench_vcmd: $(BENCH_O)/tests/bench/bench_vcmd.o \
		$(BENCH_FAKE_OBJS) $(BENCH_O)/libvtd-bench.a
	$(HOSTCC) -o $@ $< $(BENCH_FAKE_OBJS) $(BENCH_O)/libvtd-bench.a \
		-lpthread

BENCH_BINS	+= $(BENCH_O)/tests/bench/bench_vcmd
