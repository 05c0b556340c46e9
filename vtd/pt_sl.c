// SPDX-License-Identifier: BSD-2-Clause
/*
 * Second-level page tables [VT-d 3.7, 9.8]: map, unmap (with large-page
 * split), optional merge into large pages, lookup, and deferred freeing
 * of detached tables through struct vtd_iotlb_gather.
 *
 * Every changing operation runs twice over its range: a check pass that
 * reads the tables, finds every error and counts the tables to allocate,
 * then, after the allocations succeeded, a commit pass whose steps cannot
 * fail (validate-then-commit, house style 3.4). Both passes are depth-first
 * walks that visit each table at most once, which is what lets the commit
 * pass flush each written cache line exactly once when the units are not
 * coherent: a table's lines are flushed when the walk leaves it, a new
 * table's whole page before it is linked into its parent.
 */
#include <hal/cache.h>
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/string.h>
#include <vtd/pt_sl.h>

#include "err.h"
#include "psi.h"
#include "pt_link.h"
#include "tables.h"

#define ENTRIES_PER_LINE	(HAL_CACHE_LINE / sizeof(struct vtd_sl_pte))
_Static_assert(VTD_SL_TABLE_ENTRIES / ENTRIES_PER_LINE == 64,
	       "one u64 holds a table's dirty-line mask");

/* State of one map or unmap call. */
struct walk {
	struct vtd_sl_pt *pt;
	struct vtd_iotlb_gather *g;
	u64 iova;		/* start of the call's range */
	u64 pa;			/* map: host address of @iova */
	u64 attr;		/* map: leaf bits other than ADDR and PS */
	struct vtd_sl_table *pool;	/* pre-allocated, linked via e[0] */
	u64 need;		/* check pass: tables to allocate */
	u64 flushed;		/* commit pass: lines flushed */
	bool merge;
};

static struct vtd_sl_table *table_of(u64 pte)
{
	return hal_phys_to_virt(hal_paddr_init(vtd_sl_pte_addr(pte)));
}

/* Non-leaf entry for @t: R and W granted, the leaf decides [VT-d 3.7]. */
static u64 table_entry(const struct vtd_sl_table *t)
{
	return hal_paddr_val(hal_virt_to_phys(t)) | VTD_SL_PTE_R |
	       VTD_SL_PTE_W;
}

