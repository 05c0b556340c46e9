/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the two independent page-table walkers (fl_walk.c for first-level,
 * sl_walk.c for second-level) have in common, and what the tests built on
 * them share: the walk's accounting (tables reached, leaves by size, a
 * hash of every table page, the first error), copies of the table pages
 * to compare before and after an operation, the cache lines that changed,
 * and the checks that compare those against the fake cache and the fake
 * allocator. Nothing here knows an entry format (only that both are
 * radix trees of 4 KiB tables): each walker decodes its own, from the
 * specification, without the library's masks.
 */
#pragma once

#include <hal/types.h>

/* ---- Walk accounting (used by the walkers) ------------------------------- */

#define PT_WALK_MAX_TABLES	8192

struct pt_walk_result {
	u64 tables;		/* table pages reached, root included */
	u64 leaves;
	u64 leaf_count[3];	/* by size: 4K, 2M, 1G */
	u64 mapped_bytes;
	u64 hash;		/* FNV-1a over every table's (pa, contents) */
	u64 errors;
	char error[256];	/* the first error */
	u64 table_pa[PT_WALK_MAX_TABLES];	/* in walk order */
};

/*
 * Both formats use 4 KiB tables of 512 entries: level 1 maps 4 KiB per
 * entry, each level above 512 times more.
 */
