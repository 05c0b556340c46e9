// SPDX-License-Identifier: BSD-2-Clause
/*
 * Format-free bookkeeping of the page-table walkers and the checks the
 * page-table tests share (see pt_snap.h). No test framework here, since
 * every host program links this: the checks return NULL or a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/errno.h>

#include "fake_hal.h"
#include "pt_snap.h"

#define LINE		64
#define PAGE		4096
#define MAX_LINES	4096
#define SZ_4K		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL

/* ---- Walk accounting ----------------------------------------------------- */

static u64 fnv(u64 h, const void *p, size_t n)
{
	const u8 *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void pt_walk_fail(struct pt_walk_result *res, const char *fmt, ...)
{
	va_list ap;

	if (res->errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(res->error, sizeof(res->error), fmt, ap);
		va_end(ap);
	}
}

bool pt_walk_begin(struct pt_walk_result *res, unsigned int levels,
		   unsigned int min, unsigned int max)
{
	memset(res, 0, offsetof(struct pt_walk_result, table_pa));
	res->hash = 0xcbf29ce484222325ULL;
	if (levels >= min && levels <= max)
		return true;
	pt_walk_fail(res, "bad level count %u", levels);
	return false;
}

const u64 *pt_walk_read_table(struct pt_walk_result *res, u64 pa,
			      unsigned int level, u64 base)
{
	const u64 *t;

	if (pa & (PAGE - 1)) {
		pt_walk_fail(res, "table address %#llx not 4K aligned",
			     (unsigned long long)pa);
		return NULL;
	}
	t = fake_phys_to_virt_checked(pa, PAGE);
	if (!t)
		pt_walk_fail(res, "table at %#llx (level %u, address %#llx) "
			     "is not allocated fake memory",
			     (unsigned long long)pa, level,
			     (unsigned long long)base);
	return t;
}

const u64 *pt_walk_table(struct pt_walk_result *res, u64 pa,
			 unsigned int level, u64 base)
{
	const u64 *t = pt_walk_read_table(res, pa, level, base);
	u64 k;

	if (!t)
		return NULL;
	for (k = 0; k < res->tables && k < PT_WALK_MAX_TABLES; k++) {
		if (res->table_pa[k] == pa) {
			pt_walk_fail(res, "table %#llx reached twice",
				     (unsigned long long)pa);
			return NULL;
		}
	}
	if (res->tables < PT_WALK_MAX_TABLES)
		res->table_pa[res->tables] = pa;
	res->tables++;
	res->hash = fnv(res->hash, &pa, sizeof(pa));
	res->hash = fnv(res->hash, t, PAGE);
	return t;
}

int pt_walk_judge(struct pt_walk_result *res, u64 e, unsigned int level,
		  u64 addr, u64 rsvd, u64 policy, bool leaf)
{
	if (e & rsvd) {
		pt_walk_fail(res, "reserved bits %#llx set in level-%u entry "
			     "%#llx (address %#llx)",
			     (unsigned long long)(e & rsvd), level,
			     (unsigned long long)e, (unsigned long long)addr);
		return -1;
	}
	if (e & policy)
		pt_walk_fail(res, "bits %#llx that libvtd never sets, level-%u "
			     "entry %#llx (address %#llx)",
			     (unsigned long long)(e & policy), level,
			     (unsigned long long)e, (unsigned long long)addr);
	return leaf ? 1 : 0;
}

void pt_walk_check_count(struct pt_walk_result *res, u64 e, unsigned int level,
			 u64 addr, unsigned int present)
{
	unsigned int width = PT_WALK_COUNT_HI - PT_WALK_COUNT_LO + 1;
	u64 count = (e >> PT_WALK_COUNT_LO) & ((1ULL << width) - 1);

	if (count != present)
		pt_walk_fail(res, "non-leaf at level %u addr %#llx counts %llu "
			     "entries, its table holds %u", level,
			     (unsigned long long)addr,
			     (unsigned long long)count, present);
}

void pt_walk_leaf(struct pt_walk_result *res, unsigned int level)
{
	res->leaves++;
	res->leaf_count[level - 1]++;
	res->mapped_bytes += 1ULL << pt_level_shift(level);
}

bool pt_walk_translated(const struct pt_walk_result *res, bool found,
			u64 *errors)
{
	if (errors)
		*errors += res->errors;
	return found && res->errors == 0;
}

/* ---- Snapshots ----------------------------------------------------------- */

void pt_snapshot_take(struct pt_snapshot *s, const struct pt_walk_result *res)
{
	size_t i;

	s->count = res->tables < PT_WALK_MAX_TABLES ? res->tables :
						      PT_WALK_MAX_TABLES;
	s->pa = calloc(s->count ? s->count : 1, sizeof(*s->pa));
	s->page = calloc(s->count ? s->count : 1, sizeof(*s->page));
	for (i = 0; i < s->count; i++) {
		const void *p = fake_phys_to_virt_checked(res->table_pa[i],
							  PAGE);

		s->pa[i] = res->table_pa[i];
		if (p)
			memcpy(s->page[i], p, PAGE);
	}
}

void pt_snapshot_free(struct pt_snapshot *s)
{
	free(s->pa);
	free(s->page);
	memset(s, 0, sizeof(*s));
}

bool pt_snapshot_equal(const struct pt_snapshot *a,
		       const struct pt_snapshot *b)
{
	size_t i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		if (a->pa[i] != b->pa[i] ||
		    memcmp(a->page[i], b->page[i], PAGE))
			return false;
	}
	return true;
}

