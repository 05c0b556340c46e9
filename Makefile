# SPDX-License-Identifier: BSD-2-Clause
#
# libvtd build. Targets (README.md explains them):
#   all (default)  build/libvtd.a and the test kernel build/vtd-test.elf
#   lib            build/libvtd.a only: vtd/ and ioasid/, freestanding
#   kernel         build/vtd-test.elf (Multiboot1 + Multiboot2)
#   iso            build/vtd-test.iso (GRUB rescue ISO, Multiboot2 path)
#   run            install QEMU if needed, boot the demo, exit with its status
#   check          install test packages if needed, run every test
#   bench          host benchmarks
#   fuzz           libFuzzer harnesses, FUZZ_SECONDS each (tests/fuzz)
#   headercheck    compile every public header on its own
#   clean
#
# O=dir puts every output under dir (default build). CC=clang builds the
# library and the kernel with Clang. HAL_IMPL_INC is the directory holding
# the integrator's <hal/lock_impl.h>.

include CONFIG

O		?= build
HAL_IMPL_INC	?= arch/x86/include
HOSTCC		?= gcc
AR		?= ar
NM		?= nm
PYTHON		?= python3

ifeq ($(origin CC),default)
CC		:= gcc
endif

CC_IS_CLANG	:= $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null)),y,n)

CONFIG_NAMES	:= $(shell sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)[[:space:]]*=.*/\1/p' CONFIG)

WARN		:= -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wundef \
		   -Wstrict-prototypes -Wpointer-arith -Wvla -Wno-unused-parameter

# Freestanding x86_64: no libc, no red zone (interrupts and NMIs may run
# on the same stack), no SSE state, no stack protector, no PIC.
FS_CFLAGS	:= -std=gnu11 -O2 -g -ffreestanding -fno-common \
		   -fno-strict-aliasing -fno-stack-protector -fno-pic -fno-pie \
		   -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx \
		   -fno-asynchronous-unwind-tables -fno-builtin \
		   -fno-omit-frame-pointer $(WARN)
ifeq ($(CC_IS_CLANG),n)
FS_CFLAGS	+= -fno-tree-loop-distribute-patterns
endif
FS_CFLAGS	+= $(EXTRA_CFLAGS)

GEN_INC		:= $(O)/include
CONFIG_H	:= $(GEN_INC)/generated/config.h
LIB_INC		:= -Ihal/include -Ivtd/include -Iioasid/include -I$(HAL_IMPL_INC)
LIB_CFLAGS	:= $(FS_CFLAGS) $(LIB_INC) -include $(CONFIG_H)
KERN_CFLAGS	:= $(FS_CFLAGS) $(LIB_INC) -Iarch/x86/include -Itests/qemu/include \
		   -include $(CONFIG_H) -mcmodel=kernel
KERN_ASFLAGS	:= $(KERN_CFLAGS) -D__ASSEMBLY__