static inline unsigned int pt_level_shift(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

/*
 * Clear @res (all but table_pa[]) for a new walk of @levels levels; false
 * after an error when @levels is outside [@min, @max].
 */
bool pt_walk_begin(struct pt_walk_result *res, unsigned int levels,
		   unsigned int min, unsigned int max);
/* Count an error; the first one's text is kept in @res->error. */
void pt_walk_fail(struct pt_walk_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The 512 entries of the table page at @pa (level @level, covering from
 * @base), or NULL after an error when it is not 4K aligned or not
 * allocated fake memory.
 */
const u64 *pt_walk_read_table(struct pt_walk_result *res, u64 pa,
			      unsigned int level, u64 base);
/*
 * The same for a full walk, which also fails a table reached before and
 * otherwise counts, records and hashes it.
 */
const u64 *pt_walk_table(struct pt_walk_result *res, u64 pa,
			 unsigned int level, u64 base);
/*
 * The verdict on present entry @e at @level (for address @addr), once its
 * walker has decoded which bits are reserved (@rsvd: the entry is
 * unusable) and which libvtd promises never to set (@policy: an error,
 * but the entry is still followed). Returns -1 when unusable, else 1 for
 * a @leaf and 0 for a table pointer.
 */
int pt_walk_judge(struct pt_walk_result *res, u64 e, unsigned int level,
		  u64 addr, u64 rsvd, u64 policy, bool leaf);
/*
 * libvtd's own rule for both formats (pt_engine.h), not the hardware's:
 * a non-leaf entry holds in bits 61:52, which both formats ignore there,
 * the count of present entries in the table it names. Bits of a non-leaf
 * entry that a walker must let pass; pt_walk_check_count() fails @res
 * when non-leaf entry @e (at @level, for @addr) disagrees with the
 * @present entries its walker found in the table below.
 */
#define PT_WALK_COUNT_LO	52
#define PT_WALK_COUNT_HI	61
void pt_walk_check_count(struct pt_walk_result *res, u64 e, unsigned int level,
			 u64 addr, unsigned int present);
/* Count a leaf at @level (1: 4K, 2: 2M, 3: 1G). */
void pt_walk_leaf(struct pt_walk_result *res, unsigned int level);
/*
 * End a translation: add the errors of @res to *@errors (when not NULL);
 * true when @found and there were none.
 */
bool pt_walk_translated(const struct pt_walk_result *res, bool found,
			u64 *errors);

/* ---- Snapshots of table pages -------------------------------------------- */

/*
 * A copy of every table page a walk reached, to compare before and after
 * an operation: walk (fl_walk() or sl_walk()), then take it.
 */
struct pt_snapshot {
	size_t count;
	u64 *pa;
	u8 (*page)[4096];
};

/* Copy the pages in @res->table_pa[] (a walk's result). */
void pt_snapshot_take(struct pt_snapshot *s, const struct pt_walk_result *res);
void pt_snapshot_free(struct pt_snapshot *s);
/* True when both hold the same pages with the same contents. */
bool pt_snapshot_equal(const struct pt_snapshot *a,
		       const struct pt_snapshot *b);
/*
 * The cache lines (virtual addresses, 64-byte aligned) that differ from
 * @before to @after for a unit: every line of a page new in @after, the
 * lines of a page in both that changed in more than libvtd's counts
 * (bits 61:52, which the units ignore where libvtd writes them). Returns
 * the count (lines beyond @max are counted, not written to @out).
 */
size_t pt_snapshot_dirty_lines(const struct pt_snapshot *before,
			       const struct pt_snapshot *after,
			       const void **out, size_t max);

/* ---- Checks shared by tests/unit/vtd/test_pt_{fl,sl}.c ------------------- */

/*
 * The checks below return NULL when all is well, else why not (in a
 * buffer that the next check overwrites).
 *
 * pt_check_walk: the walk in @res found no error and as many table pages
 * as the table says it has (@table_pages).
 */
const char *pt_check_walk(const struct pt_walk_result *res, u64 table_pages);

/*
 * A page table under test, seen through the test's own wrappers: map and
 * unmap (into the test's gather), a walk by the independent walker (which
 * fails the test on any error), the table's own count of table pages, and
 * whether the gather holds nothing (no range to invalidate, no page to
 * free).
 */
struct pt_subject {
	int (*map)(u64 va, u64 pa, u64 size, u32 prot);
	int (*unmap)(u64 va, u64 size);
	struct pt_walk_result *(*walk)(void);
	const u64 *table_pages;
	bool (*gather_idle)(void);
};

/* One map (of @va.. to @pa.. with @prot) or unmap, for the checks below. */
struct pt_op {
	const char *name;
	bool is_map;
	u64 va, pa, size;
	u32 prot;
};

/*
 * Run @op against a non-coherent table. It must succeed; the lines
 * flushed must be the distinct lines it changed, each once (or, with
 * @superset, at least those), fewer than 4096, and followed by exactly one
 * fence when any was flushed (none otherwise).
 */
const char *pt_check_flushes(const struct pt_subject *t,
			     const struct pt_op *op, bool superset);

/*
 * Fail allocation N = 1, 2, ... of @op until it succeeds. Every failure
 * must be -ENOMEM and leave the table pages, the pages in use, the table
 * count and the gather as they were; success must come after at least one
 * allocation and fewer than 64.
 */
const char *pt_check_each_allocation_failure(const struct pt_subject *t,
					     const struct pt_op *op);

/*
 * On a coherent table, map 1 GiB + 4 KiB at 0 with @rw (read and write in
 * the table's format) and unmap it in two steps (4 KiB..6 MiB first,
 * splitting the 1 GiB leaf): all must succeed, and no line may be flushed
 * nor a fence issued.
 */
const char *pt_check_coherent_never_flushes(const struct pt_subject *t,
					    u32 rw);

/* ---- Reference model for randomised tests -------------------------------- */

/* xorshift64; *@state must not be 0. */
u64 pt_rnd(u64 *state);

/* A window of 4K pages, each pa | prot (0 when unmapped). */
struct pt_model {
	u64 base;		/* first address of the window */
	u64 pages;
	u64 *page;
};

/* Record pages [first, first + n) as mapped to @pa.. with @prot. */
void pt_model_map(struct pt_model *m, u64 first, u64 n, u64 pa, u32 prot);
/* Record pages [first, first + n) as unmapped. */
void pt_model_unmap(struct pt_model *m, u64 first, u64 n);
/*
 * How many pages in [first, first + n) are mapped, and from which (*@lo)
 * to which (one past, *@hi) page; both 0 when none.
 */
u64 pt_model_mapped(const struct pt_model *m, u64 first, u64 n, u64 *lo,
		    u64 *hi);
/*
 * How many 4K pages of the leaf [va, va + size) -> pa.. with @prot the
 * windows @m[0..nm) disagree with (1 when no window holds the leaf).
 */
u64 pt_model_leaf_errors(const struct pt_model *m, size_t nm, u64 va,
			 u64 pa, u64 size, u32 prot);
