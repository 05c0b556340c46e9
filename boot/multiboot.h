/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Multiboot constants and boot-information layouts used by the test
 * kernel: the Multiboot 0.6.96 header and information structure [MB1 3.1,
 * 3.3] and the Multiboot2 header and tags [MB2 3.1, 3.6]. The structures
 * are read in place from the loader's memory, so they are packed and
 * match the specifications byte for byte. Shared by header.S (constants
 * only) and main.c.
 */
#pragma once

/* [MB1 3.1.1] Header magic and flags; [MB1 3.2] the value in EAX. */
#define MB1_HEADER_MAGIC	0x1BADB002
#define MB1_HEADER_PAGE_ALIGN	(1 << 0)	/* modules 4 KiB aligned */
#define MB1_HEADER_MEMORY_INFO	(1 << 1)	/* mem_* and mmap_* wanted */
#define MB1_HEADER_AOUT_KLUDGE	(1 << 16)	/* address fields valid */
#define MB1_BOOT_MAGIC		0x2BADB002

/* [MB2 3.1.1] Header magic, i386 architecture; [MB2 3.2] EAX value. */
#define MB2_HEADER_MAGIC	0xE85250D6
#define MB2_ARCH_I386		0
#define MB2_BOOT_MAGIC		0x36d76289

#ifndef __ASSEMBLY__

#include <hal/compiler.h>
#include <hal/types.h>

/* [MB1 3.3] Boot information, the fields we read. */
#define MB1_INFO_MEM		(1U << 0)	/* mem_lower/mem_upper */
#define MB1_INFO_CMDLINE	(1U << 2)
#define MB1_INFO_MMAP		(1U << 6)

struct mb1_info {
	u32 flags;
	u32 mem_lower;
	u32 mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
} __packed;

/* [MB1 3.3] Memory map entry; @size excludes the size field itself. */
struct mb1_mmap_entry {
	u32 size;
	u64 base_addr;
	u64 length;
	u32 type;
} __packed;

/* [MB2 3.6.1] Fixed part of the information structure. */
struct mb2_info {
	u32 total_size;
	u32 reserved;
} __packed;

/* [MB2 3.6] Every tag starts with type and size; tags are 8-byte aligned. */
struct mb2_tag {
	u32 type;
	u32 size;
} __packed;

#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1	/* [MB2 3.6.3] */
#define MB2_TAG_MMAP		6	/* [MB2 3.6.8] */
#define MB2_TAG_ACPI_OLD	14	/* [MB2 3.6.15] RSDP v1 copy */
#define MB2_TAG_ACPI_NEW	15	/* [MB2 3.6.16] RSDP v2 copy */

/* [MB2 3.6.8] Memory map tag. */
struct mb2_tag_mmap {
	u32 type;
	u32 size;
	u32 entry_size;
	u32 entry_version;
} __packed;

struct mb2_mmap_entry {
	u64 base_addr;
	u64 length;
	u32 type;
	u32 reserved;
} __packed;

/* Memory types shared by both versions [MB1 3.3], [MB2 3.6.8]. */
#define MB_MEMORY_AVAILABLE	1

#endif /* !__ASSEMBLY__ */
