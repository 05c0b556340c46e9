// SPDX-License-Identifier: BSD-2-Clause
/*
 * First-level page tables [VT-d 3.6, 9.7; SDM 3A 4.5]: map, unmap (with
 * large-page split), lookup, and deferred freeing of detached tables
 * through struct vtd_fl_gather.
 *
 * The algorithm is pt_sl.c's: every changing operation runs a check pass
 * that finds every error and counts the tables to allocate, then, after
 * the allocations succeeded, a commit pass whose steps cannot fail. Both
 * are depth-first walks visiting each table once, so that with ECAP.C = 0
 * each written cache line is flushed exactly once (when the walk leaves
 * its table; a new table's whole page before it is linked) and the
 * operation ends with one hal_fence().
 *
 * Addresses are handled in folded form: the canonical input address with
 * the sign-extension bits cleared, so the upper half lies just above the
 * lower one and a range never wraps. The table indices are the same.
 */
#include <hal/cache.h>
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/string.h>
#include <vtd/pt_fl.h>

#include "err.h"
#include "psi.h"
#include "pt_link.h"
#include "tables.h"

#define ENTRIES_PER_LINE	(HAL_CACHE_LINE / sizeof(struct vtd_fl_pte))
_Static_assert(VTD_FL_TABLE_ENTRIES / ENTRIES_PER_LINE == 64,
	       "one u64 holds a table's dirty-line mask");

/*
 * The deferred-free list lives in bits 58:52, ignored at every level
 * whatever CR4.PKE (bits 62:59 are protection keys in leaves)
 * [VT-d 9.7, SDM 3A Tables 4-15..4-20]; see pt_link.h.
 */
_Static_assert(VTD_PT_LINK_ENTRIES(7) <= VTD_FL_TABLE_ENTRIES,
	       "the link fits one table");

/* State of one map or unmap call. */
struct walk {
	struct vtd_fl_pt *pt;
	struct vtd_fl_gather *g;
	u64 va;			/* folded start of the call's range */
	u64 pa;			/* map: host address of @va */
	u64 attr;		/* map: leaf bits other than ADDR and PS */
	struct vtd_fl_table *pool;	/* pre-allocated, linked via e[0] */
	u64 need;		/* check pass: tables to allocate */
	u64 flushed;		/* commit pass: lines flushed */
};

static struct vtd_fl_table *table_of(u64 pte)
{
	return hal_phys_to_virt(hal_paddr_init(pte & VTD_FL_PTE_ADDR));
}

/* Non-leaf entry for @t: every right granted, the leaf decides. */
static u64 table_entry(const struct vtd_fl_table *t)
{
	return hal_paddr_val(hal_virt_to_phys(t)) | VTD_FL_PTE_P |
	       VTD_FL_PTE_RW | VTD_FL_PTE_US | VTD_FL_PTE_A;
}

