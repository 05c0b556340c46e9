/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writing back the remapping structures a unit reads without snooping
 * (ECAP.C = 0) [VT-d 6.1, 11.4.3] (private). A flush set collects the
 * distinct cache lines an update dirtied; committing it writes each back
 * once and ends with one fence, so that the lines reach memory before
 * the store that follows (the one that makes them reachable) [SDM 2A
 * CLFLUSH]. On a coherent unit every call is a no-op.
 *
 * The page-table engine (pt_engine.h) keeps its own per-table line
 * bitmaps instead: it knows which lines of one table an operation wrote
 * and must flush child tables before their parents in walk order.
 */
#pragma once

#include <hal/hal.h>

struct vtd_flush_set {
	bool coherent;			/* the unit snoops: nothing to do */
	unsigned int n;
	uintptr_t line[16];		/* not zeroed: no memset call */
};

/* Start an empty set for a unit whose ECAP.C is @coherent. */
static inline void vtd_flush_init(struct vtd_flush_set *f, bool coherent)
{
	f->coherent = coherent;
	f->n = 0;
}

/*
 * Add the lines of [@va, @va + @len). A line beyond the set's capacity is
 * written back at once; the fence of vtd_flush_commit() still orders it.
 */
static inline void vtd_flush_add(struct vtd_flush_set *f, const void *va,
				 size_t len)
{
	uintptr_t p = (uintptr_t)va & ~(uintptr_t)(HAL_CACHE_LINE - 1);
	uintptr_t end = (uintptr_t)va + len;
	unsigned int i;

	if (f->coherent) {
		return;
	}
	for (; p < end; p += HAL_CACHE_LINE) {
		for (i = 0; i < f->n && f->line[i] != p; i++) {
		}
		if (i == f->n && f->n < ARRAY_SIZE(f->line)) {
			f->line[f->n++] = p;
		} else if (i == f->n) {
			hal_cache_flush_line((const void *)p);
		}
	}
}

/* Write back every line of the set, then one fence; the set is empty. */
static inline void vtd_flush_commit(struct vtd_flush_set *f)
{
	unsigned int i;

	if (!f->coherent) {
		for (i = 0; i < f->n; i++) {
			hal_cache_flush_line((const void *)f->line[i]);
		}
		hal_fence();
	}
	f->n = 0;
}

/* Write back [@va, @va + @len) now, for a unit whose ECAP.C is @coherent. */
static inline void vtd_flush_range(bool coherent, const void *va, size_t len)
{
	struct vtd_flush_set f;

	vtd_flush_init(&f, coherent);
	vtd_flush_add(&f, va, len);
	vtd_flush_commit(&f);
}