/*
 * Do two copies of a line hold the same entries in every bit a unit
 * reads? Bits 61:52, where libvtd keeps its counts (pt_walk_check_count()
 * checks that it puts nothing else there), are ignored in non-leaf entries
 * by both formats and at every level by the second-level one.
 */
static bool same_for_unit(const u8 *a, const u8 *b)
{
	u64 ea, eb, soft = ((1ULL << (PT_WALK_COUNT_HI + 1)) - 1) &
			   ~((1ULL << PT_WALK_COUNT_LO) - 1);
	unsigned int k;

	for (k = 0; k < LINE; k += 8) {
		memcpy(&ea, a + k, 8);
		memcpy(&eb, b + k, 8);
		if ((ea ^ eb) & ~soft)
			return false;
	}
	return true;
}

size_t pt_snapshot_dirty_lines(const struct pt_snapshot *before,
			       const struct pt_snapshot *after,
			       const void **out, size_t max)
{
	size_t n = 0, i, j;
	unsigned int line;

	for (i = 0; i < after->count; i++) {
		const u8 *va = fake_phys_to_virt_checked(after->pa[i], PAGE);
		const u8 *old = NULL;

		for (j = 0; j < before->count; j++) {
			if (before->pa[j] == after->pa[i]) {
				old = before->page[j];
				break;
			}
		}
		for (line = 0; line < PAGE / LINE; line++) {
			if (old && same_for_unit(old + line * LINE,
						 after->page[i] + line * LINE))
				continue;
			if (n < max)
				out[n] = va + line * LINE;
			n++;
		}
	}
	return n;
}

/* ---- Checks for the page-table tests ------------------------------------- */

/* Why the last check failed: what the checks return, NULL when fine. */
static char reason[256];

static const char *__attribute__((format(printf, 1, 2)))
why_not(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return reason;
}

const char *pt_check_walk(const struct pt_walk_result *res, u64 table_pages)
{
	if (res->errors)
		return why_not("%llu errors, first: %s",
			       (unsigned long long)res->errors, res->error);
	if (res->tables != table_pages)
		return why_not("%llu table pages reached, %llu in the table",
			       (unsigned long long)res->tables,
			       (unsigned long long)table_pages);
	return NULL;
}

/* The flushes counted since fake_cache_reset() against @before -> @after. */
static const char *flushes_match(const struct pt_snapshot *before,
			  const struct pt_snapshot *after, bool superset)
{
	static const void *flushed[MAX_LINES], *dirty[MAX_LINES];
	struct fake_cache_stats cs;
	size_t nf, nd, i, j;

	fake_cache_stats(&cs);
	if (cs.lines_flushed >= MAX_LINES)
		return why_not("%llu lines flushed",
			       (unsigned long long)cs.lines_flushed);
	nf = fake_cache_lines(flushed, MAX_LINES);
	nd = pt_snapshot_dirty_lines(before, after, dirty, MAX_LINES);
	if (nd > MAX_LINES)
		return why_not("%zu lines dirty", nd);
	for (i = 0; i < nf; i++)
		for (j = i + 1; j < nf; j++)
			if (flushed[i] == flushed[j])
				return why_not("line %p flushed twice",
					       flushed[i]);
	for (i = 0; i < nd; i++) {
		for (j = 0; j < nf && flushed[j] != dirty[i]; j++)
			;
		if (j == nf)
			return why_not("dirty line %p not flushed", dirty[i]);
	}
	if (!superset && nf != nd)
		return why_not("%zu lines flushed, %zu dirty", nf, nd);
	if (cs.fences != (nf || nd ? 1 : 0))
		return why_not("%llu fences after %zu lines",
			       (unsigned long long)cs.fences, nf);
	return NULL;
}

static int pt_op_run(const struct pt_subject *t, const struct pt_op *op)
{
	return op->is_map ? t->map(op->va, op->pa, op->size, op->prot) :
			    t->unmap(op->va, op->size);
}

