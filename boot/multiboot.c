// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading the Multiboot information structure of either protocol into a
 * struct boot_info. Multiboot1 [MB1 3.3] gives a fixed structure with
 * flags saying which fields are valid; the memory map is a list of
 * entries whose size field excludes itself. Multiboot2 [MB2 3.6] gives a
 * list of 8-byte-aligned tags ending with a type-0 tag. Every length is
 * checked against its container, so a corrupted structure cannot send
 * the parser outside it; strings are copied and truncated.
 */
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/types.h>

#include <arch/string.h>

#include "boot.h"
#include "multiboot.h"

#define MB2_INFO_MAX		(1U << 20)	/* sanity bound on total_size */

static void copy_cmdline(struct boot_info *bi, const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && n < sizeof(bi->cmdline) - 1 && s[n])
		n++;
	memcpy(bi->cmdline, s, n);
	bi->cmdline[n] = '\0';
}

static void add_range(struct boot_info *bi, u64 base, u64 len, u32 type)
{
	if (bi->mem_count >= BOOT_MEM_RANGES_MAX || len == 0)
		return;
	bi->mem[bi->mem_count].base = base;
	bi->mem[bi->mem_count].length = len;
	bi->mem[bi->mem_count].type = type;
	bi->mem_count++;
}

static int parse_mb1(const struct mb1_info *mbi, struct boot_info *bi)
{
	bi->protocol = "multiboot1";
	if (mbi->flags & MB1_INFO_CMDLINE && mbi->cmdline)
		copy_cmdline(bi, (const char *)(uintptr_t)mbi->cmdline,
			     BOOT_CMDLINE_MAX);
	if (mbi->flags & MB1_INFO_MMAP) {
		u64 p = mbi->mmap_addr, end = p + mbi->mmap_length;

		while (p + sizeof(struct mb1_mmap_entry) <= end) {
			const struct mb1_mmap_entry *e =
				(const struct mb1_mmap_entry *)(uintptr_t)p;

			if (e->size < sizeof(*e) - sizeof(e->size))
				return -EINVAL;
			add_range(bi, e->base_addr, e->length, e->type);
			p += e->size + sizeof(e->size);
		}
	} else if (mbi->flags & MB1_INFO_MEM) {
		/* [MB1 3.3] KiB from 0 and from 1 MiB. */
		add_range(bi, 0, (u64)mbi->mem_lower << 10,
			  MB_MEMORY_AVAILABLE);
		add_range(bi, 1ULL << 20, (u64)mbi->mem_upper << 10,
			  MB_MEMORY_AVAILABLE);
	}
	return bi->mem_count ? 0 : -ENOENT;
}

static int parse_mb2_mmap(const struct mb2_tag_mmap *t, struct boot_info *bi)
{
	u64 p = (u64)(uintptr_t)(t + 1), end = (u64)(uintptr_t)t + t->size;

	if (t->size < sizeof(*t) ||
	    t->entry_size < sizeof(struct mb2_mmap_entry))
		return -EINVAL;
	for (; p + t->entry_size <= end; p += t->entry_size) {
		const struct mb2_mmap_entry *e =
			(const struct mb2_mmap_entry *)(uintptr_t)p;

		add_range(bi, e->base_addr, e->length, e->type);
	}
	return 0;
}

static int parse_mb2(const struct mb2_info *mbi, struct boot_info *bi)
{
	u64 p = (u64)(uintptr_t)(mbi + 1);
	u64 end = (u64)(uintptr_t)mbi + mbi->total_size;
	int ret;

	bi->protocol = "multiboot2";
	if (mbi->total_size < sizeof(*mbi) + sizeof(struct mb2_tag) ||
	    mbi->total_size > MB2_INFO_MAX)
		return -EINVAL;
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *t = (const struct mb2_tag *)(uintptr_t)p;
		u32 payload;

		if (t->type == MB2_TAG_END)
			break;
		if (t->size < sizeof(*t) || p + t->size > end)
			return -EINVAL;
		payload = t->size - sizeof(*t);
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			copy_cmdline(bi, (const char *)(t + 1), payload);
			break;
		case MB2_TAG_MMAP:
			ret = parse_mb2_mmap(
				(const struct mb2_tag_mmap *)t, bi);
			if (ret)
				return ret;
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* Prefer the v2 copy; a v1 copy is 20 bytes. */
			if (bi->have_rsdp && t->type == MB2_TAG_ACPI_OLD)
				break;
			memset(&bi->rsdp, 0, sizeof(bi->rsdp));
			memcpy(&bi->rsdp, t + 1,
			       payload < sizeof(bi->rsdp) ? payload :
							    sizeof(bi->rsdp));
			bi->have_rsdp = true;
			break;
		default:
			break;
		}
		p += HAL_ALIGN_UP(t->size, 8);	/* [MB2 3.6] 8-byte aligned */
	}
	return bi->mem_count ? 0 : -ENOENT;
}

int boot_info_parse(u32 magic, u32 info, struct boot_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->magic = magic;
	bi->protocol = "unknown";
	if (info == 0)
		return -EINVAL;
	if (magic == MB1_BOOT_MAGIC)
		return parse_mb1((const struct mb1_info *)(uintptr_t)info, bi);
	if (magic == MB2_BOOT_MAGIC)
		return parse_mb2((const struct mb2_info *)(uintptr_t)info, bi);
	return -EINVAL;
}
