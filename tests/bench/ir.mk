# SPDX-License-Identifier: BSD-2-Clause
#
# Interrupt remapping's benchmark (`make bench`): IRTE update plus IEC
# invalidation against a bare IRTE write; uses the -O2 objects that
# tests/bench/bench.mk defines.

$(BENCH_O)/tests/bench/bench_ir: $(BENCH_O)/tests/bench/bench_ir.o \
		$(BENCH_FAKE_OBJS) $(BENCH_O)/libvtd-bench.a
	$(HOSTCC) -o $@ $< $(BENCH_FAKE_OBJS) $(BENCH_O)/libvtd-bench.a \
		-lpthread

BENCH_BINS	+= $(BENCH_O)/tests/bench/bench_ir
