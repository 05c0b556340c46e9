/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The page-table walk engine shared by the second-level (pt_sl.c,
 * [VT-d 9.8]) and first-level (pt_fl.c, [VT-d 9.7]) tables: map, unmap
 * (with large-page split), optional merge into large pages, lookup, and
 * deferred freeing of detached tables through a gather.
 *
 * Every changing operation runs twice over its range: a check pass that
 * reads the tables, finds every error and counts the tables to allocate,
 * then, after the allocations succeeded, a commit pass whose steps cannot
 * fail (validate-then-commit, house style 3.4). Both passes are depth-first
 * walks that visit each table at most once, which is what lets the commit
 * pass flush each written cache line exactly once when the units are not
 * coherent: a table's lines are flushed when the walk leaves it, a new
 * table's whole page before it is linked into its parent. A single 4 KiB
 * page, the commonest call, takes one walk that knows every error before
 * its first store (map_one(), unmap_one()).
 *
 * Each non-leaf entry counts the present entries of the table it names,
 * in bits the units ignore (PT_PTE_COUNT): whether an unmap left a table
 * empty is read from the entry the walk holds, never found by scanning
 * the table. The count costs no flush and no extra line read; the host
 * tests' walkers check every count against the entries after every
 * operation, and bench_counts counts the lines each operation touches.
 *
 * This is a template, private to vtd/, in the manner of paging_tmpl.h in
 * Linux KVM: a format file defines the parameters below and then includes
 * it once, so that every entry test compiles to the format's own bit
 * operations, with no indirect call on the map and unmap paths. Hence,
 * unlike every other header, no #pragma once and no standalone compile.
 * The engine sees addresses as u64 offsets into the input space from 0: a
 * format with another view (first-level canonical addresses) folds them
 * at its API, and PT_UNFOLD turns gathered ranges back for the PSIs.
 * Error traces (CONFIG_VTD_TRACE_ERROR) name this file for both formats.
 *
 * Types (each a struct, written with its struct keyword):
 *   PT_TREE    the page-table object: root, root_pa, table_pages, levels,
 *              leaf_levels (bit n: leaves allowed at level n), coherent
 *   PT_TABLE   one 4 KiB table, entries e[] of one u64 val each
 *   PT_GATHER  start, end, unmapped, leaf_sizes, nonleaf, freed_pages,
 *              freelist (a PT_TABLE pointer)
 * Constants:
 *   PT_ENTRIES, PT_LEVELS_MAX, PT_LEVEL_STRIDE
 *   PT_PTE_ADDR   next-table address in a non-leaf entry
 *   PT_PTE_PS     Page Size, set in leaves above level 1
 *   PT_PTE_TABLE  the bits of a non-leaf entry besides its address
 *   PT_PTE_LINK   a field ignored at every level (pt_link.h)
 *   PT_PTE_COUNT  a field of ten bits ignored in non-leaf entries: the
 *                 count of present entries in the table the entry names
 *   PT_MERGE      1 when maps may merge tables into large leaves
 * Accessors (static inline functions or macros):
 *   PT_PRESENT(pte), PT_IS_LEAF(pte, level), PT_LEVEL_SIZE(level),
 *   PT_LEVEL_INDEX(a, level), PT_READ(p), PT_WRITE(p, v)
 *   PT_UNFOLD(g, a)  the API form of gather address @a, for the PSIs
 */
#ifndef PT_TABLE
#error "pt_engine.h: define the format first (see the comment above)"
#endif

#include <hal/cache.h>
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/string.h>

#include "err.h"
#include "psi.h"
#include "pt_link.h"

#define ENTRIES_PER_LINE	(HAL_CACHE_LINE / sizeof(u64))
_Static_assert(PT_ENTRIES / ENTRIES_PER_LINE == 64,
	       "one u64 holds a table's dirty-line mask");
_Static_assert(sizeof(PT_TABLE) == PT_ENTRIES * sizeof(u64),
	       "a table is an array of u64 entries");

/* State of one map or unmap call. */
struct walk {
	PT_TREE *pt;
	PT_GATHER *g;
	u64 va;			/* start of the call's range */
	u64 pa;			/* map: host address of @va */
	u64 attr;		/* map: leaf bits other than ADDR and PS */
	PT_TABLE *pool;		/* pre-allocated, linked via e[0] */
	u64 need;		/* check pass: tables to allocate */
	u64 flushed;		/* commit pass: lines flushed */
	bool merge;		/* map: merge into large leaves (PT_MERGE) */
};

static inline unsigned int level_shift(unsigned int level)
{
	return 12 + PT_LEVEL_STRIDE * (level - 1);
}

