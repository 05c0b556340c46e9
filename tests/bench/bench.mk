# SPDX-License-Identifier: BSD-2-Clause
#
# Host benchmarks (`make bench`): the library sources and the host fakes
# rebuilt at -O2 without sanitizers under $(O)/bench, one program per
# benchmark. A benchmark adds its program to BENCH_BINS below.

BENCH_O		:= $(O)/bench
BENCH_CFLAGS	:= -std=gnu11 -O2 -g -fno-omit-frame-pointer $(WARN) \
		   -Wno-missing-prototypes $(HOST_INC) -include $(BENCH_CONFIG_H)
BENCH_LIB_OBJS	:= $(LIB_SRCS:%.c=$(BENCH_O)/%.o)
BENCH_FAKE_OBJS	:= $(FAKE_SRCS:%.c=$(BENCH_O)/%.o)

$(BENCH_O)/%.o: %.c $(BENCH_CONFIG_H)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BENCH_CFLAGS) -MMD -MP -c $< -o $@

$(BENCH_O)/libvtd-bench.a: $(BENCH_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# Second-level page tables. hal_phys_to_virt is wrapped so that the run
# can use a direct map (one add, as a hypervisor's HAL does) or the fake's
# checked lookup (mutex + block search); see the program's header.
$(BENCH_O)/tests/bench/bench_pt_sl: $(BENCH_O)/tests/bench/bench_pt_sl.o \
		$(BENCH_FAKE_OBJS) $(BENCH_O)/libvtd-bench.a
	$(HOSTCC) -o $@ $< $(BENCH_FAKE_OBJS) $(BENCH_O)/libvtd-bench.a \
		-Wl,--wrap=hal_phys_to_virt -lpthread

BENCH_BINS	+= $(BENCH_O)/tests/bench/bench_pt_sl