/* Cache lines holding entries @first..@last of a table. */
static u64 line_mask(unsigned int first, unsigned int last)
{
	unsigned int lo = first / ENTRIES_PER_LINE;
	unsigned int hi = last / ENTRIES_PER_LINE;

	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

/*
 * [VT-d 6.1, 11.4.3] With ECAP.C = 0 the unit reads tables from memory
 * without snooping, so every line written must be written back; the one
 * hal_fence() per operation comes at its end (op_end()). Lines are flushed
 * child before parent, in the order the walk leaves the tables, and a new
 * table's lines are flushed before the store that links it. That order
 * reaches memory as issued with CLFLUSH, which x86 orders with later
 * stores [SDM 2A CLFLUSH]; a HAL built on an unordered flush (CLFLUSHOPT)
 * would need a fence before each link as well.
 */
static void flush_lines(struct walk *w, const struct vtd_sl_table *t,
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

static bool range_empty(const struct vtd_sl_table *t, unsigned int from,
			unsigned int to)
{
	u64 acc = 0;
	unsigned int i;

	for (i = from; i < to; i++) {
		acc |= t->e[i].val;
		if (i % ENTRIES_PER_LINE == ENTRIES_PER_LINE - 1 &&
		    vtd_sl_pte_present(acc))
			return false;
	}
	return !vtd_sl_pte_present(acc);
}

/*
 * No entry of @t present? The scan starts at entry @from, just after the
 * ones an operation cleared, where a table in use most likely still has a
 * neighbour, and stops at the first line holding a present entry.
 */
static bool table_empty(const struct vtd_sl_table *t, unsigned int from)
{
	return range_empty(t, from, VTD_SL_TABLE_ENTRIES) &&
	       range_empty(t, 0, from);
}

static void gather_range(struct vtd_iotlb_gather *g, u64 start, u64 end)
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

/*
 * Put @t, now unreachable from the root, on @g's list. Its translation
 * bits are left alone: a unit may walk it until the caller invalidates.
 */
static void gather_table(struct walk *w, struct vtd_sl_table *t)
{
	struct vtd_iotlb_gather *g = w->g;

	if (g->freed_pages) {
		hal_paddr_t next = hal_virt_to_phys(g->freelist);

		vtd_pt_link_set(&t->e[0].val, VTD_SL_PTE_IGN_HI,
				hal_paddr_val(next));
	}
	g->freelist = t;
	g->freed_pages++;
	w->pt->table_pages--;
}

/* ---- Pre-allocation ---------------------------------------------------- */

static void pool_free(struct walk *w)
{
	while (w->pool) {
		struct vtd_sl_table *t = w->pool;

		w->pool = (struct vtd_sl_table *)(uintptr_t)t->e[0].val;
		hal_page_free(t, 0);
	}
}

static int pool_fill(struct walk *w)
{
	u64 n;

	w->pool = NULL;
	for (n = 0; n < w->need; n++) {
		struct vtd_sl_table *t = hal_page_alloc(0);

		if (!t) {
			pool_free(w);
			return VTD_ERR(-ENOMEM);
		}
		t->e[0].val = (u64)(uintptr_t)w->pool;
		w->pool = t;
	}
	return 0;
}

/* A zeroed table from the pool; the check pass counted every use. */
static struct vtd_sl_table *pool_take(struct walk *w)
{
	struct vtd_sl_table *t = w->pool;

	VTD_BUG_ON(!t);
	w->pool = (struct vtd_sl_table *)(uintptr_t)t->e[0].val;
	t->e[0].val = 0;
	w->pt->table_pages++;
	return t;
}

/* ---- Map --------------------------------------------------------------- */

/*
 * How many leaves at @level, from entry @i (which holds @a) on, can map
 * the start of [@a, @e): both the IOVA and the host address must be
 * aligned to the leaf size, the level must allow leaves, and the run
 * stops at the range's or the table's end. 0: the entry needs a table.
 */
static unsigned int leaf_run(const struct walk *w, unsigned int level,
			     unsigned int i, u64 a, u64 e)
{
	unsigned int shift = 12 + VTD_SL_LEVEL_STRIDE * (level - 1);
	u64 n;

	if (!(w->pt->leaf_levels & (1U << level)))
		return 0;
	if (((a | (w->pa + (a - w->iova))) & ((1ULL << shift) - 1)))
		return 0;
	n = (e - a) >> shift;
	return (unsigned int)HAL_MIN(n, (u64)(VTD_SL_TABLE_ENTRIES - i));
}

/* Any of @n entries from @i present? Four chains keep loads parallel. */
static bool run_present(const struct vtd_sl_table *t, unsigned int i,
			unsigned int n)
{
	const struct vtd_sl_pte *e = &t->e[i];
	u64 a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	unsigned int k = 0;

	for (; k + 4 <= n; k += 4) {
		a0 |= e[k].val;
		a1 |= e[k + 1].val;
		a2 |= e[k + 2].val;
		a3 |= e[k + 3].val;
	}
	for (; k < n; k++)
		a0 |= e[k].val;
	return vtd_sl_pte_present(a0 | a1 | a2 | a3);
}

/* Write @n leaves from entry @i: @v, @v + @size, ... */
static void write_run(struct vtd_sl_table *t, unsigned int i, unsigned int n,
		      u64 v, u64 size)
{
	struct vtd_sl_pte *e = &t->e[i];
	unsigned int k = 0;

	for (; k + 4 <= n; k += 4, v += 4 * size) {
		vtd_sl_pte_write(&e[k], v);
		vtd_sl_pte_write(&e[k + 1], v + size);
		vtd_sl_pte_write(&e[k + 2], v + 2 * size);
		vtd_sl_pte_write(&e[k + 3], v + 3 * size);
	}
	for (; k < n; k++, v += size)
		vtd_sl_pte_write(&e[k], v);
}

/*
 * Check pass of map over [@s, @e), which lies inside the span of @t, a
 * table at @level (NULL: a table the commit pass will create). Counts the
 * tables to create in w->need.
 */
static int map_check(struct walk *w, const struct vtd_sl_table *t,
		     unsigned int level, u64 s, u64 e)
{
	u64 size = vtd_sl_level_size(level);
	unsigned int i = vtd_sl_level_index(s, level), n;
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
		if (!vtd_sl_pte_present(pte)) {
			w->need++;
			ret = map_check(w, NULL, level - 1, a, next);
		} else if (vtd_sl_pte_is_leaf(pte, level)) {
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

/*
 * @t (a table at @level, reachable by the unit) maps one aligned,
 * contiguous range with equal attributes in 512 leaves: return the large
 * leaf that replaces it in its parent, or 0. Entries 0 and 511 reject
 * almost every table before the full scan.
 */
static u64 merged_leaf(const struct vtd_sl_table *t, unsigned int level)
{
	u64 size = vtd_sl_level_size(level);
	u64 first = t->e[0].val;
	unsigned int i;

	if (!vtd_sl_pte_present(first) || !vtd_sl_pte_is_leaf(first, level))
		return 0;
	if (vtd_sl_pte_addr(first) & (size * VTD_SL_TABLE_ENTRIES - 1))
		return 0;
	if (t->e[VTD_SL_TABLE_ENTRIES - 1].val !=
	    first + (VTD_SL_TABLE_ENTRIES - 1) * size)
		return 0;
	for (i = 1; i < VTD_SL_TABLE_ENTRIES - 1; i++) {
		if (t->e[i].val != first + i * size)
			return 0;
	}
	return first | VTD_SL_PTE_PS;
}

/*
 * Commit pass of map: the same walk as map_check(), writing. A @fresh
 * table is not yet linked: its caller flushes its whole page before
 * linking it, so its lines are not flushed here.
 */
static void map_commit(struct walk *w, struct vtd_sl_table *t,
		       unsigned int level, u64 s, u64 e, bool fresh)
{
	u64 size = vtd_sl_level_size(level);
	unsigned int i = vtd_sl_level_index(s, level), n;
	u64 dirty = 0, a = s, next, pte, leaf, v;
	struct vtd_sl_table *child;

	while (a < e) {
		n = leaf_run(w, level, i, a, e);
		if (n) {
			/* [VT-d 9.8] Leaves: PS set above level 1. */
			v = w->attr | (level > 1 ? VTD_SL_PTE_PS : 0) |
			    (w->pa + (a - w->iova));
			write_run(t, i, n, v, size);
			dirty |= line_mask(i, i + n - 1);
			a += n * size;
			i += n;
			continue;
		}
		next = HAL_MIN((a | (size - 1)) + 1, e);
		pte = t->e[i].val;
		if (!vtd_sl_pte_present(pte)) {
			child = pool_take(w);
			map_commit(w, child, level - 1, a, next, true);
			/* The table reaches memory before the entry to it. */
			flush_lines(w, child, ~0ULL);
			barrier();
			vtd_sl_pte_write(&t->e[i], table_entry(child));
			dirty |= line_mask(i, i);
		} else {
			child = table_of(pte);
			map_commit(w, child, level - 1, a, next, false);
			leaf = 0;
			if (w->merge && (w->pt->leaf_levels & (1U << level)))
				leaf = merged_leaf(child, level - 1);
			if (leaf) {
				/*
				 * One store swaps the table for an equivalent
				 * large leaf. The unit may keep walking the old
				 * table until the caller invalidates the
				 * paging-structure caches (IH = 0) [VT-d 6.5],
				 * so the table goes to the gather.
				 */
				vtd_sl_pte_write(&t->e[i], leaf);
				gather_table(w, child);
				gather_range(w->g, a & ~(size - 1),
					     (a & ~(size - 1)) + size);
				w->g->nonleaf = true;
				dirty |= line_mask(i, i);
			}
		}
		a = next;
		i++;
	}
	if (!fresh)
		flush_lines(w, t, dirty);
}

/*
 * One 4 KiB page into tables that all exist, the common case: a single
 * walk finds every error the general path would. Returns 1, having
 * changed nothing, when a table is missing.
 */
static int map_one(struct walk *w)
{
	struct vtd_sl_table *path[VTD_SL_LEVELS_MAX + 1];
	struct vtd_sl_table *t = w->pt->root;
	unsigned int level, i;
	u64 pte, leaf, size;

	for (level = w->pt->levels; level > 1; level--) {
		path[level] = t;
		pte = t->e[vtd_sl_level_index(w->iova, level)].val;
		if (!vtd_sl_pte_present(pte))
			return 1;
		if (vtd_sl_pte_is_leaf(pte, level))
			return VTD_ERR(-EBUSY);
		t = table_of(pte);
	}
	path[1] = t;
	i = vtd_sl_level_index(w->iova, 1);
	if (vtd_sl_pte_present(t->e[i].val))
		return VTD_ERR(-EBUSY);
	vtd_sl_pte_write(&t->e[i], w->attr | w->pa);
	flush_lines(w, t, line_mask(i, i));
	/* Merge upwards while each table now maps one large leaf. */
	for (level = 2; w->merge && level <= w->pt->levels &&
	     (w->pt->leaf_levels & (1U << level)); level++) {
		leaf = merged_leaf(path[level - 1], level - 1);
		if (!leaf)
			break;
		size = vtd_sl_level_size(level);
		i = vtd_sl_level_index(w->iova, level);
		vtd_sl_pte_write(&path[level]->e[i], leaf);
		gather_table(w, path[level - 1]);
		gather_range(w->g, w->iova & ~(size - 1),
			     (w->iova & ~(size - 1)) + size);
		w->g->nonleaf = true;
		flush_lines(w, path[level], line_mask(i, i));
	}
	return 0;
}

static int check_range(const struct vtd_sl_pt *pt, u64 iova, u64 size)
{
	if (!size || ((iova | size) & (HAL_PAGE_SIZE - 1)))
		return VTD_ERR(-EINVAL);
	if (iova + size < iova)
		return VTD_ERR(-EINVAL);
	if (iova + size > (1ULL << pt->aw))
		return VTD_ERR(-ERANGE);
	return 0;
}

int vtd_sl_pt_map(struct vtd_sl_pt *pt, vtd_iova_t iova, hal_paddr_t pa,
		  u64 size, u32 prot, struct vtd_iotlb_gather *gather)
{
	u64 va = vtd_iova_val(iova), p = hal_paddr_val(pa);
	unsigned int top = pt->levels;
	struct walk w = {
		.pt = pt,
		.g = gather,
		.iova = va,
		.pa = p,
		.merge = pt->merge && gather,
	};
	int ret;

	ret = check_range(pt, va, size);
	if (ret)
		return ret;
	if (!prot || (prot & ~(VTD_SL_PROT_READ | VTD_SL_PROT_WRITE)) ||
	    (p & (HAL_PAGE_SIZE - 1)) || p + size < p)
		return VTD_ERR(-EINVAL);
	if (p + size > (1ULL << pt->haw))
		return VTD_ERR(-ERANGE);

	/* [VT-d 9.8] R and W from @prot; SNP only when ECAP.SC (init). */
	w.attr = (prot & VTD_SL_PROT_READ ? VTD_SL_PTE_R : 0) |
		 (prot & VTD_SL_PROT_WRITE ? VTD_SL_PTE_W : 0) |
		 (pt->snoop ? VTD_SL_PTE_SNP : 0);

	if (size == HAL_PAGE_SIZE) {
		ret = map_one(&w);
		if (ret <= 0) {
			op_end(&w);
			return ret;
		}
	}
	ret = map_check(&w, pt->root, top, va, va + size);
	if (ret)
		return ret;
	ret = pool_fill(&w);
	if (ret)
		return ret;
	map_commit(&w, pt->root, top, va, va + size, false);
	VTD_BUG_ON(w.pool);
	op_end(&w);
	return 0;
}

/* ---- Unmap ------------------------------------------------------------- */

/*
 * Check pass of unmap: count the tables that splitting large leaves
 * covered in part will need. Only the first and the last entry of the
 * range in each table can be covered in part. @t NULL stands for a table
 * of leaves at @level that a split will create.
 */
static void unmap_check(struct walk *w, const struct vtd_sl_table *t,
			unsigned int level, u64 s, u64 e)
{
	u64 size = vtd_sl_level_size(level);
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
		pte = t->e[vtd_sl_level_index(b, level)].val;
		if (!vtd_sl_pte_present(pte))
			continue;
		if (vtd_sl_pte_is_leaf(pte, level)) {
			w->need++;
			unmap_check(w, NULL, level - 1, cs, ce);
		} else {
			unmap_check(w, table_of(pte), level - 1, cs, ce);
		}
	}
}

static void gather_leaves(struct walk *w, unsigned int level, u64 count)
{
	w->g->unmapped += count * vtd_sl_level_size(level);
	w->g->leaf_sizes |= 1U << (level - 1);
}

/*
 * Detach the subtree below a cleared entry: every table goes to the
 * gather, every leaf is counted as unmapped.
 */
static void gather_subtree(struct walk *w, struct vtd_sl_table *t,
			   unsigned int level)
{
	u64 leaves = 0, pte;
	unsigned int i;

	for (i = 0; i < VTD_SL_TABLE_ENTRIES; i++) {
		pte = t->e[i].val;
		if (!vtd_sl_pte_present(pte))
			continue;
		if (vtd_sl_pte_is_leaf(pte, level))
			leaves++;
		else
			gather_subtree(w, table_of(pte), level - 1);
	}
	if (leaves)
		gather_leaves(w, level, leaves);
	gather_table(w, t);
}

/* Fill a new table at @level with the 512 leaves equivalent to @leaf. */
static void split_fill(struct vtd_sl_table *t, unsigned int level, u64 leaf)
{
	u64 size = vtd_sl_level_size(level);
	u64 v = leaf & ~VTD_SL_PTE_PS;
	unsigned int i;

	if (level > 1)
		v |= VTD_SL_PTE_PS;
	for (i = 0; i < VTD_SL_TABLE_ENTRIES; i++, v += size)
		vtd_sl_pte_write(&t->e[i], v);
}

/*
 * Commit pass of unmap over [@s, @e) inside @t at @level. Returns true
 * when @t is not the root and no entry is left: the caller then clears
 * the entry to it and gathers it, and its lines are not flushed (the unit
 * sees either the old entries, which the caller invalidates, or none).
 */
static bool unmap_commit(struct walk *w, struct vtd_sl_table *t,
			 unsigned int level, u64 s, u64 e, bool fresh)
{
	u64 size = vtd_sl_level_size(level);
	unsigned int i = vtd_sl_level_index(s, level);
	u64 dirty = 0, a, next, pte, base, lo = 0, hi = 0, leaves = 0;
	struct vtd_sl_table *child;
	bool cleared = false;

	for (a = s; a < e; a = next, i++) {
		next = HAL_MIN((a | (size - 1)) + 1, e);
		base = a & ~(size - 1);
		if (a == base && next == base + size) {
			/* Entries covered whole, up to the range's end. */
			unsigned int k, first = ~0U, last = 0;
			unsigned int n = (unsigned int)HAL_MIN((e - a) / size,
				(u64)VTD_SL_TABLE_ENTRIES - i);

			for (k = i; k < i + n; k++) {
				pte = t->e[k].val;
				if (!vtd_sl_pte_present(pte))
					continue;
				vtd_sl_pte_write(&t->e[k], 0);
				dirty |= 1ULL << (k / ENTRIES_PER_LINE);
				if (vtd_sl_pte_is_leaf(pte, level)) {
					leaves++;
				} else {
					gather_subtree(w, table_of(pte),
						       level - 1);
					w->g->nonleaf = true;
				}
				first = HAL_MIN(first, k);
				last = k;
			}
			if (first != ~0U) {
				lo = a + (u64)(first - i) * size;
				hi = a + (u64)(last - i + 1) * size;
				cleared = true;
			}
			next = a + (u64)n * size;
			i += n - 1;
			continue;
		}
		pte = t->e[i].val;
		if (!vtd_sl_pte_present(pte))
			continue;
		if (vtd_sl_pte_is_leaf(pte, level)) {
			/*
			 * Split: an equivalent table of smaller leaves is
			 * built, trimmed and written back before one store
			 * swaps it for the large leaf. The IOTLB may hold the
			 * large leaf, so all of it is invalidated.
			 */
			child = pool_take(w);
			split_fill(child, level - 1, pte);
			unmap_commit(w, child, level - 1, a, next, true);
			flush_lines(w, child, ~0ULL);
			barrier();
			vtd_sl_pte_write(&t->e[i], table_entry(child));
			gather_range(w->g, base, base + size);
			w->g->nonleaf = true;
		} else {
			child = table_of(pte);
			if (!unmap_commit(w, child, level - 1, a, next, false))
				continue;
			vtd_sl_pte_write(&t->e[i], 0);
			gather_table(w, child);
			w->g->nonleaf = true;
			cleared = true;
		}
		dirty |= line_mask(i, i);
	}
	if (leaves)
		gather_leaves(w, level, leaves);
	if (hi)
		gather_range(w->g, lo, hi);
	if (cleared && t != w->pt->root &&
	    table_empty(t, i % VTD_SL_TABLE_ENTRIES))
		return true;
	if (!fresh)
		flush_lines(w, t, dirty);
	return false;
}

/*
 * One 4 KiB page: clear its SL-PTE and detach the tables that this leaves
 * empty, bottom up (the root stays). Returns 1, having changed nothing,
 * when the page lies in a large leaf that must be split.
 */
static int unmap_one(struct walk *w, u64 iova)
{
	struct vtd_sl_table *path[VTD_SL_LEVELS_MAX + 1];
	struct vtd_sl_table *t = w->pt->root;
	unsigned int level, top = w->pt->levels, i;
	u64 pte;

	for (level = top; level >= 1; level--) {
		path[level] = t;
		pte = t->e[vtd_sl_level_index(iova, level)].val;
		if (!vtd_sl_pte_present(pte))
			return 0;
		if (vtd_sl_pte_is_leaf(pte, level)) {
			if (level > 1)
				return 1;
			break;
		}
		t = table_of(pte);
	}
	i = vtd_sl_level_index(iova, 1);
	vtd_sl_pte_write(&t->e[i], 0);
	gather_leaves(w, 1, 1);
	gather_range(w->g, iova, iova + HAL_PAGE_SIZE);
	for (level = 1; level < top; level++) {
		i = vtd_sl_level_index(iova, level);
		if (!table_empty(path[level], (i + 1) % VTD_SL_TABLE_ENTRIES))
			break;
		gather_table(w, path[level]);
		w->g->nonleaf = true;
		vtd_sl_pte_write(&path[level + 1]->e[vtd_sl_level_index(
					 iova, level + 1)], 0);
	}
	i = vtd_sl_level_index(iova, level);
	flush_lines(w, path[level], line_mask(i, i));
	return 0;
}

int vtd_sl_pt_unmap(struct vtd_sl_pt *pt, vtd_iova_t iova, u64 size,
		    struct vtd_iotlb_gather *gather)
{
	u64 va = vtd_iova_val(iova);
	struct walk w = { .pt = pt, .g = gather };
	int ret;

	if (!gather)
		return VTD_ERR(-EINVAL);
	ret = check_range(pt, va, size);
	if (ret)
		return ret;

	if (size == HAL_PAGE_SIZE) {
		ret = unmap_one(&w, va);
		if (ret <= 0) {
			op_end(&w);
			return ret;
		}
	}
	unmap_check(&w, pt->root, pt->levels, va, va + size);
	ret = pool_fill(&w);
	if (ret)
		return ret;
	unmap_commit(&w, pt->root, pt->levels, va, va + size, false);
	VTD_BUG_ON(w.pool);
	op_end(&w);
	return 0;
}

/* ---- Lookup, init, destroy, gather -------------------------------------- */

int vtd_sl_pt_lookup(const struct vtd_sl_pt *pt, vtd_iova_t iova,
		     struct vtd_sl_pt_translation *out)
{
	u64 va = vtd_iova_val(iova), pte;
	const struct vtd_sl_table *t = pt->root;
	unsigned int level;

	if (va >> pt->aw)
		return VTD_ERR(-ERANGE);
	for (level = pt->levels; level >= 1; level--) {
		pte = vtd_sl_pte_read(&t->e[vtd_sl_level_index(va, level)]);
		if (!vtd_sl_pte_present(pte))
			return VTD_ERR(-ENOENT);
		if (vtd_sl_pte_is_leaf(pte, level)) {
			u64 size = vtd_sl_level_size(level);

			out->page_size = size;
			out->pa = hal_paddr_init(vtd_sl_pte_addr(pte) +
						 (va & (size - 1)));
			out->prot = 0;
			if (pte & VTD_SL_PTE_R)
				out->prot |= VTD_SL_PROT_READ;
			if (pte & VTD_SL_PTE_W)
				out->prot |= VTD_SL_PROT_WRITE;
			return 0;
		}
		t = table_of(pte);
	}
	hal_panic("vtd: SL-PTE at level 1 is never a table");
}

int vtd_sl_pt_init(struct vtd_sl_pt *pt, const struct vtd_sl_pt_config *cfg)
{
	struct walk w = { .pt = pt };

	if (cfg->aw < VTD_SL_PT_AW_MIN || cfg->aw > VTD_SL_PT_AW_MAX ||
	    cfg->haw < VTD_SL_PT_HAW_MIN || cfg->haw > VTD_SL_PT_HAW_MAX ||
	    (cfg->large_pages & ~(VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G)))
		return VTD_ERR(-EINVAL);

	hal_memset(pt, 0, sizeof(*pt));
	pt->aw = (u8)cfg->aw;
	pt->haw = (u8)cfg->haw;
	/* [VT-d 3.7] AGAW 39/48/57: 3/4/5 levels of 9 bits above 12. */
	pt->levels = cfg->aw <= 39 ? 3 : cfg->aw <= 48 ? 4 : 5;
	/* Leaves at level 1 always; at 2 and 3 as CAP.SLLPS allows. */
	pt->leaf_levels = 1U << 1;
	if (cfg->large_pages & VTD_SL_PT_LP_2M)
		pt->leaf_levels |= 1U << 2;
	if (cfg->large_pages & VTD_SL_PT_LP_1G)
		pt->leaf_levels |= 1U << 3;
	pt->snoop = cfg->snoop;
	pt->coherent = cfg->coherent;
	pt->merge = cfg->merge;

	pt->root = hal_page_alloc(0);
	if (!pt->root)
		return VTD_ERR(-ENOMEM);
	pt->root_pa = hal_virt_to_phys(pt->root);
	pt->table_pages = 1;

	/* The zeroed root must reach memory before SLPTPTR names it. */
	flush_lines(&w, pt->root, ~0ULL);
	op_end(&w);
	return 0;
}

static void free_tree(struct vtd_sl_table *t, unsigned int level)
{
	unsigned int i;
	u64 pte;

	for (i = 0; level > 1 && i < VTD_SL_TABLE_ENTRIES; i++) {
		pte = t->e[i].val;
		if (vtd_sl_pte_present(pte) && !vtd_sl_pte_is_leaf(pte, level))
			free_tree(table_of(pte), level - 1);
	}
	hal_page_free(t, 0);
}

void vtd_sl_pt_destroy(struct vtd_sl_pt *pt)
{
	if (!pt->root)
		return;
	free_tree(pt->root, pt->levels);
	pt->root = NULL;
	pt->table_pages = 0;
}

unsigned int vtd_sl_pt_agaw(const struct vtd_sl_pt *pt)
{
	return pt->levels - 2u;
}

void vtd_sl_pt_gather_init(struct vtd_iotlb_gather *g)
{
	hal_memset(g, 0, sizeof(*g));
}

unsigned int vtd_sl_pt_gather_psi(const struct vtd_iotlb_gather *g,
				  struct vtd_iotlb_psi psi[2])
{
	unsigned int am[2], n, i;
	u64 base[2];

	if (g->start >= g->end)
		return 0;
	n = vtd_psi_cover(g->start >> HAL_PAGE_SHIFT,
			  (g->end - 1) >> HAL_PAGE_SHIFT, base, am);
	for (i = 0; i < n; i++) {
		psi[i].addr = vtd_iova_init(base[i] << HAL_PAGE_SHIFT);
		psi[i].am = (u8)am[i];
		psi[i].ih = !g->nonleaf;
	}
	return n;
}

void vtd_sl_pt_gather_release(struct vtd_iotlb_gather *g)
{
	struct vtd_sl_table *t = g->freelist, *next;
	u64 n;

	for (n = g->freed_pages; n; n--) {
		next = NULL;
		if (n > 1)
			next = hal_phys_to_virt(hal_paddr_init(
				vtd_pt_link_get(&t->e[0].val, VTD_SL_PTE_IGN_HI)));
		hal_page_free(t, 0);
		t = next;
	}
	vtd_sl_pt_gather_init(g);
}