/*
 * Every load and store of a table entry goes through ent() and ent_set(),
 * so that a counting build (VTD_PT_COUNT_LINES = 1: tests/bench/counts.mk
 * only, never the library) can report each access's cache line to
 * vtd_pt_count_line(), which the counting program defines.
 */
#ifndef VTD_PT_COUNT_LINES
#define VTD_PT_COUNT_LINES 0
#endif
#if VTD_PT_COUNT_LINES
void vtd_pt_count_line(const void *p, bool write);
#define PT_SEE(p, write)	vtd_pt_count_line(p, write)
#else
#define PT_SEE(p, write)	do { } while (0)
#endif

static inline u64 ent(const PT_TABLE *t, unsigned int i)
{
	PT_SEE(&t->e[i], false);
	return t->e[i].val;
}

static inline void ent_set(PT_TABLE *t, unsigned int i, u64 v)
{
	PT_SEE(&t->e[i], true);
	PT_WRITE(&t->e[i], v);
}

/*
 * The count of a table's present entries lives in the non-leaf entry that
 * names it (the root has none): every change to a table's entries is
 * made by a walk that has just read that entry, so keeping the count
 * costs one store to a line already in cache, and telling whether a table
 * went empty costs nothing. The bits are ignored by the units, so the
 * count is never flushed for its own sake; and neither a unit nor the CPU
 * writes a non-leaf entry but to set its Accessed flag, which a format
 * either presets (first-level) or never has the unit set (second-level,
 * SLADE is not used), so a plain read-modify-write cannot lose an update.
 */
#define COUNT_SHIFT	((unsigned int)__builtin_ctzll(PT_PTE_COUNT))
#define COUNT_ONE	(1ULL << COUNT_SHIFT)
_Static_assert((PT_PTE_COUNT >> __builtin_ctzll(PT_PTE_COUNT)) >= PT_ENTRIES,
	       "the count field holds 0..PT_ENTRIES");

static inline unsigned int pte_count(u64 pte)
{
	return (unsigned int)((pte & PT_PTE_COUNT) >> COUNT_SHIFT);
}

static PT_TABLE *table_of(u64 pte)
{
	return hal_phys_to_virt(hal_paddr_init(pte & PT_PTE_ADDR));
}

/*
 * Non-leaf entry for @t, which holds @count present entries: every right
 * granted, the leaf decides.
 */
static u64 table_entry(const PT_TABLE *t, unsigned int count)
{
	return hal_paddr_val(hal_virt_to_phys(t)) | PT_PTE_TABLE |
	       ((u64)count << COUNT_SHIFT);
}

/*
 * Present entries of @t, counted: for a table built outside the walks
 * (the guest shadows, shadow.c), which links it with table_entry().
 */
static __unused unsigned int table_count(const PT_TABLE *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < PT_ENTRIES; i++)
		n += PT_PRESENT(ent(t, i));
	return n;
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
static void flush_lines(struct walk *w, const PT_TABLE *t, u64 lines)
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

