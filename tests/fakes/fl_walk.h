/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An independent walker of first-level (IA-32e / 5-level) page tables for
 * host tests, written from the entry formats of [VT-d 9.7] and
 * [SDM 3A Tables 4-14..4-20], sharing nothing with vtd/pt_fl.c or
 * vtd/tables.h. It reads tables in fake memory through
 * fake_phys_to_virt_checked(), checks every reserved bit per level, and
 * computes access rights the way the hardware does: R/W and U/S are the
 * AND over the walk, XD the OR. Only the format-free accounting (results,
 * snapshots) is shared with sl_walk.c, in pt_snap.h.
 */
#pragma once

#include <hal/types.h>

#include "pt_snap.h"

struct fl_walk_cfg {
	unsigned int levels;	/* 4 or 5 */
	unsigned int haw;	/* ADDR bits at and above are reserved */
	bool lp_1g;		/* CAP.FL1GP: PS allowed in PDPEs */
	bool nxe;		/* PASID-entry NXE: XD defined, else reserved */
};

/* One leaf (or a translation), in address order. */
struct fl_leaf {
	u64 va;			/* canonical */
	u64 pa;
	u64 size;		/* 4 KiB, 2 MiB or 1 GiB */
	bool w, u, x;		/* effective rights over the walk */
	bool a, d;		/* of the leaf */
	u64 raw;		/* the leaf entry as read */
};

typedef void (*fl_leaf_fn)(const struct fl_leaf *leaf, void *ctx);

/* Walk the tree at @root_pa; @fn (may be NULL) sees every leaf. */
u64 fl_walk(const struct fl_walk_cfg *cfg, u64 root_pa, fl_leaf_fn fn,
	    void *ctx, struct pt_walk_result *res);

/*
 * Translate canonical @va. Returns true and fills @leaf when mapped;
 * false when not present, not canonical, or on an error (counted in
 * *@errors when not NULL).
 */
bool fl_walk_translate(const struct fl_walk_cfg *cfg, u64 root_pa, u64 va,
		       struct fl_leaf *leaf, u64 *errors);
