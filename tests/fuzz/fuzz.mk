# SPDX-License-Identifier: BSD-2-Clause
#
# libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined), built
# against the host fakes. `make fuzz` runs each for FUZZ_SECONDS;
# `make check` runs a fixed number of executions from a fixed seed
# (FUZZ_RUNS), so the stage is repeatable.

FUZZ_O		:= $(O)/fuzz
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_RUNS	?= 300000
FUZZ_CFLAGS	:= -std=gnu11 -O1 -g -fno-omit-frame-pointer $(WARN) \
		   -Wno-missing-prototypes $(HOST_INC) -include $(HOST_CONFIG_H) \
		   -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-sanitize-recover=all
FUZZ_LIB_SRCS	:= vtd/dmar.c vtd/caps.c
FUZZ_SRCS	:= $(FUZZ_LIB_SRCS) tests/fakes/fake_hal.c tests/fakes/fake_mem.c
FUZZ_OBJS	:= $(FUZZ_SRCS:%.c=$(FUZZ_O)/%.o)
# The hypercall harness runs the whole library on the DMAR model.
FUZZ_ALL_SRCS	:= $(LIB_SRCS) $(FAKE_SRCS)
FUZZ_ALL_OBJS	:= $(FUZZ_ALL_SRCS:%.c=$(FUZZ_O)/%.o)
FUZZ_BINS	:= $(FUZZ_O)/fuzz_dmar $(FUZZ_O)/fuzz_hcall
# Executions per harness in `make check`. Each hypercall input replays
# several calls on the model; 200000 (about 12 s) is what the seed-1 run
# needs to reach a valid VTD_HV_IRQ_ROUTE (measured: an IRTE validated
# with SQ != 0 is caught after 3 s, not within 20000 runs).
FUZZ_RUNS_fuzz_dmar	?= $(FUZZ_RUNS)
FUZZ_RUNS_fuzz_hcall	?= 200000

$(FUZZ_O)/%.o: %.c $(HOST_CONFIG_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_O)/fuzz_dmar: $(FUZZ_O)/tests/fuzz/fuzz_dmar.o $(FUZZ_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ -lpthread

$(FUZZ_O)/fuzz_hcall: $(FUZZ_O)/tests/fuzz/fuzz_hcall.o $(FUZZ_ALL_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ -lpthread

.PHONY: fuzz fuzz-run check-fuzz
fuzz:
	@scripts/deps fuzz
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do \
		mkdir -p $(FUZZ_O)/corpus/$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			$(FUZZ_O)/corpus/$$(basename $$f); \
	done

check-fuzz: $(FUZZ_BINS)
	@set -e; n=0; for f in $(FUZZ_BINS); do \
		case $$f in *fuzz_hcall) runs=$(FUZZ_RUNS_fuzz_hcall) ;; \
		*) runs=$(FUZZ_RUNS_fuzz_dmar) ;; esac; \
		$$f -seed=1 -runs=$$runs -max_len=4096 \
			>$(FUZZ_O)/$$(basename $$f).log 2>&1 || \
			{ tail -n 40 $(FUZZ_O)/$$(basename $$f).log; \
			  echo "fuzz: $$n passed, 1 failed"; exit 1; }; \
		tail -n 2 $(FUZZ_O)/$$(basename $$f).log; n=$$((n + 1)); \
	done; echo "fuzz: $$n passed, 0 failed"
