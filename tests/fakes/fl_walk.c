// SPDX-License-Identifier: BSD-2-Clause
/*
 * Independent first-level table walker for host tests (see fl_walk.h).
 * Bit positions are written here as numbers from the tables of PML5E,
 * PML4E, PDPTE, PDE and PTE [VT-d 9.7; SDM 3A Tables 4-14..4-20], on
 * purpose without the library's masks.
 *
 * Besides the architectural reserved bits it flags what libvtd promises
 * never to write: PWT, PCD, PAT, G, ignored and protection-key bits,
 * stray bits in not-present entries, leaves without A, non-leaf entries
 * without P, R/W, U/S and A or with XD.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_hal.h"
#include "fl_walk.h"

static u64 bits(unsigned int hi, unsigned int lo)
{
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

static u64 bit(unsigned int n)
{
	return 1ULL << n;
}

enum {
	FL_P = 0, FL_RW = 1, FL_US = 2, FL_PWT = 3, FL_PCD = 4, FL_A = 5,
	FL_D = 6,		/* leaf; ignored in non-leaf */
	FL_PS = 7,		/* PDE/PDPTE; PAT in a PTE; reserved in PML4E/PML5E */
	FL_G = 8,		/* leaf; ignored in non-leaf */
	FL_PAT_LARGE = 12,	/* 2M/1G leaves */
	FL_ADDR_HI = 51,
	FL_XD = 63,
};

struct walker {
	const struct fl_walk_cfg *cfg;
	struct fl_walk_result *res;
	fl_leaf_fn fn;
	void *ctx;
};

static void __attribute__((format(printf, 2, 3)))
fail(struct fl_walk_result *res, const char *fmt, ...)
{
	va_list ap;

	if (res->errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(res->error, sizeof(res->error), fmt, ap);
		va_end(ap);
	}
}