LIB_SRCS	:= $(sort $(wildcard vtd/*.c ioasid/*.c))
LIB_OBJS	:= $(LIB_SRCS:%.c=$(O)/%.o)

KERN_SRCS	:= $(sort $(wildcard boot/*.S boot/*.c arch/x86/*.S arch/x86/*.c \
			tests/qemu/*.c tests/qemu/cases/*.c))
KERN_OBJS	:= $(patsubst %.S,$(O)/%.o,$(KERN_SRCS:%.c=$(O)/%.o))

PUB_HDRS	:= $(sort $(wildcard hal/include/hal/*.h vtd/include/vtd/*.h \
			ioasid/include/ioasid/*.h arch/x86/include/arch/*.h))

.PHONY: all lib kernel iso run check bench headercheck clean symcheck \
	check-build check-host check-clang check-qemu-elf check-qemu-iso \
	check-bochs FORCE

all: lib kernel

lib: $(O)/libvtd.a
kernel: $(O)/vtd-test.elf
iso: $(O)/vtd-test.iso

# ---------------------------------------------------------------------------
# config.h: rewritten only when an option's value changes.
# $(call write_config,file,options forced to y): every CONFIG option as
# a #define, booleans as 1/0.

config_value = $(if $(filter $(1),$(2)),1,$(patsubst y,1,$(patsubst n,0,$(strip $($(1))))))

define write_config
	@mkdir -p $(dir $(1))
	@{ echo '/* Generated from CONFIG by the Makefile. Do not edit. */'; \
	   echo '#pragma once'; \
	   $(foreach n,$(CONFIG_NAMES),echo '#define $(n) $(call config_value,$(n),$(2))';) \
	 } > $(1).tmp
	@if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else mv $(1).tmp $(1); fi
endef

$(CONFIG_H): FORCE
	$(call write_config,$@,)

# ---------------------------------------------------------------------------
# The library: vtd/ and ioasid/ only.

$(O)/vtd/%.o: vtd/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -MMD -MP -c $< -o $@
$(O)/ioasid/%.o: ioasid/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -MMD -MP -c $< -o $@

$(O)/libvtd.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# libvtd.a may reference nothing but hal_* symbols.
symcheck: $(O)/libvtd.a
	@def=$$($(NM) --defined-only $< | awk 'NF == 3 { print $$3 }' | \
		sort -u); \
	bad=$$($(NM) -u $< | awk '$$1 == "U" { print $$2 }' | \
		grep -v '^hal_' | sort -u | \
		{ [ -n "$$def" ] && grep -vxF "$$def" || cat; }); \
	if [ -n "$$bad" ]; then \
		echo "libvtd.a references symbols outside the HAL: $$bad"; \
		exit 1; \
	fi; echo "symcheck: libvtd.a references only hal_* symbols"
	@# vtd/ and ioasid/ reach the world only through hal/ (STYLE 3.1).
	@if grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](arch|boot|tests)/' \
		vtd ioasid; then \
		echo "symcheck: vtd/ or ioasid/ includes outside hal/"; exit 1; \
	fi

# ---------------------------------------------------------------------------
# The QEMU test kernel.

$(O)/boot/%.o: boot/%.S $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_ASFLAGS) -MMD -MP -c $< -o $@
$(O)/arch/x86/%.o: arch/x86/%.S $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_ASFLAGS) -MMD -MP -c $< -o $@
$(O)/boot/%.o: boot/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_CFLAGS) -MMD -MP -c $< -o $@
$(O)/arch/x86/%.o: arch/x86/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_CFLAGS) -MMD -MP -c $< -o $@
# Boot tests may include the library's private headers (vtd/unit.h,
# vtd/qi.h, vtd/tables.h) to build bad descriptors and inspect tables.
$(O)/tests/qemu/%.o: tests/qemu/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_CFLAGS) -Ivtd -MMD -MP -c $< -o $@

# Clang's driver does not use -no-pie for a -static link and warns.
KERN_LDFLAGS	:= -nostdlib -static $(if $(filter n,$(CC_IS_CLANG)),-no-pie) \
		   -Wl,--build-id=none -Wl,-n

$(O)/vtd-test.elf: $(KERN_OBJS) $(O)/libvtd.a linker.ld
	$(CC) $(KERN_LDFLAGS) -Wl,-T,linker.ld -o $@ $(KERN_OBJS) $(O)/libvtd.a

$(O)/vtd-test.iso: $(O)/vtd-test.elf boot/grub.cfg
	rm -rf $(O)/iso
	mkdir -p $(O)/iso/boot/grub
	cp $(O)/vtd-test.elf $(O)/iso/boot/vtd-test.elf
	cp boot/grub.cfg $(O)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(O)/iso 2>$(O)/grub-mkrescue.log || \
		{ cat $(O)/grub-mkrescue.log; exit 1; }

# ---------------------------------------------------------------------------
# Host side: the same library sources built for Linux against the fake HAL
# in tests/fakes, with AddressSanitizer and UBSan; one CMocka binary per
# test file under tests/unit/<module>/.

HOST_O		:= $(O)/host
HOST_CONFIG_H	:= $(HOST_O)/include/generated/config.h
HOST_INC	:= -Ihal/include -Ivtd/include -Iioasid/include \
		   -Itests/fakes/include -Ivtd -Iioasid -Itests