const char *pt_check_flushes(const struct pt_subject *t, const struct pt_op *op,
		      bool superset)
{
	struct pt_snapshot before, after;
	const char *why;
	int rc;

	pt_snapshot_take(&before, t->walk());
	fake_cache_reset();
	rc = pt_op_run(t, op);
	if (rc) {
		pt_snapshot_free(&before);
		return why_not("rc %d", rc);
	}
	pt_snapshot_take(&after, t->walk());
	why = flushes_match(&before, &after, superset);
	pt_snapshot_free(&before);
	pt_snapshot_free(&after);
	return why;
}

/* After a failed allocation: nothing may have changed. */
static const char *unchanged(const struct pt_subject *t,
		      const struct pt_snapshot *before, u64 pages, u64 tables)
{
	struct pt_snapshot after;
	bool same;

	pt_snapshot_take(&after, t->walk());
	same = pt_snapshot_equal(before, &after);
	pt_snapshot_free(&after);
	if (!same)
		return why_not("table pages changed");
	if (fake_mem_pages_in_use() != pages)
		return why_not("%llu pages in use, were %llu",
			       (unsigned long long)fake_mem_pages_in_use(),
			       (unsigned long long)pages);
	if (*t->table_pages != tables)
		return why_not("%llu table pages, were %llu",
			       (unsigned long long)*t->table_pages,
			       (unsigned long long)tables);
	if (!t->gather_idle())
		return why_not("gather not empty");
	return NULL;
}

const char *pt_check_each_allocation_failure(const struct pt_subject *t,
				      const struct pt_op *op)
{
	struct pt_snapshot before;
	u64 pages, tables, n;
	const char *why;
	int rc;

	for (n = 1;; n++) {
		pt_snapshot_take(&before, t->walk());
		pages = fake_mem_pages_in_use();
		tables = *t->table_pages;
		fake_mem_fail_nth(n, false);
		rc = pt_op_run(t, op);
		fake_mem_fail_nth(0, false);
		if (rc == 0)
			break;
		if (rc != -ENOMEM)
			why = why_not("rc %d", rc);
		else if (n >= 64)
			why = why_not("still failing");
		else
			why = unchanged(t, &before, pages, tables);
		pt_snapshot_free(&before);
		if (why) {
			snprintf(reason + strlen(reason),
				 sizeof(reason) - strlen(reason),
				 " (allocation %llu failed)",
				 (unsigned long long)n);
			return why;
		}
	}
	pt_snapshot_free(&before);
	/* Every failing N had a later success: N - 1 allocations. */
	if (n < 2)
		return why_not("no allocation to fail");
	return NULL;
}

const char *pt_check_coherent_never_flushes(const struct pt_subject *t, u32 rw)
{
	const struct pt_op ops[] = {
		{ "map", true, 0, 0, SZ_1G + SZ_4K, rw },
		{ "unmap, splitting", false, SZ_4K, 0, SZ_2M * 3, 0 },
		{ "unmap", false, 0, 0, SZ_1G * 2, 0 },
	};
	struct fake_cache_stats cs;
	size_t i;
	int rc;

	fake_cache_reset();
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		rc = pt_op_run(t, &ops[i]);
		if (rc)
			return why_not("%s: rc %d", ops[i].name, rc);
	}
	fake_cache_stats(&cs);
	if (cs.lines_flushed || cs.fences)
		return why_not("%llu lines flushed, %llu fences",
			       (unsigned long long)cs.lines_flushed,
			       (unsigned long long)cs.fences);
	return NULL;
}

/* ---- Reference model ----------------------------------------------------- */

u64 pt_rnd(u64 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

void pt_model_map(struct pt_model *m, u64 first, u64 n, u64 pa, u32 prot)
{
	u64 p;

	for (p = 0; p < n; p++)
		m->page[first + p] = (pa + p * PAGE) | prot;
}

void pt_model_unmap(struct pt_model *m, u64 first, u64 n)
{
	memset(&m->page[first], 0, n * sizeof(m->page[0]));
}

u64 pt_model_mapped(const struct pt_model *m, u64 first, u64 n, u64 *lo,
		    u64 *hi)
{
	u64 p, mapped = 0;

	*lo = *hi = 0;
	for (p = first; p < first + n; p++) {
		if (!m->page[p])
			continue;
		if (!mapped++)
			*lo = p;
		*hi = p + 1;
	}
	return mapped;
}

u64 pt_model_leaf_errors(const struct pt_model *m, size_t nm, u64 va,
			 u64 pa, u64 size, u32 prot)
{
	u64 off, errors = 0;
	size_t w;

	for (w = 0; w < nm; w++) {
		if (va >= m[w].base && va + size <= m[w].base +
		    m[w].pages * PAGE)
			break;
	}
	if (w == nm)
		return 1;
	for (off = 0; off < size; off += PAGE) {
		u64 p = (va + off - m[w].base) / PAGE;

		if (m[w].page[p] != ((pa + off) | prot))
			errors++;
	}
	return errors;
}
