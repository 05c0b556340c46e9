/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private helpers of pt_sl.c that tests also reach: the encoding of the
 * deferred-free list kept in detached second-level tables [VT-d 9.8].
 */
#pragma once

#include <hal/bits.h>
#include <hal/mem.h>
#include <vtd/pt_sl.h>

#include "tables.h"

/*
 * A detached table may still be walked by a unit until the caller's
 * IOTLB and paging-structure cache invalidation, so its R, W and ADDR
 * bits must stay as they were. The list linking detached pages therefore
 * lives only in bits that the hardware ignores at every level, 61:52
 * (VTD_SL_PTE_IGN_HI) [VT-d 9.8]: entries 0..3 of a page each hold 10
 * bits of the next page's 40-bit frame number (52-bit host addresses).
 * Such writes need no cache flush either: the unit ignores the bits.
 */
#define VTD_SL_LINK_ENTRIES	4
#define VTD_SL_LINK_BITS	10
_Static_assert(VTD_SL_LINK_ENTRIES * VTD_SL_LINK_BITS >= 52 - 12,
	       "the link holds a 52-bit host address's frame number");
_Static_assert(FIELD_FIT(VTD_SL_PTE_IGN_HI, (1U << VTD_SL_LINK_BITS) - 1),
	       "10 ignored bits per entry");

static inline void vtd_sl_link_set(struct vtd_sl_table *t, u64 next_pa)
{
	u64 pfn = next_pa >> HAL_PAGE_SHIFT;
	unsigned int k;

	for (k = 0; k < VTD_SL_LINK_ENTRIES; k++) {
		u64 v = vtd_sl_pte_read(&t->e[k]);
		u64 chunk = (pfn >> (k * VTD_SL_LINK_BITS)) &
			    ((1U << VTD_SL_LINK_BITS) - 1);

		vtd_sl_pte_write(&t->e[k],
				 FIELD_SET(VTD_SL_PTE_IGN_HI, v, chunk));
	}
}

static inline u64 vtd_sl_link_get(const struct vtd_sl_table *t)
{
	u64 pfn = 0;
	unsigned int k;

	for (k = 0; k < VTD_SL_LINK_ENTRIES; k++)
		pfn |= FIELD_GET(VTD_SL_PTE_IGN_HI,
				 vtd_sl_pte_read(&t->e[k]))
		       << (k * VTD_SL_LINK_BITS);
	return pfn << HAL_PAGE_SHIFT;
}