static u64 line_mask(unsigned int first, unsigned int last)
{
	unsigned int lo = first / ENTRIES_PER_LINE;
	unsigned int hi = last / ENTRIES_PER_LINE;

	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

/*
 * [VT-d 6.1, 11.4.3] With ECAP.C = 0 the unit reads tables without
 * snooping: every line written is written back, child before parent, a
 * new table before the store linking it (CLFLUSH is ordered with later
 * stores [SDM 2A CLFLUSH]); one hal_fence() ends the operation.
 */
static void flush_lines(struct walk *w, const struct vtd_fl_table *t,
			u64 lines)
{
	if (w->pt->coherent)
		return;
	while (lines) {
		unsigned int line = (unsigned int)__builtin_ctzll(lines);

		hal_cache_flush_line((const u8 *)t + line * HAL_CACHE_LINE);
		w->flushed++;
		lines &= lines - 1;
	}
}

static void op_end(struct walk *w)
{
	if (w->flushed)
		hal_fence();
}

static bool table_empty(const struct vtd_fl_table *t)
{
	u64 acc = 0;
	unsigned int i;

	for (i = 0; i < VTD_FL_TABLE_ENTRIES; i++)
		acc |= t->e[i].val & VTD_FL_PTE_P;
	return !acc;
}

/* Input space of @pt: 2^48 or 2^57 folded addresses. */
static u64 fold_mask(unsigned int levels)
{
	return (1ULL << (12 + VTD_FL_LEVEL_STRIDE * levels)) - 1;
}

/* Canonical form of folded address @a (sign-extend the top bit). */
static u64 unfold(unsigned int levels, u64 a)
{
	unsigned int bits = 12 + VTD_FL_LEVEL_STRIDE * levels;

	return (u64)((s64)(a << (64 - bits)) >> (64 - bits));
}

static bool canonical(unsigned int levels, u64 va)
{
	return unfold(levels, va & fold_mask(levels)) == va;
}

static void gather_range(struct vtd_fl_gather *g, u64 start, u64 end)
{
	if (g->start >= g->end) {
		g->start = start;
		g->end = end;
		return;
	}
	if (start < g->start)
		g->start = start;
	if (end > g->end)
		g->end = end;
}

/* Put @t, now unreachable from the root, on @g's list. */
static void gather_table(struct walk *w, struct vtd_fl_table *t)
{
	struct vtd_fl_gather *g = w->g;

	if (g->freed_pages)
		vtd_pt_link_set(&t->e[0].val, VTD_FL_PTE_IGN_HI,
				hal_paddr_val(hal_virt_to_phys(g->freelist)));
	g->freelist = t;
	g->freed_pages++;
	g->nonleaf = true;
	w->pt->table_pages--;
}

/* ---- Pre-allocation ---------------------------------------------------- */

static void pool_free(struct walk *w)
{
	while (w->pool) {
		struct vtd_fl_table *t = w->pool;

		w->pool = (struct vtd_fl_table *)(uintptr_t)t->e[0].val;
		hal_page_free(t, 0);
	}
}

static int pool_fill(struct walk *w)
{
	u64 n;

	w->pool = NULL;
	for (n = 0; n < w->need; n++) {
		struct vtd_fl_table *t = hal_page_alloc(0);

		if (!t) {
			pool_free(w);
			return VTD_ERR(-ENOMEM);
		}
		t->e[0].val = (u64)(uintptr_t)w->pool;
		w->pool = t;
	}
	return 0;
}

static struct vtd_fl_table *pool_take(struct walk *w)
{
	struct vtd_fl_table *t = w->pool;

	VTD_BUG_ON(!t);
	w->pool = (struct vtd_fl_table *)(uintptr_t)t->e[0].val;
	t->e[0].val = 0;
	w->pt->table_pages++;
	return t;
}

/* ---- Map --------------------------------------------------------------- */

/*
 * How many leaves at @level, from entry @i (holding @a) on, can map the
 * start of [@a, @e); 0 when the entry needs a table.
 */
static unsigned int leaf_run(const struct walk *w, unsigned int level,
			     unsigned int i, u64 a, u64 e)
{
	unsigned int shift = 12 + VTD_FL_LEVEL_STRIDE * (level - 1);
	u64 n;

	if (!(w->pt->leaf_levels & (1U << level)))
		return 0;
	if ((a | (w->pa + (a - w->va))) & ((1ULL << shift) - 1))
		return 0;
	n = (e - a) >> shift;
	return (unsigned int)HAL_MIN(n, (u64)(VTD_FL_TABLE_ENTRIES - i));
}

static bool run_present(const struct vtd_fl_table *t, unsigned int i,
			unsigned int n)
{
	u64 acc = 0;
	unsigned int k;

	for (k = i; k < i + n; k++)
		acc |= t->e[k].val;
	return vtd_fl_pte_present(acc);
}

/* Check pass of map over [@s, @e) in @t at @level (NULL: a new table). */
static int map_check(struct walk *w, const struct vtd_fl_table *t,
		     unsigned int level, u64 s, u64 e)
{
	u64 size = vtd_fl_level_size(level);
	unsigned int i = vtd_fl_level_index(s, level), n;
	u64 a = s, next, pte;
	int ret;

	while (a < e) {
		n = leaf_run(w, level, i, a, e);
		if (n) {
			if (t && run_present(t, i, n))
				return VTD_ERR(-EBUSY);
			a += n * size;
			i += n;
			continue;
		}
		next = HAL_MIN((a | (size - 1)) + 1, e);
		pte = t ? t->e[i].val : 0;
		if (!vtd_fl_pte_present(pte)) {
			w->need++;
			ret = map_check(w, NULL, level - 1, a, next);
		} else if (vtd_fl_pte_is_leaf(pte, level)) {
			return VTD_ERR(-EBUSY);
		} else {
			ret = map_check(w, table_of(pte), level - 1, a, next);
		}
		if (ret)
			return ret;
		a = next;
		i++;
	}
	return 0;
}

/* Commit pass of map. A @fresh table is flushed whole by its caller. */
static void map_commit(struct walk *w, struct vtd_fl_table *t,
		       unsigned int level, u64 s, u64 e, bool fresh)
{
	u64 size = vtd_fl_level_size(level);
	unsigned int i = vtd_fl_level_index(s, level), n, k;
	u64 dirty = 0, a = s, next, pte, v;
	struct vtd_fl_table *child;

	while (a < e) {
		n = leaf_run(w, level, i, a, e);
		if (n) {
			/* [VT-d 9.7] Leaves: PS set above level 1. */
			v = w->attr | (level > 1 ? VTD_FL_PTE_PS : 0) |
			    (w->pa + (a - w->va));
			for (k = 0; k < n; k++, v += size)
				vtd_fl_pte_write(&t->e[i + k], v);
			dirty |= line_mask(i, i + n - 1);
			a += n * size;
			i += n;
			continue;
		}
		next = HAL_MIN((a | (size - 1)) + 1, e);
		pte = t->e[i].val;
		if (!vtd_fl_pte_present(pte)) {
			child = pool_take(w);
			map_commit(w, child, level - 1, a, next, true);
			/* The table reaches memory before the entry to it. */
			flush_lines(w, child, ~0ULL);
			barrier();
			vtd_fl_pte_write(&t->e[i], table_entry(child));
			dirty |= line_mask(i, i);
		} else {
			map_commit(w, table_of(pte), level - 1, a, next,
				   false);
		}
		a = next;
		i++;
	}
	if (!fresh)
		flush_lines(w, t, dirty);
}

/*
 * Validate a range: 0 with the folded start in *@folded, or an error.
 * A range may end exactly at 2^64 (the top of the upper half).
 */
static int check_range(const struct vtd_fl_pt *pt, u64 va, u64 size,
		       u64 *folded)
{
	u64 last = va + size - 1;

	if (!size || ((va | size) & (HAL_PAGE_SIZE - 1)))
		return VTD_ERR(-EINVAL);
	if (last < va)
		return VTD_ERR(-EINVAL);
	/* [VT-d 3.6] Both ends canonical and in the same half. */
	if (!canonical(pt->levels, va) || !canonical(pt->levels, last) ||
	    (s64)(va ^ last) < 0)
		return VTD_ERR(-ERANGE);
	*folded = va & fold_mask(pt->levels);
	return 0;
}

int vtd_fl_pt_map(struct vtd_fl_pt *pt, vtd_iova_t va, hal_paddr_t pa,
		  u64 size, u32 prot)
{
	u64 p = hal_paddr_val(pa), s;
	struct walk w = { .pt = pt, .pa = p };
	int ret;

	ret = check_range(pt, vtd_iova_val(va), size, &s);
	if (ret)
		return ret;
	if (!(prot & VTD_FL_PROT_READ) ||
	    (prot & ~(VTD_FL_PROT_READ | VTD_FL_PROT_WRITE |
		      VTD_FL_PROT_EXEC | VTD_FL_PROT_USER)) ||
	    (p & (HAL_PAGE_SIZE - 1)) || p + size < p)
		return VTD_ERR(-EINVAL);
	if (p + size > (1ULL << pt->haw))
		return VTD_ERR(-ERANGE);
	w.va = s;

	/* [VT-d 3.6.2, 9.7] See pt_fl.h for the choice of bits. */
	w.attr = VTD_FL_PTE_P | VTD_FL_PTE_A;
	if (prot & VTD_FL_PROT_WRITE)
		w.attr |= VTD_FL_PTE_RW |
			  (pt->dirty_tracking ? 0 : VTD_FL_PTE_D);
	if ((prot & VTD_FL_PROT_USER) || pt->user)
		w.attr |= VTD_FL_PTE_US;
	if (pt->nxe && !(prot & VTD_FL_PROT_EXEC))
		w.attr |= VTD_FL_PTE_XD;

	ret = map_check(&w, pt->root, pt->levels, s, s + size);
	if (ret)
		return ret;
	ret = pool_fill(&w);
	if (ret)
		return ret;
	map_commit(&w, pt->root, pt->levels, s, s + size, false);
	VTD_BUG_ON(w.pool);
	op_end(&w);
	return 0;
}

/* ---- Unmap ------------------------------------------------------------- */

/*
 * Check pass of unmap: count the tables that splitting large leaves
 * covered in part will need (only the first and last entry of the range
 * in each table can be). @t NULL: a table a split will create.
 */
static void unmap_check(struct walk *w, const struct vtd_fl_table *t,
			unsigned int level, u64 s, u64 e)
{
	u64 size = vtd_fl_level_size(level);
	u64 ends[2] = { s & ~(size - 1), (e - 1) & ~(size - 1) };
	unsigned int k;

	for (k = 0; k < 2; k++) {
		u64 b = ends[k], cs = HAL_MAX(s, b), ce = HAL_MIN(e, b + size);
		u64 pte;

		if (k == 1 && b == ends[0])
			break;
		if (cs == b && ce == b + size)
			continue;
		if (!t) {
			w->need++;
			unmap_check(w, NULL, level - 1, cs, ce);
			continue;
		}
		pte = t->e[vtd_fl_level_index(b, level)].val;
		if (!vtd_fl_pte_present(pte))
			continue;
		if (vtd_fl_pte_is_leaf(pte, level)) {
			w->need++;
			unmap_check(w, NULL, level - 1, cs, ce);
		} else {
			unmap_check(w, table_of(pte), level - 1, cs, ce);
		}
	}
}

static void gather_leaves(struct walk *w, unsigned int level, u64 count)
{
	w->g->unmapped += count * vtd_fl_level_size(level);
	w->g->leaf_sizes |= 1U << (level - 1);
}

static void gather_subtree(struct walk *w, struct vtd_fl_table *t,
			   unsigned int level)
{
	u64 leaves = 0, pte;
	unsigned int i;

	for (i = 0; i < VTD_FL_TABLE_ENTRIES; i++) {
		pte = t->e[i].val;
		if (!vtd_fl_pte_present(pte))
			continue;
		if (vtd_fl_pte_is_leaf(pte, level))
			leaves++;
		else
			gather_subtree(w, table_of(pte), level - 1);
	}
	if (leaves)
		gather_leaves(w, level, leaves);
	gather_table(w, t);
}

/*
 * Fill a new table at @level with the 512 leaves equivalent to the large
 * @leaf one level up. PS stays set above level 1; in a PTE bit 7 is PAT,
 * so it is cleared there. PAT itself is never set by this library.
 */
static void split_fill(struct vtd_fl_table *t, unsigned int level, u64 leaf)
{
	u64 size = vtd_fl_level_size(level);
	u64 v = leaf & ~VTD_FL_PTE_PS;
	unsigned int i;

	if (level > 1)
		v |= VTD_FL_PTE_PS;
	for (i = 0; i < VTD_FL_TABLE_ENTRIES; i++, v += size)
		vtd_fl_pte_write(&t->e[i], v);
}

/*
 * Commit pass of unmap over [@s, @e) in @t at @level. Returns true when
 * @t is not the root and is left empty: the caller clears the entry to
 * it and gathers it, without flushing @t's lines.
 */
static bool unmap_commit(struct walk *w, struct vtd_fl_table *t,
			 unsigned int level, u64 s, u64 e, bool fresh)
{
	u64 size = vtd_fl_level_size(level);
	unsigned int i = vtd_fl_level_index(s, level);
	u64 dirty = 0, a, next, pte, base, lo = 0, hi = 0, leaves = 0;
	struct vtd_fl_table *child;
	bool cleared = false, got = false;

	for (a = s; a < e; a = next, i++) {
		next = HAL_MIN((a | (size - 1)) + 1, e);
		base = a & ~(size - 1);
		pte = t->e[i].val;
		if (!vtd_fl_pte_present(pte))
			continue;
		if (a == base && next == base + size) {
			vtd_fl_pte_write(&t->e[i], 0);
			if (vtd_fl_pte_is_leaf(pte, level)) {
				leaves++;
			} else {
				gather_subtree(w, table_of(pte), level - 1);
			}
			if (!got)
				lo = base;
			hi = base + size;
			got = true;
			cleared = true;
		} else if (vtd_fl_pte_is_leaf(pte, level)) {
			/*
			 * Split: an equivalent table of smaller leaves is
			 * built, trimmed and flushed before one store swaps
			 * it for the large leaf, which the TLBs may hold
			 * whole: all of it is invalidated.
			 */
			child = pool_take(w);
			split_fill(child, level - 1, pte);
			unmap_commit(w, child, level - 1, a, next, true);
			flush_lines(w, child, ~0ULL);
			barrier();
			vtd_fl_pte_write(&t->e[i], table_entry(child));
			gather_range(w->g, base, base + size);
			w->g->nonleaf = true;
		} else {
			child = table_of(pte);
			if (!unmap_commit(w, child, level - 1, a, next, false))
				continue;
			vtd_fl_pte_write(&t->e[i], 0);
			gather_table(w, child);
			cleared = true;
		}
		dirty |= line_mask(i, i);
	}
	if (leaves)
		gather_leaves(w, level, leaves);
	if (got)
		gather_range(w->g, lo, hi);
	if (cleared && t != w->pt->root && table_empty(t))
		return true;
	if (!fresh)
		flush_lines(w, t, dirty);
	return false;
}

int vtd_fl_pt_unmap(struct vtd_fl_pt *pt, vtd_iova_t va, u64 size,
		    struct vtd_fl_gather *gather)
{
	struct walk w = { .pt = pt, .g = gather };
	u64 s;
	int ret;

	if (!gather || (gather->levels && gather->levels != pt->levels))
		return VTD_ERR(-EINVAL);
	ret = check_range(pt, vtd_iova_val(va), size, &s);
	if (ret)
		return ret;
	unmap_check(&w, pt->root, pt->levels, s, s + size);
	ret = pool_fill(&w);
	if (ret)
		return ret;
	gather->levels = pt->levels;
	unmap_commit(&w, pt->root, pt->levels, s, s + size, false);
	VTD_BUG_ON(w.pool);
	op_end(&w);
	return 0;
}

/* ---- Lookup, init, destroy, gather -------------------------------------- */

int vtd_fl_pt_lookup(const struct vtd_fl_pt *pt, vtd_iova_t va,
		     struct vtd_fl_pt_translation *out)
{
	u64 v = vtd_iova_val(va), pte;
	const struct vtd_fl_table *t = pt->root;
	unsigned int level;

	if (!canonical(pt->levels, v))
		return VTD_ERR(-ERANGE);
	for (level = pt->levels; level >= 1; level--) {
		pte = vtd_fl_pte_read(&t->e[vtd_fl_level_index(v, level)]);
		if (!vtd_fl_pte_present(pte))
			return VTD_ERR(-ENOENT);
		if (vtd_fl_pte_is_leaf(pte, level)) {
			u64 size = vtd_fl_level_size(level);

			out->page_size = size;
			out->pa = hal_paddr_init(vtd_fl_pte_addr(pte, level) +
						 (v & (size - 1)));
			out->prot = VTD_FL_PROT_READ;
			if (pte & VTD_FL_PTE_RW)
				out->prot |= VTD_FL_PROT_WRITE;
			if (!(pte & VTD_FL_PTE_XD))
				out->prot |= VTD_FL_PROT_EXEC;
			if (pte & VTD_FL_PTE_US)
				out->prot |= VTD_FL_PROT_USER;
			out->accessed = pte & VTD_FL_PTE_A;
			out->dirty = pte & VTD_FL_PTE_D;
			return 0;
		}
		t = table_of(pte);
	}
	hal_panic("vtd: first-level PTE at level 1 is never a table");
}

int vtd_fl_pt_init(struct vtd_fl_pt *pt, const struct vtd_fl_pt_config *cfg)
{
	struct walk w = { .pt = pt };

	if ((cfg->levels != 4 && cfg->levels != 5) ||
	    cfg->haw < VTD_FL_PT_HAW_MIN || cfg->haw > VTD_FL_PT_HAW_MAX ||
	    (cfg->large_pages & ~VTD_FL_PT_LP_1G))
		return VTD_ERR(-EINVAL);

	hal_memset(pt, 0, sizeof(*pt));
	pt->levels = (u8)cfg->levels;
	pt->haw = (u8)cfg->haw;
	/* [VT-d 9.7] 4 KiB and 2 MiB leaves always; 1 GiB with FS1GP. */
	pt->leaf_levels = (1U << 1) | (1U << 2);
	if (cfg->large_pages & VTD_FL_PT_LP_1G)
		pt->leaf_levels |= 1U << 3;
	pt->coherent = cfg->coherent;
	pt->nxe = cfg->nxe;
	pt->user = cfg->user;
	pt->dirty_tracking = cfg->dirty_tracking;

	pt->root = hal_page_alloc(0);
	if (!pt->root)
		return VTD_ERR(-ENOMEM);
	pt->root_pa = hal_virt_to_phys(pt->root);
	pt->table_pages = 1;

	/* The zeroed root reaches memory before FSPTPTR names it. */
	flush_lines(&w, pt->root, ~0ULL);
	op_end(&w);
	return 0;
}

static void free_tree(struct vtd_fl_table *t, unsigned int level)
{
	unsigned int i;
	u64 pte;

	for (i = 0; level > 1 && i < VTD_FL_TABLE_ENTRIES; i++) {
		pte = t->e[i].val;
		if (vtd_fl_pte_present(pte) && !vtd_fl_pte_is_leaf(pte, level))
			free_tree(table_of(pte), level - 1);
	}
	hal_page_free(t, 0);
}

void vtd_fl_pt_destroy(struct vtd_fl_pt *pt)
{
	if (!pt->root)
		return;
	free_tree(pt->root, pt->levels);
	pt->root = NULL;
	pt->table_pages = 0;
}

unsigned int vtd_fl_pt_fspm(const struct vtd_fl_pt *pt)
{
	return pt->levels == 5 ? 1u : 0u;
}

void vtd_fl_pt_gather_init(struct vtd_fl_gather *g)
{
	hal_memset(g, 0, sizeof(*g));
}

unsigned int vtd_fl_pt_gather_psi(const struct vtd_fl_gather *g,
				  struct vtd_iotlb_psi psi[2])
{
	unsigned int am[2], n, i;
	u64 base[2];

	if (g->start >= g->end)
		return 0;
	n = vtd_psi_cover(g->start >> HAL_PAGE_SHIFT,
			  (g->end - 1) >> HAL_PAGE_SHIFT, base, am);
	for (i = 0; i < n; i++) {
		psi[i].addr = vtd_iova_init(unfold(g->levels,
						   base[i] << HAL_PAGE_SHIFT));
		psi[i].am = (u8)am[i];
		psi[i].ih = !g->nonleaf;
	}
	return n;
}

void vtd_fl_pt_gather_release(struct vtd_fl_gather *g)
{
	struct vtd_fl_table *t = g->freelist, *next;
	u64 n;

	for (n = g->freed_pages; n; n--) {
		next = NULL;
		if (n > 1)
			next = hal_phys_to_virt(hal_paddr_init(
				vtd_pt_link_get(&t->e[0].val, VTD_FL_PTE_IGN_HI)));
		hal_page_free(t, 0);
		t = next;
	}
	vtd_fl_pt_gather_init(g);
}
