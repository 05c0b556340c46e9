/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * First-level page tables [VT-d 3.6, 9.7]: the IA-32e (4-level) and
 * 5-level paging format that scalable-mode PASID entries with PGTT=001
 * point at (FLPTPTR, FLPM), and that a guest's CR3 names in nested
 * translation. The same tables can be loaded into a CPU's CR3 [SDM 3A 4.5].
 *
 * The design follows pt_sl.h: a struct vtd_fl_pt owns a tree of 4 KiB
 * tables from hal_page_alloc(); map and unmap validate everything and
 * pre-allocate every table before the first write the hardware can see,
 * so a failed call leaves the tables exactly as they were; unmap never
 * frees a table the hardware may still walk, it detaches it into a
 * struct vtd_fl_gather, freed by vtd_fl_pt_gather_release() once the
 * caller has invalidated (PASID-based IOTLB and paging-structure caches,
 * or the CPU's TLB) [VT-d 6.5].
 *
 * Input addresses are canonical: bits 63:47 (4 levels) or 63:56 (5 levels)
 * all equal [VT-d 3.6, SDM 3A 3.3.7.1]. Both halves may be mapped; a range
 * may not cross from one half to the other.
 *
 * Entry bits chosen here [VT-d 3.6.2, 9.7]:
 * - Non-leaf entries: P, R/W, U/S and A; XD clear. Rights are the AND over
 *   the walk (XD the OR), so the leaf alone decides them. Bits 61:52,
 *   which non-leaf entries ignore, hold the count of present entries in
 *   the table below (the library's own bookkeeping; never flushed).
 * - Leaves: P and A always; R/W for VTD_PROT_WRITE; U/S for
 *   VTD_PROT_USER (or every leaf when the config says user); XD
 *   unless VTD_PROT_EXEC (only when the config says nxe); D on
 *   writable leaves unless the config asks for dirty tracking.
 *   A unit walking first-level tables sets A, and D on a write, with an
 *   atomic update of the entry in memory when it finds them clear
 *   [VT-d 3.6.2]. Pre-setting them saves those locked updates, and
 *   with ECAP.C = 0 (or PWSNP = 0) keeps the unit from writing lines
 *   the CPU may hold; D pre-set means the unit's dirty information is
 *   not used, which is what a unit without dirty tracking needs.
 * - PWT, PCD, PAT and G are never set: write-back, non-global.
 *
 * Context for every function: the caller serialises all calls on one
 * struct vtd_fl_pt; none of them sleeps; map, unmap and init may spin on
 * the HAL page allocator.
 */
#pragma once

#include <hal/types.h>
#include <vtd/addr.h>
#include <vtd/prot.h>
#include <vtd/pt_sl.h>

struct vtd_fl_table;

/* Large pages: 2 MiB always; 1 GiB when CAP.FL1GP (FL1GP) [VT-d 11.4.2]. */
#define VTD_FL_PT_LP_1G		(1U << 0)


/* Leaf sizes, as reported in struct vtd_fl_gather.leaf_sizes. */
#define VTD_FL_LEAF_4K		(1U << 0)
#define VTD_FL_LEAF_2M		(1U << 1)
#define VTD_FL_LEAF_1G		(1U << 2)

#define VTD_FL_PT_HAW_MIN	32
#define VTD_FL_PT_HAW_MAX	52

/* Parameters of vtd_fl_pt_init(). */
struct vtd_fl_pt_config {
	/*
	 * 4 (48-bit input) or 5 (57-bit input; needs CAP.FL5LP and FLPM =
	 * 5-level in the PASID entry, or CR4.LA57 on a CPU).
	 */
	unsigned int levels;
	/* Host address width: mapped host addresses lie below 2^haw. */
	unsigned int haw;
	/* VTD_FL_PT_LP_1G when every unit reports CAP.FL1GP. */
	unsigned int large_pages;
	/*
	 * Every unit reports ECAP.C = 1 (or SMPWC with PWSNP set). When
	 * false, each table line an operation writes is flushed once with
	 * hal_cache_flush_line(), and the operation ends with one hal_fence().
	 */
	bool coherent;
	/*
	 * The PASID entries that use this table set NXE [VT-d 9.6]: XD is
	 * then honoured and set on leaves mapped without VTD_PROT_EXEC.
	 * When false XD is reserved, never written, and every mapping is
	 * executable.
	 */
	bool nxe;
	/*
	 * Every leaf is user-accessible (U/S = 1), as if each map had
	 * VTD_PROT_USER. Requests without supervisor privilege (no
	 * PASID-prefix PR, RID_PRIV = 0) are user requests [VT-d 3.6.1].
	 */
	bool user;
	/*
	 * Leave D clear on writable leaves so that the unit (or CPU) sets
	 * it on the first write. Default (false): D pre-set.
	 */
	bool dirty_tracking;
};

/* A first-level page table. Fields are read-only to callers. */
struct vtd_fl_pt {
	struct vtd_fl_table *root;	/* top-level table (PML4 or PML5) */
	hal_paddr_t root_pa;		/* for FLPTPTR or CR3 */
	u64 table_pages;		/* tables in the tree, root included */
	u8 levels;			/* 4 or 5 */
	u8 haw;
	u8 leaf_levels;			/* bit n: leaves allowed at level n */
	bool coherent;
	bool nxe;
	bool user;
	bool dirty_tracking;
};

/*
 * The invalidation work that map and unmap leave to the caller; the same
 * contract as struct vtd_iotlb_gather (pt_sl.h). [start, end) is kept in
 * the folded form of the input space: the canonical address with bits
 * 63:48 (63:57 for 5 levels) cleared, so that the upper half is
 * [2^47, 2^48) and no range wraps. vtd_fl_pt_gather_psi() gives
 * canonical addresses back.
 */
struct vtd_fl_gather {
	u64 start;		/* first (folded) address to invalidate */
	u64 end;		/* one past the last; start >= end: nothing */
	u64 unmapped;		/* bytes whose translation was removed */
	u32 leaf_sizes;		/* VTD_FL_LEAF_* of removed leaves */
	bool nonleaf;		/* a non-leaf entry changed: IH must be 0 */
	u8 levels;		/* of the table that filled it */
	u64 freed_pages;	/* detached table pages awaiting release */
	struct vtd_fl_table *freelist;	/* private to pt_fl.c */
};

/* Result of vtd_fl_pt_lookup(). */
struct vtd_fl_pt_translation {
	hal_paddr_t pa;		/* host address of the looked-up address */
	u64 page_size;		/* 4 KiB, 2 MiB or 1 GiB */
	u32 prot;		/* VTD_PROT_* of the leaf */
	bool accessed;		/* A of the leaf */
	bool dirty;		/* D of the leaf */
};

/**
 * vtd_fl_pt_init() - Allocate an empty top-level table.
 *
 * Return: 0; -EINVAL for levels other than 4 or 5, a haw out of range or
 * an unknown large_pages bit; -ENOMEM when the root cannot be allocated.
 */
int vtd_fl_pt_init(struct vtd_fl_pt *pt, const struct vtd_fl_pt_config *cfg);

/**
 * vtd_fl_pt_destroy() - Free every table page of @pt at once.
 *
 * @pre No unit or CPU uses @pt any more, and every gather filled from
 * @pt has been released.
 */
void vtd_fl_pt_destroy(struct vtd_fl_pt *pt);

/**
 * vtd_fl_pt_map() - Map [@va, @va + @size) to [@pa, @pa + @size).
 * @va:   canonical input address (IOVA or guest-virtual).
 * @prot: VTD_PROT_READ, optionally with WRITE, EXEC and USER.
 *
 * Each part of the range gets the largest leaf the configuration allows
 * and to which both addresses are aligned. Mapping only turns
 * not-present entries present: no invalidation is needed unless the unit
 * caches not-present entries (CAP.CM).
 *
 * Return: 0; -EINVAL for a @size of 0, an address or size not 4 KiB
 * aligned, a range that wraps, or a bad @prot; -ERANGE for a
 * non-canonical @va, a range crossing the non-canonical hole, or a host
 * range reaching 2^haw; -EBUSY when any page of the range is mapped;
 * -ENOMEM when a table cannot be allocated. On error nothing changed.
 */
int vtd_fl_pt_map(struct vtd_fl_pt *pt, vtd_iova_t va, hal_paddr_t pa,
		  u64 size, u32 prot);

/**
 * vtd_fl_pt_unmap() - Remove every translation in [@va, @va + @size).
 * @gather: receives the range to invalidate and the detached tables.
 *
 * Holes are allowed. A large leaf covered in part is split first, which
 * needs new tables. Tables left empty are detached into @gather; the
 * top-level table stays.
 *
 * Return: 0; -EINVAL for a @size of 0, an unaligned address or size, a
 * range that wraps, a NULL @gather or one filled from a table of another
 * depth; -ERANGE for a non-canonical range; -ENOMEM when a split cannot
 * allocate. On error nothing changed.
 */
int vtd_fl_pt_unmap(struct vtd_fl_pt *pt, vtd_iova_t va, u64 size,
		    struct vtd_fl_gather *gather);

/**
 * vtd_fl_pt_lookup() - Translate @va as the hardware would.
 *
 * Return: 0 with @out filled; -ENOENT when @va is not mapped; -ERANGE
 * when it is not canonical.
 */
int vtd_fl_pt_lookup(const struct vtd_fl_pt *pt, vtd_iova_t va,
		     struct vtd_fl_pt_translation *out);

/**
 * vtd_fl_pt_flpm() - The FLPM (FLPM) value of a PASID entry for @pt:
 * 0 for 4-level, 1 for 5-level paging [VT-d 9.6].
 */
unsigned int vtd_fl_pt_flpm(const struct vtd_fl_pt *pt);

/** vtd_fl_pt_gather_init() - Make @g empty. */
void vtd_fl_pt_gather_init(struct vtd_fl_gather *g);

/**
 * vtd_fl_pt_gather_psi() - At most two page-selective invalidations (for
 * PASID-based IOTLB invalidation descriptors) that together cover @g's
 * range, with canonical addresses [VT-d 6.5].
 *
 * Return: the number of entries written to @psi (0 when @g is empty).
 */
unsigned int vtd_fl_pt_gather_psi(const struct vtd_fl_gather *g,
				  struct vtd_iotlb_psi psi[2]);

/**
 * vtd_fl_pt_gather_release() - Free the table pages detached into @g and
 * make @g empty.
 *
 * @pre Every unit and CPU using the table has invalidated @g's range.
 */
void vtd_fl_pt_gather_release(struct vtd_fl_gather *g);
