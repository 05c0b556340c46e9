/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An independent walker of second-level page tables for host tests,
 * written from the VT-d specification's entry formats [VT-d 9.8] and
 * sharing nothing with vtd/pt_sl.c or vtd/tables.h. It reads the tables
 * in fake memory through fake_phys_to_virt_checked() (so a pointer stored
 * where a physical address belongs is caught), checks every reserved bit
 * per level, and reports the leaves, the tables and a hash of all table
 * contents. Tests assert mapping results through it, never through the
 * library's own lookup.
 */
#pragma once

#include <hal/types.h>

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

#define SL_WALK_MAX_TABLES	8192

struct sl_walk_result {
	u64 tables;		/* table pages reached, root included */
	u64 leaves;
	u64 leaf_count[3];	/* by size: 4K, 2M, 1G */
	u64 mapped_bytes;
	u64 hash;		/* FNV-1a over every table's (pa, contents) */
	u64 errors;
	char error[256];	/* the first error */
	u64 table_pa[SL_WALK_MAX_TABLES];	/* in walk order */
};

typedef void (*sl_leaf_fn)(const struct sl_leaf *leaf, void *ctx);

/*
 * Walk the tree at @root_pa. @fn (may be NULL) sees every leaf. Returns
 * the number of errors (also in @res->errors). @res is large: allocate
 * it statically or on the heap.
 */
u64 sl_walk(const struct sl_walk_cfg *cfg, u64 root_pa, sl_leaf_fn fn,
	    void *ctx, struct sl_walk_result *res);

/*
 * Translate @iova as the hardware would, with the same checks. Returns
 * true and fills @leaf when mapped; false when not present (or on an
 * error, which is counted in *@errors when not NULL).
 */
bool sl_walk_translate(const struct sl_walk_cfg *cfg, u64 root_pa, u64 iova,
		       struct sl_leaf *leaf, u64 *errors);

/*
 * A copy of every table page reachable from a root, for comparing before
 * and after an operation.
 */
struct sl_snapshot {
	size_t count;
	u64 *pa;
	u8 (*page)[4096];
};

void sl_snapshot_take(const struct sl_walk_cfg *cfg, u64 root_pa,
		      struct sl_snapshot *s);
void sl_snapshot_free(struct sl_snapshot *s);
/* True when both hold the same pages with the same contents. */
bool sl_snapshot_equal(const struct sl_snapshot *a,
		       const struct sl_snapshot *b);
/*
 * The cache lines (virtual addresses, 64-byte aligned) that differ from
 * @before to @after: every line of a page new in @after, the changed lines
 * of a page in both. Returns the count written to @out (at most @max).
 */
size_t sl_snapshot_dirty_lines(const struct sl_snapshot *before,
			       const struct sl_snapshot *after,
			       const void **out, size_t max);
