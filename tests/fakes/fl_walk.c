// SPDX-License-Identifier: BSD-2-Clause
/*
 * Independent first-level table walker for host tests (see fl_walk.h).
 * Bit positions are written here as numbers from the tables of PML5E,
 * PML4E, PDPTE, PDE and PTE [VT-d 9.7; SDM 3A Tables 4-14..4-20], on
 * purpose without the library's masks.
 *
 * Besides the architectural reserved bits it flags what libvtd promises
 * never to write: PWT, PCD, PAT, G, ignored and protection-key bits (but
 * for the count of the table below that libvtd keeps in bits 61:52 of a
 * non-leaf entry, which must equal the present entries the walk finds
 * there), stray bits in not-present entries, leaves without A, non-leaf
 * entries without P, R/W, U/S and A or with XD.
 */
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
	struct pt_walk_result *res;
	fl_leaf_fn fn;
	void *ctx;
};

static u64 sext(const struct fl_walk_cfg *cfg, u64 a)
{
	unsigned int top = 12 + 9 * cfg->levels;	/* 48 or 57 */

	return (a & bit(top - 1)) ? a | bits(63, top) : a & bits(top - 1, 0);
}

/* Returns 1 for a leaf, 0 for a table pointer, -1 when unusable. */
static int check_entry(const struct fl_walk_cfg *cfg,
		       struct pt_walk_result *res, u64 e, unsigned int level,
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
				pt_walk_fail(res, "1G leaf at va %#llx without "
					     "FL1GP", (unsigned long long)va);
				return -1;
			}
		}
		if (!(e & bit(FL_A)))
			pt_walk_fail(res, "leaf at va %#llx without A",
				     (unsigned long long)va);
	} else {
		/* libvtd's count of the table below (pt_snap.h). */
		policy &= ~bits(PT_WALK_COUNT_HI, PT_WALK_COUNT_LO);
		policy |= bit(FL_D) | bits(11, 8) | bit(FL_XD);
		if ((e & (bit(FL_RW) | bit(FL_US) | bit(FL_A))) !=
		    (bit(FL_RW) | bit(FL_US) | bit(FL_A)))
			pt_walk_fail(res, "non-leaf at level %u va %#llx "
				     "lacks RW, US or A", level,
				     (unsigned long long)va);
	}
	return pt_walk_judge(res, e, level, va, rsvd, policy, leaf);
}

struct rights {
	bool w, u, x;
};

static void make_leaf(struct fl_leaf *leaf, u64 e, unsigned int level,
		      u64 va, struct rights r)
{
	unsigned int s = pt_level_shift(level);

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

/* Walk the table at @pa; returns how many of its entries are present. */
static unsigned int walk_table(struct walker *wk, u64 pa, unsigned int level,
			       u64 base, struct rights r)
{
	struct pt_walk_result *res = wk->res;
	const u64 *t = pt_walk_table(res, pa, level, sext(wk->cfg, base));
	unsigned int i, present = 0, below;

	if (!t)
		return 0;
	for (i = 0; i < 512; i++) {
		u64 e = t[i];
		u64 off = (u64)i << pt_level_shift(level);
		u64 va = sext(wk->cfg, base + off);
		struct rights nr;
		int kind;

		if (e & bit(FL_P))
			present++;
		if (!(e & bit(FL_P))) {
			if (e)
				pt_walk_fail(res, "not-present entry %#llx "
					     "has bits set (level %u va %#llx)",
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
			pt_walk_leaf(res, level);
			if (wk->fn)
				wk->fn(&leaf, wk->ctx);
		} else {
			below = walk_table(wk, e & bits(FL_ADDR_HI, 12),
					   level - 1, base + off, nr);
			pt_walk_check_count(res, e, level, va, below);
		}
	}
	return present;
}

u64 fl_walk(const struct fl_walk_cfg *cfg, u64 root_pa, fl_leaf_fn fn,
	    void *ctx, struct pt_walk_result *res)
{
	struct walker wk = { .cfg = cfg, .res = res, .fn = fn, .ctx = ctx };
	struct rights all = { true, true, true };

	if (pt_walk_begin(res, cfg->levels, 4, 5))
		walk_table(&wk, root_pa, cfg->levels, 0, all);
	return res->errors;
}

bool fl_walk_translate(const struct fl_walk_cfg *cfg, u64 root_pa, u64 va,
		       struct fl_leaf *leaf, u64 *errors)
{
	static struct pt_walk_result scratch;
	struct rights r = { true, true, true };
	unsigned int level;
	u64 pa = root_pa, e;
	int kind;

	if (!pt_walk_begin(&scratch, cfg->levels, 4, 5))
		return pt_walk_translated(&scratch, false, errors);
	if (sext(cfg, va) != va)
		return false;	/* non-canonical: #GP on a CPU */
	for (level = cfg->levels; level >= 1; level--) {
		const u64 *t = pt_walk_read_table(&scratch, pa, level, va);

		if (!t)
			break;
		e = t[(va >> pt_level_shift(level)) & 511];
		if (!(e & bit(FL_P)))
			break;
		kind = check_entry(cfg, &scratch, e, level, va);
		if (kind < 0)
			break;
		if (kind == 1) {
			make_leaf(leaf, e, level, va, r);
			return pt_walk_translated(&scratch, true, errors);
		}
		r.w = r.w && (e & bit(FL_RW));
		r.u = r.u && (e & bit(FL_US));
		r.x = r.x && !(e & bit(FL_XD));
		pa = e & bits(FL_ADDR_HI, 12);
	}
	return pt_walk_translated(&scratch, false, errors);
}
