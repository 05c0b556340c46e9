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
# library and the kernel with Clang. HAL_IMPL_INC is the directory DIR
# holding the integrator's DIR/hal/lock_impl.h (a relative DIR is taken
# from this directory); the test kernel always uses arch/x86/include.

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

CC_VERSION	:= $(shell $(CC) --version 2>/dev/null | head -n 1)
CC_IS_CLANG	:= $(if $(findstring clang,$(CC_VERSION)),y,n)
HOSTCC_VERSION	:= $(shell $(HOSTCC) --version 2>/dev/null | head -n 1)

# CONFIG_X86_* options are the test kernel's; the rest are the library's.
CONFIG_NAMES	:= $(shell sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)[[:space:]]*=.*/\1/p' CONFIG)
KERN_CONFIG_NAMES := $(filter CONFIG_X86_%,$(CONFIG_NAMES))
LIB_CONFIG_NAMES := $(filter-out CONFIG_X86_%,$(CONFIG_NAMES))

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
KERN_CONFIG_H	:= $(O)/kernel/include/generated/kernel_config.h
HAL_IMPL_DIR	:= $(abspath $(HAL_IMPL_INC))
PUB_INC		:= -Ihal/include -Ivtd/include -Iioasid/include
LIB_INC		:= $(PUB_INC) -I$(HAL_IMPL_DIR)
LIB_CFLAGS	:= $(FS_CFLAGS) $(LIB_INC) -include $(CONFIG_H)
KERN_CFLAGS	:= $(FS_CFLAGS) $(PUB_INC) -Iarch/x86/include -Itests/qemu/include \
		   -include $(CONFIG_H) -include $(KERN_CONFIG_H) -mcmodel=kernel
KERN_ASFLAGS	:= $(KERN_CFLAGS) -D__ASSEMBLY__

LIB_SRCS	:= $(sort $(wildcard vtd/*.c vtd/hv/*.c ioasid/*.c))
LIB_OBJS	:= $(LIB_SRCS:%.c=$(O)/%.o)

KERN_SRCS	:= $(sort $(wildcard boot/*.S boot/*.c arch/x86/*.S arch/x86/*.c \
			tests/qemu/*.c tests/qemu/cases/*.c))
KERN_OBJS	:= $(patsubst %.S,$(O)/%.o,$(KERN_SRCS:%.c=$(O)/%.o))

LIB_PUB_HDRS	:= $(sort $(wildcard hal/include/hal/*.h vtd/include/vtd/*.h \
			vtd/include/vtd/hw/*.h vtd/include/vtd/hv/*.h \
			ioasid/include/ioasid/*.h))
KERN_PUB_HDRS	:= $(sort $(wildcard arch/x86/include/arch/*.h))

.PHONY: all lib kernel iso run check bench headercheck clean symcheck layercheck \
	check-build check-host check-clang check-qemu-elf check-qemu-iso \
	check-bochs FORCE

all: lib kernel

lib: $(O)/libvtd.a
kernel: $(O)/vtd-test.elf
iso: $(O)/vtd-test.iso

# ---------------------------------------------------------------------------
# config.h: rewritten only when an option's value changes.
# $(call write_config,file,options forced to y[,option names]): every
# library CONFIG option (or the names given) as a #define, booleans as 1/0.

config_value = $(if $(filter $(1),$(2)),1,$(patsubst y,1,$(patsubst n,0,$(strip $($(1))))))

define write_config
	@mkdir -p $(dir $(1))
	@{ echo '/* Generated from CONFIG by the Makefile. Do not edit. */'; \
	   echo '#pragma once'; \
	   $(foreach n,$(if $(3),$(3),$(LIB_CONFIG_NAMES)),echo '#define $(n) $(call config_value,$(n),$(2))';) \
	 } > $(1).tmp
	@if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else mv $(1).tmp $(1); fi
endef

$(CONFIG_H): FORCE
	$(call write_config,$@,)

# The test kernel's own options (CONFIG_X86_*), kept out of the library's.
$(KERN_CONFIG_H): FORCE
	$(call write_config,$@,,$(KERN_CONFIG_NAMES))

# ---------------------------------------------------------------------------
# Flags stamps. An object depends on the stamp of its kind, a file
# holding everything else that shapes it: the compiler and its version,
# the flags (EXTRA_CFLAGS included) and the include path, which names
# the lock_impl.h directory. The stamp is rewritten only when that text
# changes, so `make lib HAL_IMPL_INC=dir` or `EXTRA_CFLAGS=...` after a
# plain `make` rebuilds the library instead of keeping objects built for
# another struct hal_spinlock. (CONFIG values reach objects through
# config.h, rewritten the same way.)
# $(call write_stamp,file,text)

define write_stamp
	@mkdir -p $(dir $(1))
	@printf '%s\n' '$(subst ','\'',$(strip $(2)))' > $(1).tmp
	@if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else mv $(1).tmp $(1); fi
endef

LIB_STAMP	:= $(O)/stamps/lib
KERN_STAMP	:= $(O)/stamps/kernel

