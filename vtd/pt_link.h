/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The deferred-free list of detached page-table pages, shared by the
 * second-level (pt_sl.c) and first-level (pt_fl.c) tables. A detached
 * table may still be walked by a unit until the caller's IOTLB and
 * paging-structure cache invalidation [VT-d 6.5], so its translation bits
 * must stay as they were. The list is threaded through a field of entry
 * bits that the hardware ignores at every level of the format (its
 * *_PTE_IGN_HI mask): the first entries of a page each hold as many bits
 * of the next page's frame number as the field is wide, until all
 * VTD_PT_LINK_FRAME_BITS are stored. Writing ignored bits needs no cache
 * flush either. While a table is linked, the same bits of the non-leaf
 * entries that name tables hold counts (pt_engine.h, PT_PTE_COUNT); the
 * link overwrites them only once the table is detached.
 */
#pragma once

#include <hal/compiler.h>
#include <hal/mem.h>
#include <hal/types.h>

/* Frame number bits of a 52-bit host address. */
#define VTD_PT_LINK_FRAME_BITS	(52 - HAL_PAGE_SHIFT)

/* Entries of a page the link uses, for an ignored field of @bits bits. */
#define VTD_PT_LINK_ENTRIES(bits) \
	((VTD_PT_LINK_FRAME_BITS + (bits) - 1) / (bits))

static inline unsigned int vtd_pt_link_shift(u64 field)
{
	return (unsigned int)__builtin_ctzll(field);
}

static inline unsigned int vtd_pt_link_bits(u64 field)
{
	return 64 - (unsigned int)__builtin_clzll(field) -
	       vtd_pt_link_shift(field);
}

/*
 * Store @next_pa in the @field (a contiguous mask of ignored bits) of the
 * first entries of the table page whose entries start at @e.
 */
static inline void vtd_pt_link_set(u64 *e, u64 field, u64 next_pa)
{
	unsigned int shift = vtd_pt_link_shift(field);
	unsigned int bits = vtd_pt_link_bits(field), k;
	u64 pfn = next_pa >> HAL_PAGE_SHIFT;

	for (k = 0; k < VTD_PT_LINK_ENTRIES(bits); k++)
		WRITE_ONCE(e[k], (READ_ONCE(e[k]) & ~field) |
				 (((pfn >> (k * bits)) << shift) & field));
}

/* The address that vtd_pt_link_set() stored. */
static inline u64 vtd_pt_link_get(const u64 *e, u64 field)
{
	unsigned int shift = vtd_pt_link_shift(field);
	unsigned int bits = vtd_pt_link_bits(field), k;
	u64 pfn = 0;

	for (k = 0; k < VTD_PT_LINK_ENTRIES(bits); k++)
		pfn |= ((READ_ONCE(e[k]) & field) >> shift) << (k * bits);
	return pfn << HAL_PAGE_SHIFT;
}
