/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Second-level page tables of a domain [VT-d 3.7, 9.8]: the IOVA to host
 * physical translation that legacy-mode context entries (SLPTPTR) and
 * scalable-mode PASID entries with PGTT=010 point at.
 *
 * A struct vtd_sl_pt owns a tree of 4 KiB tables from hal_page_alloc().
 * Map and unmap validate everything and pre-allocate every table they
 * need before the first write the hardware can see, so a failed call
 * leaves the tables exactly as they were (house style 3.4). Unmap never
 * frees a table page that the hardware may still walk: detached pages go
 * into a struct vtd_iotlb_gather, together with the IOVA range to
 * invalidate, and are freed by vtd_sl_pt_gather_release() once the caller
 * has invalidated the IOTLB and paging-structure caches [VT-d 6.5].
 * Bits 61:52 of a non-leaf entry, which the unit ignores [VT-d 9.8], hold
 * the count of present entries in the table below (the library's own
 * bookkeeping; never flushed).
 *
 * Context for every function: the caller serialises all calls on one
 * struct vtd_sl_pt (the owning domain's lock); none of them sleeps; map,
 * unmap and init may spin on the HAL page allocator.
 */
#pragma once

#include <hal/types.h>
#include <vtd/addr.h>
#include <vtd/prot.h>

struct vtd_sl_table;

/* Large-page sizes, encoded as CAP.SLLPS (CAP.SLLPS) [VT-d 11.4.2]. */
#define VTD_SL_PT_LP_2M		(1U << 0)	/* 2 MiB leaves in SL-PDEs */
#define VTD_SL_PT_LP_1G		(1U << 1)	/* 1 GiB leaves in SL-PDPEs */

/* Access rights of a mapping (R and W of the leaf entry) [VT-d 9.8]. */

/* Leaf sizes, as reported in struct vtd_iotlb_gather.leaf_sizes. */
#define VTD_SL_LEAF_4K		(1U << 0)
#define VTD_SL_LEAF_2M		(1U << 1)
#define VTD_SL_LEAF_1G		(1U << 2)

/* Address widths accepted by vtd_sl_pt_init(). */
#define VTD_SL_PT_AW_MIN	21
#define VTD_SL_PT_AW_MAX	57
#define VTD_SL_PT_HAW_MIN	21
#define VTD_SL_PT_HAW_MAX	52

/* Parameters of vtd_sl_pt_init(), taken from the units that will use it. */
struct vtd_sl_pt_config {
	/*
	 * IOVA width in bits (VTD_SL_PT_AW_MIN..VTD_SL_PT_AW_MAX). The table
	 * depth follows: up to 39 bits 3 levels, up to 48 bits 4 levels, up
	 * to 57 bits 5 levels (AGAW 39/48/57, CAP.SAGAW) [VT-d 3.7, 9.3].
	 * IOVAs at or above 2^aw are refused.
	 */
	unsigned int aw;
	/*
	 * Host address width in bits (DMAR HAW + 1): mapped host addresses
	 * must lie below 2^haw, as ADDR bits at and above it are reserved
	 * [VT-d 9.8].
	 */
	unsigned int haw;
	/* Large pages the units support: VTD_SL_PT_LP_* (CAP.SLLPS). */
	unsigned int large_pages;
	/* Set SNP in every leaf; only when all units report ECAP.SC. */
	bool snoop;
	/*
	 * All units report ECAP.C = 1 (page walks snoop CPU caches). When
	 * false, every table cache line written by an operation is flushed
	 * once with hal_cache_flush_line() and the operation ends with one
	 * hal_fence() [VT-d 6.1, 11.4.3].
	 */
	bool coherent;
	/*
	 * Replace a table whose 512 entries map one contiguous, aligned
	 * range with equal attributes by one large leaf, when large_pages
	 * allows it (only in maps given a gather). Fewer IOTLB entries, but a
	 * later partial unmap of such a range must split it again and can
	 * then fail with -ENOMEM.
	 */
	bool merge;
};

/* A domain's second-level page table. Fields are read-only to callers. */
struct vtd_sl_pt {
	struct vtd_sl_table *root;	/* top-level table */
	hal_paddr_t root_pa;		/* for SLPTPTR */
	u64 table_pages;		/* tables in the tree, root included */
	u8 levels;			/* 3, 4 or 5 */
	u8 aw;
	u8 haw;
	u8 leaf_levels;			/* bit n: leaves allowed at level n */
	bool snoop;
	bool coherent;
	bool merge;
};

/*
 * The invalidation work that map and unmap leave to the caller, collected
 * over one or more calls. The IOTLB and paging-structure caches must be
 * invalidated for [start, end) (page-selective, see vtd_sl_pt_gather_psi(),
 * or domain-selective) before vtd_sl_pt_gather_release() frees the table
 * pages listed here. Calls on discontiguous ranges widen [start, end) to
 * their hull.
 */
struct vtd_iotlb_gather {
	u64 start;		/* first IOVA to invalidate */
	u64 end;		/* one past the last; start >= end: nothing */
	u64 unmapped;		/* bytes whose translation was removed */
	u32 leaf_sizes;		/* VTD_SL_LEAF_* of removed leaves */
	bool nonleaf;		/* a non-leaf entry changed: IH must be 0 */
	u64 freed_pages;	/* detached table pages awaiting release */
	struct vtd_sl_table *freelist;	/* private to pt_sl.c */
};

/* One page-selective invalidation [VT-d 6.5]. */
struct vtd_iotlb_psi {
	vtd_iova_t addr;	/* aligned to 2^am pages */
	u8 am;			/* address mask: 2^am 4 KiB pages */
	bool ih;		/* invalidation hint: only leaves changed */
};

/* Result of vtd_sl_pt_lookup(). */
struct vtd_sl_pt_translation {
	hal_paddr_t pa;		/* host address of the looked-up IOVA */
	u64 page_size;		/* 4 KiB, 2 MiB or 1 GiB */
	u32 prot;		/* VTD_PROT_READ, VTD_PROT_WRITE */
};

/**
 * vtd_sl_pt_init() - Allocate an empty top-level table.
 * @pt:  the object to initialise (caller-owned storage).
 * @cfg: widths and unit capabilities, see struct vtd_sl_pt_config.
 *
 * Return: 0; -EINVAL for an aw or haw out of range or an unknown
 * large_pages bit; -ENOMEM when the root table cannot be allocated.
 */
int vtd_sl_pt_init(struct vtd_sl_pt *pt, const struct vtd_sl_pt_config *cfg);

/**
 * vtd_sl_pt_destroy() - Free every table page of @pt at once.
 *
 * @pre No unit uses @pt any more (its context or PASID entries are gone
 * and invalidated), and every gather filled from @pt has been released.
 */
void vtd_sl_pt_destroy(struct vtd_sl_pt *pt);

/**
 * vtd_sl_pt_map() - Map [@iova, @iova + @size) to [@pa, @pa + @size).
 * @prot:   VTD_PROT_READ and/or VTD_PROT_WRITE.
 * @gather: where merges report their work (NULL: never merge).
 *
 * Each part of the range is mapped with the largest leaf that the
 * configuration allows and to which both the IOVA and the host address
 * are aligned. Mapping only turns not-present entries present, so it
 * needs no invalidation unless the unit caches not-present entries
 * (CAP.CM) or a merge was reported in @gather.
 *
 * Return: 0; -EINVAL for a @size of 0, an address or size not 4 KiB
 * aligned, a range that wraps, or a bad @prot; -ERANGE when the IOVA
 * range reaches 2^aw or the host range 2^haw; -EBUSY when any page of
 * the range is already mapped; -ENOMEM when a table cannot be allocated.
 * On error nothing has changed.
 */
int vtd_sl_pt_map(struct vtd_sl_pt *pt, vtd_iova_t iova, hal_paddr_t pa,
		  u64 size, u32 prot, struct vtd_iotlb_gather *gather);

/**
 * vtd_sl_pt_unmap() - Remove every translation in [@iova, @iova + @size).
 * @gather: receives the range to invalidate and the detached tables.
 *
 * Holes are allowed: whatever is mapped inside the range is unmapped and
 * the call succeeds (gather->unmapped tells how much), also when nothing
 * was mapped. A large leaf that the range covers only in part is split
 * first, which needs new tables. Tables left empty are detached into
 * @gather; the top-level table stays.
 *
 * Return: 0; -EINVAL for a @size of 0, an unaligned address or size, a
 * range that wraps, or a NULL @gather; -ERANGE when the range reaches
 * 2^aw; -ENOMEM when a split cannot allocate. On error nothing changed.
 */
int vtd_sl_pt_unmap(struct vtd_sl_pt *pt, vtd_iova_t iova, u64 size,
		    struct vtd_iotlb_gather *gather);

/**
 * vtd_sl_pt_lookup() - Translate @iova as the hardware would.
 *
 * Return: 0 with @out filled; -ENOENT when @iova is not mapped; -ERANGE
 * when it is at or above 2^aw.
 */
int vtd_sl_pt_lookup(const struct vtd_sl_pt *pt, vtd_iova_t iova,
		     struct vtd_sl_pt_translation *out);

/**
 * vtd_sl_pt_agaw() - The AW field value that selects @pt's depth in a
 * context or PASID entry: 1, 2 or 3 for 3, 4 or 5 levels [VT-d 9.3].
 */
unsigned int vtd_sl_pt_agaw(const struct vtd_sl_pt *pt);

/** vtd_sl_pt_gather_init() - Make @g empty. */
void vtd_sl_pt_gather_init(struct vtd_iotlb_gather *g);

/**
 * vtd_sl_pt_gather_psi() - At most two page-selective invalidations that
 * together cover [g->start, g->end) [VT-d 6.5].
 *
 * Return: the number of entries written to @psi (0 when @g is empty). The
 * caller falls back to a domain-selective invalidation when an am exceeds
 * CAP.MAMV or CAP.PSI is 0.
 */
unsigned int vtd_sl_pt_gather_psi(const struct vtd_iotlb_gather *g,
				  struct vtd_iotlb_psi psi[2]);

/**
 * vtd_sl_pt_gather_release() - Free the table pages detached into @g and
 * make @g empty.
 *
 * @pre The IOTLB and paging-structure caches of every unit using the
 * table have been invalidated for @g's range (or wholly).
 */
void vtd_sl_pt_gather_release(struct vtd_iotlb_gather *g);