static unsigned int shift_of(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

static u64 sext(const struct fl_walk_cfg *cfg, u64 a)
{
	unsigned int top = 12 + 9 * cfg->levels;	/* 48 or 57 */

	return (a & bit(top - 1)) ? a | bits(63, top) : a & bits(top - 1, 0);
}

static u64 fnv(u64 h, const void *p, size_t n)
{
	const u8 *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Returns 1 for a leaf, 0 for a table pointer, -1 when unusable. */
static int check_entry(const struct fl_walk_cfg *cfg,
		       struct fl_walk_result *res, u64 e, unsigned int level,
		       u64 va)
{
	u64 rsvd = cfg->haw < 52 ? bits(FL_ADDR_HI, cfg->haw) : 0;
	u64 policy = bit(FL_PWT) | bit(FL_PCD) | bits(62, 52);
	bool leaf = level == 1 || ((level == 2 || level == 3) &&
				   (e & bit(FL_PS)));

	if (!cfg->nxe)
		rsvd |= bit(FL_XD);
	if (level >= 4)
		rsvd |= bit(FL_PS);
	if (leaf) {
		policy |= bit(FL_G) | bits(11, 9);
		if (level == 1)
			policy |= bit(FL_PS);	/* PAT */
		else
			policy |= bit(FL_PAT_LARGE);
		if (level == 2)
			rsvd |= bits(20, 13);
		if (level == 3) {
			rsvd |= bits(29, 13);
			if (!cfg->lp_1g) {
				fail(res, "1G leaf at va %#llx without FS1GP",
				     (unsigned long long)va);
				return -1;
			}
		}
		if (!(e & bit(FL_A)))
			fail(res, "leaf at va %#llx without A",
			     (unsigned long long)va);
	} else {
		policy |= bit(FL_D) | bits(11, 8) | bit(FL_XD);
		if ((e & (bit(FL_RW) | bit(FL_US) | bit(FL_A))) !=
		    (bit(FL_RW) | bit(FL_US) | bit(FL_A)))
			fail(res, "non-leaf at level %u va %#llx lacks RW, US "
			     "or A", level, (unsigned long long)va);
	}
	if (e & rsvd) {
		fail(res, "reserved bits %#llx in level-%u entry %#llx "
		     "(va %#llx)", (unsigned long long)(e & rsvd), level,
		     (unsigned long long)e, (unsigned long long)va);
		return -1;
	}
	if (e & policy)
		fail(res, "bits %#llx that libvtd never sets, level-%u entry "
		     "%#llx (va %#llx)", (unsigned long long)(e & policy),
		     level, (unsigned long long)e, (unsigned long long)va);
	return leaf ? 1 : 0;
}

struct rights {
	bool w, u, x;
};

static void make_leaf(struct fl_leaf *leaf, u64 e, unsigned int level,
		      u64 va, struct rights r)
{
	unsigned int s = shift_of(level);

	leaf->size = 1ULL << s;
	leaf->va = va & ~(leaf->size - 1);
	leaf->pa = e & bits(FL_ADDR_HI, s);
	leaf->w = r.w && (e & bit(FL_RW));
	leaf->u = r.u && (e & bit(FL_US));
	leaf->x = r.x && !(e & bit(FL_XD));
	leaf->a = e & bit(FL_A);
	leaf->d = e & bit(FL_D);
	leaf->raw = e;
}

static void walk_table(struct walker *wk, u64 pa, unsigned int level,
		       u64 base, struct rights r)
{
	struct fl_walk_result *res = wk->res;
	const u64 *t;
	unsigned int i;
	u64 k;

	t = fake_phys_to_virt_checked(pa, 4096);
	if (!t || (pa & 0xfff)) {
		fail(res, "table at %#llx (level %u) is not allocated fake "
		     "memory", (unsigned long long)pa, level);
		return;
	}
	for (k = 0; k < res->tables && k < FL_WALK_MAX_TABLES; k++) {
		if (res->table_pa[k] == pa) {
			fail(res, "table %#llx reached twice",
			     (unsigned long long)pa);
			return;
		}
	}
	if (res->tables < FL_WALK_MAX_TABLES)
		res->table_pa[res->tables] = pa;
	res->tables++;
	res->hash = fnv(res->hash, &pa, sizeof(pa));
	res->hash = fnv(res->hash, t, 4096);

	for (i = 0; i < 512; i++) {
		u64 e = t[i];
		u64 va = sext(wk->cfg, base + ((u64)i << shift_of(level)));
		struct rights nr;
		int kind;

		if (!(e & bit(FL_P))) {
			if (e)
				fail(res, "not-present entry %#llx has bits "
				     "set (level %u va %#llx)",
				     (unsigned long long)e, level,
				     (unsigned long long)va);
			continue;
		}
		kind = check_entry(wk->cfg, res, e, level, va);
		if (kind < 0)
			continue;
		nr.w = r.w && (e & bit(FL_RW));
		nr.u = r.u && (e & bit(FL_US));
		nr.x = r.x && !(e & bit(FL_XD));
		if (kind == 1) {
			struct fl_leaf leaf;

			make_leaf(&leaf, e, level, va, r);
			res->leaves++;
			res->leaf_count[level - 1]++;
			res->mapped_bytes += leaf.size;
			if (wk->fn)
				wk->fn(&leaf, wk->ctx);
		} else {
			walk_table(wk, e & bits(FL_ADDR_HI, 12), level - 1,
				   base + ((u64)i << shift_of(level)), nr);
		}
	}
}

u64 fl_walk(const struct fl_walk_cfg *cfg, u64 root_pa, fl_leaf_fn fn,
	    void *ctx, struct fl_walk_result *res)
{
	struct walker wk = { .cfg = cfg, .res = res, .fn = fn, .ctx = ctx };
	struct rights all = { true, true, true };

	memset(res, 0, offsetof(struct fl_walk_result, table_pa));
	res->hash = 0xcbf29ce484222325ULL;
	if (cfg->levels != 4 && cfg->levels != 5) {
		fail(res, "bad level count %u", cfg->levels);
		return res->errors;
	}
	walk_table(&wk, root_pa, cfg->levels, 0, all);
	return res->errors;
}

bool fl_walk_translate(const struct fl_walk_cfg *cfg, u64 root_pa, u64 va,
		       struct fl_leaf *leaf, u64 *errors)
{
	static struct fl_walk_result scratch;
	struct rights r = { true, true, true };
	unsigned int level;
	u64 pa = root_pa, e;
	int kind;

	memset(&scratch, 0, offsetof(struct fl_walk_result, table_pa));
	if (sext(cfg, va) != va)
		return false;	/* non-canonical: #GP on a CPU */
	for (level = cfg->levels; level >= 1; level--) {
		const u64 *t = fake_phys_to_virt_checked(pa, 4096);

		if (!t) {
			fail(&scratch, "table %#llx not allocated",
			     (unsigned long long)pa);
			break;
		}
		e = t[(va >> shift_of(level)) & 511];
		if (!(e & bit(FL_P)))
			break;
		kind = check_entry(cfg, &scratch, e, level, va);
		if (kind < 0)
			break;
		if (kind == 1) {
			make_leaf(leaf, e, level, va, r);
			if (errors)
				*errors += scratch.errors;
			return scratch.errors == 0;
		}
		r.w = r.w && (e & bit(FL_RW));
		r.u = r.u && (e & bit(FL_US));
		r.x = r.x && !(e & bit(FL_XD));
		pa = e & bits(FL_ADDR_HI, 12);
	}
	if (errors)
		*errors += scratch.errors;
	return false;
}

void fl_snapshot_take(const struct fl_walk_cfg *cfg, u64 root_pa,
		      struct fl_snapshot *s)
{
	struct fl_walk_result *res = malloc(sizeof(*res));
	size_t i;

	fl_walk(cfg, root_pa, NULL, NULL, res);
	s->count = res->tables < FL_WALK_MAX_TABLES ? res->tables :
						      FL_WALK_MAX_TABLES;
	s->pa = calloc(s->count ? s->count : 1, sizeof(*s->pa));
	s->page = calloc(s->count ? s->count : 1, sizeof(*s->page));
	for (i = 0; i < s->count; i++) {
		const void *p = fake_phys_to_virt_checked(res->table_pa[i],
							  4096);

		s->pa[i] = res->table_pa[i];
		if (p)
			memcpy(s->page[i], p, 4096);
	}
	free(res);
}

void fl_snapshot_free(struct fl_snapshot *s)
{
	free(s->pa);
	free(s->page);
	memset(s, 0, sizeof(*s));
}

bool fl_snapshot_equal(const struct fl_snapshot *a,
		       const struct fl_snapshot *b)
{
	size_t i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		if (a->pa[i] != b->pa[i] ||
		    memcmp(a->page[i], b->page[i], 4096))
			return false;
	}
	return true;
}

size_t fl_snapshot_dirty_lines(const struct fl_snapshot *before,
			       const struct fl_snapshot *after,
			       const void **out, size_t max)
{
	size_t n = 0, i, j;
	unsigned int line;

	for (i = 0; i < after->count; i++) {
		const u8 *va = fake_phys_to_virt_checked(after->pa[i], 4096);
		const u8 *old = NULL;

		for (j = 0; j < before->count; j++) {
			if (before->pa[j] == after->pa[i]) {
				old = before->page[j];
				break;
			}
		}
		for (line = 0; line < 64; line++) {
			if (old && !memcmp(old + line * 64,
					   after->page[i] + line * 64, 64))
				continue;
			if (n < max)
				out[n] = va + line * 64;
			n++;
		}
	}
	return n;
}