HOST_SAN	?= -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_CFLAGS	:= -std=gnu11 -O1 -g -fno-omit-frame-pointer $(WARN) \
		   -Wno-missing-prototypes $(HOST_INC) -include $(HOST_CONFIG_H)
HOST_LDLIBS	:= -lcmocka -lpthread

# Host builds check lock assertions and have the ioasid test hooks.
HOST_CONFIG_OVERRIDES := CONFIG_HAL_DEBUG_LOCKS CONFIG_IOASID_TEST_HOOKS

$(HOST_CONFIG_H): FORCE
	$(call write_config,$@,$(HOST_CONFIG_OVERRIDES))

# Benchmarks measure what an integrator ships: CONFIG as it stands.
BENCH_CONFIG_H	:= $(O)/bench/include/generated/config.h

$(BENCH_CONFIG_H): FORCE
	$(call write_config,$@,)

HOST_LIB_OBJS	:= $(LIB_SRCS:%.c=$(HOST_O)/%.o)
FAKE_SRCS	:= $(sort $(wildcard tests/fakes/*.c))
FAKE_OBJS	:= $(FAKE_SRCS:%.c=$(HOST_O)/%.o)
UNIT_SRCS	:= $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BINS	:= $(UNIT_SRCS:%.c=$(HOST_O)/%)

$(HOST_O)/%.o: %.c $(HOST_CONFIG_H)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -MMD -MP -c $< -o $@

$(HOST_O)/libvtd-host.a: $(HOST_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# A test may #include a library .c file to reach static helpers; linking
# the library as an archive keeps that member out of the link.
$(HOST_O)/tests/unit/%: $(HOST_O)/tests/unit/%.o $(FAKE_OBJS) $(HOST_O)/libvtd-host.a
	$(HOSTCC) $(HOST_SAN) -o $@ $< $(FAKE_OBJS) $(HOST_O)/libvtd-host.a \
		$(HOST_LDLIBS)

# Extra host programs (stress tests with ThreadSanitizer, benchmarks) come
# from fragments next to their sources; they append to these lists.
CHECK_HOST_BINS	:= $(UNIT_BINS)
BENCH_BINS	:=
-include $(sort $(wildcard tests/*.mk tests/*/*.mk tests/unit/*/*.mk))

# ---------------------------------------------------------------------------
# Entry points that install what they need first (scripts/deps).

run:
	@scripts/deps run
	@$(MAKE) --no-print-directory kernel
	tests/qemu/run --demo $(O)/vtd-test.elf

check:
	@scripts/deps check
	@MAKE="$(MAKE)" O="$(O)" scripts/check

# The stages of `make check`; scripts/check runs each, counts, and prints
# the closing `N passed, N failed` line.
# The benchmark programs are built here so that they keep compiling; they
# run only under `make bench` (nothing in `make check` is timed).
check-build: all iso $(CHECK_HOST_BINS) $(BENCH_BINS)

check-host: $(CHECK_HOST_BINS)
	@tests/unit/run $(CHECK_HOST_BINS)

check-clang:
	@$(MAKE) --no-print-directory O=$(O)/clang CC=clang lib kernel symcheck

check-qemu-elf: $(O)/vtd-test.elf
	@tests/qemu/run --boot elf $(O)/vtd-test.elf

check-qemu-iso: $(O)/vtd-test.iso
	@tests/qemu/run --boot iso $(O)/vtd-test.iso

check-bochs: $(O)/vtd-test.iso
	@tests/bochs/run $(O)/vtd-test.iso

bench:
	@scripts/deps bench
	@$(MAKE) --no-print-directory $(BENCH_BINS)
	@set -e; for b in $(BENCH_BINS); do echo "== $$b"; $$b; done

headercheck: $(CONFIG_H)
	@set -e; for h in $(PUB_HDRS); do \
		echo "#include <$${h#*/include/}>" | \
		$(CC) $(KERN_CFLAGS) -x c -fsyntax-only - || \
		{ echo "headercheck: $$h does not compile alone"; exit 1; }; \
	done; echo "headercheck: $(words $(PUB_HDRS)) headers compile alone"

clean:
	rm -rf $(O)

FORCE:

-include $(shell find $(O) -name '*.d' 2>/dev/null)