$(LIB_STAMP): FORCE
	@test -f $(HAL_IMPL_DIR)/hal/lock_impl.h || { \
		echo "HAL_IMPL_INC=$(HAL_IMPL_INC): no $(HAL_IMPL_DIR)/hal/lock_impl.h" >&2; \
		exit 1; }
	$(call write_stamp,$@,$(CC) | $(CC_VERSION) | $(LIB_CFLAGS))

# ---------------------------------------------------------------------------
# The library: vtd/ and ioasid/ only.

$(O)/vtd/%.o: vtd/%.c $(CONFIG_H) $(LIB_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -MMD -MP -c $< -o $@
$(O)/ioasid/%.o: ioasid/%.c $(CONFIG_H) $(LIB_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -MMD -MP -c $< -o $@

$(O)/libvtd.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# libvtd.a may reference nothing but hal_* symbols.
# The library's files form a DAG of layers; no object calls up, and no
# function exceeds 80 lines without saying why (scripts/layercheck).
layercheck: $(LIB_OBJS)
	@NM=$(NM) scripts/layercheck $(O) $(LIB_OBJS)

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
# The QEMU test kernel. It is one integrator of the library: its HAL is
# arch/x86/ with the lock type of arch/x86/include/hal/lock_impl.h, so it
# links only with a libvtd.a built for that lock (HAL_IMPL_INC default).

# Clang's driver does not use -no-pie for a -static link and warns.
KERN_LDFLAGS	:= -nostdlib -static $(if $(filter n,$(CC_IS_CLANG)),-no-pie) \
		   -Wl,--build-id=none -Wl,-n

$(KERN_STAMP): FORCE
	$(call write_stamp,$@,$(CC) | $(CC_VERSION) | $(KERN_CFLAGS) | $(KERN_LDFLAGS))

KERN_DEPS	:= $(CONFIG_H) $(KERN_CONFIG_H) $(KERN_STAMP)

$(O)/boot/%.o: boot/%.S $(KERN_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_ASFLAGS) -MMD -MP -c $< -o $@
$(O)/arch/x86/%.o: arch/x86/%.S $(KERN_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_ASFLAGS) -MMD -MP -c $< -o $@
$(O)/boot/%.o: boot/%.c $(KERN_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_CFLAGS) -MMD -MP -c $< -o $@
$(O)/arch/x86/%.o: arch/x86/%.c $(KERN_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_CFLAGS) -MMD -MP -c $< -o $@
# Boot tests may include the library's private headers (vtd/unit.h,
# vtd/qi.h, vtd/tables.h) to build bad descriptors and inspect tables.
$(O)/tests/qemu/%.o: tests/qemu/%.c $(KERN_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_CFLAGS) -Ivtd -MMD -MP -c $< -o $@

$(O)/vtd-test.elf: $(KERN_OBJS) $(O)/libvtd.a linker.ld $(KERN_STAMP)
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

HOST_STAMP	:= $(HOST_O)/stamps/host

$(HOST_STAMP): FORCE
	$(call write_stamp,$@,$(HOSTCC) | $(HOSTCC_VERSION) | $(HOST_CFLAGS) | $(HOST_SAN) | $(HOST_LDLIBS))

# Benchmarks measure what an integrator ships: CONFIG as it stands.
BENCH_CONFIG_H	:= $(O)/bench/include/generated/config.h

$(BENCH_CONFIG_H): FORCE
	$(call write_config,$@,)

HOST_LIB_OBJS	:= $(LIB_SRCS:%.c=$(HOST_O)/%.o)
FAKE_SRCS	:= $(sort $(wildcard tests/fakes/*.c))
FAKE_OBJS	:= $(FAKE_SRCS:%.c=$(HOST_O)/%.o)
UNIT_SRCS	:= $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BINS	:= $(UNIT_SRCS:%.c=$(HOST_O)/%)

$(HOST_O)/%.o: %.c $(HOST_CONFIG_H) $(HOST_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -MMD -MP -c $< -o $@

$(HOST_O)/libvtd-host.a: $(HOST_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# A test may #include a library .c file to reach static helpers; linking
# the library as an archive keeps that member out of the link.
$(HOST_O)/tests/unit/%: $(HOST_O)/tests/unit/%.o $(FAKE_OBJS) $(HOST_O)/libvtd-host.a \
		$(HOST_STAMP)
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

# The library's public headers compile alone and without config.h (an
# integrator's code does not need it); the test kernel's with its flags.
headercheck: $(CONFIG_H) $(KERN_CONFIG_H)
	@set -e; for h in $(LIB_PUB_HDRS); do \
		echo "#include <$${h#*/include/}>" | \
		$(CC) $(FS_CFLAGS) $(PUB_INC) -Iarch/x86/include \
			-x c -fsyntax-only - || \
		{ echo "headercheck: $$h does not compile alone"; exit 1; }; \
	done; for h in $(KERN_PUB_HDRS); do \
		echo "#include <$${h#*/include/}>" | \
		$(CC) $(KERN_CFLAGS) -x c -fsyntax-only - || \
		{ echo "headercheck: $$h does not compile alone"; exit 1; }; \
	done; echo "headercheck: $(words $(LIB_PUB_HDRS) $(KERN_PUB_HDRS))" \
		"headers compile alone"

clean:
	rm -rf $(O)

FORCE:

-include $(shell find $(O) -name '*.d' 2>/dev/null)
