/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An independent walker of second-level page tables for host tests,
 * written from the VT-d specification's entry formats [VT-d 9.8] and
 * sharing nothing with vtd/pt_sl.c or vtd/tables.h. It reads the tables
 * in fake memory through fake_phys_to_virt_checked() (so a pointer stored
 * where a physical address belongs is caught), checks every reserved bit
 * per level, and reports the leaves, the tables and a hash of all table
 * contents. Tests assert mapping results through it, never through the
 * library's own lookup. Only the format-free accounting (results,
 * snapshots) is shared with fl_walk.c, in pt_snap.h.
 */
#pragma once

#include <hal/types.h>

#include "pt_snap.h"

struct sl_walk_cfg {
	unsigned int levels;	/* 3, 4 or 5 */
	unsigned int aw;	/* IOVA width: entries at or above 2^aw are errors */
	unsigned int haw;	/* host address width: ADDR bits above are reserved */
	bool lp_2m;		/* CAP.SLLPS bit 0: PS allowed in SL-PDEs */
	bool lp_1g;		/* CAP.SLLPS bit 1: PS allowed in SL-PDPEs */
	bool sc;		/* ECAP.SC: SNP allowed in leaves */
};

/* One leaf, in IOVA order. */
struct sl_leaf {
	u64 iova;
	u64 pa;
	u64 size;		/* 4 KiB, 2 MiB or 1 GiB */
	bool r, w, snp;
	u64 raw;		/* the entry as read */
};

typedef void (*sl_leaf_fn)(const struct sl_leaf *leaf, void *ctx);

/*
 * Walk the tree at @root_pa. @fn (may be NULL) sees every leaf. Returns
 * the number of errors (also in @res->errors). @res is large: allocate
 * it statically or on the heap.
 */
u64 sl_walk(const struct sl_walk_cfg *cfg, u64 root_pa, sl_leaf_fn fn,
	    void *ctx, struct pt_walk_result *res);

/*
 * Translate @iova as the hardware would, with the same checks. Returns
 * true and fills @leaf when mapped; false when not present (or on an
 * error, which is counted in *@errors when not NULL).
 */
bool sl_walk_translate(const struct sl_walk_cfg *cfg, u64 root_pa, u64 iova,
		       struct sl_leaf *leaf, u64 *errors);
