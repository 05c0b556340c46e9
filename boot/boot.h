/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private interface of boot/: what the loader told the kernel, copied out
 * of the Multiboot information structure before any memory is handed to
 * the page allocator (QEMU puts that structure right after the image),
 * and the two things the kernel can do with it: the demo and the tests.
 */
#pragma once

#include <hal/types.h>

#include <arch/acpi.h>
#include <arch/mm.h>

#define BOOT_CMDLINE_MAX	512
#define BOOT_MEM_RANGES_MAX	64

struct boot_info {
	u32 magic;
	const char *protocol;		/* "multiboot1" or "multiboot2" */
	char cmdline[BOOT_CMDLINE_MAX];		/* NUL-terminated, may be "" */
	struct x86_mem_range mem[BOOT_MEM_RANGES_MAX];
	u32 mem_count;
	struct x86_acpi_rsdp rsdp;		/* copy from an MB2 ACPI tag */
	bool have_rsdp;
};

/**
 * boot_info_parse() - Copy what the kernel needs out of the loader's
 * information structure at physical address @info.
 * @magic: EAX at entry, MB1_BOOT_MAGIC or MB2_BOOT_MAGIC.
 *
 * Return: 0; -EINVAL for an unknown @magic or a malformed structure;
 * -ENOENT when no memory information was given.
 */
int boot_info_parse(u32 magic, u32 info, struct boot_info *bi);

/** boot_demo() - Run the DMAR demo and end the run. */
void boot_demo(void) __attribute__((noreturn));
