/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Page-selective invalidation ranges [VT-d 6.5.2.3, 6.5.2.4]: a PSI names
 * 2^AM pages at an address aligned to 2^AM pages. Shared by the
 * invalidation layer (inv.c) and the page-table gathers (pt_engine.h), so that
 * there is one rule for turning a range into at most two PSIs.
 */
#pragma once

#include <hal/types.h>

/* Smallest am with an aligned 2^am-page block at @first holding @last. */
static inline unsigned int vtd_psi_block_order(u64 first_pfn, u64 last_pfn)
{
	unsigned int am = 0;

	while ((first_pfn >> am) != (last_pfn >> am))
		am++;
	return am;
}

/*
 * Cover [first, last] (page numbers) with at most two aligned blocks
 * [VT-d 6.5.2.3: ADDR aligned to 2^AM pages]. One block when the smallest
 * aligned block holding the range is at most twice its size; otherwise
 * cut at the most aligned page boundary inside the range, so each side
 * is one block no more than twice its own size.
 */
static inline unsigned int vtd_psi_cover(u64 first, u64 last, u64 base[2],
					 unsigned int am[2])
{
	unsigned int top, single = vtd_psi_block_order(first, last);
	u64 cut;

	if ((1ULL << single) <= 2 * (last - first + 1)) {
		base[0] = first & ~((1ULL << single) - 1);
		am[0] = single;
		return 1;
	}
	top = 63 - (unsigned int)__builtin_clzll(first ^ last);
	cut = last & ~((1ULL << top) - 1);	/* first page of the upper part */
	/* The lower block ends at cut, which is aligned to 2^top. */
	am[0] = vtd_psi_block_order(first, cut - 1);
	base[0] = cut - (1ULL << am[0]);
	am[1] = vtd_psi_block_order(cut, last);
	base[1] = cut;
	return 2;
}