static void gather_range(PT_GATHER *g, u64 start, u64 end)
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
static void gather_table(struct walk *w, PT_TABLE *t)
{
	PT_GATHER *g = w->g;

	if (g->freed_pages) {
		hal_paddr_t next = hal_virt_to_phys(g->freelist);

		PT_SEE(&t->e[0], false);
		PT_SEE(&t->e[0], true);
		vtd_pt_link_set(&t->e[0].val, PT_PTE_LINK,
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
		PT_TABLE *t = w->pool;

		w->pool = (PT_TABLE *)(uintptr_t)t->e[0].val;
		hal_page_free(t, 0);
	}
}

static int pool_fill(struct walk *w)
{
	u64 n;

	w->pool = NULL;
	for (n = 0; n < w->need; n++) {
		PT_TABLE *t = hal_page_alloc(0);

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
static PT_TABLE *pool_take(struct walk *w)
{
	PT_TABLE *t = w->pool;

	VTD_BUG_ON(!t);
	w->pool = (PT_TABLE *)(uintptr_t)t->e[0].val;
	PT_SEE(&t->e[0], true);
	t->e[0].val = 0;
	w->pt->table_pages++;
	return t;
}

/* ---- Map --------------------------------------------------------------- */

/*
 * How many leaves at @level, from entry @i (which holds @a) on, can map
 * the start of [@a, @e): both the input address and the host address must
 * be aligned to the leaf size, the level must allow leaves, and the run
 * stops at the range's or the table's end. 0: the entry needs a table.
 */
static unsigned int leaf_run(const struct walk *w, unsigned int level,
			     unsigned int i, u64 a, u64 e)
{
	unsigned int shift = level_shift(level);
	u64 n;

	if (!(w->pt->leaf_levels & (1U << level)))
		return 0;
	if (((a | (w->pa + (a - w->va))) & ((1ULL << shift) - 1)))
		return 0;
	n = (e - a) >> shift;
	return (unsigned int)HAL_MIN(n, (u64)(PT_ENTRIES - i));
}

/*
 * The run loops below walk a pointer over the entries, eight entries (a
 * cache line's worth, which may straddle two) per turn, so that each
 * entry costs one load or one store and no index arithmetic.
 */
#define PT_ENTRY	__typeof__(((PT_TABLE *)0)->e[0])

/* Any of @n entries from @i present? Four chains keep loads parallel. */
static bool run_present(const PT_TABLE *t, unsigned int i, unsigned int n)
{
	const PT_ENTRY *p = &t->e[i], *end = p + n;
	u64 a0 = 0, a1 = 0, a2 = 0, a3 = 0;

	for (; end - p >= 8; p += 8) {
		PT_SEE(p, false);
		PT_SEE(&p[7], false);
		a0 |= p[0].val | p[4].val;
		a1 |= p[1].val | p[5].val;
		a2 |= p[2].val | p[6].val;
		a3 |= p[3].val | p[7].val;
	}
	for (; p < end; p++) {
		PT_SEE(p, false);
		a0 |= p->val;
	}
	return PT_PRESENT(a0 | a1 | a2 | a3);
}

/* Write @n leaves from entry @i: @v, @v + @size, ... */
static void write_run(PT_TABLE *t, unsigned int i, unsigned int n, u64 v,
		      u64 size)
{
	PT_ENTRY *p = &t->e[i], *end = p + n;

	for (; end - p >= 8; p += 8, v += 8 * size) {
		PT_SEE(p, true);
		PT_SEE(&p[7], true);
		PT_WRITE(&p[0], v);
		PT_WRITE(&p[1], v + size);
		PT_WRITE(&p[2], v + 2 * size);
		PT_WRITE(&p[3], v + 3 * size);
		PT_WRITE(&p[4], v + 4 * size);
		PT_WRITE(&p[5], v + 5 * size);
		PT_WRITE(&p[6], v + 6 * size);
		PT_WRITE(&p[7], v + 7 * size);
	}
	for (; p < end; p++, v += size) {
		PT_SEE(p, true);
		PT_WRITE(p, v);
	}
}

/*
 * Check pass of map over [@s, @e), which lies inside the span of @t, a
 * table at @level (NULL: a table the commit pass will create). Counts the
 * tables to create in w->need.
 */
static int map_check(struct walk *w, const PT_TABLE *t, unsigned int level,
		     u64 s, u64 e)
{
	u64 size = PT_LEVEL_SIZE(level);
	unsigned int i = PT_LEVEL_INDEX(s, level), n;
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
		pte = t ? ent(t, i) : 0;
		if (!PT_PRESENT(pte)) {
			w->need++;
			ret = map_check(w, NULL, level - 1, a, next);
		} else if (PT_IS_LEAF(pte, level)) {
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
static u64 merged_leaf(const PT_TABLE *t, unsigned int level)
{
	u64 size = PT_LEVEL_SIZE(level);
	u64 first = ent(t, 0);
	unsigned int i;

	if (!PT_PRESENT(first) || !PT_IS_LEAF(first, level))
		return 0;
	if ((first & PT_PTE_ADDR) & (size * PT_ENTRIES - 1))
		return 0;
	if (ent(t, PT_ENTRIES - 1) != first + (PT_ENTRIES - 1) * size)
		return 0;
	for (i = 1; i < PT_ENTRIES - 1; i++) {
		if (ent(t, i) != first + i * size)
			return 0;
	}
	return first | PT_PTE_PS;
}

/*
 * Swap @child, the table below entry @i of @t (at @level, mapping @a), for
 * @leaf. @t keeps its count: one present entry for another.
 */
static void merge_commit(struct walk *w, PT_TABLE *t, unsigned int level,
			 unsigned int i, PT_TABLE *child, u64 a, u64 leaf)
{
	u64 base = a & ~(PT_LEVEL_SIZE(level) - 1);

	/*
	 * One store swaps the table for an equivalent large leaf. The unit
	 * may keep walking the old table until the caller invalidates the
	 * paging-structure caches (IH = 0) [VT-d 6.5], so the table goes to
	 * the gather.
	 */
	ent_set(t, i, leaf);
	gather_table(w, child);
	gather_range(w->g, base, base + PT_LEVEL_SIZE(level));
	w->g->nonleaf = true;
}

/*
 * Commit pass of map: the same walk as map_check(), writing. A @fresh
 * table is not yet linked: its caller flushes its whole page before
 * linking it, so its lines are not flushed here. Returns the entries of
 * @t that became present, for the count in its parent's entry.
 */
static unsigned int map_commit(struct walk *w, PT_TABLE *t,
			       unsigned int level, u64 s, u64 e, bool fresh)
{
	u64 size = PT_LEVEL_SIZE(level);
	unsigned int i = PT_LEVEL_INDEX(s, level), n, added = 0, sub, sh;
	u64 dirty = 0, a = s, next, pte, leaf, v;
	PT_TABLE *child;

	while (a < e) {
		n = leaf_run(w, level, i, a, e);
		if (n) {
			/* Leaves: PS set above level 1. */
			v = w->attr | (level > 1 ? PT_PTE_PS : 0) |
			    (w->pa + (a - w->va));
			write_run(t, i, n, v, size);
			dirty |= line_mask(i, i + n - 1);
			added += n;
			a += n * size;
			i += n;
			continue;
		}
		next = HAL_MIN((a | (size - 1)) + 1, e);
		pte = ent(t, i);
		if (!PT_PRESENT(pte)) {
			/*
			 * Every entry of a new table that the range meets
			 * becomes present: a leaf or a new table.
			 */
			sh = level_shift(level - 1);
			sub = (unsigned int)(((next - 1) >> sh) - (a >> sh)) + 1;
			child = pool_take(w);
			map_commit(w, child, level - 1, a, next, true);
			/* The table reaches memory before the entry to it. */
			flush_lines(w, child, ~0ULL);
			barrier();
			ent_set(t, i, table_entry(child, sub));
			dirty |= line_mask(i, i);
			added++;
		} else {
			child = table_of(pte);
			sub = map_commit(w, child, level - 1, a, next, false);
			leaf = 0;
			if (PT_MERGE && w->merge &&
			    (w->pt->leaf_levels & (1U << level)))
				leaf = merged_leaf(child, level - 1);
			if (leaf) {
				merge_commit(w, t, level, i, child, a, leaf);
				dirty |= line_mask(i, i);
			} else if (sub) {
				/* Ignored bits only: nothing to flush. */
				ent_set(t, i, pte + sub * COUNT_ONE);
			}
		}
		a = next;
		i++;
	}
	if (!fresh)
		flush_lines(w, t, dirty);
	return added;
}

/*
 * After map_one() wrote the leaf of w->va into @pt1: merge upwards while
 * each table on the path now maps one large leaf.
 */
static void merge_up(struct walk *w, PT_TABLE *pt1)
{
	PT_TABLE *path[PT_LEVELS_MAX + 1];
	PT_TABLE *t = w->pt->root;
	unsigned int level, i;
	u64 leaf;

	for (level = w->pt->levels; level > 1; level--) {
		path[level] = t;
		t = table_of(ent(t, PT_LEVEL_INDEX(w->va, level)));
	}
	path[1] = pt1;
	for (level = 2; level <= w->pt->levels &&
	     (w->pt->leaf_levels & (1U << level)); level++) {
		leaf = merged_leaf(path[level - 1], level - 1);
		if (!leaf)
			break;
		i = PT_LEVEL_INDEX(w->va, level);
		merge_commit(w, path[level], level, i, path[level - 1],
			     w->va, leaf);
		flush_lines(w, path[level], line_mask(i, i));
	}
}

/*
 * One 4 KiB page whose walk found entry @i of @t, at @level > 1, not
 * present: a chain of @level - 1 new tables holds it, built and written
 * back before one store links it. @up holds @upte, the entry naming @t
 * (NULL for the root), which counts one entry more. With nothing to
 * check, this is the whole of the general path for the case.
 */
static int map_one_new(struct walk *w, PT_TABLE *t, unsigned int level,
		       unsigned int i, PT_TABLE *up, u64 upte)
{
	PT_TABLE *chain[PT_LEVELS_MAX];
	unsigned int n = level - 1, k;
	u64 va = w->va;

	for (k = 0; k < n; k++) {
		chain[k] = hal_page_alloc(0);
		if (!chain[k]) {
			while (k--)
				hal_page_free(chain[k], 0);
			return VTD_ERR(-ENOMEM);
		}
	}
	/* chain[k] is the table at level k + 1. */
	ent_set(chain[0], PT_LEVEL_INDEX(va, 1), w->attr | w->pa);
	for (k = 1; k < n; k++)
		ent_set(chain[k], PT_LEVEL_INDEX(va, k + 1),
			table_entry(chain[k - 1], 1));
	w->pt->table_pages += n;
	/* The tables reach memory before the entry to them. */
	for (k = 0; k < n; k++)
		flush_lines(w, chain[k], ~0ULL);
	barrier();
	ent_set(t, i, table_entry(chain[n - 1], 1));
	if (up)
		ent_set(up, PT_LEVEL_INDEX(va, level + 1), upte + COUNT_ONE);
	flush_lines(w, t, line_mask(i, i));
	return 0;
}

/*
 * One 4 KiB page, the common case: a single walk finds every error the
 * general path would, and either the tables all exist or the missing
 * ones are created below the entry where the walk stopped.
 */
static int map_one(struct walk *w)
{
	PT_TABLE *t = w->pt->root, *up = NULL;
	unsigned int level, i;
	u64 va = w->va, pte = 0, upte = 0;

	for (level = w->pt->levels; level > 1; level--) {
		i = PT_LEVEL_INDEX(va, level);
		pte = ent(t, i);
		if (!PT_PRESENT(pte))
			return map_one_new(w, t, level, i, up, upte);
		if (PT_IS_LEAF(pte, level))
			return VTD_ERR(-EBUSY);
		up = t;
		upte = pte;
		t = table_of(pte);
	}
	i = PT_LEVEL_INDEX(va, 1);
	if (PT_PRESENT(ent(t, i)))
		return VTD_ERR(-EBUSY);
	ent_set(t, i, w->attr | w->pa);
	/* @pte, in @up, names @t: one more entry (ignored bits, unflushed). */
	ent_set(up, PT_LEVEL_INDEX(va, 2), pte + COUNT_ONE);
	flush_lines(w, t, line_mask(i, i));
	if (PT_MERGE && w->merge)
		merge_up(w, t);
	return 0;
}

/*
 * Map [w->va, w->va + @size) to w->pa with leaf bits w->attr; the caller
 * has checked the range and the attributes.
 */
static int map_range(struct walk *w, u64 size)
{
	int ret;

	if (size == HAL_PAGE_SIZE) {
		ret = map_one(w);
		op_end(w);
		return ret;
	}
	ret = map_check(w, w->pt->root, w->pt->levels, w->va, w->va + size);
	if (ret)
		return ret;
	ret = pool_fill(w);
	if (ret)
		return ret;
	map_commit(w, w->pt->root, w->pt->levels, w->va, w->va + size, false);
	VTD_BUG_ON(w->pool);
	op_end(w);
	return 0;
}

/* ---- Unmap ------------------------------------------------------------- */

/*
 * Check pass of unmap: count the tables that splitting large leaves
 * covered in part will need. Only the first and the last entry of the
 * range in each table can be covered in part. @t NULL stands for a table
 * of leaves at @level that a split will create.
 */
static void unmap_check(struct walk *w, const PT_TABLE *t, unsigned int level,
			u64 s, u64 e)
{
	u64 size = PT_LEVEL_SIZE(level);
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
		pte = ent(t, PT_LEVEL_INDEX(b, level));
		if (!PT_PRESENT(pte))
			continue;
		if (PT_IS_LEAF(pte, level)) {
			w->need++;
			unmap_check(w, NULL, level - 1, cs, ce);
		} else {
			unmap_check(w, table_of(pte), level - 1, cs, ce);
		}
	}
}

static void gather_leaves(struct walk *w, unsigned int level, u64 count)
{
	w->g->unmapped += count * PT_LEVEL_SIZE(level);
	w->g->leaf_sizes |= 1U << (level - 1);
}

/*
 * Detach the subtree below a cleared entry: every table goes to the
 * gather, every leaf is counted as unmapped.
 */
static void gather_subtree(struct walk *w, PT_TABLE *t, unsigned int level)
{
	u64 leaves = 0, pte;
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++) {
		pte = ent(t, i);
		if (!PT_PRESENT(pte))
			continue;
		if (PT_IS_LEAF(pte, level))
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
 * @leaf one level up: PS stays set above level 1 and is cleared at level
 * 1, where the format may give bit 7 another meaning.
 */
static void split_fill(PT_TABLE *t, unsigned int level, u64 leaf)
{
	u64 size = PT_LEVEL_SIZE(level);
	u64 v = leaf & ~PT_PTE_PS;
	unsigned int i;

	if (level > 1)
		v |= PT_PTE_PS;
	for (i = 0; i < PT_ENTRIES; i++, v += size)
		ent_set(t, i, v);
}

/*
 * Are all @n entries of @t from @i present leaves at @level? The AND of
 * the entries answers for all of them at once: a presence or page-size
 * bit set in it is set in every entry. (An answer of no may be wrong only
 * for a mix of present entries that share no presence bit; the caller
 * then takes the entry-by-entry path, which is exact.)
 */
static bool run_all_leaves(const PT_TABLE *t, unsigned int level,
			   unsigned int i, unsigned int n)
{
	const PT_ENTRY *p = &t->e[i], *end = p + n;
	u64 a0 = ~0ULL, a1 = ~0ULL, a2 = ~0ULL, a3 = ~0ULL;

	for (; end - p >= 8; p += 8) {
		PT_SEE(p, false);
		PT_SEE(&p[7], false);
		a0 &= p[0].val & p[4].val;
		a1 &= p[1].val & p[5].val;
		a2 &= p[2].val & p[6].val;
		a3 &= p[3].val & p[7].val;
	}
	for (; p < end; p++) {
		PT_SEE(p, false);
		a0 &= p->val;
	}
	a0 &= a1 & a2 & a3;
	return PT_PRESENT(a0) && PT_IS_LEAF(a0, level);
}

/* Clear @n entries of @t from @i. */
static void clear_run(PT_TABLE *t, unsigned int i, unsigned int n)
{
	PT_ENTRY *p = &t->e[i], *end = p + n;

	for (; end - p >= 8; p += 8) {
		PT_SEE(p, true);
		PT_SEE(&p[7], true);
		PT_WRITE(&p[0], 0);
		PT_WRITE(&p[1], 0);
		PT_WRITE(&p[2], 0);
		PT_WRITE(&p[3], 0);
		PT_WRITE(&p[4], 0);
		PT_WRITE(&p[5], 0);
		PT_WRITE(&p[6], 0);
		PT_WRITE(&p[7], 0);
	}
	for (; p < end; p++) {
		PT_SEE(p, true);
		PT_WRITE(p, 0);
	}
}

/* What unmap_commit() gathers from the entries it clears in one table. */
struct unmap_span {
	u64 dirty;		/* lines of the table written */
	unsigned int removed;	/* entries made not present */
	unsigned int leaves;	/* of which leaves */
	unsigned int first, last;	/* first and last cleared entry */
};

/*
 * Clear the present entries among the @n entries of @t (at @level) from
 * @i, each covered whole by the range, and gather the subtrees below them.
 */
static void unmap_run(struct walk *w, PT_TABLE *t, unsigned int level,
		      unsigned int i, unsigned int n, struct unmap_span *sp)
{
	unsigned int k;
	u64 pte;

	if (run_all_leaves(t, level, i, n)) {
		/* The common case: a run of leaves, cleared in one sweep. */
		clear_run(t, i, n);
		sp->dirty |= line_mask(i, i + n - 1);
		sp->removed += n;
		sp->leaves += n;
		sp->first = HAL_MIN(sp->first, i);
		sp->last = i + n - 1;
		return;
	}
	for (k = i; k < i + n; k++) {
		pte = ent(t, k);
		if (!PT_PRESENT(pte))
			continue;
		ent_set(t, k, 0);
		sp->dirty |= 1ULL << (k / ENTRIES_PER_LINE);
		if (PT_IS_LEAF(pte, level)) {
			sp->leaves++;
		} else {
			gather_subtree(w, table_of(pte), level - 1);
			w->g->nonleaf = true;
		}
		sp->removed++;
		sp->first = HAL_MIN(sp->first, k);
		sp->last = k;
	}
}

/*
 * Unmap [@a, @next), which entry @i of @t (at @level) covers in part:
 * split a large leaf, or descend into the table and update its count, or
 * detach it when it went empty. Returns the entries of @t made not
 * present (0 or 1).
 */
static unsigned int unmap_part(struct walk *w, PT_TABLE *t,
			       unsigned int level, unsigned int i, u64 a,
			       u64 next, struct unmap_span *sp);

/*
 * Commit pass of unmap over [@s, @e) inside @t at @level, which holds
 * @present entries (the root: more than PT_ENTRIES, it is never
 * detached). Returns the entries made not present. When that is all of
 * them the caller clears the entry to @t and gathers it, and @t's lines
 * are not flushed (the unit sees either the old entries, which the
 * caller invalidates, or none).
 */
static unsigned int unmap_commit(struct walk *w, PT_TABLE *t,
				 unsigned int level, u64 s, u64 e, bool fresh,
				 unsigned int present)
{
	u64 size = PT_LEVEL_SIZE(level);
	unsigned int i = PT_LEVEL_INDEX(s, level), n;
	struct unmap_span sp = { .first = ~0U };
	u64 a, next, base;

	for (a = s; a < e; a = next, i++) {
		next = HAL_MIN((a | (size - 1)) + 1, e);
		base = a & ~(size - 1);
		if (a == base && next == base + size) {
			/* Entries covered whole, up to the range's end. */
			n = (unsigned int)HAL_MIN((e - a) / size,
						  (u64)PT_ENTRIES - i);
			unmap_run(w, t, level, i, n, &sp);
			next = a + (u64)n * size;
			i += n - 1;
			continue;
		}
		sp.removed += unmap_part(w, t, level, i, a, next, &sp);
	}
	if (sp.leaves)
		gather_leaves(w, level, sp.leaves);
	if (sp.first != ~0U) {
		base = s & ~(size * PT_ENTRIES - 1);
		gather_range(w->g, base + (u64)sp.first * size,
			     base + (u64)(sp.last + 1) * size);
	}
	VTD_BUG_ON(sp.removed > present);
	if (sp.removed == present)
		return present;
	if (!fresh)
		flush_lines(w, t, sp.dirty);
	return sp.removed;
}

static unsigned int unmap_part(struct walk *w, PT_TABLE *t,
			       unsigned int level, unsigned int i, u64 a,
			       u64 next, struct unmap_span *sp)
{
	u64 size = PT_LEVEL_SIZE(level), base = a & ~(size - 1);
	u64 pte = ent(t, i);
	unsigned int cnt, r;
	PT_TABLE *child;

	if (!PT_PRESENT(pte))
		return 0;
	if (PT_IS_LEAF(pte, level)) {
		/*
		 * Split: an equivalent table of smaller leaves is built,
		 * trimmed and written back before one store swaps it for the
		 * large leaf. The IOTLB may hold the large leaf, so all of it
		 * is invalidated.
		 */
		child = pool_take(w);
		split_fill(child, level - 1, pte);
		r = unmap_commit(w, child, level - 1, a, next, true,
				 PT_ENTRIES);
		flush_lines(w, child, ~0ULL);
		barrier();
		ent_set(t, i, table_entry(child, PT_ENTRIES - r));
		gather_range(w->g, base, base + size);
		w->g->nonleaf = true;
		sp->dirty |= line_mask(i, i);
		return 0;
	}
	child = table_of(pte);
	cnt = pte_count(pte);
	r = unmap_commit(w, child, level - 1, a, next, false, cnt);
	if (r < cnt) {
		/* Ignored bits only: nothing to flush. */
		if (r)
			ent_set(t, i, pte - r * COUNT_ONE);
		return 0;
	}
	ent_set(t, i, 0);
	gather_table(w, child);
	w->g->nonleaf = true;
	sp->dirty |= line_mask(i, i);
	return 1;
}

/*
 * Unmap the 4 KiB leaf of @va, whose table goes empty: clear instead the
 * entry to the highest table that goes empty with it, which the counts on
 * the path tell at once. The tables below go to the gather as they are
 * (the unit sees either their old entries, which the caller invalidates,
 * or none); the root stays.
 */
static void unmap_one_detach(struct walk *w, u64 va)
{
	PT_TABLE *path[PT_LEVELS_MAX + 1];
	u64 pte[PT_LEVELS_MAX + 1];
	PT_TABLE *t = w->pt->root;
	unsigned int level, top = w->pt->levels, l, i;

	for (level = top; level > 1; level--) {
		path[level] = t;
		pte[level] = ent(t, PT_LEVEL_INDEX(va, level));
		t = table_of(pte[level]);
	}
	path[1] = t;
	/* pte[level + 1] names path[level] and holds its count. */
	for (level = 1; level < top && pte_count(pte[level + 1]) == 1;
	     level++)
		;
	i = PT_LEVEL_INDEX(va, level);
	ent_set(path[level], i, 0);
	if (level < top)
		ent_set(path[level + 1], PT_LEVEL_INDEX(va, level + 1),
			pte[level + 1] - COUNT_ONE);
	for (l = 1; l < level; l++)
		gather_table(w, path[l]);
	w->g->nonleaf = true;
	flush_lines(w, path[level], line_mask(i, i));
}

/*
 * One 4 KiB page: clear its leaf entry, and count one entry less in the
 * entry to its table; or detach the tables it leaves empty. Returns 1,
 * having changed nothing, when the page lies in a large leaf that must be
 * split.
 */
static int unmap_one(struct walk *w, u64 va)
{
	PT_TABLE *t = w->pt->root, *up = t;
	unsigned int level, i;
	u64 pte = 0;

	for (level = w->pt->levels; level > 1; level--) {
		pte = ent(t, PT_LEVEL_INDEX(va, level));
		if (!PT_PRESENT(pte))
			return 0;
		if (PT_IS_LEAF(pte, level))
			return 1;
		up = t;
		t = table_of(pte);
	}
	i = PT_LEVEL_INDEX(va, 1);
	if (!PT_PRESENT(ent(t, i)))
		return 0;
	if (pte_count(pte) > 1) {
		ent_set(t, i, 0);
		/* @pte, in @up, names @t (ignored bits, not flushed). */
		ent_set(up, PT_LEVEL_INDEX(va, 2), pte - COUNT_ONE);
		flush_lines(w, t, line_mask(i, i));
	} else {
		unmap_one_detach(w, va);
	}
	gather_leaves(w, 1, 1);
	gather_range(w->g, va, va + HAL_PAGE_SIZE);
	return 0;
}

/* Unmap [@va, @va + @size) into w->g; the caller has checked the range. */
static int unmap_range(struct walk *w, u64 va, u64 size)
{
	int ret;

	if (size == HAL_PAGE_SIZE) {
		ret = unmap_one(w, va);
		if (ret <= 0) {
			op_end(w);
			return ret;
		}
	}
	unmap_check(w, w->pt->root, w->pt->levels, va, va + size);
	ret = pool_fill(w);
	if (ret)
		return ret;
	unmap_commit(w, w->pt->root, w->pt->levels, va, va + size, false,
		     PT_ENTRIES + 1);
	VTD_BUG_ON(w->pool);
	op_end(w);
	return 0;
}

/* ---- Lookup, init, destroy, gather -------------------------------------- */

/*
 * The entry that translates @va, as the hardware walk reads it, with its
 * level in *@level; not present when nothing maps @va.
 */
static u64 leaf_lookup(const PT_TREE *pt, u64 va, unsigned int *level)
{
	const PT_TABLE *t = pt->root;
	unsigned int l;
	u64 pte;

	for (l = pt->levels; l >= 1; l--) {
		pte = PT_READ(&t->e[PT_LEVEL_INDEX(va, l)]);
		if (!PT_PRESENT(pte) || PT_IS_LEAF(pte, l)) {
			*level = l;
			return pte;
		}
		t = table_of(pte);
	}
	hal_panic("vtd: a level-1 page-table entry is never a table\n");
}

/* Allocate @pt's empty root, once the caller filled in its other fields. */
static int root_init(PT_TREE *pt)
{
	struct walk w = { .pt = pt };

	pt->root = hal_page_alloc(0);
	if (!pt->root)
		return VTD_ERR(-ENOMEM);
	pt->root_pa = hal_virt_to_phys(pt->root);
	pt->table_pages = 1;

	/* The zeroed root must reach memory before a unit is told of it. */
	flush_lines(&w, pt->root, ~0ULL);
	op_end(&w);
	return 0;
}

static void free_tree(PT_TABLE *t, unsigned int level)
{
	unsigned int i;
	u64 pte;

	for (i = 0; level > 1 && i < PT_ENTRIES; i++) {
		pte = t->e[i].val;
		if (PT_PRESENT(pte) && !PT_IS_LEAF(pte, level))
			free_tree(table_of(pte), level - 1);
	}
	hal_page_free(t, 0);
}

static void tree_destroy(PT_TREE *pt)
{
	if (!pt->root)
		return;
	free_tree(pt->root, pt->levels);
	pt->root = NULL;
	pt->table_pages = 0;
}

static unsigned int gather_psi(const PT_GATHER *g, struct vtd_iotlb_psi psi[2])
{
	unsigned int am[2], n, i;
	u64 base[2];

	if (g->start >= g->end)
		return 0;
	n = vtd_psi_cover(g->start >> HAL_PAGE_SHIFT,
			  (g->end - 1) >> HAL_PAGE_SHIFT, base, am);
	for (i = 0; i < n; i++) {
		u64 a = PT_UNFOLD(g, base[i] << HAL_PAGE_SHIFT);

		psi[i].addr = vtd_iova_init(a);
		psi[i].am = (u8)am[i];
		psi[i].ih = !g->nonleaf;
	}
	return n;
}

/* Free the tables on @g's list and make @g empty. */
static void gather_release(PT_GATHER *g)
{
	PT_TABLE *t = g->freelist, *next;
	u64 n;

	for (n = g->freed_pages; n; n--) {
		next = NULL;
		PT_SEE(&t->e[0], false);
		if (n > 1)
			next = hal_phys_to_virt(hal_paddr_init(
				vtd_pt_link_get(&t->e[0].val, PT_PTE_LINK)));
		hal_page_free(t, 0);
		t = next;
	}
	hal_memset(g, 0, sizeof(*g));
}
